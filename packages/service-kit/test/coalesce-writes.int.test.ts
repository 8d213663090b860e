import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { coalesceWrites } from '../src/coalesce-writes.js';

let server: RedisServerHandle;
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  await server.stop();
});

/** Counts the socket's low-level writes (one per system call: `_write` alone, `_writev` for a batch). */
function countWrites(redis: Redis): { writes: number } {
  const stream = (redis as unknown as { stream: Socket & Record<string, unknown> }).stream;
  const counter = { writes: 0 };
  for (const name of ['_write', '_writev'] as const) {
    const original = stream[name] as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== 'function') continue;
    stream[name] = function (this: Socket, ...args: unknown[]): unknown {
      counter.writes += 1;
      return original.apply(this, args);
    };
  }
  return counter;
}

async function burst(redis: Redis, n: number): Promise<void> {
  const replies = await Promise.all(
    Array.from({ length: n }, (_, i) => redis.set(`k${i}`, String(i)).then(() => redis.get(`k${i}`))),
  );
  assert.deepEqual(
    replies,
    Array.from({ length: n }, (_, i) => String(i)),
  );
}

describe('coalesceWrites', () => {
  test('commands issued in one tick leave in one write, replies in order', async () => {
    const redis = coalesceWrites(new Redis(server.url));
    try {
      await redis.ping();
      const counter = countWrites(redis);
      await burst(redis, 50);
      // 50 SETs in one tick, then 50 GETs in one tick: two batches (a few more if a reply splits).
      assert.ok(counter.writes <= 6, `${counter.writes} socket writes for 100 commands`);
    } finally {
      redis.disconnect();
    }
  });

  test('commands of different callbacks of one event-loop turn share one write', async () => {
    const redis = coalesceWrites(new Redis(server.url));
    try {
      await redis.ping();
      const counter = countWrites(redis);
      // Timers due together run in one timers phase, one callback each: like datagrams and replies
      // handled in one turn, each issuing its own commands.
      const replies = await Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            new Promise<string | null>((resolve, reject) => {
              setTimeout(() => {
                redis
                  .set(`t${i}`, String(i))
                  .then(() => redis.get(`t${i}`))
                  .then(resolve, reject);
              }, 0);
            }),
        ),
      );
      assert.deepEqual(
        replies,
        Array.from({ length: 20 }, (_, i) => String(i)),
      );
      // 20 SETs in one turn, then 20 GETs as their replies come: a handful of writes, not 40.
      assert.ok(counter.writes <= 6, `${counter.writes} socket writes for 40 commands in 20 callbacks`);
    } finally {
      redis.disconnect();
    }
  });

  test('without it, every command is a write of its own (what the patch saves)', async () => {
    const redis = new Redis(server.url);
    try {
      await redis.ping();
      const counter = countWrites(redis);
      await burst(redis, 50);
      assert.ok(counter.writes >= 100, `${counter.writes} socket writes`);
    } finally {
      redis.disconnect();
    }
  });

  test('the socket is patched again after a reconnect; MULTI and blocking commands are unaffected', async () => {
    const redis = coalesceWrites(new Redis(server.url));
    const other = new Redis(server.url);
    try {
      await redis.ping();
      const first = (redis as unknown as { stream: Socket }).stream;
      await redis.client('KILL', 'SKIPME', 'yes', 'TYPE', 'normal').catch(() => undefined);
      // ioredis reconnects on its own; wait until it serves again.
      for (
        let i = 0;
        i < 100 && (redis.status !== 'ready' || (redis as unknown as { stream: Socket }).stream === first);
        i++
      )
        await new Promise((r) => setTimeout(r, 20));
      const counter = countWrites(redis);
      await burst(redis, 20);
      assert.ok(counter.writes <= 6, `${counter.writes} writes after the reconnect`);
      const exec = await redis.multi().set('m', '1').incr('m').exec();
      assert.deepEqual(exec, [
        [null, 'OK'],
        [null, 2],
      ]);
      const popped = redis.blpop('list', 5);
      await other.rpush('list', 'x');
      assert.deepEqual(await popped, ['list', 'x']);
    } finally {
      redis.disconnect();
      other.disconnect();
    }
  });
});
