export * from './ports.js';
export * from './redis-server.js';
export * from './sipp.js';
export * from './demo-session-event.js';
export * from './teardown.js';
