export * from './errors.js';
export {
  DEFAULT_CHARGE_PAGE,
  MAX_CHARGE_PAGE,
  MemoryChargeStore,
  type ChargeCommit,
  type ChargeCommitResult,
  type ChargePage,
  type ChargeQuery,
  type ChargeRecordKey,
  type ChargeStore,
  type StoredCharge,
} from './charge-store.js';
export * from './redis-charge-store.js';
