export { main } from './main.js';
export { startSystem, provisioningPort, type RunningSystem, type SystemOptions } from './system.js';
export { startPrivateRedis, type PrivateRedis } from './private-redis.js';
export { placeCall, grantedFromSdp, type CallOptions, type CallOutcome } from './call.js';
export { NODE_FLAGS } from './node-flags.js';
