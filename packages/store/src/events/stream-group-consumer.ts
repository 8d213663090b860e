import type { Redis } from 'ioredis';

/** How an entry reached the handler. */
export interface StreamEntryDelivery {
  /** The stream entry id. */
  readonly entryId: string;
  /** How many times the group has delivered it (1 on the first read). */
  readonly deliveries: number;
  /** Taken over from another consumer (or this one's earlier life) after it stayed pending too long. */
  readonly claimed: boolean;
}

/**
 * Processes one decoded entry durably. Resolving acknowledges the entry (`XACK`); throwing leaves it
 * pending, so it is delivered again after `claimIdleMs`. Delivery is at least once: the handler
 * must be idempotent.
 */
export type StreamEntryHandler<T> = (value: T, delivery: StreamEntryDelivery) => Promise<void>;

/** Optional callbacks of {@link StreamGroupConsumer} (logging, metrics). */
export interface StreamGroupConsumerDelegate<T> {
  /** The handler threw: the entry stays pending and is retried later. */
  onHandlerError?(error: unknown, value: T, delivery: StreamEntryDelivery): void;
  /** An entry was moved to the dead-letter stream and acknowledged. */
  onDeadLetter?(entryId: string, reason: string): void;
  /** Pending entries whose data the stream had already trimmed: acknowledged, nothing to process. */
  onLost?(entryIds: readonly string[]): void;
  /** A poll failed (Redis down, …); the loop waits `errorBackoffMs` and tries again. */
  onPollError?(error: unknown): void;
  /** An entry was processed and acknowledged. */
  onAcked?(value: T, delivery: StreamEntryDelivery): void;
}

/** What every group consumer takes, whatever its stream. */
export interface StreamGroupConsumerCommonOptions<T> {
  /** For non-blocking commands; the consumer duplicates it for its blocking reads. Not closed by the consumer. */
  redis: Redis;
  /** Consumer group name, e.g. `charging`. */
  group: string;
  /** This process's consumer name within the group (unique per process, stable across restarts if possible). */
  consumer: string;
  handler: StreamEntryHandler<T>;
  delegate?: StreamGroupConsumerDelegate<T>;
  /** Entries per read. @defaultValue 50 */
  batchSize?: number;
  /** How long one `XREADGROUP` waits for new entries. @defaultValue 1000 ms */
  blockMs?: number;
  /** An entry pending longer than this on any consumer is claimed (`XAUTOCLAIM`). @defaultValue 30 000 ms */
  claimIdleMs?: number;
  /** How often to look for stale pending entries. @defaultValue min(claimIdleMs, 5000) ms */
  claimIntervalMs?: number;
  /** Deliveries after which an entry goes to the dead-letter stream instead of the handler. @defaultValue 10 */
  maxDeliveries?: number;
  /** Where a newly created group starts: `0` = the whole stream, `$` = new entries only. @defaultValue '0' */
  startId?: string;
  /** Wait after a failed poll. @defaultValue 500 ms */
  errorBackoffMs?: number;
  /** Clock for the claim interval. @defaultValue Date.now */
  now?: () => number;
}

/** Options of {@link StreamGroupConsumer}: the common ones plus which stream and how entries decode. */
export interface StreamGroupConsumerOptions<T> extends StreamGroupConsumerCommonOptions<T> {
  stream: string;
  /** Where undecodable entries and entries delivered too often go. */
  deadLetterStream: string;
  /** The entry field holding the JSON value. */
  field: string;
  /** Parses and validates one entry's field; throwing sends the entry to the dead-letter stream. */
  decode: (json: string) => T;
}

/** What one {@link StreamGroupConsumer.pollOnce} did. */
export interface StreamGroupPollResult {
  /** Entries handed to the handler (new, replayed or claimed). */
  delivered: number;
  /** Of those, claimed from a stale consumer. */
  claimed: number;
  acked: number;
  /** Handler failures (left pending). */
  failed: number;
  deadLettered: number;
  lost: number;
}

type RawEntry = [id: string, fields: string[] | null];

const DEFAULTS = {
  batchSize: 50,
  blockMs: 1000,
  claimIdleMs: 30_000,
  maxDeliveries: 10,
  startId: '0',
  errorBackoffMs: 500,
} as const;

