import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { runScript } from '@svpn/store';

/**
 * The network object a job converges on its PE — the unit of ordering of a PE queue:
 * `lsp:<id>` (rsvp-te.*), `session:<id>` (uni.*, a session's marking.apply), `class:<name>` (a
 * class-wide marking), `membership:<vpn>|<ce>` (bgp.*), `ldp:<fec>`. `null` for a job that names no
 * object (a malformed payload: it fails before touching anything).
 */
export function objectKeyOf(type: string, data: unknown): string | null {
  if (data === null || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  const text = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);
  switch (type) {
    case 'rsvp-te.signal':
    case 'rsvp-te.resize':
    case 'rsvp-te.teardown': {
      const id = text(d['lspId']);
      return id === null ? null : `lsp:${id}`;
    }
    case 'uni.add-session':
    case 'uni.modify-session':
    case 'uni.remove-session': {
      const id = text(d['sessionId']);
      return id === null ? null : `session:${id}`;
    }
    case 'marking.apply': {
      const target = d['target'];
      if (target === null || typeof target !== 'object') return null;
      const t = target as Record<string, unknown>;
      const session = text(t['sessionId']);
      if (session !== null) return `session:${session}`;
      const cls = text(t['serviceClass']);
      return cls === null ? null : `class:${cls}`;
    }
    case 'bgp.advertise-membership':
    case 'bgp.withdraw-membership': {
      const [vpn, ce] = [text(d['vpnId']), text(d['ce'])];
      return vpn === null || ce === null ? null : `membership:${vpn}|${ce}`;
    }
    case 'ldp.bind':
    case 'ldp.release': {
      const fec = text(d['fec']);
      return fec === null ? null : `ldp:${fec}`;
    }
    default:
      return null;
  }
}

/** Options of {@link ObjectLocks}. */
export interface ObjectLocksOptions {
  /** Cross-process exclusion; without it the locks hold in this process only (tests). */
  redis?: Redis;
  /** Redis key prefix of the locks (a hash-tagged prefix). */
  keyPrefix: string;
  /** How long a Redis lock lives if its holder dies (like a BullMQ job lock). @defaultValue 30 000 ms */
  ttlMs?: number;
  /** How long to wait for a lock another process holds before giving up. @defaultValue ttlMs */
  waitMs?: number;
}

/** Thrown when another process held an object's lock for longer than `waitMs` (retryable). */
export class ObjectLockTimeoutError extends Error {
  constructor(key: string) {
    super(`object ${key} stayed locked by another process`);
    this.name = 'ObjectLockTimeoutError';
  }
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * Mutual exclusion per network object of one PE: jobs on one object run one at a time, in the order
 * they asked (FIFO in this process); jobs on different objects run at once. In this process a keyed
 * queue orders them without a round trip; a Redis lock (`SET NX PX`, released by token) keeps other
 * processes' workers of the same PE off the object meanwhile.
 */
export class ObjectLocks {
  readonly #redis: Redis | undefined;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #owner = randomBytes(8).toString('hex');
  /** key → the tail of its queue in this process. */
  readonly #tails = new Map<string, Promise<void>>();
  #sequence = 0;

  constructor(options: ObjectLocksOptions) {
    this.#redis = options.redis;
    this.#prefix = options.keyPrefix;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#waitMs = options.waitMs ?? this.#ttlMs;
  }

  /** Objects with a job running or waiting in this process. */
  get held(): number {
    return this.#tails.size;
  }

  /** Runs `work` holding the lock of `key` (or at once when `key` is null). */
  async run<T>(key: string | null, work: () => Promise<T>): Promise<T> {
    if (key === null) return work();
    const before = this.#tails.get(key) ?? Promise.resolve();
    let done: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = before.then(() => mine);
    this.#tails.set(key, tail);
    try {
      await before;
      const token = await this.#acquire(key);
      try {
        return await work();
      } finally {
        await this.#release(key, token);
      }
    } finally {
      done();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  #redisKey(key: string): string {
    return `${this.#prefix}:object-lock:${key}`;
  }

  async #acquire(key: string): Promise<string | null> {
    if (!this.#redis) return null;
    const token = `${this.#owner}:${++this.#sequence}`;
    const deadline = Date.now() + this.#waitMs;
    for (let attempt = 0; ; attempt++) {
      const ok = await this.#redis.set(this.#redisKey(key), token, 'PX', this.#ttlMs, 'NX');
      if (ok === 'OK') return token;
      if (Date.now() >= deadline) throw new ObjectLockTimeoutError(key);
      await sleep(Math.min(50, 2 + attempt * 2));
    }
  }

  async #release(key: string, token: string | null): Promise<void> {
    if (!this.#redis || token === null) return;
    // By SHA: the script's text travels once per Redis (after a NOSCRIPT), not with every job.
    await runScript(this.#redis, RELEASE, [this.#redisKey(key)], [token]);
  }
}
