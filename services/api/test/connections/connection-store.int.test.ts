/**
 * The connection store's timers behave alike in Redis and in memory: due timers are listed, a
 * firing is claimed by one caller only, a claim that is not completed comes due again, completing
 * keeps a timer set anew, and (Redis) a claim is refused to a process whose lease is gone. A
 * connection is found by the gateway session id of its calls (preemption notices name sessions).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisLeaderLease } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  MemoryConnectionStore,
  RedisConnectionStore,
  timerLeaseKey,
  type ConnectionStore,
} from '../../src/connections/connection-store.js';
import { sessionIdOf, type ConnectionRecord } from '../../src/connections/connection-record.js';

let server: RedisServerHandle;
const clients: Redis[] = [];
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});
function redis(): Redis {
  const client = new Redis(server.url);
  clients.push(client);
  return client;
}

const stores: [string, (prefix: string) => ConnectionStore][] = [
  ['memory', () => new MemoryConnectionStore()],
  ['redis', (prefix) => new RedisConnectionStore(redis(), prefix)],
];

/** A stored connection as far as the session index cares: its id and current call. */
function record(connectionId: string, callSeq: number): ConnectionRecord {
  const at = new Date(0).toISOString();
  return {
    connection: { connectionId, createdAt: at, updatedAt: at },
    internal: { callSeq },
  } as unknown as ConnectionRecord;
}

for (const [name, make] of stores) {
  test(`${name}: a connection is found by the session id of its current and earlier calls, and of none other`, async () => {
    const store = make('sessions');
    await store.put(record('c-1', 1));
    assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 1)), 'c-1');
    await store.put(record('c-1', 2)); // the next call after a release
    assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 2)), 'c-1');
    assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 1)), 'c-1', 'an earlier call');
    assert.equal(await store.connectionOfSession(sessionIdOf('c-2', 1)), undefined);
    assert.equal(await store.connectionOfSession('s-0123456789abcdef0123'), undefined);
    await store.reindexSessions();
    assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 2)), 'c-1');
  });

  test(`${name}: timersDue lists what is due by then, soonest first`, async () => {
    const store = make('due');
    await store.setTimer('c-1', 'end', 3000);
    await store.setTimer('c-2', 'hold', 1000);
    await store.setTimer('c-1', 'start', 2000);
    assert.deepEqual(
      (await store.timersDue(2000)).map((t) => [t.connectionId, t.kind, t.at]),
      [
        ['c-2', 'hold', 1000],
        ['c-1', 'start', 2000],
      ],
    );
    assert.equal((await store.timersDue(5000, 1)).length, 1);
  });

  test(`${name}: one claim per firing; an uncompleted claim comes due again; completing removes it`, async () => {
    const store = make('claim');
    await store.setTimer('c-1', 'hold', 1000);
    assert.equal(await store.claimTimer('c-1', 'hold', 999, 60_999), undefined, 'not due yet');
    assert.equal(await store.claimTimer('c-1', 'hold', 1000, 61_000), 61_000);
    assert.equal(await store.claimTimer('c-1', 'hold', 1001, 61_001), undefined, 'claimed already');
    assert.deepEqual(await store.timersDue(60_000), [], 'hidden while claimed');
    // The claimant died: at the claim's end it is due again, for one claimant.
    assert.equal(await store.claimTimer('c-1', 'hold', 61_000, 121_000), 121_000);
    await store.completeTimer('c-1', 'hold', 61_000); // the first claim's late completion: not its own
    assert.equal((await store.timers()).length, 1);
    await store.completeTimer('c-1', 'hold', 121_000);
    assert.deepEqual(await store.timers(), []);
    assert.equal(await store.claimTimer('c-1', 'hold', 200_000, 260_000), undefined, 'gone');
  });

  test(`${name}: a timer set again while its firing ran stays`, async () => {
    const store = make('reset');
    await store.setTimer('c-1', 'end', 1000);
    const claimed = await store.claimTimer('c-1', 'end', 1000, 61_000);
    assert.equal(claimed, 61_000);
    await store.setTimer('c-1', 'end', 5000); // a modify moved the end time meanwhile
    await store.completeTimer('c-1', 'end', claimed);
    assert.deepEqual(
      (await store.timers()).map((t) => [t.kind, t.at]),
      [['end', 5000]],
    );
  });
}

test('redis: records stored before the session index existed are indexed by reindexSessions', async () => {
  const client = redis();
  const store = new RedisConnectionStore(client, 'reindex');
  await store.put(record('c-1', 3));
  await store.put(record('c-2', 1));
  await client.del('reindex:{api}:sessions'); // as an older API left them
  assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 3)), undefined);
  await store.reindexSessions();
  assert.equal(await store.connectionOfSession(sessionIdOf('c-1', 3)), 'c-1');
  assert.equal(await store.connectionOfSession(sessionIdOf('c-2', 1)), 'c-2');
});

test('redis: a claim fenced by a lease the process no longer holds is refused', async () => {
  const client = redis();
  const store = new RedisConnectionStore(client, 'fence');
  const key = timerLeaseKey('fence');
  const a = new RedisLeaderLease(client, { key, holder: 'a', ttlMs: 5000 });
  const b = new RedisLeaderLease(client, { key, holder: 'b', ttlMs: 5000 });
  assert.equal(await a.tryAcquire(), true);
  const stale = a.fence();
  assert.ok(stale);
  await store.setTimer('c-1', 'hold', 1000);
  await store.setTimer('c-2', 'hold', 1000);
  assert.equal(await store.claimTimer('c-1', 'hold', 1000, 61_000, stale), 61_000);
  await a.stop({ release: true });
  assert.equal(await b.tryAcquire(), true);
  assert.equal(await store.claimTimer('c-2', 'hold', 1000, 61_000, stale), undefined, 'a lost the lease');
  assert.equal(await store.claimTimer('c-2', 'hold', 1000, 61_000, b.fence()), 61_000);
  await b.stop();
});
