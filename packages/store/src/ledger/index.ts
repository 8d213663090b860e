export * from './redis-flow-journal.js';
