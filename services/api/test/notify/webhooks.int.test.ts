/**
 * Webhook deliveries wait in Redis: two API processes draining the same queue send each delivery
 * once; a process stopped between attempts leaves the retry to the next one, which sends it signed
 * with the attempt count continued; a delivery to a webhook deleted meanwhile is dropped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Redis } from 'ioredis';
import type { ConnectionEvent } from '@svpn/api-contract';
import { silentLogger } from '@svpn/service-kit';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  RedisWebhookStore,
  WebhookDispatcher,
  signWebhook,
  type WebhookDispatcherOptions,
} from '../../src/notify/webhooks.js';

let server: RedisServerHandle;
const clients: Redis[] = [];
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

function store(prefix: string): RedisWebhookStore {
  const client = new Redis(server.url);
  clients.push(client);
  return new RedisWebhookStore(client, prefix);
}

function dispatcher(prefix: string, options: Partial<WebhookDispatcherOptions> = {}): WebhookDispatcher {
  return new WebhookDispatcher({
    store: store(prefix),
    log: silentLogger(),
    backoffMs: 100,
    pollMs: 50,
    ...options,
  });
}

interface Receiver {
  url: string;
  received: { body: string; headers: IncomingHttpHeaders }[];
  /** The status to answer the n-th request with (0-based). */
  status: (n: number) => number;
  close(): Promise<void>;
}

async function receiver(status: (n: number) => number = () => 204): Promise<Receiver> {
  const r: Partial<Receiver> & { received: Receiver['received'] } = { received: [], status };
  const http: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const n = r.received.length;
      r.received.push({ body, headers: req.headers });
      res.statusCode = (r.status as Receiver['status'])(n);
      res.end();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(http.address() as { port: number }).port}/hook`;
  r.close = () => new Promise<void>((resolve) => http.close(() => resolve()));
  return r as Receiver;
}

function event(id: string): ConnectionEvent {
  return {
    id,
    connectionId: 'c-0123456789abcdef0123',
    application: 'grid-a',
    type: 'reserveConfirmed',
    at: new Date().toISOString(),
    states: {
      reservationState: 'ReserveHeld',
      provisionState: 'Released',
      lifecycleState: 'Created',
      dataPlaneStatus: { active: false, version: 0, versionConsistent: true },
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('two processes draining one queue send every delivery exactly once', async () => {
  const hook = await receiver();
  const a = dispatcher('two');
  const b = dispatcher('two');
  a.start();
  b.start();
  try {
    await a.subscribe({ url: hook.url, owner: 'op', application: null });
    // Events arrive at both processes; each queues its own and both drain the shared queue.
    const ids = Array.from({ length: 40 }, (_, i) => `e-${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).dispatch(event(id))));
    await until(() => hook.received.length >= ids.length, 'all delivered');
    await new Promise((r) => setTimeout(r, 300)); // a few more polls: nothing is sent again
    const sent = hook.received.map((r) => (JSON.parse(r.body) as ConnectionEvent).id).sort();
    assert.deepEqual(sent, [...ids].sort());
    assert.equal(await store('two').pendingCount(), 0);
  } finally {
    await a.close();
    await b.close();
    await hook.close();
  }
});

test('stopped between attempts: the next process sends the retry, signed, as attempt 2', async () => {
  let restarted = false;
  // Refuses until the first process is gone, so a retry it sent would show as attempt 2 refused.
  const hook = await receiver(() => (restarted ? 204 : 500));
  const first = dispatcher('restart', { backoffMs: 400 });
  first.start();
  const created = await first.subscribe({ url: hook.url, owner: 'op', application: 'grid-a' });
  await first.dispatch(event('e-restart'));
  await until(() => hook.received.length === 1, 'attempt 1');
  await first.close();
  assert.equal(await store('restart').pendingCount(), 1, 'the retry waits in Redis');
  restarted = true;
  const second = dispatcher('restart', { backoffMs: 400 });
  second.start();
  try {
    await until(() => hook.received.length === 2, 'attempt 2 from the new process');
    const retry = hook.received[1];
    assert.ok(retry);
    assert.equal(retry.headers['x-svpn-delivery'], 'e-restart.2');
    assert.equal(
      retry.headers['x-svpn-signature'],
      signWebhook(created.secret, String(retry.headers['x-svpn-timestamp']), retry.body),
    );
    assert.equal((JSON.parse(retry.body) as ConnectionEvent).id, 'e-restart');
    await until(async () => (await store('restart').pendingCount()) === 0, 'done');
    const log = await store('restart').deliveries(created.id, 10);
    assert.deepEqual(
      log.map((d) => [d.attempt, d.ok, d.status]),
      [
        [2, true, 204],
        [1, false, 500],
      ],
    );
    assert.ok(log[1]?.nextAttemptAt, 'attempt 1 logged when the retry was due');
  } finally {
    await second.close();
    await hook.close();
  }
});

test('gives up after maxAttempts; a delivery for a webhook deleted meanwhile is dropped', async () => {
  const hook = await receiver(() => 503);
  const d = dispatcher('give-up', { maxAttempts: 3, backoffMs: 30 });
  d.start();
  try {
    const kept = await d.subscribe({ url: hook.url, owner: 'op', application: null });
    await d.dispatch(event('e-give-up'));
    await until(() => hook.received.length === 3, 'three attempts');
    await until(async () => (await store('give-up').pendingCount()) === 0, 'given up');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(hook.received.length, 3);
    assert.deepEqual(
      (await store('give-up').deliveries(kept.id, 10)).map((x) => [x.attempt, x.nextAttemptAt === null]),
      [
        [3, true],
        [2, false],
        [1, false],
      ],
    );
    // A delivery waiting for a retry whose webhook is then deleted is not sent.
    await store('give-up').remove(kept.id);
    const gone = await d.subscribe({ url: hook.url, owner: 'op', application: null });
    await store('give-up').schedule(
      { id: `${gone.id}|e-x`, webhookId: gone.id, event: event('e-x'), attempt: 2 },
      Date.now() + 100,
    );
    await store('give-up').remove(gone.id);
    await until(async () => (await store('give-up').pendingCount()) === 0, 'dropped');
    assert.equal(hook.received.length, 3);
  } finally {
    await d.close();
    await hook.close();
  }
});
