import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { PeSimulator, type PeSimulatorOptions } from '@svpn/pe-sim';
import type { PeAdapter } from '@svpn/provisioning';
import { connectRedis, createLogger, pingRedis, type Logger, type MetricsJson } from '@svpn/service-kit';
import { KeySpace, RedisProvisioningStore, type ProvisioningStore } from '@svpn/store';
import { parseTopology } from '@svpn/te';
import { PeSimAdapter } from './adapters/pe-sim-adapter.js';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { JobRunner } from './jobs/job-runner.js';
import { ProvisionerMetrics } from './metrics.js';
import { Provisioner } from './provisioner/provisioner.js';
import { Reconciler, type ReconcileReport } from './reconciler/reconciler.js';
import { PeWorker } from './workers/pe-worker.js';

/** What {@link startProvisioner} may be given instead of building it from the configuration. */
export interface ProvisionerDeps {
  /** Shared Redis connection (`maxRetriesPerRequest: null`); not closed by `stop()` when given. */
  redis?: Redis;
  /** The PE adapter. @defaultValue a {@link PeSimAdapter} over the topology in `config.topologyFile` */
  adapter?: PeAdapter;
  /** Extra options of the default simulator (latency, seed, clock). */
  simulator?: Partial<Omit<PeSimulatorOptions, 'redis' | 'topology' | 'prefix'>>;
  store?: ProvisioningStore;
  log?: Logger;
  /** Metrics registry (shared in `svpn up`). @defaultValue a new one with process metrics */
  registry?: Registry;
  /** This process's name in the reconciler lease. @defaultValue `<host>:<pid>:provisioner` */
  owner?: string;
  /**
   * The PE workers and the reconciler when they run elsewhere in this process (`svpn up` runs them
   * in a worker thread, {@link PeWorkerThread}; `runWorkers` and `runReconciler` are then false
   * here): `/readyz`, `/metrics` and `POST /v1/provisioning/reconcile` include them.
   */
  elsewhere?: PeProcessingElsewhere;
}

/** What this process's provisioner API needs of PE workers and a reconciler running in another thread. */
export interface PeProcessingElsewhere {
  /** Throws when the workers do not run. */
  check(): Promise<void>;
  /** Their metrics (job latency and failures, reconciler passes). */
  metrics(): Promise<MetricsJson>;
  /** Runs a reconcile pass there. */
  reconcile(): Promise<ReconcileReport>;
}

/** A running provisioner. */
export interface ProvisionerService {
  /** /healthz, /readyz, /metrics and /v1/provisioning/… (not listening: the caller decides). */
  readonly app: FastifyInstance;
  /** The API for the gateway in the same process (`svpn up`). */
  readonly provisioner: Provisioner;
  readonly reconciler: Reconciler | null;
  readonly workers: readonly PeWorker[];
  readonly adapter: PeAdapter;
  readonly store: ProvisioningStore;
  readonly runner: JobRunner;
  readonly metrics: ProvisionerMetrics;
  readonly registry: Registry;
  /** The PEs with a queue (and a worker when `runWorkers`). */
  readonly pes: readonly string[];
  /** The reconcile pass run at start (`null` when the reconciler does not run here). */
  readonly initialReconcile: Promise<ReconcileReport | null>;
  /** Drains: stops the reconciler, lets running jobs finish, closes queues (and the Redis connection it opened). */
  stop(): Promise<void>;
}

/**
 * Starts the provisioner (DESIGN §3 `services/provisioner`): one BullMQ worker per PE of the topology
 * (each PE queue at global concurrency `peConcurrency`, one job per network object at a time), the reconciler at start and every
 * `reconcileIntervalMs`, the Provisioner API for an in-process gateway, and the operations app.
 * `svpn run provisioner` listens on `httpHost:httpPort`; `svpn up` calls this and mounts or listens
 * as it likes.
 */
