export * from './keys.js';
export * from './location/index.js';
export * from './sessions/index.js';
export * from './policy/index.js';