/**
 * A member of a Redis Streams consumer group, at-least-once:
 *
 * 1. on its first poll it re-reads its own pending entries (`XREADGROUP … 0`), left by a previous
 *    life of the same consumer name that read them but did not acknowledge them;
 * 2. every `claimIntervalMs` it takes over entries pending on any consumer for `claimIdleMs`
 *    (`XAUTOCLAIM`), so a crashed consumer's entries are processed by another;
 * 3. then it reads new entries (`XREADGROUP … >`, blocking up to `blockMs`).
 *
 * Each entry is acknowledged (`XACK`) only after the handler resolved, i.e. after durable
 * processing. Undecodable entries, and entries delivered more than `maxDeliveries` times, are copied
 * to the dead-letter stream and acknowledged in one MULTI, so one poison entry never blocks the group.
 *
 * @see https://redis.io/docs/latest/develop/data-types/streams/
 */
export class StreamGroupConsumer<T> {
  readonly stream: string;
  readonly deadLetterStream: string;
  readonly group: string;
  readonly consumer: string;
  readonly #options: StreamGroupConsumerOptions<T>;
  readonly #batchSize: number;
  readonly #blockMs: number;
  readonly #claimIdleMs: number;
  readonly #claimIntervalMs: number;
  readonly #maxDeliveries: number;
  readonly #now: () => number;
  #reader: Redis | undefined;
  #ownPendingDone = false;
  #lastClaimAt = Number.NEGATIVE_INFINITY;
  #claimCursor = '0-0';
  #loop: Promise<void> | undefined;
  #stopping = false;

  constructor(options: StreamGroupConsumerOptions<T>) {
    this.#options = options;
    this.stream = options.stream;
    this.deadLetterStream = options.deadLetterStream;
    this.group = options.group;
    this.consumer = options.consumer;
    this.#batchSize = positive(options.batchSize ?? DEFAULTS.batchSize, 'batchSize');
    this.#blockMs = nonNegative(options.blockMs ?? DEFAULTS.blockMs, 'blockMs');
    this.#claimIdleMs = nonNegative(options.claimIdleMs ?? DEFAULTS.claimIdleMs, 'claimIdleMs');
    this.#claimIntervalMs = nonNegative(
      options.claimIntervalMs ?? Math.min(this.#claimIdleMs, 5000),
      'claimIntervalMs',
    );
    this.#maxDeliveries = positive(options.maxDeliveries ?? DEFAULTS.maxDeliveries, 'maxDeliveries');
    this.#now = options.now ?? Date.now;
  }

