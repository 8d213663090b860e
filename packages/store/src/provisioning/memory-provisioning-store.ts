import { KvProvisioningStore } from './kv-provisioning-store.js';
import { MemoryRecordBackend } from './record-backend.js';

/** Options of {@link MemoryProvisioningStore}. */
export interface MemoryProvisioningStoreOptions {
  /** Clock for record timestamps and lease expiry. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The provisioning store in this process's memory: the fake for unit tests and the one-process demo
 * without Redis. Same logic and conformance suite as {@link RedisProvisioningStore}.
 */
export class MemoryProvisioningStore extends KvProvisioningStore {
  constructor(options: MemoryProvisioningStoreOptions = {}) {
    super(new MemoryRecordBackend(options.now));
  }
}
