/**
 * Where connections, their event history and their timers live. Redis in production (the state a
 * restarted API picks up: hold timeouts, start and end times), memory in unit tests; both behave
 * the same (shared conformance in test/connections/connection-store.int.test.ts).
 */
import type { Redis } from 'ioredis';
import type { ConnectionEvent } from '@svpn/api-contract';
import { LEASE_FENCE_LUA, type LeaseFence } from '@svpn/store';
import { sessionIdOf, type ConnectionRecord } from './connection-record.js';

/** A timer kind: the hold of a held reservation, the start and end of a scheduled connection. */
export type TimerKind = 'hold' | 'start' | 'end';

export interface DueTimer {
  connectionId: string;
  kind: TimerKind;
  at: number;
}

export interface ConnectionStore {
  get(connectionId: string): Promise<ConnectionRecord | undefined>;
  put(record: ConnectionRecord): Promise<void>;
  /** Every connection, newest first. */
  list(): Promise<ConnectionRecord[]>;
  /**
   * The connection whose call (current or earlier) has this gateway session id: `put` indexes each
   * record under the session id of its current call. Undefined for a session no connection made.
   */
  connectionOfSession(sessionId: string): Promise<string | undefined>;
  /** Indexes every stored connection's current session id (records stored before the index existed). */
  reindexSessions(): Promise<void>;
  appendEvent(event: ConnectionEvent): Promise<void>;
  events(connectionId: string): Promise<ConnectionEvent[]>;
  /** Events after `afterId` across connections (SSE replay after a reconnect), oldest first. */
  eventsSince(afterId: string, limit: number): Promise<ConnectionEvent[]>;
  setTimer(connectionId: string, kind: TimerKind, at: number): Promise<void>;
  clearTimer(connectionId: string, kind: TimerKind): Promise<void>;
  timers(): Promise<DueTimer[]>;
  /** Timers due at or before `until`, soonest first (at most `limit`). */
  timersDue(until: number, limit?: number): Promise<DueTimer[]>;
  /**
   * Claims a due timer for firing: if it is due at `now` (and `fence` still holds its lease), it is
   * moved to `claimUntil` — so it fires again then if the claimant dies before completing it — and
   * `claimUntil` is returned. Undefined: not due, gone, already claimed, or fenced out.
   */
  claimTimer(
    connectionId: string,
    kind: TimerKind,
    now: number,
    claimUntil: number,
    fence?: LeaseFence,
  ): Promise<number | undefined>;
  /** Removes a claimed timer once fired, unless it was set again meanwhile (then it is not `claimedUntil`). */
  completeTimer(connectionId: string, kind: TimerKind, claimedUntil: number): Promise<void>;
  /**
   * Takes the connection's change lock for `ttlMs` under `token` if no one holds it (one change of a
   * connection at a time across API processes); false when another holder has it.
   */
  tryLock(connectionId: string, token: string, ttlMs: number): Promise<boolean>;
  /** Gives the lock back if `token` still holds it. */
  unlock(connectionId: string, token: string): Promise<void>;
}

const TIMER_KINDS: readonly TimerKind[] = ['hold', 'start', 'end'];

