import type { Redis } from 'ioredis';
import type { KeySpace } from '../keys.js';
import { KvProvisioningStore } from './kv-provisioning-store.js';
import { RedisRecordBackend } from './redis-record-backend.js';

/** Options of {@link RedisProvisioningStore}. */
export interface RedisProvisioningStoreOptions {
  /** Clock for record timestamps (lease expiry is Redis's own). @defaultValue Date.now */
  now?: () => number;
}

/**
 * The provisioning store in Redis: one hash per record table under `<prefix>:{provisioning}:…`
 * (`desired:sessions`, `desired:lsps`, `desired:memberships`, `actual:lsps`, `actual:endpoints`,
 * `actual:memberships`; record id → JSON), every write a compare-and-set Lua script
 * (`casRecords-n.lua`), leases as expiring keys `lease:<name>` with a fencing-token counter
 * `lease:<name>:token`. The connection is not closed by the store.
 */
export class RedisProvisioningStore extends KvProvisioningStore {
  constructor(redis: Redis, keys: KeySpace, options: RedisProvisioningStoreOptions = {}) {
    super(new RedisRecordBackend(redis, keys, options.now));
  }
}
