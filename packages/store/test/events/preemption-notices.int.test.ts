import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  KeySpace,
  PREEMPTION_NOTICE_FIELD,
  PreemptionNoticeConsumer,
  PreemptionNoticeInvalidError,
  PreemptionNoticeTail,
  preemptionNoticeDeadLetterStream,
  preemptionNoticeProblems,
  preemptionNoticeStream,
  publishPreemptionNotices,
  type PreemptionNotice,
} from '../../src/index.js';

let server: RedisServerHandle;
let redis: Redis;
before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
after(async () => {
  redis.disconnect();
  await server.stop();
});

let n = 0;
const freshKeys = () => new KeySpace(`pn-t${n++}`);

function notice(sessionId: string, extra: Partial<PreemptionNotice> = {}): PreemptionNotice {
  return {
    noticeId: `n-${sessionId}`,
    sessionId,
    action: 'end',
    booking: false,
    cause: 'admit',
    preemptorSessionId: 'flash-1',
    preemptorLevel: 'flash',
    at: 1_767_225_600_000,
    ...extra,
  };
}

test('the contract: a shrink says what is kept, an end keeps nothing, nobody preempts itself', () => {
  assert.deepEqual(preemptionNoticeProblems(notice('a')), []);
  assert.deepEqual(preemptionNoticeProblems(notice('a', { action: 'shrink', newBandwidthBps: 5 })), []);
  assert.match(preemptionNoticeProblems(notice('a', { action: 'shrink' })).join(), /newBandwidthBps/);
  assert.match(preemptionNoticeProblems(notice('a', { newBandwidthBps: 5 })).join(), /keeps nothing/);
  assert.match(preemptionNoticeProblems(notice('flash-1')).join(), /itself/);
  assert.ok(preemptionNoticeProblems({ ...notice('a'), extra: 1 }).length > 0);
  assert.ok(preemptionNoticeProblems({ ...notice('a'), cause: 'whim' }).length > 0);
});

test('publish: an invalid notice writes nothing, not even the valid ones beside it', async () => {
  const keys = freshKeys();
  await assert.rejects(
    publishPreemptionNotices(redis, keys, [notice('a'), notice('b', { action: 'shrink' })]),
    PreemptionNoticeInvalidError,
  );
  assert.equal(await redis.xlen(preemptionNoticeStream(keys)), 0);
});

test('publish: the notices of one change are appended in order, ahead of what the connection sends next', async () => {
  const keys = freshKeys();
  const conn = new Redis(server.url);
  try {
    // Sent without awaiting the notices first, as the admission leader does with its journal.
    const published = publishPreemptionNotices(conn, keys, [notice('a'), notice('b')]);
    const next = conn.xlen(preemptionNoticeStream(keys));
    assert.equal(await next, 2, 'both notices were in the stream when the next command ran');
    const ids = await published;
    assert.equal(ids.length, 2);
    const entries = await redis.xrange(preemptionNoticeStream(keys), '-', '+');
    assert.deepEqual(
      entries.map(([, f]) => (JSON.parse(f[1] as string) as PreemptionNotice).sessionId),
      ['a', 'b'],
    );
    assert.equal(entries[0]?.[1][0], PREEMPTION_NOTICE_FIELD);
  } finally {
    conn.disconnect();
  }
});

test('tail: starts after what is in the stream, then hands on every notice in order; a bad entry is skipped', async () => {
  const keys = freshKeys();
  await publishPreemptionNotices(redis, keys, [notice('old')]);
  const seen: string[] = [];
  const invalid: string[] = [];
  const tail = new PreemptionNoticeTail({
    redis,
    keys,
    blockMs: 0,
    handler: async (n) => {
      seen.push(n.sessionId);
    },
    delegate: { onInvalid: (id) => invalid.push(id) },
  });
  await tail.init();
  await publishPreemptionNotices(redis, keys, [notice('a'), notice('b')]);
  await redis.xadd(preemptionNoticeStream(keys), '*', PREEMPTION_NOTICE_FIELD, '{"not":"a notice"}');
  await publishPreemptionNotices(redis, keys, [notice('c', { action: 'shrink', newBandwidthBps: 1000 })]);
  assert.equal(await tail.pollOnce(), 4);
  assert.deepEqual(seen, ['a', 'b', 'c'], 'the notice published before the tail started is not handed on');
  assert.equal(invalid.length, 1);
  assert.equal(await tail.pollOnce(), 0, 'nothing twice');
  await tail.stop();
});

test('tail: a failing handler is retried, then the notice is skipped and reported; the next ones still come', async () => {
  const keys = freshKeys();
  let calls = 0;
  const finals: string[] = [];
  const seen: string[] = [];
  const tail = new PreemptionNoticeTail({
    redis,
    keys,
    blockMs: 0,
    errorBackoffMs: 1,
    maxAttempts: 3,
    handler: async (n) => {
      if (n.sessionId === 'poison') {
        calls++;
        throw new Error('boom');
      }
      seen.push(n.sessionId);
    },
    delegate: { onHandlerError: (_e, n, _id, _attempt, final) => final && finals.push(n.sessionId) },
  });
  await tail.init();
  await publishPreemptionNotices(redis, keys, [notice('poison'), notice('next')]);
  await tail.pollOnce();
  assert.equal(calls, 3);
  assert.deepEqual(finals, ['poison']);
  assert.deepEqual(seen, ['next']);
  await tail.stop();
});

test('tail: the running loop follows new notices and stops promptly while blocked', async () => {
  const keys = freshKeys();
  const seen: string[] = [];
  const tail = new PreemptionNoticeTail({
    redis,
    keys,
    blockMs: 5000,
    handler: async (n) => {
      seen.push(n.sessionId);
    },
  });
  await tail.start();
  await publishPreemptionNotices(redis, keys, [notice('live')]);
  const deadline = Date.now() + 5000;
  while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['live']);
  const started = Date.now();
  await tail.stop();
  assert.ok(Date.now() - started < 2000, 'stop does not wait out the blocking read');
});

test('consumer groups: each group gets every notice once; an invalid entry goes to the dead letters', async () => {
  const keys = freshKeys();
  await publishPreemptionNotices(redis, keys, [notice('a')]);
  await redis.xadd(preemptionNoticeStream(keys), '*', PREEMPTION_NOTICE_FIELD, 'nope');
  const groups = ['api', 'audit'].map((group) => {
    const seen: string[] = [];
    const consumer = new PreemptionNoticeConsumer({
      redis,
      keys,
      group,
      consumer: `${group}-1`,
      blockMs: 0,
      handler: async (n) => {
        seen.push(n.sessionId);
      },
    });
    return { consumer, seen };
  });
  for (const g of groups) {
    await g.consumer.ensureGroup();
    await g.consumer.pollOnce();
    await g.consumer.pollOnce();
    assert.deepEqual(g.seen, ['a'], 'a group created later still reads from the beginning');
  }
  assert.equal(await redis.xlen(preemptionNoticeDeadLetterStream(keys)), 2, 'one dead letter per group');
  for (const g of groups) await g.consumer.stop();
});