export class MemoryConnectionStore implements ConnectionStore {
  readonly records = new Map<string, string>();
  readonly history = new Map<string, ConnectionEvent[]>();
  readonly all: ConnectionEvent[] = [];
  readonly timerMap = new Map<string, number>();
  readonly sessions = new Map<string, string>();

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const text = this.records.get(connectionId);
    return text === undefined ? undefined : (JSON.parse(text) as ConnectionRecord);
  }
  async put(record: ConnectionRecord): Promise<void> {
    const id = record.connection.connectionId;
    this.records.set(id, JSON.stringify(record));
    this.sessions.set(sessionIdOf(id, record.internal.callSeq), id);
  }
  async connectionOfSession(sessionId: string): Promise<string | undefined> {
    return this.sessions.get(sessionId);
  }
  async reindexSessions(): Promise<void> {
    for (const r of await this.list()) {
      this.sessions.set(
        sessionIdOf(r.connection.connectionId, r.internal.callSeq),
        r.connection.connectionId,
      );
    }
  }
  async list(): Promise<ConnectionRecord[]> {
    return [...this.records.values()]
      .map((t) => JSON.parse(t) as ConnectionRecord)
      .sort((a, b) => b.connection.createdAt.localeCompare(a.connection.createdAt));
  }
  async appendEvent(event: ConnectionEvent): Promise<void> {
    const list = this.history.get(event.connectionId) ?? [];
    list.push(event);
    this.history.set(event.connectionId, list);
    this.all.push(event);
  }
  async events(connectionId: string): Promise<ConnectionEvent[]> {
    return [...(this.history.get(connectionId) ?? [])];
  }
  async eventsSince(afterId: string, limit: number): Promise<ConnectionEvent[]> {
    const index = this.all.findIndex((e) => e.id === afterId);
    return this.all.slice(index + 1, index + 1 + limit);
  }
  async setTimer(connectionId: string, kind: TimerKind, at: number): Promise<void> {
    this.timerMap.set(`${connectionId}|${kind}`, at);
  }
  async clearTimer(connectionId: string, kind: TimerKind): Promise<void> {
    this.timerMap.delete(`${connectionId}|${kind}`);
  }
  async timers(): Promise<DueTimer[]> {
    return [...this.timerMap.entries()].map(([member, at]) => {
      const [connectionId, kind] = member.split('|') as [string, TimerKind];
      return { connectionId, kind, at };
    });
  }
  async timersDue(until: number, limit = 1000): Promise<DueTimer[]> {
    return (await this.timers())
      .filter((t) => t.at <= until)
      .sort((a, b) => a.at - b.at)
      .slice(0, limit);
  }
  /** One process only: there is no lease to fence against, so `fence` is not checked. */
  async claimTimer(
    connectionId: string,
    kind: TimerKind,
    now: number,
    claimUntil: number,
  ): Promise<number | undefined> {
    const member = `${connectionId}|${kind}`;
    const at = this.timerMap.get(member);
    if (at === undefined || at > now) return undefined;
    this.timerMap.set(member, claimUntil);
    return claimUntil;
  }
  async completeTimer(connectionId: string, kind: TimerKind, claimedUntil: number): Promise<void> {
    const member = `${connectionId}|${kind}`;
    if (this.timerMap.get(member) === claimedUntil) this.timerMap.delete(member);
  }
  private readonly locks = new Map<string, { token: string; until: number }>();
  async tryLock(connectionId: string, token: string, ttlMs: number): Promise<boolean> {
    const held = this.locks.get(connectionId);
    if (held !== undefined && held.until > Date.now()) return false;
    this.locks.set(connectionId, { token, until: Date.now() + ttlMs });
    return true;
  }
  async unlock(connectionId: string, token: string): Promise<void> {
    if (this.locks.get(connectionId)?.token === token) this.locks.delete(connectionId);
  }
}

/** The Redis key of the timer lease (one slot with the timers, so claims can check it). */
export function timerLeaseKey(keyPrefix = 'svpn'): string {
  return `${keyPrefix}:{api}:timer-lease`;
}

/**
 * KEYS[1] the timer lease, KEYS[2] the timers zset; ARGV[1] lease token ('' unfenced), ARGV[2]
 * member, ARGV[3] now, ARGV[4] claim-until. 1 claimed, 0 not due or gone, -1 fenced out.
 */
const CLAIM_TIMER = `${LEASE_FENCE_LUA}
local at = redis.call('ZSCORE', KEYS[2], ARGV[2])
if not at or tonumber(at) > tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
return 1
`;

/** KEYS[1] a lock; ARGV[1] the token that took it. Deletes it only if that token still holds it. */
const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS[1] the timers zset; ARGV[1] member, ARGV[2] the claim's until. */
const COMPLETE_TIMER = `
local at = redis.call('ZSCORE', KEYS[1], ARGV[1])
if at and tonumber(at) == tonumber(ARGV[2]) then return redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0
`;

/**
 * Redis layout (under the deployment's key prefix, one hash tag so Redis Cluster keeps it together):
 * `<p>:{api}:conn:<id>` JSON record · `<p>:{api}:conns` zset by creation time · `<p>:{api}:timers`
 * zset `<id>|<kind>` by due time · `<p>:{api}:history:<id>` list of events · `<p>:{api}:events`
 * stream of every event (SSE replay), capped · `<p>:{api}:timer-lease` the lease of the process that
 * fires the timers ({@link timerLeaseKey}) · `<p>:{api}:lock:<id>` a connection's change lock (a token,
 * expiring) · `<p>:{api}:sessions` hash gateway session id → connection id (preemption notices name
 * sessions).
 */
