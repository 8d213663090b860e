export * from './session-events.js';
export * from './publish-session-event.js';
export * from './stream-group-consumer.js';
export * from './stream-tail.js';
export * from './session-event-consumer.js';
export * from './preemption-notices.js';
