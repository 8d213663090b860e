import type { Redis } from 'ioredis';
import type { KeySpace } from '../keys.js';
import { LEASE_ACQUIRE_LUA, LEASE_RELEASE_LUA } from '../lease/leader-lease.js';
import { runScript } from '../run-script.js';

/**
 * The time window and path of a scheduled booking: a reservation of exactly [start, end) on these
 * links, not an open-ended flow in an aggregate. `end: null` stands for +Infinity (JSON has none).
 */
export interface FlowWindow {
  start: number;
  end: number | null;
  /** Directional link ids, ingress to egress, so a replay books the same path. */
  links: string[];
}

/**
 * One admitted flow as the admission engine journals it (the spec is opaque JSON here). Entries
 * written before scheduled bookings existed have no `window` and still load: they are flows.
 */
export interface FlowJournalEntry<S extends { id: string }> {
  seq: number;
  spec: S;
  /** Present for a scheduled booking; absent for an open-ended flow. */
  window?: FlowWindow;
}

/**
 * The admission engine's journal in Redis (DESIGN §5: every ledger change is persisted before the
 * caller hears of it; a new leader replays it). A hash `flows` (id → entry JSON) under `{ledger}`;
 * writes are fenced: a Lua script applies them only while `leader-token` still holds the writer's
 * token, so a deposed leader cannot overwrite its successor's ledger.
 */
const FENCED_PUT = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 1
`;
const FENCED_DEL = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
redis.call('HDEL', KEYS[1], ARGV[2])
return 1
`;
export class FencedWriteError extends Error {
  readonly code = 'STORE_LEDGER_FENCED';
  constructor() {
    super('this process no longer holds the admission leader lease');
    this.name = 'FencedWriteError';
  }
}

export class RedisFlowJournal<S extends { id: string }> {
  private token = '';

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeySpace,
  ) {}

  private get flowsKey(): string {
    return this.keys.key('ledger', 'flows');
  }

  private get leaderKey(): string {
    return this.keys.key('ledger', 'leader-token');
  }

  /**
   * Takes (or renews) the admission leader lease for `ttlMs`; returns whether this process is the
   * leader. Writes are fenced by the token from then on.
   */
  async acquireLeadership(holder: string, ttlMs: number): Promise<boolean> {
    const token = (await runScript(
      this.redis,
      LEASE_ACQUIRE_LUA,
      [this.leaderKey, this.keys.key('ledger', 'leader-epoch')],
      [this.token, String(ttlMs), holder],
    )) as string | null;
    if (token === null) return false;
    this.token = token;
    return true;
  }

  /** Gives the lease up (graceful shutdown), so a standby takes over at once. */
  async releaseLeadership(): Promise<void> {
    if (this.token === '') return;
    await runScript(this.redis, LEASE_RELEASE_LUA, [this.leaderKey], [this.token]);
    this.token = '';
  }

  async load(): Promise<FlowJournalEntry<S>[]> {
    const all = await this.redis.hvals(this.flowsKey);
    return all.map((json) => JSON.parse(json) as FlowJournalEntry<S>).sort((a, b) => a.seq - b.seq);
  }

  async put(entry: FlowJournalEntry<S>): Promise<void> {
    const r = await runScript(
      this.redis,
      FENCED_PUT,
      [this.flowsKey, this.leaderKey],
      [this.token, entry.spec.id, JSON.stringify(entry)],
    );
    if (r === -1) throw new FencedWriteError();
  }

  async remove(id: string): Promise<void> {
    const r = await runScript(this.redis, FENCED_DEL, [this.flowsKey, this.leaderKey], [this.token, id]);
    if (r === -1) throw new FencedWriteError();
  }
}
