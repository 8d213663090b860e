import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';

import { KeySpace, RedisPolicyStore, type PolicyChange, type PolicyStore } from '../../src/index.js';
import { app, customer, policyStoreConformance, seed, sla } from './policy-store-conformance.js';

let server: RedisServerHandle;
const connections: Redis[] = [];

function connect(): Redis {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

function freshStore(prefix = `t-${randomUUID()}`): RedisPolicyStore {
  return new RedisPolicyStore(connect(), { keys: new KeySpace(prefix) });
}

before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  await server.stop();
});

policyStoreConformance('redis', { make: async (): Promise<PolicyStore> => freshStore() });

describe('RedisPolicyStore specifics', () => {
  it('keys live under the {policy} hash tag; the data is JSON another process can read', async () => {
    const prefix = `t-${randomUUID()}`;
    const store = freshStore(prefix);
    await seed(store);
    const redis = connect();
    const keys = (await redis.keys(`${prefix}:*`)).sort();
    assert.deepEqual(keys, [
      `${prefix}:{policy}:applications`,
      `${prefix}:{policy}:customers`,
      `${prefix}:{policy}:sites`,
      `${prefix}:{policy}:slas`,
      `${prefix}:{policy}:vpn-names`,
      `${prefix}:{policy}:vpns`,
    ]);
    assert.deepEqual(
      JSON.parse((await redis.hget(`${prefix}:{policy}:applications`, 'primary-dc')) as string),
      app,
    );
    assert.equal(await redis.hget(`${prefix}:{policy}:sites`, 'CE2'), 'acme');
    assert.equal(await redis.hget(`${prefix}:{policy}:vpn-names`, 'acme-storage'), '00000a:00000001');
    await store.claimUsage({ customerId: 'acme', sessionId: 's1', bps: 5, maxSessions: 1, maxTotalBps: 5 });
    assert.deepEqual(await redis.hgetall(`${prefix}:{policy}:usage:acme`), { s1: '5' });
    assert.deepEqual(await redis.hgetall(`${prefix}:{policy}:usage-owners`), { s1: 'acme' });
    await store.close();
  });

  it('changes are published on svpn:{policy}:changed and reach other processes', async () => {
    const prefix = 'svpn';
    const writer = freshStore(prefix);
    const reader = freshStore(prefix);
    const sub = connect();
    const raw: string[] = [];
    sub.on('message', (_channel: string, message: string) => raw.push(message));
    await sub.subscribe('svpn:{policy}:changed');
    const seen: PolicyChange[] = [];
    const stop = await reader.subscribe((c) => seen.push(c));
    await writer.createSla({ ...sla, id: `pub-${randomUUID().slice(0, 8)}` });
    const deadline = Date.now() + 2000;
    while ((raw.length < 1 || seen.length < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    assert.equal(raw.length, 1);
    assert.equal(JSON.parse(raw[0] as string).kind, 'sla');
    assert.deepEqual(seen, [JSON.parse(raw[0] as string)]);
    await stop();
    await writer.close();
    await reader.close();
  });

  it('concurrent writers from two processes keep the rules (WATCH/MULTI retries)', async () => {
    const prefix = `t-${randomUUID()}`;
    const a = freshStore(prefix);
    const b = freshStore(prefix);
    await a.createSla(sla);
    // Both try to give CE5 to a different new customer at once: exactly one wins.
    const results = await Promise.allSettled([
      a.createCustomer({ ...customer, id: 'one', sites: [{ ce: 'CE5', pe: 'PE1', interface: 'ge-0/0/9' }] }),
      b.createCustomer({ ...customer, id: 'two', sites: [{ ce: 'CE5', pe: 'PE2', interface: 'ge-0/0/9' }] }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    // Many concurrent creates of distinct SLAs from both stores all land.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).createSla({ ...sla, id: `sla-${i}` })),
    );
    assert.equal((await a.listSlas()).length, 21);
    await a.close();
    await b.close();
  });
});
