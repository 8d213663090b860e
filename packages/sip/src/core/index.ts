export * from './request-validation.js';
export * from './incoming.js';
export * from './errors.js';
export * from './request-builders.js';
export * from './resolve-target.js';
export * from './sip-stack.js';
export * from './closable-timers.js';
