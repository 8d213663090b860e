import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { KeySpace } from '../keys.js';
import { runScript } from '../run-script.js';
import type { Fence, Lease } from './provisioning-store.js';
import { ProvisioningStoreCorruptError } from './provisioning-store-error.js';
import type { CommitResult, RecordBackend, RecordRef, RecordValue, Table } from './record-backend.js';

const SCRIPTS = ['casRecords-n', 'getRecords-n', 'acquireLease-2', 'renewLease-1', 'releaseLease-1'] as const;
type ScriptName = (typeof SCRIPTS)[number];

let loaded: Map<ScriptName, string> | undefined;

/** Each script's source (run by SHA through runScript). */
function scripts(): Map<ScriptName, string> {
  loaded ??= new Map(
    SCRIPTS.map((name) => [name, readFileSync(new URL(`./scripts/${name}.lua`, import.meta.url), 'utf8')]),
  );
  return loaded;
}

/** Redis key of each table (a hash: record id → JSON). */
const TABLE_KEY: Record<Table, readonly string[]> = {
  desiredSessions: ['desired', 'sessions'],
  desiredLsps: ['desired', 'lsps'],
  desiredMemberships: ['desired', 'memberships'],
  actualLsps: ['actual', 'lsps'],
  actualEndpoints: ['actual', 'endpoints'],
  actualMemberships: ['actual', 'memberships'],
};

/**
 * Provisioning records in Redis: one hash per table under `svpn:{provisioning}:…` (one hash tag, so
 * the multi-key compare-and-set script works under Redis Cluster), leases as expiring strings
 * `…:lease:<name>` with a token counter `…:lease:<name>:token`, the revision counter `…:revision`.
 * @internal
 */
export class RedisRecordBackend implements RecordBackend {
  readonly #redis: Redis;
  readonly #keys: KeySpace;
  readonly now: () => number;

  constructor(redis: Redis, keys: KeySpace, now: () => number = Date.now) {
    this.#redis = redis;
    this.#keys = keys;
    this.now = now;
  }

  tableKey(table: Table): string {
    return this.#keys.key('provisioning', ...TABLE_KEY[table]);
  }

  #leaseKey(name: string): string {
    return this.#keys.key('provisioning', 'lease', name);
  }

  async #run(
    name: ScriptName,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    return runScript(this.#redis, scripts().get(name) as string, keys, args);
  }

  async get(refs: readonly RecordRef[]): Promise<(string | null)[]> {
    if (refs.length === 0) return [];
    const first = (refs[0] as RecordRef).table;
    if (refs.every((r) => r.table === first)) {
      const key = this.tableKey(first);
      if (refs.length === 1) return [await this.#redis.hget(key, (refs[0] as RecordRef).id)];
      return this.#redis.hmget(key, ...refs.map((r) => r.id));
    }
    // Records of several tables: one script reads them all (one command, one reply) instead of one
    // HGET/HMGET per table.
    const keys: string[] = [];
    const args: (string | number)[] = [];
    for (const r of refs) {
      const key = this.tableKey(r.table);
      let i = keys.indexOf(key);
      if (i < 0) i = keys.push(key) - 1;
      args.push(i + 1, r.id);
    }
    const values = (await this.#run('getRecords-n', keys, args)) as (string | false | null)[];
    return refs.map((_, i) => (typeof values[i] === 'string' ? values[i] : null));
  }

  async put(record: RecordValue & { readonly value: string }): Promise<void> {
    await this.#redis.hset(this.tableKey(record.table), record.id, record.value);
  }

  async remove(ref: RecordRef): Promise<boolean> {
    return (await this.#redis.hdel(this.tableKey(ref.table), ref.id)) === 1;
  }

  async list(table: Table): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.#redis.hgetall(this.tableKey(table))));
  }

  async commit(
    expected: readonly RecordValue[],
    writes: readonly RecordValue[],
    fence?: Fence,
  ): Promise<CommitResult> {
    const keys: string[] = [];
    const index = (table: Table): number => {
      const key = this.tableKey(table);
      let i = keys.indexOf(key);
      if (i < 0) i = keys.push(key) - 1;
      return i + 1;
    };
    const checkArgs: (string | number)[] = [];
    for (const e of expected) checkArgs.push(index(e.table), e.id, e.value === null ? 0 : 1, e.value ?? '');
    const writeArgs: (string | number)[] = [];
    for (const w of writes) {
      writeArgs.push(index(w.table), w.id, w.value === null ? 'del' : 'set', w.value ?? '');
    }
    const n = keys.length;
    if (fence) keys.push(this.#leaseKey(fence.name));
    const result = await this.#run('casRecords-n', keys, [
      n,
      fence ? String(fence.token) : '',
      expected.length,
      ...checkArgs,
      writes.length,
      ...writeArgs,
    ]);
    switch (Number(result)) {
      case 1:
        return 'ok';
      case 0:
        return 'conflict';
      case -1:
        return 'fenced';
      default:
        throw new ProvisioningStoreCorruptError(`casRecords answered ${String(result)}`);
    }
  }

  async nextRevision(): Promise<number> {
    return this.#redis.incr(this.#keys.key('provisioning', 'revision'));
  }

  async reserveRevisions(count: number): Promise<number> {
    return this.#redis.incrby(this.#keys.key('provisioning', 'revision'), count);
  }

  async acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const key = this.#leaseKey(name);
    const reply = (await this.#run('acquireLease-2', [key, `${key}:token`], [owner, ttlMs])) as number[];
    if (reply[0] !== 1) return null;
    return { name, owner, token: Number(reply[1]), expiresAtMs: Number(reply[2]) };
  }

  async renewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const reply = (await this.#run(
      'renewLease-1',
      [this.#leaseKey(lease.name)],
      [lease.owner, String(lease.token), ttlMs],
    )) as number[];
    if (reply[0] !== 1) return null;
    return { ...lease, expiresAtMs: Number(reply[1]) };
  }

  async releaseLease(lease: Lease): Promise<boolean> {
    const reply = await this.#run(
      'releaseLease-1',
      [this.#leaseKey(lease.name)],
      [lease.owner, String(lease.token)],
    );
    return Number(reply) === 1;
  }
}
