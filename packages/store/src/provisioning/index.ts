export * from './provisioning-store.js';
export * from './provisioning-store-error.js';
export { MemoryProvisioningStore, type MemoryProvisioningStoreOptions } from './memory-provisioning-store.js';
export { RedisProvisioningStore, type RedisProvisioningStoreOptions } from './redis-provisioning-store.js';
