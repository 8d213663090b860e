import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { CustomerUsage } from '@svpn/policy';

import { KeySpace } from '../keys.js';
import { PolicyWriteContentionError, UsageOwnerError } from './errors.js';
import { SerialQueue } from './serial-queue.js';
import { planPolicyWrite, policyKeyOf, type PolicyReader, type PolicyWrite } from './plan-policy-write.js';
import { PolicyKeys } from './policy-keys.js';
import { PolicyStoreBase } from './policy-store-base.js';
import type {
  ListUsageOptions,
  PeakUsageOptions,
  PolicyChange,
  PolicyEntities,
  PolicyKind,
  SessionUsage,
  UsageClaim,
  UsageClaimResult,
  UsageWindow,
} from './policy-store.js';
import {
  claimActiveAt,
  decodeClaim,
  encodeClaim,
  normalizeClaim,
  peakUsage,
  remainingWindow,
  sessionUsageOf,
  type StoredClaim,
} from './usage-claims.js';

/** Replies of the usage scripts (STYLE.md: scripts answer negative integers, one enum maps them). @internal */
export enum UsageScriptCode {
  Ok = 0,
  SessionLimit = -1,
  TotalBandwidth = -2,
  OtherOwner = -3,
  OwnerChanged = -4,
}

/** ioredis command name → script file stem (`<verbNoun>-<numKeys>.lua`). */
const SCRIPTS = {
  svpnPolicyClaimUsage: 'claimUsage-2',
  svpnPolicyReleaseUsage: 'releaseUsage-2',
} as const;

type ScriptMethod = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;

function scriptSource(stem: string): string {
  return readFileSync(new URL(`./scripts/${stem}.lua`, import.meta.url), 'utf8');
}

/** Options of {@link RedisPolicyStore}. */
export interface RedisPolicyStoreOptions {
  /** Key prefix and hash tags. @defaultValue `new KeySpace()` (`svpn:{policy}:…`) */
  keys?: KeySpace;
  /** How often a write is retried when another writer changed the data between its reads and its commit. @defaultValue 20 */
  maxWriteAttempts?: number;
  /**
   * Keep hot-path reads (an entity, a CE's owner, a VPN name) in memory for this long, ms; 0 turns
   * the cache off. Every committed write publishes a change (DESIGN §4), and the cache is emptied on
   * each one — at once for this store's own writes, within a pub/sub delivery for other processes' —
   * and whenever its subscriber is not connected; the TTL bounds staleness should a notice be lost.
   * @defaultValue 0
   */
  readCacheTtlMs?: number;
}

/** A cached read: the raw value (JSON or an index entry), parsed again on each hit, so callers get copies. */
interface CachedRead {
  readonly raw: string | null;
  readonly expiresAt: number;
}

/**
 * The policy store in Redis (key schema on {@link PolicyKeys}). Hot-path reads are single HGETs on the
 * connection given; writes are optimistic transactions (WATCH the policy hashes, plan the write with
 * the shared rules, MULTI the changes and the PUBLISH, EXEC; again if another writer got in between) on
 * a connection of their own; usage claims are Lua scripts. `subscribe` opens a subscriber connection.
 */
export class RedisPolicyStore extends PolicyStoreBase {
  readonly keys: PolicyKeys;
  readonly #redis: Redis;
  readonly #maxAttempts: number;
  #tx: Redis | undefined;
  readonly #writes = new SerialQueue();
  readonly #subscribers = new Set<Redis>();
  readonly #cacheTtlMs: number;
  readonly #cache = new Map<string, CachedRead>();
  /** Bumped on every invalidation: a read that started before one must not fill the cache. */
  #cacheGeneration = 0;
  /** Whether the invalidation subscriber is connected (the cache is used only then). */
  #cacheLive = false;
  #cacheSubscriber: Redis | undefined;

