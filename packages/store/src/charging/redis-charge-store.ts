import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { runScript } from '../run-script.js';
import type { KeySpace } from '../keys.js';
import {
  chargeIndexMember,
  encodeChargeCursor,
  normaliseChargeQuery,
  type ChargeCommit,
  type ChargeCommitResult,
  type ChargePage,
  type ChargeQuery,
  type ChargeRecordKey,
  type ChargeStore,
  type StoredCharge,
} from './charge-store.js';
import { ChargeStoreCorruptError, ChargeVersionConflictError } from './errors.js';

const COMMIT_SOURCE = readFileSync(new URL('./scripts/commitCharge-4.lua', import.meta.url), 'utf8');

/** Lua result codes of `commitCharge-4` (negative = refused). */
enum ScriptCode {
  Committed = 1,
  Duplicate = 0,
  VersionConflict = -1,
}

/**
 * Charge records in Redis, every key under the `{charging}` hash tag (one Cluster slot):
 *
 * | key | type | content |
 * |---|---|---|
 * | `…:record:<sessionId>` | hash | `record` (JSON), `version`, `customer`, `index` (its index member), `applied:<eventId>` per applied event |
 * | `…:index:all` | zset | `<setupAt 15 digits>\|<sessionId>`, score 0 (lexicographic paging) |
 * | `…:index:customer:<customer>` | zset | the same members, one customer's |
 *
 * `commit` is one Lua script (`commitCharge-4`): duplicate check, version check, record write,
 * event id and index updates all at once, so a crash can never leave a record written without
 * its event remembered, nor the reverse.
 */
export class RedisChargeStore<R extends ChargeRecordKey = ChargeRecordKey> implements ChargeStore<R> {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
  ) {}

  private recordKey(sessionId: string): string {
    return this.keys.key('charging', 'record', sessionId);
  }

  private allIndexKey(): string {
    return this.keys.key('charging', 'index', 'all');
  }

  private customerIndexKey(customer: string): string {
    return this.keys.key('charging', 'index', 'customer', customer);
  }

  async get(sessionId: string): Promise<StoredCharge<R> | null> {
    const [json, version] = await this.redis.hmget(this.recordKey(sessionId), 'record', 'version');
    return json === null || json === undefined ? null : this.decode(sessionId, json, version);
  }

  async isApplied(sessionId: string, eventId: string): Promise<boolean> {
    return (await this.redis.hexists(this.recordKey(sessionId), `applied:${eventId}`)) === 1;
  }

  async commit(change: ChargeCommit<R>): Promise<ChargeCommitResult> {
    const { record } = change;
    const key = this.recordKey(record.sessionId);
    const [storedVersion, storedCustomer, storedMember] = await this.redis.hmget(
      key,
      'version',
      'customer',
      'index',
    );
    // The stored customer/index are only used when the script finds the version unchanged since this read.
    const previousCustomer = storedCustomer ?? record.customer;
    const reply = (await runScript(
      this.redis,
      COMMIT_SOURCE,
      [
        key,
        this.allIndexKey(),
        this.customerIndexKey(record.customer),
        this.customerIndexKey(previousCustomer),
      ],
      [
        change.eventId,
        String(change.expectedVersion),
        JSON.stringify(record),
        record.customer,
        chargeIndexMember(record),
        storedVersion !== null && Number(storedVersion) === change.expectedVersion
          ? (storedMember ?? '')
          : '',
      ],
    )) as [number, number];
    const [code, version] = reply;
    switch (code as ScriptCode) {
      case ScriptCode.Committed:
        return { outcome: 'committed', version };
      case ScriptCode.Duplicate:
        return { outcome: 'duplicate', version };
      case ScriptCode.VersionConflict:
        throw new ChargeVersionConflictError(record.sessionId, change.expectedVersion, version);
      default:
        throw new ChargeStoreCorruptError(`commitCharge-4 answered ${String(code)}`);
    }
  }

  async query(query: ChargeQuery = {}): Promise<ChargePage<R>> {
    const q = normaliseChargeQuery(query);
    const index = q.customer === undefined ? this.allIndexKey() : this.customerIndexKey(q.customer);
    // Lower bound: past the cursor (exclusive), else from `from` (inclusive); upper: before `to`.
    let min = '-';
    if (q.fromPrefix !== undefined) min = `[${q.fromPrefix}`;
    if (q.after !== undefined && (q.fromPrefix === undefined || q.after >= q.fromPrefix)) min = `(${q.after}`;
    const max = q.toPrefix === undefined ? '+' : `(${q.toPrefix}`;
    const members = await this.redis.zrangebylex(index, min, max, 'LIMIT', 0, q.limit + 1);
    const page = members.slice(0, q.limit);
    const pipeline = this.redis.pipeline();
    for (const member of page) pipeline.hmget(this.recordKey(member.slice(16)), 'record', 'version');
    const replies = page.length === 0 ? [] : ((await pipeline.exec()) ?? []);
    const records: StoredCharge<R>[] = [];
    replies.forEach(([error, value], i) => {
      if (error) throw error;
      const [json, version] = value as [string | null, string | null];
      // A member whose record is gone is skipped (records are never deleted by svpn itself).
      if (json !== null) records.push(this.decode(page[i]!.slice(16), json, version));
    });
    const nextCursor = members.length > q.limit ? encodeChargeCursor(page[page.length - 1]!) : null;
    return { records, nextCursor };
  }

  private decode(sessionId: string, json: string, version: string | null | undefined): StoredCharge<R> {
    try {
      const record = JSON.parse(json) as R;
      if (record.sessionId !== sessionId) throw new Error('session id mismatch');
      return { record, version: Number(version ?? 0) };
    } catch (error) {
      throw new ChargeStoreCorruptError(`charge record ${sessionId}: ${(error as Error).message}`);
    }
  }
}
