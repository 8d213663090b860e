/**
 * Signed webhooks: each connection event a subscription asks for is POSTed as JSON with
 * `X-Svpn-Timestamp` and `X-Svpn-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * under the subscription's secret, retried with exponential backoff until a 2xx or the last
 * attempt, and every attempt is logged (the delivery log, newest first). Deliveries wait in the
 * store, not in memory, so a restart loses none: any API process sends what is due, each delivery
 * claimed atomically so two processes never both send it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConnectionEvent, Delivery, Webhook } from '@svpn/api-contract';
import type { Logger } from '@svpn/service-kit';

export interface StoredWebhook extends Webhook {
  secret: string;
  /** The application whose connections it receives; null: every connection (an operator's). */
  application: string | null;
}

/** A delivery waiting for its next attempt. */
export interface PendingDelivery {
  /** `<webhookId>|<eventId>`. */
  id: string;
  webhookId: string;
  event: ConnectionEvent;
  /** The number of the next attempt (1: the first). */
  attempt: number;
}

export interface WebhookStore {
  put(hook: StoredWebhook): Promise<void>;
  get(id: string): Promise<StoredWebhook | undefined>;
  list(): Promise<StoredWebhook[]>;
  remove(id: string): Promise<boolean>;
  logDelivery(id: string, delivery: Delivery): Promise<void>;
  deliveries(id: string, limit: number): Promise<Delivery[]>;
  /** Queues a delivery (new, or its next attempt) to be sent at `at`. */
  schedule(delivery: PendingDelivery, at: number): Promise<void>;
  /**
   * Claims up to `limit` deliveries due at `now`: each is hidden until `claimUntil` (due again then,
   * should its claimant die before it is rescheduled or finished), so no two processes send it.
   */
  claimDue(now: number, claimUntil: number, limit: number): Promise<PendingDelivery[]>;
  /** Forgets a delivery: delivered, given up, or its webhook is gone. */
  finish(id: string): Promise<void>;
  /** When the next queued delivery is due; undefined when none waits. */
  nextDue(): Promise<number | undefined>;
  /** How many deliveries wait (or are being attempted). */
  pendingCount(): Promise<number>;
}

export class MemoryWebhookStore implements WebhookStore {
  private readonly hooks = new Map<string, StoredWebhook>();
  private readonly logs = new Map<string, Delivery[]>();
  private readonly queue = new Map<string, { at: number; delivery: string }>();
  async put(hook: StoredWebhook): Promise<void> {
    this.hooks.set(hook.id, structuredClone(hook));
  }
  async get(id: string): Promise<StoredWebhook | undefined> {
    return this.hooks.get(id);
  }
  async list(): Promise<StoredWebhook[]> {
    return [...this.hooks.values()];
  }
  async remove(id: string): Promise<boolean> {
    this.logs.delete(id);
    return this.hooks.delete(id);
  }
  async logDelivery(id: string, delivery: Delivery): Promise<void> {
    const list = this.logs.get(id) ?? [];
    list.unshift(delivery);
    this.logs.set(id, list.slice(0, 500));
  }
  async deliveries(id: string, limit: number): Promise<Delivery[]> {
    return (this.logs.get(id) ?? []).slice(0, limit);
  }
  async schedule(delivery: PendingDelivery, at: number): Promise<void> {
    this.queue.set(delivery.id, { at, delivery: JSON.stringify(delivery) });
  }
  async claimDue(now: number, claimUntil: number, limit: number): Promise<PendingDelivery[]> {
    const due = [...this.queue.entries()]
      .filter(([, q]) => q.at <= now)
      .sort((a, b) => a[1].at - b[1].at)
      .slice(0, limit);
    for (const [, q] of due) q.at = claimUntil;
    return due.map(([, q]) => JSON.parse(q.delivery) as PendingDelivery);
  }
  async finish(id: string): Promise<void> {
    this.queue.delete(id);
  }
  async nextDue(): Promise<number | undefined> {
    const times = [...this.queue.values()].map((q) => q.at);
    return times.length === 0 ? undefined : Math.min(...times);
  }
  async pendingCount(): Promise<number> {
    return this.queue.size;
  }
}

