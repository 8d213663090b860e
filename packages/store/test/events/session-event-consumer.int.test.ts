import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  KeySpace,
  publishSessionEvent,
  SessionEventConsumer,
  sessionEventDeadLetterStream,
  sessionEventGroupInfo,
  SessionEventInvalidError,
  sessionEventStream,
  type SessionEvent,
  type SessionEventConsumerOptions,
  type SessionEventDelivery,
} from '../../src/index.js';
import { validStart } from './fixtures.js';

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
const freshKeys = () => new KeySpace(`ev-t${n++}`);
const ev = (sessionId: string, seq = 0): SessionEvent =>
  seq === 0
    ? { ...validStart, sessionId, eventId: `${sessionId}:0` }
    : { ...validStart, type: 'modify', sessionId, seq, eventId: `${sessionId}:${seq}` };

/** A consumer recording what it handled; `fail` makes the handler throw. */
function consumer(
  keys: KeySpace,
  name: string,
  extra: Partial<SessionEventConsumerOptions> & { fail?: () => boolean } = {},
) {
  const handled: { event: SessionEvent; delivery: SessionEventDelivery }[] = [];
  const deadLetters: string[] = [];
  const lost: string[] = [];
  const c = new SessionEventConsumer({
    redis,
    keys,
    group: 'charging',
    consumer: name,
    blockMs: 0,
    claimIdleMs: 100,
    claimIntervalMs: 0,
    handler: async (event, delivery) => {
      if (extra.fail?.()) throw new Error('handler failed');
      handled.push({ event, delivery });
    },
    delegate: {
      onDeadLetter: (id) => deadLetters.push(id),
      onLost: (ids) => lost.push(...ids),
    },
    ...extra,
  });
  return { c, handled, deadLetters, lost };
}

async function pendingCount(keys: KeySpace): Promise<number> {
  const summary = (await redis.xpending(sessionEventStream(keys), 'charging')) as [number, ...unknown[]];
  return Number(summary[0]);
}

describe('publishSessionEvent', () => {
  test('appends the event as one JSON field and returns the entry id', async () => {
    const keys = freshKeys();
    const id = await publishSessionEvent(redis, keys, ev('s-1'));
    const entries = await redis.xrange(sessionEventStream(keys), '-', '+');
    assert.equal(entries.length, 1);
    assert.equal(entries[0]![0], id);
    assert.deepEqual(entries[0]![1], ['event', JSON.stringify(ev('s-1'))]);
  });

  test('refuses an invalid event and writes nothing', async () => {
    const keys = freshKeys();
    await assert.rejects(
      publishSessionEvent(redis, keys, { ...ev('s-1'), dscp: 99 }),
      SessionEventInvalidError,
    );
    assert.equal(await redis.exists(sessionEventStream(keys)), 0);
  });

  test('bounds the stream with MAXLEN ~', async () => {
    const keys = freshKeys();
    for (let i = 0; i < 400; i++) await publishSessionEvent(redis, keys, ev(`s-${i}`), { maxLen: 10 });
    const len = await redis.xlen(sessionEventStream(keys));
    assert.ok(len < 400 && len >= 10, `length ${len}`);
  });
});

