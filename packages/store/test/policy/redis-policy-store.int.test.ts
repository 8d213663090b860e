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

const cachedStores: RedisPolicyStore[] = [];
function cachedStore(prefix = `t-${randomUUID()}`, readCacheTtlMs = 60_000): RedisPolicyStore {
  const store = new RedisPolicyStore(connect(), { keys: new KeySpace(prefix), readCacheTtlMs });
  cachedStores.push(store);
  return store;
}
after(async () => {
  await Promise.all(cachedStores.map((s) => s.close()));
});

/** A usage entry as stores wrote them before claims had windows: `session → bps`. */
async function putLegacyUsage(store: PolicyStore, customerId: string, sessionId: string, bps: number) {
  const { keys } = store as RedisPolicyStore;
  await connect()
    .multi()
    .hset(keys.usage(customerId), sessionId, String(bps))
    .hset(keys.usageOwners, sessionId, customerId)
    .exec();
}

policyStoreConformance('redis', { make: async (): Promise<PolicyStore> => freshStore(), putLegacyUsage });
// The same contract with the read cache on: a store reads its own writes at once.
policyStoreConformance('redis, read cache', {
  make: async (): Promise<PolicyStore> => cachedStore(),
  putLegacyUsage,
});

/** HGET calls Redis has run so far (INFO commandstats). */
async function hgetCalls(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  return Number(/^cmdstat_hget:calls=(\d+)/m.exec(info)?.[1] ?? 0);
}

async function eventually(check: () => Promise<boolean>, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('RedisPolicyStore read cache', () => {
  it('serves repeated hot-path reads from memory, and another process’s write empties it', async () => {
    const prefix = `t-${randomUUID()}`;
    const reader = cachedStore(prefix);
    const writer = freshStore(prefix);
    await seed(writer);
    const redis = connect();
    await eventually(async () => (await reader.getApplication('primary-dc')) !== undefined);
    await reader.getSite('CE2');
    const before = await hgetCalls(redis);
    for (let i = 0; i < 50; i++) {
      assert.equal((await reader.getApplication('primary-dc'))?.name, 'primary-dc');
      assert.equal((await reader.getSite('CE2'))?.customerId, 'acme');
      assert.equal((await reader.resolveVpn('acme-storage'))?.vpnId, '00000a:00000001');
    }
    const after = await hgetCalls(redis);
    // 150 lookups of five keys: at most the few first-time reads reach Redis.
    assert.ok(after - before <= 5, `${after - before} HGETs for 150 cached lookups`);
    // A copy each time: changing what a read returned does not change the cache.
    const copy = (await reader.getApplication('primary-dc')) as { enabled: boolean };
    copy.enabled = false;
    assert.equal((await reader.getApplication('primary-dc'))?.enabled, true);
    // Another process disables the application: the notice empties the cache.
    await writer.updateApplication({ ...app, enabled: false });
    await eventually(async () => (await reader.getApplication('primary-dc'))?.enabled === false);
    assert.equal(await reader.getCredentials('primary-dc', app.realm, 'MD5'), undefined);
    await writer.close();
  });

  it('an entity read before it existed is not remembered past the write that creates it', async () => {
    const prefix = `t-${randomUUID()}`;
    const reader = cachedStore(prefix);
    const writer = freshStore(prefix);
    await eventually(async () => reader.readCacheLive);
    assert.equal(await reader.getSla(sla.id), undefined); // a miss, cached…
    await writer.createSla(sla);
    // …and dropped when the creation is announced.
    await eventually(async () => (await reader.getSla(sla.id))?.id === sla.id);
    await writer.close();
  });

  it('without a live subscription the cache is bypassed (no stale reads while disconnected)', async () => {
    const prefix = `t-${randomUUID()}`;
    const reader = cachedStore(prefix);
    const writer = freshStore(prefix);
    await seed(writer);
    await eventually(async () => (await reader.getSla(sla.id)) !== undefined);
    await reader.close(); // the subscriber is gone: every read goes to Redis
    await writer.updateSla({ ...sla, maxSessions: sla.maxSessions + 1 });
    assert.equal((await reader.getSla(sla.id))?.maxSessions, sla.maxSessions + 1);
    await writer.close();
  });
});

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
    await store.claimUsage({
      customerId: 'acme',
      sessionId: 's1',
      bps: 5,
      maxSessions: 1,
      maxTotalBps: 5,
      start: 1_700_000_000_000,
      end: 1_700_000_060_000,
      now: 1_700_000_000_000,
    });
    await store.claimUsage({
      customerId: 'acme',
      sessionId: 's2',
      bps: 7,
      maxSessions: 2,
      maxTotalBps: 12,
      now: 1_700_000_000_000,
    });
    // A claim is `bps;start;end` in ms, `inf` for an open end.
    assert.deepEqual(await redis.hgetall(`${prefix}:{policy}:usage:acme`), {
      s1: '5;1700000000000;1700000060000',
      s2: '7;1700000000000;inf',
    });
    assert.deepEqual(await redis.hgetall(`${prefix}:{policy}:usage-owners`), { s1: 'acme', s2: 'acme' });
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