/**
 * KEYS[1] the queue (zset id → due time), KEYS[2] the pending deliveries (hash id → JSON); ARGV[1]
 * now, ARGV[2] claim-until, ARGV[3] limit. Moves each due delivery to claim-until and returns them.
 */
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  local body = redis.call('HGET', KEYS[2], id)
  if body then
    redis.call('ZADD', KEYS[1], ARGV[2], id)
    out[#out + 1] = body
  else
    redis.call('ZREM', KEYS[1], id)
  end
end
return out
`;

/**
 * `<p>:{api}:webhooks` hash id → JSON; `<p>:{api}:deliveries:<id>` list, newest first, capped;
 * `<p>:{api}:webhook-queue` zset delivery id → next attempt time, with `<p>:{api}:webhook-pending`
 * hash delivery id → {@link PendingDelivery} JSON.
 */
export class RedisWebhookStore implements WebhookStore {
  private readonly p: string;
  constructor(
    private readonly redis: Redis,
    keyPrefix = 'svpn',
  ) {
    this.p = `${keyPrefix}:{api}`;
  }
  async put(hook: StoredWebhook): Promise<void> {
    await this.redis.hset(`${this.p}:webhooks`, hook.id, JSON.stringify(hook));
  }
  async get(id: string): Promise<StoredWebhook | undefined> {
    const t = await this.redis.hget(`${this.p}:webhooks`, id);
    return t === null ? undefined : (JSON.parse(t) as StoredWebhook);
  }
  async list(): Promise<StoredWebhook[]> {
    return Object.values(await this.redis.hgetall(`${this.p}:webhooks`)).map(
      (t) => JSON.parse(t) as StoredWebhook,
    );
  }
  async remove(id: string): Promise<boolean> {
    const removed = await this.redis.hdel(`${this.p}:webhooks`, id);
    await this.redis.del(`${this.p}:deliveries:${id}`);
    return removed > 0;
  }
  async logDelivery(id: string, delivery: Delivery): Promise<void> {
    await this.redis
      .multi()
      .lpush(`${this.p}:deliveries:${id}`, JSON.stringify(delivery))
      .ltrim(`${this.p}:deliveries:${id}`, 0, 499)
      .exec();
  }
  async deliveries(id: string, limit: number): Promise<Delivery[]> {
    const texts = await this.redis.lrange(`${this.p}:deliveries:${id}`, 0, limit - 1);
    return texts.map((t) => JSON.parse(t) as Delivery);
  }
  async schedule(delivery: PendingDelivery, at: number): Promise<void> {
    await this.redis
      .multi()
      .hset(`${this.p}:webhook-pending`, delivery.id, JSON.stringify(delivery))
      .zadd(`${this.p}:webhook-queue`, at, delivery.id)
      .exec();
  }
  async claimDue(now: number, claimUntil: number, limit: number): Promise<PendingDelivery[]> {
    const texts = (await this.redis.eval(
      CLAIM_DUE,
      2,
      `${this.p}:webhook-queue`,
      `${this.p}:webhook-pending`,
      String(now),
      String(claimUntil),
      String(limit),
    )) as string[];
    return texts.map((t) => JSON.parse(t) as PendingDelivery);
  }
  async finish(id: string): Promise<void> {
    await this.redis.multi().zrem(`${this.p}:webhook-queue`, id).hdel(`${this.p}:webhook-pending`, id).exec();
  }
  async nextDue(): Promise<number | undefined> {
    const first = await this.redis.zrange(`${this.p}:webhook-queue`, 0, 0, 'WITHSCORES');
    return first[1] === undefined ? undefined : Number(first[1]);
  }
  async pendingCount(): Promise<number> {
    return this.redis.zcard(`${this.p}:webhook-queue`);
  }
}

/** `sha256=<hex>` over `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  log: Logger;
  /** Attempts per event. @defaultValue 6 */
  maxAttempts?: number;
  /** First retry delay, ms; doubled each attempt. @defaultValue 1000 */
  backoffMs?: number;
  /** Per-attempt timeout, ms. @defaultValue 5000 */
  timeoutMs?: number;
  /** How often the store is read for due deliveries (another process's, or left by a restart), ms. @defaultValue 1000 */
  pollMs?: number;
  /** How long a claimed delivery stays hidden from other processes, ms. @defaultValue 30 000 (at least 2 × timeoutMs) */
  claimMs?: number;
  /** Deliveries claimed per store round trip. @defaultValue 20 */
  batch?: number;
  now?: () => number;
}

export class WebhookDispatcher {
  private readonly now: () => number;
  private readonly pollMs: number;
  private readonly claimMs: number;
  private readonly inflight = new Set<Promise<void>>();
  private wake: { at: number; timer: NodeJS.Timeout } | undefined;
  private draining: Promise<void> | undefined;
  private again = false;
  private started = false;
  private closed = false;

  constructor(private readonly o: WebhookDispatcherOptions) {
    this.now = o.now ?? Date.now;
    this.pollMs = o.pollMs ?? 1000;
    this.claimMs = Math.max(o.claimMs ?? 30_000, 2 * (o.timeoutMs ?? 5000));
  }