describe('SessionEventConsumer', () => {
  test('delivers new events once and acknowledges them after the handler', async () => {
    const keys = freshKeys();
    const { c, handled } = consumer(keys, 'a');
    await c.ensureGroup();
    await c.ensureGroup(); // idempotent
    await publishSessionEvent(redis, keys, ev('s-1'));
    await publishSessionEvent(redis, keys, ev('s-1', 1));
    const result = await c.pollOnce();
    assert.equal(result.delivered, 2);
    assert.equal(result.acked, 2);
    assert.deepEqual(
      handled.map((h) => [h.event.eventId, h.delivery.deliveries, h.delivery.claimed]),
      [
        ['s-1:0', 1, false],
        ['s-1:1', 1, false],
      ],
    );
    assert.equal(await pendingCount(keys), 0);
    assert.equal((await c.pollOnce()).delivered, 0);
    assert.deepEqual(await sessionEventGroupInfo(redis, keys, 'charging'), {
      consumers: 1,
      pending: 0,
      lag: 0,
      lastDeliveredId: (await redis.xrange(sessionEventStream(keys), '-', '+'))[1]![0],
    });
    await c.stop();
  });

  test('a new group starts at the beginning of the stream by default', async () => {
    const keys = freshKeys();
    await publishSessionEvent(redis, keys, ev('early'));
    const { c, handled } = consumer(keys, 'a');
    await c.ensureGroup();
    await c.pollOnce();
    assert.deepEqual(
      handled.map((h) => h.event.eventId),
      ['early:0'],
    );
    await c.stop();
  });

  test('a consumer that read but died before acking: another one claims the entry after claimIdleMs', async () => {
    const keys = freshKeys();
    const dead = consumer(keys, 'dead');
    await dead.c.ensureGroup();
    await publishSessionEvent(redis, keys, ev('s-1'));
    // "dead" reads the entry into its pending list and never acknowledges it.
    await redis.xreadgroup(
      'GROUP',
      'charging',
      'dead',
      'COUNT',
      10,
      'STREAMS',
      sessionEventStream(keys),
      '>',
    );
    const other = consumer(keys, 'other', { claimIdleMs: 500 });
    // Not idle long enough yet: nothing to claim.
    assert.equal((await other.c.pollOnce()).claimed, 0);
    await sleep(600);
    const result = await other.c.pollOnce();
    assert.equal(result.claimed, 1);
    assert.equal(result.acked, 1);
    assert.deepEqual(
      other.handled.map((h) => [h.event.eventId, h.delivery.claimed, h.delivery.deliveries]),
      [['s-1:0', true, 2]],
    );
    assert.equal(await pendingCount(keys), 0);
    await dead.c.stop();
    await other.c.stop();
  });

  test('a failed handler leaves the entry pending; it is retried after claimIdleMs', async () => {
    const keys = freshKeys();
    let failures = 1;
    const { c, handled } = consumer(keys, 'a', { fail: () => failures-- > 0 });
    await c.ensureGroup();
    await publishSessionEvent(redis, keys, ev('s-1'));
    const first = await c.pollOnce();
    assert.equal(first.failed, 1);
    assert.equal(await pendingCount(keys), 1);
    await sleep(150);
    const second = await c.pollOnce();
    assert.equal(second.acked, 1);
    assert.equal(handled.length, 1);
    assert.equal(handled[0]!.delivery.deliveries, 2);
    assert.equal(await pendingCount(keys), 0);
    await c.stop();
  });

  test('a restarted consumer (same name) first replays its own pending entries', async () => {
    const keys = freshKeys();
    const before = consumer(keys, 'a', { fail: () => true, claimIdleMs: 60_000 });
    await before.c.ensureGroup();
    await publishSessionEvent(redis, keys, ev('s-1'));
    assert.equal((await before.c.pollOnce()).failed, 1);
    await before.c.stop();
    const restarted = consumer(keys, 'a', { claimIdleMs: 60_000 });
    const result = await restarted.c.pollOnce();
    assert.equal(result.acked, 1);
    assert.deepEqual(
      restarted.handled.map((h) => h.event.eventId),
      ['s-1:0'],
    );
    assert.equal(await pendingCount(keys), 0);
    await restarted.c.stop();
  });

  test('an invalid entry goes to the dead-letter stream and is acknowledged', async () => {
    const keys = freshKeys();
    const { c, handled, deadLetters } = consumer(keys, 'a');
    await c.ensureGroup();
    const bad = await redis.xadd(sessionEventStream(keys), '*', 'event', '{"type":"start"}');
    await publishSessionEvent(redis, keys, ev('s-2'));
    const result = await c.pollOnce();
    assert.equal(result.deadLettered, 1);
    assert.equal(result.acked, 1);
    assert.deepEqual(deadLetters, [bad]);
    assert.deepEqual(
      handled.map((h) => h.event.eventId),
      ['s-2:0'],
    );
    const dead = await redis.xrange(sessionEventDeadLetterStream(keys), '-', '+');
    assert.equal(dead.length, 1);
    const fields = dead[0]![1];
    assert.equal(fields[fields.indexOf('entry') + 1], bad);
    assert.match(fields[fields.indexOf('reason') + 1]!, /invalid session event/);
    assert.equal(await pendingCount(keys), 0);
    await c.stop();
  });

  test('an entry failing more than maxDeliveries times is dead-lettered', async () => {
    const keys = freshKeys();
    const { c, deadLetters } = consumer(keys, 'a', { fail: () => true, maxDeliveries: 2, claimIdleMs: 20 });
    await c.ensureGroup();
    const id = await publishSessionEvent(redis, keys, ev('s-1'));
    for (let i = 0; i < 4 && deadLetters.length === 0; i++) {
      await c.pollOnce();
      await sleep(40);
    }
    assert.deepEqual(deadLetters, [id]);
    assert.equal(await pendingCount(keys), 0);
    await c.stop();
  });

  test('pending entries trimmed away are reported lost and acknowledged', async () => {
    const keys = freshKeys();
    const { c, lost } = consumer(keys, 'a', { claimIdleMs: 10 });
    await c.ensureGroup();
    const id = await publishSessionEvent(redis, keys, ev('s-1'));
    await redis.xreadgroup(
      'GROUP',
      'charging',
      'gone',
      'COUNT',
      10,
      'STREAMS',
      sessionEventStream(keys),
      '>',
    );
    await redis.xtrim(sessionEventStream(keys), 'MAXLEN', 0);
    await sleep(30);
    const result = await c.pollOnce();
    assert.equal(result.lost, 1);
    assert.deepEqual(lost, [id]);
    assert.equal(await pendingCount(keys), 0);
    await c.stop();
  });

  test('start() runs the loop (blocking reads) until stop()', async () => {
    const keys = freshKeys();
    const { c, handled } = consumer(keys, 'loop', { blockMs: 50 });
    c.start();
    await publishSessionEvent(redis, keys, ev('s-1'));
    await publishSessionEvent(redis, keys, ev('s-2'));
    for (let i = 0; i < 250 && handled.length < 2; i++) await sleep(20);
    await c.stop();
    assert.deepEqual(
      handled.map((h) => h.event.eventId),
      ['s-1:0', 's-2:0'],
    );
    assert.equal(await pendingCount(keys), 0);
  });

  test('group info is null for a missing stream or group', async () => {
    const keys = freshKeys();
    assert.equal(await sessionEventGroupInfo(redis, keys, 'charging'), null);
    await publishSessionEvent(redis, keys, ev('s-1'));
    assert.equal(await sessionEventGroupInfo(redis, keys, 'charging'), null);
    const { c } = consumer(keys, 'a');
    await c.ensureGroup();
    assert.equal((await sessionEventGroupInfo(redis, keys, 'charging'))?.lag, 1);
  });
});
