export * from './dialog-state.js';
