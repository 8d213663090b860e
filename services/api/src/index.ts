/**
 * `@svpn/api-service` — the northbound connection service (NSI CS 2.0 style, REST and SOAP 1.1),
 * the operator API and the dashboard's host. `svpn up` runs it with `startApiService`.
 */
export { ConfigSchema, type Config } from './config.js';
export { buildApp, type ApiAppDeps } from './app.js';
export {
  startApiService,
  DASHBOARD_DIST,
  type ApiService,
  type ApiServiceDeps,
} from './start-api-service.js';
export {
  ConnectionService,
  type Actor,
  type ConnectionServiceOptions,
} from './connections/connection-service.js';
export {
  MemoryConnectionStore,
  RedisConnectionStore,
  type ConnectionStore,
} from './connections/connection-store.js';
export { ApiKeys, MemoryApiKeyStore, RedisApiKeyStore, hashKey } from './auth/api-keys.js';
export { NsiError, InvalidTransitionError, NSI_ERRORS, type NsiErrorCode } from './nsi/nsi-error.js';
export { reservationStateMachine } from './nsi/reservation-state-machine.js';
export { provisionStateMachine } from './nsi/provision-state-machine.js';
export { lifecycleStateMachine } from './nsi/lifecycle-state-machine.js';
export { signWebhook } from './notify/webhooks.js';
export { ApplicationAgent } from './sip/application-agent.js';
export type { AdmissionPort, CallGrant, CallRequest, LocationPort, PolicyPort, SipPort } from './ports.js';
