export * from './session-events.js';
export * from './publish-session-event.js';
export * from './session-event-consumer.js';