export class RedisConnectionStore implements ConnectionStore {
  private readonly p: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix = 'svpn',
    private readonly maxStream = 10_000,
  ) {
    this.p = `${keyPrefix}:{api}`;
  }

  async get(connectionId: string): Promise<ConnectionRecord | undefined> {
    const text = await this.redis.get(`${this.p}:conn:${connectionId}`);
    return text === null ? undefined : (JSON.parse(text) as ConnectionRecord);
  }

  async put(record: ConnectionRecord): Promise<void> {
    const c = record.connection;
    await this.redis
      .multi()
      .set(`${this.p}:conn:${c.connectionId}`, JSON.stringify(record))
      .zadd(`${this.p}:conns`, Date.parse(c.createdAt), c.connectionId)
      .hset(`${this.p}:sessions`, sessionIdOf(c.connectionId, record.internal.callSeq), c.connectionId)
      .exec();
  }

  async connectionOfSession(sessionId: string): Promise<string | undefined> {
    return (await this.redis.hget(`${this.p}:sessions`, sessionId)) ?? undefined;
  }

  async reindexSessions(): Promise<void> {
    const records = await this.list();
    // In slices, so one command never carries every connection at once.
    for (let i = 0; i < records.length; i += 500) {
      const index: string[] = [];
      for (const r of records.slice(i, i + 500)) {
        index.push(sessionIdOf(r.connection.connectionId, r.internal.callSeq), r.connection.connectionId);
      }
      await this.redis.hset(`${this.p}:sessions`, ...index);
    }
  }

  async list(): Promise<ConnectionRecord[]> {
    const ids = await this.redis.zrevrange(`${this.p}:conns`, 0, -1);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => `${this.p}:conn:${id}`));
    return texts.filter((t): t is string => t !== null).map((t) => JSON.parse(t) as ConnectionRecord);
  }

  async appendEvent(event: ConnectionEvent): Promise<void> {
    await this.redis
      .multi()
      .rpush(`${this.p}:history:${event.connectionId}`, JSON.stringify(event))
      .xadd(
        `${this.p}:events`,
        'MAXLEN',
        '~',
        String(this.maxStream),
        '*',
        'id',
        event.id,
        'event',
        JSON.stringify(event),
      )
      .exec();
  }

  async events(connectionId: string): Promise<ConnectionEvent[]> {
    const texts = await this.redis.lrange(`${this.p}:history:${connectionId}`, 0, -1);
    return texts.map((t) => JSON.parse(t) as ConnectionEvent);
  }

  async eventsSince(afterId: string, limit: number): Promise<ConnectionEvent[]> {
    // Event ids are unique and time-ordered; scan the recent tail for the one the client last saw.
    const entries = await this.redis.xrevrange(`${this.p}:events`, '+', '-', 'COUNT', String(this.maxStream));
    const out: ConnectionEvent[] = [];
    for (const [, fields] of entries) {
      const id = fields[fields.indexOf('id') + 1];
      if (id === afterId) break;
      const text = fields[fields.indexOf('event') + 1];
      if (text !== undefined) out.push(JSON.parse(text) as ConnectionEvent);
    }
    return out.reverse().slice(0, limit);
  }

  async setTimer(connectionId: string, kind: TimerKind, at: number): Promise<void> {
    await this.redis.zadd(`${this.p}:timers`, at, `${connectionId}|${kind}`);
  }

  async clearTimer(connectionId: string, kind: TimerKind): Promise<void> {
    await this.redis.zrem(`${this.p}:timers`, `${connectionId}|${kind}`);
  }

  async timers(): Promise<DueTimer[]> {
    return dueTimers(await this.redis.zrange(`${this.p}:timers`, 0, -1, 'WITHSCORES'));
  }

  async timersDue(until: number, limit = 1000): Promise<DueTimer[]> {
    return dueTimers(
      await this.redis.zrangebyscore(
        `${this.p}:timers`,
        '-inf',
        String(until),
        'WITHSCORES',
        'LIMIT',
        0,
        limit,
      ),
    );
  }

  async claimTimer(
    connectionId: string,
    kind: TimerKind,
    now: number,
    claimUntil: number,
    fence?: LeaseFence,
  ): Promise<number | undefined> {
    const claimed = await this.redis.eval(
      CLAIM_TIMER,
      2,
      // Unfenced (no lease in use): the key is passed for the slot only; it is not read.
      fence?.key ?? `${this.p}:timer-lease`,
      `${this.p}:timers`,
      fence?.token ?? '',
      `${connectionId}|${kind}`,
      String(now),
      String(claimUntil),
    );
    return claimed === 1 ? claimUntil : undefined;
  }

  async tryLock(connectionId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.p}:lock:${connectionId}`, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(connectionId: string, token: string): Promise<void> {
    await this.redis.eval(UNLOCK, 1, `${this.p}:lock:${connectionId}`, token);
  }

  async completeTimer(connectionId: string, kind: TimerKind, claimedUntil: number): Promise<void> {
    await this.redis.eval(
      COMPLETE_TIMER,
      1,
      `${this.p}:timers`,
      `${connectionId}|${kind}`,
      String(claimedUntil),
    );
  }
}

/** `member, score, member, score…` of the timers zset → timers. */
function dueTimers(flat: string[]): DueTimer[] {
  const out: DueTimer[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const [connectionId, kind] = (flat[i] as string).split('|') as [string, TimerKind];
    if (TIMER_KINDS.includes(kind)) out.push({ connectionId, kind, at: Number(flat[i + 1]) });
  }
  return out;
}
