export * from './session-store.js';
export * from './redis-session-store.js';
