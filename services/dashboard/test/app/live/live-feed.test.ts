import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { LiveFeed, type LiveStatus, type LiveTimers } from '../../../src/app/live/live-feed.js';
import type { ApiClient } from '../../../src/app/api/api-client.js';
import { DashboardApiError } from '../../../src/app/api/api-error.js';

/** A manual clock: timers fire only when the test advances it. */
class FakeTimers implements LiveTimers {
  now = 0;
  #next = 1;
  readonly #due = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }
  async advance(ms: number): Promise<void> {
    const until = this.now + ms;
    for (;;) {
      await flush();
      const next = [...this.#due]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      this.#due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
    await flush();
  }
  get pending(): number {
    return this.#due.size;
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** An event stream the test writes into. */
function stream(): { response: Response; push(text: string): void; end(): void } {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    push: (text) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

type Request = { path: string; headers: Record<string, string> | undefined; signal: AbortSignal | undefined };

function harness(answers: (() => Response | Error)[]) {
  const timers = new FakeTimers();
  const requests: Request[] = [];
  const changes: string[] = [];
  const statuses: LiveStatus[] = [];
  const client: Pick<ApiClient, 'request'> = {
    request: async (_method, path, options = {}) => {
      requests.push({ path, headers: options.headers, signal: options.signal });
      const next = answers.shift();
      const answer = next ? next() : new Error('no more answers');
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const feed = new LiveFeed({
    client,
    timers,
    onChange: (reason, event) => changes.push(event ? `${reason}:${event.type}:${event.data}` : reason),
    onStatus: (s) => statuses.push(s),
  });
  return { feed, timers, requests, changes, statuses };
}

test('streaming: every event asks for a refresh; polls slow down to every 5 s', async () => {
  const s = stream();
  const h = harness([() => s.response]);
  h.feed.start();
  await h.timers.advance(0);
  assert.deepEqual(h.statuses, ['connecting', 'streaming']);
  assert.equal(h.requests[0]?.path, '/v1/events');
  assert.deepEqual(h.changes, ['event'], 'one refresh on connecting');
  s.push('event: session\ndata: {"sessionId":"s1"}\nid: 9\n\n: keep-alive\n\n');
  await h.timers.advance(0);
  assert.deepEqual(h.changes.slice(1), ['event:session:{"sessionId":"s1"}']);
  await h.timers.advance(4999);
  assert.equal(h.changes.filter((c) => c === 'poll').length, 0);
  await h.timers.advance(1);
  assert.equal(h.changes.filter((c) => c === 'poll').length, 1);
  h.feed.stop();
});

test('a stream that ends falls back to polling every second and reconnects with Last-Event-ID', async () => {
  const first = stream();
  const second = stream();
  const h = harness([() => first.response, () => second.response]);
  h.feed.start();
  await h.timers.advance(0);
  first.push('id: 41\ndata: x\n\n');
  await h.timers.advance(0);
  first.end();
  await h.timers.advance(0);
  assert.equal(h.feed.status, 'polling');
  const before = h.changes.length;
  await h.timers.advance(2000);
  assert.deepEqual(h.changes.slice(before), ['poll', 'poll']);
  assert.equal(h.requests.length, 1, 'not yet: reconnection waits 3 s');
  await h.timers.advance(1000);
  assert.equal(h.requests.length, 2);
  assert.deepEqual(h.requests[1]?.headers, { 'last-event-id': '41' });
  assert.equal(h.feed.status, 'streaming');
  h.feed.stop();
});

test('without a stream (404, or not text/event-stream) it polls, retrying the stream with backoff up to 30 s', async () => {
  const notFound = (): Error =>
    new DashboardApiError('SVPN_DASHBOARD_HTTP', 404, 'GET /v1/events: not found');
  const html = (): Response =>
    new Response('<html>', { status: 200, headers: { 'content-type': 'text/html' } });
  const h = harness([notFound, html, notFound, notFound, notFound, notFound, notFound]);
  h.feed.start();
  const at: number[] = [];
  let seen = 0;
  for (let ms = 0; ms <= 120_000; ms += 500) {
    await h.timers.advance(ms === 0 ? 0 : 500);
    if (h.requests.length > seen) {
      seen = h.requests.length;
      at.push(h.timers.now);
    }
  }
  assert.deepEqual(at, [0, 3000, 9000, 21_000, 45_000, 75_000, 105_000]);
  assert.equal(h.feed.status, 'polling');
  assert.ok(h.changes.filter((c) => c === 'poll').length >= 119, 'polled every second meanwhile');
  h.feed.stop();
});

test('the server’s retry: time sets the reconnection delay', async () => {
  const first = stream();
  const h = harness([() => first.response, () => stream().response]);
  h.feed.start();
  await h.timers.advance(0);
  first.push('retry: 500\n\n');
  await h.timers.advance(0);
  first.end();
  await h.timers.advance(499);
  assert.equal(h.requests.length, 1);
  await h.timers.advance(1);
  assert.equal(h.requests.length, 2);
  h.feed.stop();
});

test('a refused key stops everything and says so', async () => {
  const h = harness([
    () => new DashboardApiError('SVPN_DASHBOARD_UNAUTHORIZED', 401, 'GET /v1/events: key refused'),
  ]);
  h.feed.start();
  await h.timers.advance(10_000);
  assert.deepEqual(h.statuses, ['connecting', 'unauthorized']);
  assert.deepEqual(h.changes, []);
  assert.equal(h.timers.pending, 0);
});

test('stop() aborts the stream and leaves no timer behind', async () => {
  const s = stream();
  const h = harness([() => s.response]);
  h.feed.start();
  await h.timers.advance(0);
  h.feed.stop();
  await h.timers.advance(0);
  assert.equal(h.requests[0]?.signal?.aborted, true);
  assert.equal(h.timers.pending, 0);
  const count = h.changes.length;
  await h.timers.advance(60_000);
  assert.equal(h.changes.length, count);
  assert.equal(h.feed.status, 'stopped');
});
