import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KeySpace,
  MemoryLocationStore,
  RedisLocationStore,
  type Binding,
  type LocationStore,
} from '../../src/index.js';
import { privateRedis } from '../support/private-redis.js';

function binding(contact: string, overrides: Partial<Binding> = {}): Binding {
  return {
    aor: 'sip:primary-dc@svpn.example.net',
    contact,
    source: { protocol: 'udp', address: '127.0.0.1', port: 5070 },
    vpnIds: ['00000a:00000001'],
    ce: 'CE1',
    callId: 'c1',
    cseq: 1,
    expiresAt: 10_000,
    ...overrides,
  };
}

/** One conformance suite for every LocationStore implementation. */
function conformance(name: string, make: () => Promise<LocationStore>): void {
  describe(`LocationStore conformance: ${name}`, () => {
    test('replace then lookup returns live bindings only', async () => {
      const store = await make();
      const aor = 'sip:primary-dc@svpn.example.net';
      await store.replace(aor, [binding('sip:a@10.0.0.1'), binding('sip:b@10.0.0.2', { expiresAt: 500 })], 0);
      assert.equal((await store.lookup(aor, 0)).length, 2);
      assert.deepEqual(
        (await store.lookup(aor, 1000)).map((b) => b.contact),
        ['sip:a@10.0.0.1'],
      );
      assert.deepEqual(await store.lookup(aor, 20_000), []);
    });

    test('listByVpn follows bindings moving between VPNs and CEs', async () => {
      const store = await make();
      const aor = 'sip:backup-dc@svpn.example.net';
      await store.replace(aor, [binding('sip:x@10.0.0.9', { aor, ce: 'CE1' })], 0);
      assert.equal((await store.listByVpn('00000a:00000001', 0))[0]?.ce, 'CE1');
      await store.replace(
        aor,
        [binding('sip:x@10.0.0.9', { aor, ce: 'CE2', vpnIds: ['00000b:00000001'] })],
        0,
      );
      assert.deepEqual(await store.listByVpn('00000a:00000001', 0), []);
      assert.equal((await store.listByVpn('00000b:00000001', 0))[0]?.ce, 'CE2');
      await store.replace(aor, [], 0);
      assert.deepEqual(await store.listByVpn('00000b:00000001', 0), []);
    });
  });
}

const redis = privateRedis();

conformance('memory', async () => new MemoryLocationStore());
let n = 0;
conformance('redis', async () => {
  const client = redis.client();
  return new RedisLocationStore(client, new KeySpace(`t${n++}`));
});
