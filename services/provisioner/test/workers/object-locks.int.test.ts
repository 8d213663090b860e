import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { ObjectLocks, ObjectLockTimeoutError } from '../../src/workers/object-locks.js';

let server: RedisServerHandle;
const clients: Redis[] = [];
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server.stop();
});

function client(): Redis {
  const c = new Redis(server.url);
  clients.push(c);
  return c;
}

test('two processes: a job on an object waits while the other process holds it; other objects do not', async () => {
  const prefix = `locks-${Date.now()}`;
  const [a, b] = [
    new ObjectLocks({ redis: client(), keyPrefix: prefix }),
    new ObjectLocks({ redis: client(), keyPrefix: prefix }),
  ];
  const events: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const holding = a.run('lsp:L1', async () => {
    events.push('a in');
    await gate;
    events.push('a out');
  });
  // Until the first process holds the object (its Redis SET is done).
  while (!events.includes('a in')) await new Promise((r) => setTimeout(r, 5));
  const waiting = b.run('lsp:L1', async () => {
    events.push('b in');
  });
  await b.run('lsp:L2', async () => {
    events.push('b other');
  });
  await new Promise((r) => setTimeout(r, 30));
  release();
  await Promise.all([holding, waiting]);
  assert.deepEqual(events, ['a in', 'b other', 'a out', 'b in']);
});

test('a lock whose holder died lapses after its TTL; a waiter past waitMs gets a retryable timeout', async () => {
  const prefix = `locks-ttl-${Date.now()}`;
  const redis = client();
  // A holder that died: the key stays until its TTL.
  await redis.set(`${prefix}:object-lock:session:s1`, 'dead-owner:1', 'PX', 150);
  const patient = new ObjectLocks({ redis, keyPrefix: prefix, ttlMs: 5_000, waitMs: 2_000 });
  const started = Date.now();
  assert.equal(await patient.run('session:s1', async () => 'ran'), 'ran');
  assert.ok(Date.now() - started >= 100, 'waited for the dead holder’s lock to lapse');
  await redis.set(`${prefix}:object-lock:session:s2`, 'dead-owner:2', 'PX', 5_000);
  const hasty = new ObjectLocks({ redis, keyPrefix: prefix, waitMs: 50 });
  await assert.rejects(
    hasty.run('session:s2', async () => 'never'),
    ObjectLockTimeoutError,
  );
});
