export * from './location-store.js';
export * from './redis-location-store.js';
