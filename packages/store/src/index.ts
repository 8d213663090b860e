export * from './keys.js';
export * from './location/index.js';
export * from './sessions/index.js';
export * from './policy/index.js';
export * from './provisioning/index.js';
export * from './events/index.js';
export * from './charging/index.js';
export * from './ledger/index.js';
