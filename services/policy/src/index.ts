/**
 * `@svpn/policy-service` — the policy decision service and admin API. Other services and the `svpn`
 * CLI use: `startPolicyService` (run it, in-process or on its own), `createPolicyClient` /
 * `createHttpPolicyClient` (the gateway's view of it), `seedDemoData` (the demo data of `svpn up`),
 * and `buildApp` (tests).
 */
export { ConfigSchema, type Config } from './config.js';
export { buildApp, type PolicyApp, type PolicyAppDeps } from './app.js';
export { startPolicyService, type PolicyService, type PolicyServiceDeps } from './start-policy-service.js';
export { PolicyEngine, createPolicyClient, type PolicyEngineOptions } from './policy-engine.js';
export { PolicyAdmin, hashPassword, type PolicyAdminOptions } from './policy-admin.js';
export type { DecisionInput, Membership, PolicyClient } from './client/policy-client.js';
export {
  createHttpPolicyClient,
  PolicyClientError,
  type HttpPolicyClientOptions,
} from './client/http-policy-client.js';
export { decisionFromJson, decisionToJson } from './client/decision-json.js';
export {
  DEMO_POLICY_DATA_FILE,
  loadPolicyDataFile,
  PolicyDataFileSchema,
  seedDemoData,
  type PolicyDataFile,
  type SeedOptions,
  type SeedReport,
} from './demo/seed-demo-data.js';
export { createPolicyMetrics, type PolicyMetrics } from './metrics.js';
export { toHttpProblem } from './problems.js';
export type { DecisionJson } from './schemas.js';
