export * from './config.js';
export * from './logger.js';
export * from './problem.js';
export * from './health.js';
export * from './redis.js';
export * from './lifecycle.js';
export * from './http-url.js';
export * from './coalesce-writes.js';
