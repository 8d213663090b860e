export * from './dialog-state.js';
export * from './errors.js';
export * from './info-package.js';
export * from './reliable-provisional.js';
export * from './reliable-provisional-driver.js';
export * from './session-timer.js';
export * from './session-timer-driver.js';
