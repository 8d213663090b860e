/**
 * API keys: `svpn_<keyId>_<secret>` with a 32-byte random secret (base64url). Only SHA-256 of the
 * whole key is stored, under its key id; a presented key is hashed and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ApiKey, Scope } from '@svpn/api-contract';

export interface StoredKey extends ApiKey {
  /** SHA-256 of the whole key, hex. */
  hash: string;
}

export interface ApiKeyStore {
  put(key: StoredKey): Promise<void>;
  get(keyId: string): Promise<StoredKey | undefined>;
  list(): Promise<StoredKey[]>;
  remove(keyId: string): Promise<boolean>;
}

export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, StoredKey>();
  async put(key: StoredKey): Promise<void> {
    this.keys.set(key.keyId, structuredClone(key));
  }
  async get(keyId: string): Promise<StoredKey | undefined> {
    const k = this.keys.get(keyId);
    return k === undefined ? undefined : structuredClone(k);
  }
  async list(): Promise<StoredKey[]> {
    return [...this.keys.values()].map((k) => structuredClone(k));
  }
  async remove(keyId: string): Promise<boolean> {
    return this.keys.delete(keyId);
  }
}

/** `<p>:{api}:keys` hash keyId → JSON (hash included, never the key). */
export class RedisApiKeyStore implements ApiKeyStore {
  private readonly key: string;
  constructor(
    private readonly redis: Redis,
    keyPrefix = 'svpn',
  ) {
    this.key = `${keyPrefix}:{api}:keys`;
  }
  async put(key: StoredKey): Promise<void> {
    await this.redis.hset(this.key, key.keyId, JSON.stringify(key));
  }
  async get(keyId: string): Promise<StoredKey | undefined> {
    const text = await this.redis.hget(this.key, keyId);
    return text === null ? undefined : (JSON.parse(text) as StoredKey);
  }
  async list(): Promise<StoredKey[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((t) => JSON.parse(t) as StoredKey);
  }
  async remove(keyId: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, keyId)) > 0;
  }
}

const KEY_FORMAT = /^svpn_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Issues keys and checks presented ones. */
export class ApiKeys {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new key: the returned `key` is shown once; only its hash is stored. */
  async issue(input: {
    name: string;
    scopes: Scope[];
    application?: string | null;
    customerId?: string | null;
    keyId?: string;
  }): Promise<{ key: string; record: ApiKey }> {
    const keyId = input.keyId ?? randomBytes(6).toString('hex');
    const key = `svpn_${keyId}_${randomBytes(32).toString('base64url')}`;
    const record: StoredKey = {
      keyId,
      name: input.name,
      application: input.application ?? null,
      customerId: input.customerId ?? null,
      scopes: [...new Set(input.scopes)],
      createdAt: new Date(this.now()).toISOString(),
      hash: hashKey(key),
    };
    await this.store.put(record);
    return { key, record: publicKey(record) };
  }

  /** The key's record when `presented` is a valid, unrevoked key; undefined otherwise. */
  async verify(presented: string): Promise<ApiKey | undefined> {
    const m = KEY_FORMAT.exec(presented);
    if (m === null) return undefined;
    const stored = await this.store.get(m[1] as string);
    if (stored === undefined) return undefined;
    const a = Buffer.from(stored.hash, 'hex');
    const b = Buffer.from(hashKey(presented), 'hex');
    return a.length === b.length && timingSafeEqual(a, b) ? publicKey(stored) : undefined;
  }

  async list(): Promise<ApiKey[]> {
    return (await this.store.list()).map(publicKey).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  revoke(keyId: string): Promise<boolean> {
    return this.store.remove(keyId);
  }
}

export function publicKey(k: StoredKey | ApiKey): ApiKey {
  return {
    keyId: k.keyId,
    name: k.name,
    application: k.application ?? null,
    customerId: k.customerId ?? null,
    scopes: [...k.scopes],
    createdAt: k.createdAt,
  };
}