  /** Creates the group (and the stream) if missing; an existing group is left as it is. */
  async ensureGroup(): Promise<void> {
    try {
      await this.#options.redis.call(
        'XGROUP',
        'CREATE',
        this.stream,
        this.group,
        this.#options.startId ?? DEFAULTS.startId,
        'MKSTREAM',
      );
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
    }
  }

  /**
   * One round: own pending entries (first call only), stale entries of others (when the claim
   * interval passed), then new entries, waiting up to `blockMs` (override with `{ blockMs }`).
   */
  async pollOnce(options: { blockMs?: number } = {}): Promise<StreamGroupPollResult> {
    const result: StreamGroupPollResult = {
      delivered: 0,
      claimed: 0,
      acked: 0,
      failed: 0,
      deadLettered: 0,
      lost: 0,
    };
    if (!this.#ownPendingDone) {
      await this.#replayOwnPending(result);
      this.#ownPendingDone = true;
    }
    const now = this.#now();
    if (now - this.#lastClaimAt >= this.#claimIntervalMs) {
      this.#lastClaimAt = now;
      await this.#claimStale(result);
    }
    const blockMs = options.blockMs ?? this.#blockMs;
    const args: (string | number)[] = ['GROUP', this.group, this.consumer, 'COUNT', this.#batchSize];
    if (blockMs > 0) args.push('BLOCK', blockMs);
    args.push('STREAMS', this.stream, '>');
    const reply = await this.#blockingConnection().call('XREADGROUP', ...args);
    for (const [id, fields] of streamEntries(reply)) {
      if (fields === null) continue; // cannot happen for '>' reads
      await this.#process(id, fields, 1, false, result);
    }
    return result;
  }

  /** Runs {@link pollOnce} in a loop until {@link stop}; creates the group first. */
  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = (async () => {
      let groupReady = false;
      while (!this.#stopping) {
        try {
          if (!groupReady) {
            await this.ensureGroup();
            groupReady = true;
          }
          await this.pollOnce();
        } catch (error) {
          if (this.#stopping) break;
          this.#options.delegate?.onPollError?.(error);
          await new Promise((r) => setTimeout(r, this.#options.errorBackoffMs ?? DEFAULTS.errorBackoffMs));
        }
      }
    })();
  }

  /** Stops the loop after the current poll (at most `blockMs` plus in-flight handlers) and closes the reading connection. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
    this.#loop = undefined;
    this.#reader?.disconnect();
    this.#reader = undefined;
  }

  #blockingConnection(): Redis {
    // A blocking XREADGROUP holds its connection: never block the shared one.
    this.#reader ??= this.#options.redis.duplicate();
    return this.#reader;
  }

  async #replayOwnPending(result: StreamGroupPollResult): Promise<void> {
    let after = '0';
    for (;;) {
      const reply = await this.#options.redis.call(
        'XREADGROUP',
        'GROUP',
        this.group,
        this.consumer,
        'COUNT',
        this.#batchSize,
        'STREAMS',
        this.stream,
        after,
      );
      const entries = streamEntries(reply);
      if (entries.length === 0) return;
      const lost = entries.filter(([, fields]) => fields === null).map(([id]) => id);
      await this.#acknowledgeLost(lost, result);
      const live = entries.filter((e): e is [string, string[]] => e[1] !== null);
      const deliveries = await this.#deliveryCounts(live.map(([id]) => id));
      for (const [id, fields] of live)
        await this.#process(id, fields, deliveries.get(id) ?? 1, false, result);
      after = entries[entries.length - 1]![0];
    }
  }

  async #claimStale(result: StreamGroupPollResult): Promise<void> {
    // Bounded: at most 10 batches per round; the cursor carries over to the next round.
    for (let round = 0; round < 10; round++) {
      const reply = await this.#options.redis.call(
        'XAUTOCLAIM',
        this.stream,
        this.group,
        this.consumer,
        this.#claimIdleMs,
        this.#claimCursor,
        'COUNT',
        this.#batchSize,
      );
      if (!Array.isArray(reply)) return;
      const [next, rawEntries, deleted] = reply as [unknown, unknown, unknown];
      this.#claimCursor = typeof next === 'string' ? next : '0-0';
      const entries = entriesOf(rawEntries);
      // XAUTOCLAIM already dropped trimmed entries from the pending list (Redis ≥ 7).
      const lostIds = [
        ...(Array.isArray(deleted) ? deleted.map(String) : []),
        ...entries.filter(([, f]) => f === null).map(([id]) => id),
      ];
      if (lostIds.length > 0) {
        result.lost += lostIds.length;
        this.#options.delegate?.onLost?.(lostIds);
        await this.#options.redis.xack(this.stream, this.group, ...lostIds);
      }
      const live = entries.filter((e): e is [string, string[]] => e[1] !== null);
      const deliveries = await this.#deliveryCounts(live.map(([id]) => id));
      for (const [id, fields] of live) {
        result.claimed++;
        await this.#process(id, fields, deliveries.get(id) ?? 2, true, result);
      }
      if (this.#claimCursor === '0-0') return;
    }
  }

  async #acknowledgeLost(ids: string[], result: StreamGroupPollResult): Promise<void> {
    if (ids.length === 0) return;
    result.lost += ids.length;
    this.#options.delegate?.onLost?.(ids);
    await this.#options.redis.xack(this.stream, this.group, ...ids);
  }

  /** Delivery counts of this consumer's pending entries among `ids` (one XPENDING over their range). */
  async #deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (ids.length === 0) return counts;
    const sorted = [...ids].sort(compareEntryIds);
    const reply = await this.#options.redis.call(
      'XPENDING',
      this.stream,
      this.group,
      sorted[0]!,
      sorted[sorted.length - 1]!,
      Math.max(ids.length * 4, this.#batchSize),
      this.consumer,
    );
    if (Array.isArray(reply))
      for (const row of reply)
        if (Array.isArray(row) && row.length >= 4) counts.set(String(row[0]), Number(row[3]));
    return counts;
  }

  async #process(
    entryId: string,
    fields: string[],
    deliveries: number,
    claimed: boolean,
    result: StreamGroupPollResult,
  ): Promise<void> {
    const json = fieldValue(fields, this.#options.field);
    let value: T;
    try {
      value = this.#options.decode(json ?? '');
    } catch (error) {
      await this.#deadLetter(entryId, json ?? '', (error as Error).message, result);
      return;
    }
    if (deliveries > this.#maxDeliveries) {
      await this.#deadLetter(entryId, json ?? '', `delivered ${deliveries} times without success`, result);
      return;
    }
    const delivery: StreamEntryDelivery = { entryId, deliveries, claimed };
    result.delivered++;
    try {
      await this.#options.handler(value, delivery);
    } catch (error) {
      result.failed++;
      this.#options.delegate?.onHandlerError?.(error, value, delivery);
      return;
    }
    await this.#options.redis.xack(this.stream, this.group, entryId);
    result.acked++;
    this.#options.delegate?.onAcked?.(value, delivery);
  }

  async #deadLetter(
    entryId: string,
    json: string,
    reason: string,
    result: StreamGroupPollResult,
  ): Promise<void> {
    await this.#options.redis
      .multi()
      .xadd(
        this.deadLetterStream,
        'MAXLEN',
        '~',
        '100000',
        '*',
        'entry',
        entryId,
        'group',
        this.group,
        'reason',
        reason,
        this.#options.field,
        json,
      )
      .xack(this.stream, this.group, entryId)
      .exec();
    result.deadLettered++;
    this.#options.delegate?.onDeadLetter?.(entryId, reason);
  }
}

