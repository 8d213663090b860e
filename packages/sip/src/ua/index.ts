export * from './sip-error.js';
export * from './incoming-request.js';
export * from './dialog.js';
export * from './sip-agent.js';
export * from './digest-auth.js';
