import { Type, type Static } from '@sinclair/typebox';

/**
 * Configuration of the provisioner, read once at start-up (`loadConfig(ConfigSchema, process.env)`:
 * each field from `SVPN_<NAME>` or `<NAME>`, e.g. `SVPN_RECONCILE_INTERVAL_MS`).
 */
export const ConfigSchema = Type.Object({
  /** Address of the operations endpoint (/healthz, /readyz, /metrics, /v1/provisioning/…). */
  httpHost: Type.String({ default: '127.0.0.1', minLength: 1 }),
  /** Its port; 0 picks a free one. */
  httpPort: Type.Integer({ minimum: 0, maximum: 65535, default: 8083 }),
  redisUrl: Type.String({ default: 'redis://127.0.0.1:6379', pattern: '^rediss?://' }),
  /** Prefix of every Redis key (`<prefix>:{provisioning}:…`, queues under `<prefix>:{provisioning-queues}`). */
  keyPrefix: Type.String({ default: 'svpn', pattern: '^[A-Za-z0-9._-]+$' }),
  /** The provider network (YAML, `@svpn/te` format); one PE queue and worker per PE in it. */
  topologyFile: Type.String({ default: 'deploy/demo/topology.yaml', minLength: 1 }),
  /** Key prefix of the simulated network (pe-sim, the default PE adapter); one hash tag. */
  peSimPrefix: Type.String({ default: '{pesim}', pattern: '^[^{}]*\\{[^{}]+\\}[^{}]*$' }),
  /** How long a PE call may take before it counts as a timeout (retried). */
  peDeadlineMs: Type.Integer({ minimum: 1, default: 5_000 }),
  /**
   * Jobs of one PE in flight at once (over every process); jobs on the same network object (LSP,
   * session, membership) still run one at a time in queue order. 1: one job per PE at a time.
   */
  peConcurrency: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
  /** Run the PE queue workers in this process. */
  runWorkers: Type.Boolean({ default: true }),
  /** Run the reconciler (at start, then every `reconcileIntervalMs`) in this process. */
  runReconciler: Type.Boolean({ default: true }),
  /** Attempts per job before it fails for good. */
  jobAttempts: Type.Integer({ minimum: 1, maximum: 20, default: 4 }),
  /** First retry delay; doubled on each next retry (exponential backoff). */
  jobBackoffMs: Type.Integer({ minimum: 0, default: 100 }),
  /** Job lock: a job whose worker died is picked up again after this (BullMQ stalled-job check). */
  jobLockMs: Type.Integer({ minimum: 100, default: 30_000 }),
  /** How often workers look for stalled jobs. */
  stalledIntervalMs: Type.Integer({ minimum: 100, default: 15_000 }),
  /** How long a flow of the Provisioner API may take before it is compensated. */
  flowDeadlineMs: Type.Integer({ minimum: 100, default: 8_000 }),
  reconcileIntervalMs: Type.Integer({ minimum: 100, default: 30_000 }),
  /** Extra time a session past its deadline is left to its own Provisioner before the reconciler fails it. */
  reconcileGraceMs: Type.Integer({ minimum: 0, default: 10_000 }),
  /** How long the repair of an active session whose PE lost its state may take. */
  repairDeadlineMs: Type.Integer({ minimum: 100, default: 30_000 }),
  /** How long failed sessions stay visible for the gateway. */
  failedRetentionMs: Type.Integer({ minimum: 0, default: 3_600_000 }),
  /** Reconcile CE memberships (VRFs, routes) too; off when something else manages them on the PEs. */
  reconcileMemberships: Type.Boolean({ default: true }),
});

/** The provisioner's configuration. */
export type Config = Static<typeof ConfigSchema>;
