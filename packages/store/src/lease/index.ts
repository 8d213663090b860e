export * from './leader-lease.js';
