import { ChargeCursorInvalidError, ChargeQueryInvalidError, ChargeVersionConflictError } from './errors.js';

/**
 * What the store needs to know of a charge record to index it; the full record (the
 * `@svpn/charging` `ChargeRecord`) is stored as JSON and handed back as it was given.
 */
export interface ChargeRecordKey {
  readonly sessionId: string;
  readonly customer: string;
  /** The session's setup instant (ms epoch): time-range queries and paging order use it. */
  readonly setupAt: number;
}

/** A stored record with its version (1 after the first commit, +1 per committed event). */
export interface StoredCharge<R extends ChargeRecordKey = ChargeRecordKey> {
  readonly record: R;
  readonly version: number;
}

/** One event's effect on one session's record. */
export interface ChargeCommit<R extends ChargeRecordKey = ChargeRecordKey> {
  /** The session event that produced `record` (remembered, so it is never applied twice). */
  readonly eventId: string;
  /** The version the record was read at (0 when there was none). */
  readonly expectedVersion: number;
  readonly record: R;
}

/** `committed`: written, now at `version`. `duplicate`: the event was already applied; nothing written. */
export interface ChargeCommitResult {
  readonly outcome: 'committed' | 'duplicate';
  readonly version: number;
}

/** Filters and paging of {@link ChargeStore.query}. */
export interface ChargeQuery {
  /** Only this customer's records. */
  customer?: string;
  /** Sessions set up at or after this instant (ms epoch). */
  from?: number;
  /** Sessions set up before this instant (ms epoch). */
  to?: number;
  /** Page size, 1 … {@link MAX_CHARGE_PAGE}. @defaultValue 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** One page of records in (setupAt, sessionId) order; `nextCursor` is `null` on the last page. */
export interface ChargePage<R extends ChargeRecordKey = ChargeRecordKey> {
  readonly records: StoredCharge<R>[];
  readonly nextCursor: string | null;
}

export const DEFAULT_CHARGE_PAGE = 100;
export const MAX_CHARGE_PAGE = 1000;

/**
 * Charge records, one per session, written once per session event (DESIGN §5: idempotent per
 * event; nothing is charged twice). `commit` stores the record and remembers the event id in one
 * atomic step, guarded by the record version, so a redelivered event — even after a consumer crashed
 * between committing and acknowledging — is recognised as a duplicate and changes nothing.
 */
export interface ChargeStore<R extends ChargeRecordKey = ChargeRecordKey> {
  /** The record of a session, or `null`. */
  get(sessionId: string): Promise<StoredCharge<R> | null>;
  /** Whether an event was already applied to the session's record. */
  isApplied(sessionId: string, eventId: string): Promise<boolean>;
  /**
   * Stores `record` as the session's record and remembers `eventId`, if the event is new and the
   * stored version is still `expectedVersion`.
   * @throws {@link ChargeVersionConflictError} when another writer got there first (nothing written)
   */
  commit(change: ChargeCommit<R>): Promise<ChargeCommitResult>;
  /** Records by customer and setup-time range, paged. @throws {@link ChargeCursorInvalidError}, {@link ChargeQueryInvalidError} */
  query(query?: ChargeQuery): Promise<ChargePage<R>>;
}

const TIME_DIGITS = 15;

/**
 * The index member of a record: `<setupAt, 15 digits>|<sessionId>`. Members of one sorted set all
 * have score 0, so `ZRANGEBYLEX` orders them by setup time then session id. @internal
 */
export function chargeIndexMember(record: ChargeRecordKey): string {
  return `${timePrefix(record.setupAt)}|${record.sessionId}`;
}

/** @internal */
export function timePrefix(ms: number): string {
  return String(Math.trunc(ms)).padStart(TIME_DIGITS, '0');
}

/** @internal */
export function encodeChargeCursor(member: string): string {
  return Buffer.from(member, 'utf8').toString('base64url');
}

/** @internal */
export function decodeChargeCursor(cursor: string): string {
  const member = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^\d{15}\|\S/.test(member) || encodeChargeCursor(member) !== cursor)
    throw new ChargeCursorInvalidError(cursor);
  return member;
}