export async function startProvisioner(
  config: Config,
  deps: ProvisionerDeps = {},
): Promise<ProvisionerService> {
  const log = deps.log ?? createLogger('provisioner');
  const ownsRedis = deps.redis === undefined;
  const redis = deps.redis ?? connectRedis(config.redisUrl);
  const stopped: (() => Promise<unknown>)[] = [];
  try {
    await pingRedis(redis);
    const keys = new KeySpace(config.keyPrefix);
    let adapter = deps.adapter;
    if (!adapter) {
      const topology = parseTopology(await readFile(config.topologyFile, 'utf8'));
      const simulator = new PeSimulator({
        redis,
        prefix: config.peSimPrefix,
        topology,
        deadlineMs: config.peDeadlineMs,
        ...deps.simulator,
      });
      await simulator.init();
      adapter = new PeSimAdapter(simulator);
    }
    const pes = adapter.listPes();
    const store = deps.store ?? new RedisProvisioningStore(redis, keys);
    const registry = deps.registry ?? new Registry();
    if (!deps.registry) collectDefaultMetrics({ register: registry });
    const metrics = new ProvisionerMetrics(registry);
    const runner = new JobRunner({
      connection: redis,
      keyPrefix: config.keyPrefix,
      policy: { attempts: config.jobAttempts, backoffMs: config.jobBackoffMs },
      log,
    });
    stopped.push(() => runner.close());
    metrics.trackQueues(() => runner.queueCounts(pes));
    const provisioner = new Provisioner({
      store,
      runner,
      deadlineMs: config.flowDeadlineMs,
      compensationDeadlineMs: config.flowDeadlineMs,
      log,
      metrics,
    });
    stopped.push(() => provisioner.close());

    const workers: PeWorker[] = [];
    if (config.runWorkers) {
      for (const pe of pes) {
        workers.push(
          await PeWorker.start({
            pe,
            connection: redis,
            keyPrefix: config.keyPrefix,
            adapter,
            store,
            peDeadlineMs: config.peDeadlineMs,
            lockDurationMs: config.jobLockMs,
            stalledIntervalMs: config.stalledIntervalMs,
            concurrency: config.peConcurrency,
            log,
            metrics,
          }),
        );
      }
      stopped.push(() => Promise.all(workers.map((w) => w.close())));
    }

    let reconciler: Reconciler | null = null;
    let initialReconcile: Promise<ReconcileReport | null> = Promise.resolve(null);
    if (config.runReconciler) {
      const r = new Reconciler({
        store,
        adapter,
        runner,
        owner: deps.owner ?? `${hostname()}:${process.pid}:provisioner`,
        graceMs: config.reconcileGraceMs,
        repairDeadlineMs: config.repairDeadlineMs,
        failedRetentionMs: config.failedRetentionMs,
        memberships: config.reconcileMemberships,
        log,
        metrics,
      });
      reconciler = r;
      stopped.push(() => r.stop());
      initialReconcile = r.reconcile().catch((err: unknown) => {
        log.error({ err }, 'initial reconcile failed');
        return null;
      });
      r.start(config.reconcileIntervalMs);
    }

    let draining = false;
    const elsewhere = deps.elsewhere;
    const app = await buildApp({
      registry,
      checks: {
        redis: () => pingRedis(redis),
        workers: async () => {
          if (config.runWorkers && workers.some((w) => !w.worker.isRunning()))
            throw new Error('a PE worker stopped');
          await elsewhere?.check();
        },
      },
      draining: () => draining,
      runner,
      provisioner,
      reconciler: reconciler ?? elsewhere ?? null,
      pes,
      logger: log,
      ...(elsewhere ? { moreMetrics: () => elsewhere.metrics() } : {}),
    });

    return {
      app,
      provisioner,
      reconciler,
      workers,
      adapter,
      store,
      runner,
      metrics,
      registry,
      pes,
      initialReconcile,
      async stop() {
        draining = true;
        for (const stop of [...stopped].reverse())
          await stop().catch((err: unknown) => log.warn({ err }, 'stop failed'));
        await app.close();
        if (ownsRedis) redis.disconnect();
      },
    };
  } catch (error) {
    for (const stop of [...stopped].reverse()) await stop().catch(() => undefined);
    if (ownsRedis) redis.disconnect();
    throw error;
  }
}