  async subscribe(input: {
    url: string;
    events?: string[];
    owner: string;
    application: string | null;
  }): Promise<StoredWebhook> {
    const hook: StoredWebhook = {
      id: 'wh-' + randomBytes(8).toString('hex'),
      url: input.url,
      owner: input.owner,
      ...(input.events === undefined ? {} : { events: input.events }),
      createdAt: new Date(this.now()).toISOString(),
      secret: randomBytes(32).toString('base64url'),
      application: input.application,
    };
    await this.o.store.put(hook);
    return hook;
  }

  /** Sends what is due now (deliveries a previous process left) and keeps polling the store. */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.kick();
  }

  /** Queues a connection event for every subscription that wants it, and sends it at once. */
  async dispatch(event: ConnectionEvent): Promise<void> {
    const at = this.now();
    for (const hook of await this.o.store.list()) {
      if (hook.application !== null && hook.application !== event.application) continue;
      if (hook.events !== undefined && !hook.events.includes(event.type)) continue;
      await this.o.store.schedule(
        { id: `${hook.id}|${event.id}`, webhookId: hook.id, event, attempt: 1 },
        at,
      );
    }
    this.kick();
  }

  /** Stops sending and waits for the attempts under way; what is queued stays for the next process. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    this.wake = undefined;
    await this.draining?.catch(() => undefined);
    await Promise.allSettled([...this.inflight]);
  }

  /** A drain now (or right after the one under way). */
  private kick(): void {
    if (!this.started || this.closed) return;
    if (this.draining !== undefined) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => this.o.log.warn({ err: error }, 'webhook queue could not be read'))
      .finally(() => {
        this.draining = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Wakes for a drain at `at` unless one is due sooner. */
  private wakeAt(at: number): void {
    if (this.closed || !this.started) return;
    if (this.wake !== undefined && this.wake.at <= at) return;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    const timer = setTimeout(
      () => {
        this.wake = undefined;
        this.kick();
      },
      Math.max(0, at - this.now()),
    );
    timer.unref();
    this.wake = { at, timer };
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const now = this.now();
      const claimed = await this.o.store.claimDue(now, now + this.claimMs, this.o.batch ?? 20);
      for (const delivery of claimed) {
        const attempt = this.attempt(delivery).catch((error: unknown) =>
          this.o.log.warn({ err: error, delivery: delivery.id }, 'webhook attempt failed'),
        );
        this.inflight.add(attempt);
        void attempt.finally(() => this.inflight.delete(attempt));
      }
      if (claimed.length < (this.o.batch ?? 20)) break;
    }
    const next = await this.o.store.nextDue();
    // Another process may queue deliveries at any time: read the store at least every pollMs.
    this.wakeAt(Math.min(next ?? Number.POSITIVE_INFINITY, this.now() + this.pollMs));
  }

  private async attempt(delivery: PendingDelivery): Promise<void> {
    const hook = await this.o.store.get(delivery.webhookId);
    if (hook === undefined) {
      await this.o.store.finish(delivery.id); // unsubscribed meanwhile
      return;
    }
    const { event, attempt } = delivery;
    const body = JSON.stringify(event);
    const timestamp = String(Math.floor(this.now() / 1000));
    let status: number | null = null;
    let error: string | undefined;
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-svpn-event': event.type,
          'x-svpn-delivery': `${event.id}.${attempt}`,
          'x-svpn-timestamp': timestamp,
          'x-svpn-signature': signWebhook(hook.secret, timestamp, body),
        },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 5000),
        redirect: 'manual',
      });
      status = response.status;
      await response.body?.cancel();
    } catch (e) {
      error = (e as Error).message;
    }
    const ok = status !== null && status >= 200 && status < 300;
    const retry = !ok && attempt < (this.o.maxAttempts ?? 6);
    const retryAt = this.now() + (this.o.backoffMs ?? 1000) * 2 ** (attempt - 1);
    await this.o.store
      .logDelivery(hook.id, {
        eventId: event.id,
        attempt,
        at: new Date(this.now()).toISOString(),
        ok,
        status,
        ...(error === undefined ? {} : { error }),
        nextAttemptAt: retry ? new Date(retryAt).toISOString() : null,
      })
      .catch((e: unknown) => this.o.log.warn({ err: e }, 'delivery log failed'));
    if (!retry) {
      if (!ok)
        this.o.log.warn({ webhook: hook.id, eventId: event.id, status, error }, 'webhook delivery gave up');
      await this.o.store.finish(delivery.id);
      return;
    }
    await this.o.store.schedule({ ...delivery, attempt: attempt + 1 }, retryAt);
    this.wakeAt(retryAt);
  }
}
