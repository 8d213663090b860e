export * from './errors.js';
export * from './policy-store.js';
export * from './policy-keys.js';
export * from './memory-policy-store.js';
export * from './redis-policy-store.js';
export { claimWidens } from './usage-claims.js';
