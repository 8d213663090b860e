/**
 * Signed webhooks: each connection event a subscription asks for is POSTed as JSON with
 * `X-Svpn-Timestamp` and `X-Svpn-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`
 * under the subscription's secret, retried with exponential backoff until a 2xx or the last
 * attempt, and every attempt is logged (the delivery log, newest first).
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

export interface WebhookStore {
  put(hook: StoredWebhook): Promise<void>;
  get(id: string): Promise<StoredWebhook | undefined>;
  list(): Promise<StoredWebhook[]>;
  remove(id: string): Promise<boolean>;
  logDelivery(id: string, delivery: Delivery): Promise<void>;
  deliveries(id: string, limit: number): Promise<Delivery[]>;
}

export class MemoryWebhookStore implements WebhookStore {
  private readonly hooks = new Map<string, StoredWebhook>();
  private readonly logs = new Map<string, Delivery[]>();
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
}

/** `<p>:{api}:webhooks` hash id → JSON; `<p>:{api}:deliveries:<id>` list, newest first, capped. */
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
  now?: () => number;
}

export class WebhookDispatcher {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: WebhookDispatcherOptions) {
    this.now = o.now ?? Date.now;
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

  /** Delivers a connection event to every subscription that wants it (fire and forget). */
  async dispatch(event: ConnectionEvent): Promise<void> {
    for (const hook of await this.o.store.list()) {
      if (hook.application !== null && hook.application !== event.application) continue;
      if (hook.events !== undefined && !hook.events.includes(event.type)) continue;
      void this.attempt(hook, event, 1);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  private async attempt(hook: StoredWebhook, event: ConnectionEvent, attempt: number): Promise<void> {
    if (this.closed) return;
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
    const maxAttempts = this.o.maxAttempts ?? 6;
    const retry = !ok && attempt < maxAttempts;
    const delay = (this.o.backoffMs ?? 1000) * 2 ** (attempt - 1);
    await this.o.store
      .logDelivery(hook.id, {
        eventId: event.id,
        attempt,
        at: new Date(this.now()).toISOString(),
        ok,
        status,
        ...(error === undefined ? {} : { error }),
        nextAttemptAt: retry ? new Date(this.now() + delay).toISOString() : null,
      })
      .catch((e: unknown) => this.o.log.warn({ err: e }, 'delivery log failed'));
    if (!retry || this.closed) {
      if (!ok)
        this.o.log.warn({ webhook: hook.id, eventId: event.id, status, error }, 'webhook delivery gave up');
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void this.attempt(hook, event, attempt + 1);
    }, delay);
    timer.unref();
    this.pending.add(timer);
  }
}
