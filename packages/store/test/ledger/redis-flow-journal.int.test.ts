import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FencedWriteError, KeySpace, RedisFlowJournal } from '../../src/index.js';
import { privateRedis } from '../support/private-redis.js';

const redis = privateRedis();

function journal(prefix: string): RedisFlowJournal<{ id: string; bps: number }> {
  const client = redis.client();
  return new RedisFlowJournal(client, new KeySpace(prefix));
}

test('entries come back in admission order; remove forgets one', async () => {
  const j = journal('j1');
  assert.ok(await j.acquireLeadership('gw-a', 5000));
  await j.put({ seq: 2, spec: { id: 'b', bps: 2 } });
  await j.put({ seq: 1, spec: { id: 'a', bps: 1 } });
  await j.put({ seq: 3, spec: { id: 'a', bps: 5 } });
  assert.deepEqual(
    (await j.load()).map((e) => [e.spec.id, e.seq]),
    [
      ['b', 2],
      ['a', 3],
    ],
  );
  await j.remove('b');
  assert.deepEqual(
    (await j.load()).map((e) => e.spec.id),
    ['a'],
  );
});

test('DESIGN §5 — one leader at a time; a deposed leader cannot write (fencing token)', async () => {
  const a = journal('j2');
  const b = journal('j2');
  assert.ok(await a.acquireLeadership('gw-a', 200));
  assert.equal(await b.acquireLeadership('gw-b', 200), false);
  assert.ok(await a.acquireLeadership('gw-a', 200), 'the leader renews its own lease');
  await new Promise((r) => setTimeout(r, 350));
  assert.ok(await b.acquireLeadership('gw-b', 5000), 'the lease lapsed: the standby takes over');
  await b.put({ seq: 1, spec: { id: 'x', bps: 1 } });
  await assert.rejects(a.put({ seq: 2, spec: { id: 'y', bps: 1 } }), FencedWriteError);
  assert.deepEqual(
    (await b.load()).map((e) => e.spec.id),
    ['x'],
  );
});

test('a released lease is taken over at once', async () => {
  const a = journal('j3');
  const b = journal('j3');
  assert.ok(await a.acquireLeadership('gw-a', 60_000));
  assert.equal(await b.acquireLeadership('gw-b', 60_000), false);
  await a.releaseLeadership();
  assert.ok(await b.acquireLeadership('gw-b', 60_000));
});

test('a scheduled booking keeps its window and path; an entry written before windows existed still loads as a flow', async () => {
  const client = redis.client();
  const keys = new KeySpace('j4');
  const j = new RedisFlowJournal<{ id: string; bps: number }>(client, keys);
  assert.ok(await j.acquireLeadership('gw-a', 5000));
  // What an older gateway wrote: seq and spec only.
  await client.hset(
    keys.key('ledger', 'flows'),
    'old',
    JSON.stringify({ seq: 1, spec: { id: 'old', bps: 1 } }),
  );
  await j.put({
    seq: 2,
    spec: { id: 'booked', bps: 2 },
    window: { start: 1_000, end: 2_000, links: ['a->b', 'b->c'] },
  });
  await j.put({
    seq: 3,
    spec: { id: 'from-then-on', bps: 3 },
    window: { start: 5_000, end: null, links: ['a->b'] },
  });
  const loaded = await j.load();
  assert.deepEqual(
    loaded.map((e) => [e.spec.id, e.window]),
    [
      ['old', undefined],
      ['booked', { start: 1_000, end: 2_000, links: ['a->b', 'b->c'] }],
      ['from-then-on', { start: 5_000, end: null, links: ['a->b'] }],
    ],
  );
});
