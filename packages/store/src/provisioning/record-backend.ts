/**
 * The storage primitive under the provisioning store: tables of JSON records with an atomic
 * compare-and-set commit and leases with fencing tokens. Redis implements it with hashes and Lua
 * scripts, the in-memory fake with maps; the store's logic above it is shared. @internal
 */
import type { Fence, Lease } from './provisioning-store.js';

/** The record tables. */
export const TABLES = [
  'desiredSessions',
  'desiredLsps',
  'desiredMemberships',
  'actualLsps',
  'actualEndpoints',
  'actualMemberships',
] as const;
export type Table = (typeof TABLES)[number];

/** One record of one table. */
export interface RecordRef {
  readonly table: Table;
  readonly id: string;
}

/** A record's value as read (`null`: absent) or to write (`null`: delete). */
export interface RecordValue extends RecordRef {
  readonly value: string | null;
}

export type CommitResult = 'ok' | 'conflict' | 'fenced';

export interface RecordBackend {
  get(refs: readonly RecordRef[]): Promise<(string | null)[]>;
  list(table: Table): Promise<Map<string, string>>;
  /**
   * Writes one record whatever it holds: for records whose new value does not depend on the old
   * (actual state a worker observed), one write instead of a read and a compare-and-set.
   */
  put(record: RecordValue & { readonly value: string }): Promise<void>;
  /** Deletes one record whatever it holds; whether it existed. */
  remove(ref: RecordRef): Promise<boolean>;
  /** Applies `writes` only if every `expected` record still has its value (and the fence holds). */
  commit(
    expected: readonly RecordValue[],
    writes: readonly RecordValue[],
    fence?: Fence,
  ): Promise<CommitResult>;
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  renewLease(lease: Lease, ttlMs: number): Promise<Lease | null>;
  releaseLease(lease: Lease): Promise<boolean>;
  /** The next desired-state revision: a store-wide counter that only grows. */
  nextRevision(): Promise<number>;
  /** Reserves `count` consecutive revisions at once; returns the last of them. */
  reserveRevisions(count: number): Promise<number>;
  /** Milliseconds since the epoch, as the backend sees them (record timestamps). */
  now(): number;
}

interface HeldLease {
  owner: string;
  token: number;
  expiresAtMs: number;
}

/** Maps in this process; a lease's expiry follows the injected clock. */
export class MemoryRecordBackend implements RecordBackend {
  readonly #tables = new Map<Table, Map<string, string>>(TABLES.map((t) => [t, new Map()]));
  readonly #leases = new Map<string, HeldLease>();
  readonly #tokens = new Map<string, number>();
  #revision = 0;
  readonly now: () => number;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  #table(table: Table): Map<string, string> {
    return this.#tables.get(table) as Map<string, string>;
  }

  async get(refs: readonly RecordRef[]): Promise<(string | null)[]> {
    return refs.map((r) => this.#table(r.table).get(r.id) ?? null);
  }

  async list(table: Table): Promise<Map<string, string>> {
    return new Map(this.#table(table));
  }

  async put(record: RecordValue & { readonly value: string }): Promise<void> {
    this.#table(record.table).set(record.id, record.value);
  }

  async remove(ref: RecordRef): Promise<boolean> {
    return this.#table(ref.table).delete(ref.id);
  }

  async commit(
    expected: readonly RecordValue[],
    writes: readonly RecordValue[],
    fence?: Fence,
  ): Promise<CommitResult> {
    if (fence && !this.#holds(fence.name, fence.token)) return 'fenced';
    for (const e of expected) if ((this.#table(e.table).get(e.id) ?? null) !== e.value) return 'conflict';
    for (const w of writes) {
      if (w.value === null) this.#table(w.table).delete(w.id);
      else this.#table(w.table).set(w.id, w.value);
    }
    return 'ok';
  }

  #live(name: string): HeldLease | undefined {
    const held = this.#leases.get(name);
    if (held && held.expiresAtMs <= this.now()) {
      this.#leases.delete(name);
      return undefined;
    }
    return held;
  }

  #holds(name: string, token: number): boolean {
    return this.#live(name)?.token === token;
  }

  async nextRevision(): Promise<number> {
    return ++this.#revision;
  }

  async reserveRevisions(count: number): Promise<number> {
    this.#revision += count;
    return this.#revision;
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const held = this.#live(name);
    if (held && held.owner !== owner) return null;
    const token = held?.token ?? (this.#tokens.get(name) ?? 0) + 1;
    this.#tokens.set(name, token);
    const expiresAtMs = this.now() + ttlMs;
    this.#leases.set(name, { owner, token, expiresAtMs });
    return { name, owner, token, expiresAtMs };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const held = this.#live(lease.name);
    if (!held || held.token !== lease.token || held.owner !== lease.owner) return null;
    held.expiresAtMs = this.now() + ttlMs;
    return { ...lease, expiresAtMs: held.expiresAtMs };
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const held = this.#live(lease.name);
    if (!held || held.token !== lease.token || held.owner !== lease.owner) return false;
    this.#leases.delete(lease.name);
    return true;
  }
}
