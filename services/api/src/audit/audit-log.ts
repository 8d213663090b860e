/**
 * The audit log: who changed what, when. Append-only (a Redis stream; entries are never edited),
 * one record per mutating request and per refused authentication, queryable at `/v1/audit`.
 */
import type { Redis } from 'ioredis';
import type { AuditRecord } from '@svpn/api-contract';

export type AuditInput = Omit<AuditRecord, 'id'>;

export interface AuditLog {
  append(record: AuditInput): Promise<void>;
  /** Newest first. */
  query(filter: { actor?: string; since?: number; limit: number }): Promise<AuditRecord[]>;
}

export class MemoryAuditLog implements AuditLog {
  readonly records: AuditRecord[] = [];
  private seq = 0;
  async append(record: AuditInput): Promise<void> {
    this.records.push({ id: String(++this.seq), ...record });
  }
  async query(filter: { actor?: string; since?: number; limit: number }): Promise<AuditRecord[]> {
    return this.records
      .filter((r) => filter.actor === undefined || r.actor === filter.actor)
      .filter((r) => filter.since === undefined || Date.parse(r.at) >= filter.since)
      .reverse()
      .slice(0, filter.limit);
  }
}

/** `<p>:{api}:audit` stream, capped at `maxLen` entries (approximately). */
export class RedisAuditLog implements AuditLog {
  private readonly key: string;
  constructor(
    private readonly redis: Redis,
    keyPrefix = 'svpn',
    private readonly maxLen = 100_000,
  ) {
    this.key = `${keyPrefix}:{api}:audit`;
  }

  async append(record: AuditInput): Promise<void> {
    await this.redis.xadd(
      this.key,
      'MAXLEN',
      '~',
      String(this.maxLen),
      '*',
      'record',
      JSON.stringify(record),
    );
  }

  async query(filter: { actor?: string; since?: number; limit: number }): Promise<AuditRecord[]> {
    const out: AuditRecord[] = [];
    let end = '+';
    const start = filter.since === undefined ? '-' : String(filter.since);
    // Page backwards until enough records match the filter.
    for (let page = 0; page < 50 && out.length < filter.limit; page++) {
      const entries = await this.redis.xrevrange(this.key, end, start, 'COUNT', '500');
      if (entries.length === 0) break;
      for (const [id, fields] of entries) {
        const record = { id, ...(JSON.parse(fields[1] ?? '{}') as AuditInput) };
        if (filter.actor === undefined || record.actor === filter.actor) out.push(record);
        if (out.length >= filter.limit) break;
      }
      const last = entries[entries.length - 1]?.[0] as string;
      end = '(' + last;
    }
    return out;
  }
}