  constructor(redis: Redis, options: RedisPolicyStoreOptions = {}) {
    super();
    this.#redis = redis;
    this.keys = new PolicyKeys(options.keys ?? new KeySpace());
    this.#maxAttempts = options.maxWriteAttempts ?? 20;
    this.#cacheTtlMs = Math.max(0, options.readCacheTtlMs ?? 0);
    if (this.#cacheTtlMs > 0) this.#startCacheInvalidation();
    const defined = redis as unknown as Record<string, unknown>;
    for (const [name, stem] of Object.entries(SCRIPTS)) {
      if (typeof defined[name] !== 'function') redis.defineCommand(name, { lua: scriptSource(stem) });
    }
  }

  async #script(name: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<unknown> {
    const method = (this.#redis as unknown as Record<string, ScriptMethod>)[name] as ScriptMethod;
    return method.call(this.#redis, keys.length, ...keys, ...args);
  }

  #startCacheInvalidation(): void {
    const subscriber = this.#redis.duplicate();
    this.#cacheSubscriber = subscriber;
    const down = (): void => {
      this.#cacheLive = false;
      this.#invalidate();
    };
    subscriber.on('error', () => undefined); // reconnects on its own; the cache is off meanwhile
    subscriber.on('close', down);
    subscriber.on('end', down);
    subscriber.on('message', () => this.#invalidate());
    // ioredis subscribes again after a reconnect, before 'ready'; the first time, the cache comes on
    // once the subscription is confirmed.
    let subscribed = false;
    const up = (): void => {
      this.#invalidate();
      this.#cacheLive = true;
    };
    subscriber.on('ready', () => {
      if (subscribed) up();
    });
    subscriber.subscribe(this.keys.changed).then(
      () => {
        subscribed = true;
        up();
      },
      () => undefined,
    );
  }

  /** Whether reads are being served from the cache now (it is on and its subscriber is connected). */
  get readCacheLive(): boolean {
    return this.#cacheLive;
  }

  #invalidate(): void {
    this.#cacheGeneration += 1;
    this.#cache.clear();
  }

  /** One HGET, from the cache when it is live and holds a fresh answer. */
  async #hgetCached(key: string, field: string): Promise<string | null> {
    if (!this.#cacheLive) return this.#redis.hget(key, field);
    const id = `${key}\u0000${field}`;
    const now = Date.now();
    const hit = this.#cache.get(id);
    if (hit !== undefined && hit.expiresAt > now) return hit.raw;
    const generation = this.#cacheGeneration;
    const raw = await this.#redis.hget(key, field);
    if (generation === this.#cacheGeneration && this.#cacheLive) {
      this.#cache.set(id, { raw, expiresAt: now + this.#cacheTtlMs });
    }
    return raw;
  }

  async #get<K extends PolicyKind>(
    kind: K,
    id: string,
    redis?: Redis,
  ): Promise<PolicyEntities[K] | undefined> {
    const key = this.keys.entities(kind);
    const field = policyKeyOf(kind, id);
    // Writes plan on their own connection, uncached (they run under WATCH).
    const json = redis === undefined ? await this.#hgetCached(key, field) : await redis.hget(key, field);
    return json === null ? undefined : (JSON.parse(json) as PolicyEntities[K]);
  }