/** A consumer group's backlog on a stream. */
export interface StreamGroupInfo {
  consumers: number;
  /** Entries delivered but not acknowledged. */
  pending: number;
  /** Entries not yet delivered to the group (Redis ≥ 7; `null` when Redis cannot tell). */
  lag: number | null;
  lastDeliveredId: string;
}

/** `XINFO GROUPS` for one group of `stream`, or `null` when the stream or the group does not exist. */
export async function streamGroupInfo(
  redis: Redis,
  stream: string,
  group: string,
): Promise<StreamGroupInfo | null> {
  let reply: unknown;
  try {
    reply = await redis.call('XINFO', 'GROUPS', stream);
  } catch (error) {
    if (error instanceof Error && /no such key/i.test(error.message)) return null;
    throw error;
  }
  if (!Array.isArray(reply)) return null;
  for (const row of reply) {
    if (!Array.isArray(row)) continue;
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < row.length; i += 2) info.set(String(row[i]), row[i + 1]);
    if (String(info.get('name')) !== group) continue;
    const lag = info.get('lag');
    return {
      consumers: Number(info.get('consumers') ?? 0),
      pending: Number(info.get('pending') ?? 0),
      lag: lag === null || lag === undefined ? null : Number(lag),
      lastDeliveredId: String(info.get('last-delivered-id') ?? '0-0'),
    };
  }
  return null;
}

/** The entries of an `XREAD` / `XREADGROUP` reply for one stream (empty on a timeout). */
export function streamEntries(reply: unknown): RawEntry[] {
  // [[stream, [[id, fields] | [id, null], …]]] or null on timeout.
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const first = reply[0] as unknown;
  if (!Array.isArray(first)) return [];
  return entriesOf(first[1]);
}

function entriesOf(raw: unknown): RawEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: RawEntry[] = [];
  for (const item of raw) {
    if (!Array.isArray(item)) continue; // Redis 6.2 XAUTOCLAIM puts nil for a deleted entry
    const [id, fields] = item as [unknown, unknown];
    out.push([String(id), Array.isArray(fields) ? fields.map(String) : null]);
  }
  return out;
}

/** The value of `name` in a stream entry's flat field list. */
export function fieldValue(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Orders stream ids `ms-seq` numerically. */
export function compareEntryIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d < 0n ? -1 : 1;
  const s = BigInt(as) - BigInt(bs);
  return s === 0n ? 0 : s < 0n ? -1 : 1;
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}
