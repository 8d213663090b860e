export * from './errors.js';
export * from './job-types.js';
export * from './queues.js';
export * from './payload-schemas.js';
export * from './job-id.js';
export * from './pe-adapter.js';
export * from './session-intent.js';
