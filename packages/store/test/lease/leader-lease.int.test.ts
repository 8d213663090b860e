import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LEASE_FENCE_LUA, RedisLeaderLease, type LeaderLeaseDelegate } from '../../src/index.js';
import { privateRedis } from '../support/private-redis.js';

const redis = privateRedis();

/** A lease on `key` whose callbacks are recorded in `events`. */
function lease(key: string, holder: string, ttlMs: number, events: string[] = []): RedisLeaderLease {
  const delegate: LeaderLeaseDelegate = {
    onAcquired: (token) => events.push(`acquired ${token}`),
    onLost: (reason) => events.push(`lost ${reason}`),
  };
  return new RedisLeaderLease(redis.client(), {
    key,
    holder,
    ttlMs,
    renewIntervalMs: Math.floor(ttlMs / 4),
    delegate,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await sleep(10);
  }
}

/** A write fenced by the lease: sets `target` only while the token holds `lease`. */
async function fencedSet(key: string, token: string, target: string, value: string): Promise<number> {
  const script = `${LEASE_FENCE_LUA}\nredis.call('SET', KEYS[2], ARGV[2])\nreturn 1`;
  return (await redis.client().eval(script, 2, key, target, token, value)) as number;
}

test('one holder at a time; it renews past its TTL; the standby stays out', async () => {
  const a = lease('l1', 'a', 1000);
  const b = lease('l1', 'b', 1000);
  assert.equal(await a.start(), true);
  assert.equal(await b.start(), false);
  await sleep(2200); // more than two TTLs: only renewals keep it
  assert.equal(a.held, true);
  assert.equal(b.held, false);
  assert.match(a.fence()?.token ?? '', /^\d+:a$/);
  await a.stop();
  await b.stop();
});

test('a released lease goes to the standby at its next try, with a new token', async () => {
  const eventsB: string[] = [];
  const a = lease('l2', 'a', 2000);
  const b = lease('l2', 'b', 2000, eventsB);
  await a.start();
  await b.start();
  const tokenA = a.fence()?.token;
  await a.stop();
  assert.equal(a.held, false);
  await until(() => b.held, 'b takes the released lease'); // renewIntervalMs 500
  assert.notEqual(b.fence()?.token, tokenA);
  assert.deepEqual(eventsB, [`acquired ${b.fence()?.token}`]);
  await b.stop();
});

test('a holder that stops renewing (a crash) loses it after the TTL; the fence refuses its writes', async () => {
  const eventsA: string[] = [];
  const a = lease('l3', 'a', 1000, eventsA);
  const b = lease('l3', 'b', 1000);
  await a.start();
  await b.start();
  const stale = a.fence();
  assert.ok(stale);
  assert.equal(await fencedSet('l3', stale.token, 'l3:data', 'from a'), 1);
  await a.stop({ release: false }); // nothing deleted: the key lapses on its own
  assert.equal(await redis.client().get('l3'), stale.token);
  const started = Date.now();
  await until(() => b.held, 'b takes over');
  const waited = Date.now() - started;
  // The TTL, one retry (250 ms) and slack for a loaded machine.
  assert.ok(waited <= 1000 + 600, `took over within the TTL and one retry (${waited} ms)`);
  assert.equal(await fencedSet('l3', stale.token, 'l3:data', 'late write from a'), -1);
  assert.equal(await redis.client().get('l3:data'), 'from a');
  assert.equal(await fencedSet('l3', b.fence()?.token ?? '', 'l3:data', 'from b'), 1);
  assert.deepEqual(eventsA, [`acquired ${stale.token}`, 'lost released']);
  await b.stop();
});

test('a holder whose renewals stop getting through distrusts its lease before it lapses', async () => {
  let clock = 1_000_000;
  const events: string[] = [];
  const a = new RedisLeaderLease(redis.client(), {
    key: 'l4',
    holder: 'a',
    ttlMs: 1000,
    renewIntervalMs: 300,
    now: () => clock,
    delegate: { onLost: (reason) => events.push(reason) },
  });
  assert.equal(await a.tryAcquire(), true);
  clock += 980;
  assert.ok(a.fence(), 'still inside the TTL less the drift margin (1 % + 2 ms)');
  clock += 10; // 990 ms without a renewal: a standby may take it 10 ms from now
  assert.equal(a.fence(), undefined);
  assert.deepEqual(events, ['expired']);
  await a.stop();
});

test('another holder taking the key is noticed at the next renewal', async () => {
  const events: string[] = [];
  const a = lease('l5', 'a', 5000, events);
  await a.start();
  await redis.client().set('l5', '99:intruder', 'PX', 5000);
  assert.equal(await a.tryAcquire(), false);
  assert.equal(a.held, false);
  assert.deepEqual(events.slice(1), ['lost taken']);
  await a.stop();
  assert.equal(await redis.client().get('l5'), '99:intruder', 'stop releases only its own token');
});

test('renewIntervalMs must be below ttlMs', () => {
  assert.throws(
    () => new RedisLeaderLease(redis.client(), { key: 'x', holder: 'a', ttlMs: 100, renewIntervalMs: 100 }),
    RangeError,
  );
});
