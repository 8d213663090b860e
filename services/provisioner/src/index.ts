export { ConfigSchema, type Config } from './config.js';
export {
  startProvisioner,
  type PeProcessingElsewhere,
  type ProvisionerDeps,
  type ProvisionerService,
} from './start-provisioner.js';
export {
  PeWorkerThread,
  PeWorkerThreadError,
  withoutPeProcessing,
  type PeWorkerThreadOptions,
} from './pe-thread/pe-worker-thread.js';
export { buildApp, provisioningRoutes, type AppDeps } from './app.js';
export {
  Provisioner,
  type FlowOptions,
  type ProvisionerConnectOptions,
  type ProvisionerOptions,
  type ReleaseResult,
  type ReleaseSessionOptions,
  type SessionStatus,
} from './provisioner/provisioner.js';
export { PeSimAdapter, toPeAdapterError } from './adapters/pe-sim-adapter.js';
export {
  JobRunner,
  peCodeOf,
  type FlowResult,
  type JobPolicy,
  type JobRunnerOptions,
  type StepResult,
} from './jobs/job-runner.js';
export { PeWorker, classifyFailure, type PeWorkerOptions } from './workers/pe-worker.js';
export { handleJob, type JobHandlerContext } from './workers/handle-job.js';
export {
  Reconciler,
  RECONCILER_LEASE,
  type ReconcileReport,
  type ReconcilerOptions,
} from './reconciler/reconciler.js';
export {
  planReconcile,
  type Observation,
  type ReconcilePlan,
  type ReconcilePolicy,
  type StoreAction,
} from './reconciler/plan-reconcile.js';
export * from './flows/session-flow.js';
export { step, stepPe, describeStep, type Stage, type Step } from './flows/step.js';
export { ProvisionerMetrics, type QueueCounts } from './metrics.js';