  async #list<K extends PolicyKind>(kind: K, redis: Redis = this.#redis): Promise<PolicyEntities[K][]> {
    const all = await redis.hgetall(this.keys.entities(kind));
    return Object.keys(all)
      .sort()
      .map((id) => JSON.parse(all[id] as string) as PolicyEntities[K]);
  }

  protected commit<T>(write: PolicyWrite): Promise<T> {
    return this.#writes.run(async () => {
      this.#tx ??= this.#redis.duplicate();
      const tx = this.#tx;
      const reader: PolicyReader = {
        get: (kind, id) => this.#get(kind, id, tx),
        list: (kind) => this.#list(kind, tx),
        siteOwner: async (ce) => (await tx.hget(this.keys.sites, ce)) ?? undefined,
        vpnIdByName: async (name) => (await tx.hget(this.keys.vpnNames, name)) ?? undefined,
      };
      for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
        await tx.watch(...this.keys.watched);
        let plan;
        try {
          plan = await planPolicyWrite(reader, write);
        } catch (error) {
          await tx.unwatch();
          throw error;
        }
        const multi = tx.multi();
        if (plan.delete !== undefined) multi.hdel(this.keys.entities(plan.delete.kind), plan.delete.id);
        if (plan.put !== undefined) multi.hset(this.keys.entities(plan.put.kind), plan.put.id, plan.put.json);
        if (plan.deleteSites.length > 0) multi.hdel(this.keys.sites, ...plan.deleteSites);
        for (const [ce, customer] of plan.setSites) multi.hset(this.keys.sites, ce, customer);
        if (plan.deleteNames.length > 0) multi.hdel(this.keys.vpnNames, ...plan.deleteNames);
        for (const [name, vpnId] of plan.setNames) multi.hset(this.keys.vpnNames, name, vpnId);
        multi.publish(this.keys.changed, JSON.stringify(plan.change));
        // EXEC answers null when a watched key changed since WATCH: plan again on fresh data.
        if ((await multi.exec()) !== null) {
          // This process reads its own write at once; others hear of it from the published change.
          this.#invalidate();
          return plan.stored as T;
        }
      }
      throw new PolicyWriteContentionError(this.#maxAttempts);
    });
  }

  protected readEntity<K extends PolicyKind>(kind: K, id: string): Promise<PolicyEntities[K] | undefined> {
    return this.#get(kind, id);
  }

  protected listEntities<K extends PolicyKind>(kind: K): Promise<PolicyEntities[K][]> {
    return this.#list(kind);
  }

  protected async siteOwner(ce: string): Promise<string | undefined> {
    return (await this.#hgetCached(this.keys.sites, ce)) ?? undefined;
  }

  protected async vpnIdByName(name: string): Promise<string | undefined> {
    return (await this.#hgetCached(this.keys.vpnNames, name)) ?? undefined;
  }

  async #claimsOf(customerId: string): Promise<[string, StoredClaim][]> {
    const all = await this.#redis.hgetall(this.keys.usage(customerId));
    return Object.entries(all).map(([sessionId, text]) => [sessionId, decodeClaim(text)]);
  }

  async getUsage(customerId: string, at: number = Date.now()): Promise<CustomerUsage> {
    let activeSessions = 0;
    let reservedBps = 0;
    for (const [, claim] of await this.#claimsOf(customerId)) {
      if (!claimActiveAt(claim, at)) continue;
      activeSessions += 1;
      reservedBps += claim.bps;
    }
    return { activeSessions, reservedBps };
  }

  async getSessionUsage(sessionId: string, at: number = Date.now()): Promise<SessionUsage | undefined> {
    const customerId = await this.#redis.hget(this.keys.usageOwners, sessionId);
    if (customerId === null) return undefined;
    const text = await this.#redis.hget(this.keys.usage(customerId), sessionId);
    if (text === null) return undefined;
    const claim = decodeClaim(text);
    return claim.end <= at ? undefined : sessionUsageOf(sessionId, customerId, claim);
  }

  async listUsage(customerId: string, options: ListUsageOptions = {}): Promise<SessionUsage[]> {
    const at = options.at ?? Date.now();
    return (await this.#claimsOf(customerId))
      .filter(([, claim]) => claimActiveAt(claim, at) || (options.upcoming === true && claim.start > at))
      .map(([sessionId, claim]) => sessionUsageOf(sessionId, customerId, claim))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  }

  async peakUsage(
    customerId: string,
    window: UsageWindow,
    options: PeakUsageOptions = {},
  ): Promise<CustomerUsage> {
    const claims = (await this.#claimsOf(customerId))
      .filter(([sessionId]) => sessionId !== options.excludeSessionId)
      .map(([, claim]) => claim);
    return peakUsage(claims, remainingWindow(window, options.now ?? Date.now()));
  }

  async claimUsage(claim: UsageClaim): Promise<UsageClaimResult> {
    const { stored, now } = normalizeClaim(claim);
    const reply = (await this.#script(
      'svpnPolicyClaimUsage',
      [this.keys.usage(claim.customerId), this.keys.usageOwners],
      [
        claim.sessionId,
        claim.customerId,
        claim.bps,
        claim.maxSessions,
        claim.maxTotalBps,
        stored.start,
        stored.end === Number.POSITIVE_INFINITY ? 'inf' : stored.end,
        now,
        encodeClaim(stored),
      ],
    )) as [number, ...(string | number)[]];
    const [code, a, b, c] = reply;
    switch (code) {
      case UsageScriptCode.Ok:
        return {
          ok: true,
          usage: { activeSessions: Number(a), reservedBps: Number(b) },
          previousBps: c === '' || c === undefined ? undefined : Number(c),
        };
      case UsageScriptCode.SessionLimit:
      case UsageScriptCode.TotalBandwidth:
        return {
          ok: false,
          reason: code === UsageScriptCode.SessionLimit ? 'session-limit' : 'total-bandwidth',
          usage: { activeSessions: Number(a), reservedBps: Number(b) },
        };
      case UsageScriptCode.OtherOwner:
        throw new UsageOwnerError(claim.sessionId, String(a));
      default:
        throw new Error(`claimUsage-2 answered ${String(code)}`);
    }
  }

  async releaseUsage(sessionId: string): Promise<boolean> {
    for (;;) {
      const customerId = await this.#redis.hget(this.keys.usageOwners, sessionId);
      if (customerId === null) return false;
      const code = await this.#script(
        'svpnPolicyReleaseUsage',
        [this.keys.usage(customerId), this.keys.usageOwners],
        [sessionId, customerId],
      );
      // The session moved to another customer between the read and the script: read again.
      if (code !== UsageScriptCode.OwnerChanged) return code === 1;
    }
  }

  async subscribe(listener: (change: PolicyChange) => void): Promise<() => Promise<void>> {
    const subscriber = this.#redis.duplicate();
    this.#subscribers.add(subscriber);
    const channel = this.keys.changed;
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      let change: PolicyChange;
      try {
        change = JSON.parse(message) as PolicyChange;
      } catch {
        return; // not ours: someone else published on the channel
      }
      listener(change);
    });
    await subscriber.subscribe(channel);
    return async () => {
      if (!this.#subscribers.delete(subscriber)) return;
      await subscriber.quit().catch(() => subscriber.disconnect());
    };
  }

  /** Closes the connections this store opened (not the one it was given). */
  async close(): Promise<void> {
    const connections = [
      ...this.#subscribers,
      ...(this.#tx === undefined ? [] : [this.#tx]),
      ...(this.#cacheSubscriber === undefined ? [] : [this.#cacheSubscriber]),
    ];
    this.#subscribers.clear();
    this.#tx = undefined;
    this.#cacheSubscriber = undefined;
    this.#cacheLive = false;
    this.#invalidate();
    await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
