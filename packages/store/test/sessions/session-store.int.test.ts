import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  KeySpace,
  MemorySessionStore,
  RedisSessionStore,
  type SessionRecord,
  type SessionStore,
} from '../../src/index.js';
import { privateRedis } from '../support/private-redis.js';

function session(id: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: id,
    callId: `call-${id}`,
    phase: 'active',
    customerId: 'acme',
    vpnId: '00000a:00000001',
    caller: 'primary-dc',
    callee: 'backup-dc',
    serviceClass: 'high-throughput-data',
    precedence: 'routine',
    grantedBps: 100_000_000,
    dscp: 10,
    ingress: { pe: 'PE1', ce: 'CE1' },
    egress: { pe: 'PE4', ce: 'CE2' },
    lspId: 'lsp-1',
    label: 24000,
    links: ['PE1-P1:PE1->P1'],
    setupAt: 1,
    gatewayId: 'gw1',
    version: 1,
    ...overrides,
  };
}

function conformance(name: string, make: () => Promise<SessionStore>): void {
  describe(`SessionStore conformance: ${name}`, () => {
    test('usage follows puts, modifications, ends and deletes exactly', async () => {
      const store = await make();
      await store.put(session('a'));
      await store.put(session('b', { grantedBps: 50_000_000 }));
      await store.put(session('c', { customerId: 'globex', grantedBps: 7 }));
      assert.deepEqual(await store.usage('acme'), { activeSessions: 2, reservedBps: 150_000_000 });
      await store.put(session('b', { grantedBps: 80_000_000, version: 2 }));
      assert.deepEqual(await store.usage('acme'), { activeSessions: 2, reservedBps: 180_000_000 });
      await store.put(session('a', { phase: 'ended', endAt: 5 }));
      assert.deepEqual(await store.usage('acme'), { activeSessions: 1, reservedBps: 80_000_000 });
      assert.deepEqual((await store.listActive()).map((s) => s.sessionId).sort(), ['b', 'c']);
      assert.equal((await store.get('a'))?.phase, 'ended');
      await store.delete('b');
      await store.delete('a');
      assert.deepEqual(await store.usage('acme'), { activeSessions: 0, reservedBps: 0 });
      assert.deepEqual(await store.usage('globex'), { activeSessions: 1, reservedBps: 7 });
      assert.equal(await store.get('b'), undefined);
    });
  });
}

const redis = privateRedis();

conformance('memory', async () => new MemorySessionStore());
let n = 0;
conformance('redis', async () => {
  const client = redis.client();
  return new RedisSessionStore(client, new KeySpace(`s${n++}`));
});
