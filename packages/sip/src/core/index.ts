export * from './request-validation.js';
export * from './incoming.js';
