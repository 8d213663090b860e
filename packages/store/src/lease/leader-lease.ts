import type { Redis } from 'ioredis';

/**
 * Proof of holding a {@link RedisLeaderLease}: the lease's key and the holder's token. A Lua script
 * that is given both (see {@link LEASE_FENCE_LUA}) refuses a write from a process that lost the
 * lease, even if that process does not know yet.
 */
export interface LeaseFence {
  readonly key: string;
  readonly token: string;
}

/** Callbacks of a {@link RedisLeaderLease}; each is called once per change. */
export interface LeaderLeaseDelegate {
  /** This process became the holder (a new token). */
  onAcquired?(token: string): void;
  /** This process is no longer the holder: another took it, it lapsed, or it was released. */
  onLost?(reason: 'taken' | 'expired' | 'released'): void;
  /** A Redis error while taking or renewing (the lease is kept until it would lapse). */
  onError?(error: unknown): void;
}

export interface LeaderLeaseOptions {
  /** The lease's Redis key; `<key>:epoch` counts hand-overs. Give it the hash tag of the data it fences. */
  key: string;
  /** This process's name, part of its token (for operators reading the key). */
  holder: string;
  /** How long the lease lasts without renewal, ms. @defaultValue 10 000 */
  ttlMs?: number;
  /** How often the holder renews and a standby tries to take it, ms. @defaultValue ttlMs / 3 */
  renewIntervalMs?: number;
  /** @defaultValue no callbacks */
  delegate?: LeaderLeaseDelegate;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Takes the lease if it is free, renews it if this token holds it. The token changes only when the
 * lease changes hands (an epoch counter plus the holder's name), so a fence can tell holders apart.
 * KEYS[1] lease, KEYS[2] epoch counter; ARGV[1] token held ('' none), ARGV[2] ttl ms, ARGV[3] holder.
 */
export const LEASE_ACQUIRE_LUA = `
local current = redis.call('GET', KEYS[1])
if current and current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return current
end
if current then return false end
local token = tostring(redis.call('INCR', KEYS[2])) .. ':' .. ARGV[3]
redis.call('SET', KEYS[1], token, 'PX', ARGV[2])
return token
`;

/** Deletes the lease only if this token still holds it. KEYS[1] lease; ARGV[1] token. */
export const LEASE_RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The fence check to start a script with: it returns -1 unless KEYS[1] (the lease) holds ARGV[1]
 * (the token). An empty token means "no fence" (a process that runs without a lease).
 */
export const LEASE_FENCE_LUA = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
`;

/**
 * A leader lease in Redis (`SET NX PX` with a token, as a Lua script): at most one process holds it;
 * the holder renews it every `renewIntervalMs`; a standby tries as often and takes over once the
 * holder releases it or stops renewing (within `ttlMs`). The holder trusts its lease only until
 * `ttlMs` (less a clock-drift margin) after the last renewal it sent, so it stops acting before a
 * successor can start; writes that must never come from a stale holder check the token in Redis
 * ({@link LeaseFence}).
 */
export class RedisLeaderLease {
  private readonly ttlMs: number;
  private readonly renewIntervalMs: number;
  private readonly now: () => number;
  private readonly epochKey: string;
  private token = '';
  private validUntil = 0;
  private interval: NodeJS.Timeout | undefined;
  private inflight: Promise<boolean> | undefined;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly o: LeaderLeaseOptions,
  ) {
    this.ttlMs = o.ttlMs ?? 10_000;
    this.renewIntervalMs = o.renewIntervalMs ?? Math.max(1, Math.floor(this.ttlMs / 3));
    this.now = o.now ?? Date.now;
    this.epochKey = `${o.key}:epoch`;
    if (!(this.ttlMs > 0) || !(this.renewIntervalMs > 0) || this.renewIntervalMs >= this.ttlMs) {
      throw new RangeError(
        `lease ${o.key}: renewIntervalMs (${this.renewIntervalMs}) must be positive and below ttlMs (${this.ttlMs})`,
      );
    }
  }

  /** Tries to take the lease now, then keeps renewing (or trying) until {@link stop}. */
  async start(): Promise<boolean> {
    this.stopped = false;
    const held = await this.tryAcquire();
    if (this.interval === undefined && !this.stopped) {
      this.interval = setInterval(() => void this.tryAcquire(), this.renewIntervalMs);
      this.interval.unref();
    }
    return held;
  }

  /** Whether this process holds the lease (and may still trust it). */
  get held(): boolean {
    return this.fence() !== undefined;
  }

  /** The fence to pass to fenced writes while this process holds the lease; undefined otherwise. */
  fence(): LeaseFence | undefined {
    if (this.token === '') return undefined;
    if (this.now() >= this.validUntil) {
      // No renewal got through in time: a standby may hold it by now.
      this.lose('expired');
      return undefined;
    }
    return { key: this.o.key, token: this.token };
  }

  /** One attempt to take or renew the lease (what the renewal interval runs). */
  tryAcquire(): Promise<boolean> {
    // One request at a time: a slow Redis must not pile up renewals.
    this.inflight ??= this.acquireOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Stops renewing. With `release` (a graceful stop) the lease is deleted if still ours, so a
   * standby takes over at once; without it (what a crash leaves) it lapses after `ttlMs`.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.interval);
    this.interval = undefined;
    await this.inflight?.catch(() => undefined);
    const token = this.token;
    if (token === '') return;
    this.token = '';
    this.validUntil = 0;
    if (options.release ?? true) {
      try {
        await this.redis.eval(LEASE_RELEASE_LUA, 1, this.o.key, token);
      } catch (error) {
        this.o.delegate?.onError?.(error);
      }
    }
    this.o.delegate?.onLost?.('released');
  }

  private async acquireOnce(): Promise<boolean> {
    if (this.stopped) return false;
    const sentAt = this.now();
    let reply: unknown;
    try {
      reply = await this.redis.eval(
        LEASE_ACQUIRE_LUA,
        2,
        this.o.key,
        this.epochKey,
        this.token,
        String(this.ttlMs),
        this.o.holder,
      );
    } catch (error) {
      this.o.delegate?.onError?.(error);
      return this.held;
    }
    if (this.stopped) {
      // stop() ran while this request was out: give back what it may just have taken.
      if (typeof reply === 'string' && reply !== this.token) {
        await this.redis.eval(LEASE_RELEASE_LUA, 1, this.o.key, reply).catch(() => undefined);
      }
      return false;
    }
    if (typeof reply !== 'string') {
      if (this.token !== '') this.lose('taken');
      return false;
    }
    const gained = reply !== this.token;
    if (gained && this.token !== '') this.lose('taken');
    this.token = reply;
    // Trust the lease for its TTL from when the request left, less a margin for clock drift.
    this.validUntil = sentAt + this.ttlMs - (Math.ceil(this.ttlMs / 100) + 2);
    if (gained) this.o.delegate?.onAcquired?.(reply);
    return true;
  }

  private lose(reason: 'taken' | 'expired'): void {
    if (this.token === '') return;
    this.token = '';
    this.validUntil = 0;
    this.o.delegate?.onLost?.(reason);
  }
}
