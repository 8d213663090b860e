export * from './keys.js';
export * from './location/index.js';