/** The validated shape of a query. @internal */
export interface NormalisedChargeQuery {
  customer: string | undefined;
  /** Exclusive lower bound member, or inclusive time prefix. */
  after: string | undefined;
  fromPrefix: string | undefined;
  toPrefix: string | undefined;
  limit: number;
}

/** @internal */
export function normaliseChargeQuery(query: ChargeQuery): NormalisedChargeQuery {
  const limit = query.limit ?? DEFAULT_CHARGE_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHARGE_PAGE)
    throw new ChargeQueryInvalidError(`limit must be an integer 1…${MAX_CHARGE_PAGE}`);
  for (const [name, value] of [
    ['from', query.from],
    ['to', query.to],
  ] as const)
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || value >= 1e15))
      throw new ChargeQueryInvalidError(`${name} must be a whole number of ms since the epoch`);
  if (query.from !== undefined && query.to !== undefined && query.from > query.to)
    throw new ChargeQueryInvalidError('from is after to');
  return {
    customer: query.customer,
    after: query.cursor === undefined ? undefined : decodeChargeCursor(query.cursor),
    fromPrefix: query.from === undefined ? undefined : `${timePrefix(query.from)}|`,
    toPrefix: query.to === undefined ? undefined : `${timePrefix(query.to)}|`,
    limit,
  };
}

/** In-memory charge store for unit tests and the one-process demo; same semantics as the Redis one. */
export class MemoryChargeStore<R extends ChargeRecordKey = ChargeRecordKey> implements ChargeStore<R> {
  readonly #records = new Map<
    string,
    { json: string; version: number; applied: Set<string>; member: string }
  >();

  async get(sessionId: string): Promise<StoredCharge<R> | null> {
    const entry = this.#records.get(sessionId);
    return entry === undefined ? null : { record: JSON.parse(entry.json) as R, version: entry.version };
  }

  async isApplied(sessionId: string, eventId: string): Promise<boolean> {
    return this.#records.get(sessionId)?.applied.has(eventId) ?? false;
  }

  async commit(change: ChargeCommit<R>): Promise<ChargeCommitResult> {
    const sessionId = change.record.sessionId;
    const entry = this.#records.get(sessionId);
    const version = entry?.version ?? 0;
    if (entry?.applied.has(change.eventId)) return { outcome: 'duplicate', version };
    if (version !== change.expectedVersion)
      throw new ChargeVersionConflictError(sessionId, change.expectedVersion, version);
    this.#records.set(sessionId, {
      json: JSON.stringify(change.record),
      version: version + 1,
      applied: new Set([...(entry?.applied ?? []), change.eventId]),
      member: chargeIndexMember(change.record),
    });
    return { outcome: 'committed', version: version + 1 };
  }

  async query(query: ChargeQuery = {}): Promise<ChargePage<R>> {
    const q = normaliseChargeQuery(query);
    const matching = [...this.#records.values()]
      .filter((e) => q.customer === undefined || (JSON.parse(e.json) as R).customer === q.customer)
      .map((e) => e.member)
      .filter(
        (m) =>
          (q.after === undefined || byteCompare(m, q.after) > 0) &&
          (q.fromPrefix === undefined || byteCompare(m, q.fromPrefix) >= 0) &&
          (q.toPrefix === undefined || byteCompare(m, q.toPrefix) < 0),
      )
      .sort(byteCompare);
    const page = matching.slice(0, q.limit);
    const records = page.map((m) => {
      const entry = this.#records.get(m.slice(16))!;
      return { record: JSON.parse(entry.json) as R, version: entry.version };
    });
    const nextCursor = matching.length > q.limit ? encodeChargeCursor(page[page.length - 1]!) : null;
    return { records, nextCursor };
  }
}

/** Redis compares sorted-set members as bytes (memcmp); so does the fake. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
