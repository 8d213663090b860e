import { performance } from 'node:perf_hooks';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isSvpnError } from '@svpn/errors';
import {
  checkPayload,
  isJobType,
  PeAdapterError,
  peQueueName,
  queueKeyPrefix,
  type JobOutcome,
  type JobSpec,
  type PeAdapter,
} from '@svpn/provisioning';
import type { ProvisioningStore } from '@svpn/store';
import type { ProvisionerMetrics } from '../metrics.js';
import { handleJob } from './handle-job.js';
import { ObjectLocks, objectKeyOf } from './object-locks.js';
import { completionChannel, handOverCompletion, type CompletionNotice } from '../jobs/completion-channel.js';

/** Options of {@link PeWorker}. */
export interface PeWorkerOptions {
  pe: string;
  /** Shared connection; BullMQ duplicates it for the worker's blocking reads. Not closed by the worker. */
  connection: Redis;
  /** The deployment's key prefix. @defaultValue 'svpn' */
  keyPrefix?: string;
  adapter: PeAdapter;
  store: ProvisioningStore;
  /** How long a PE call may take before `SVPN_PE_TIMEOUT`. @defaultValue the adapter's own */
  peDeadlineMs?: number;
  /** BullMQ job lock: a job whose worker died is retried after this. @defaultValue 30 000 ms */
  lockDurationMs?: number;
  /** How often the worker looks for jobs whose lock expired. @defaultValue 15 000 ms */
  stalledIntervalMs?: number;
  /**
   * Jobs of this PE in flight at once, over every process (the queue's global concurrency, and this
   * worker's). Jobs on the same network object still run one at a time, in queue order
   * ({@link ObjectLocks}); 1 restores strict one-job-per-PE serialisation. @defaultValue 16
   */
  concurrency?: number;
  log?: Logger;
  metrics?: ProvisionerMetrics;
}

/** Codes of store failures a retry cannot cure. */
const PERMANENT_STORE_CODES = new Set(['SVPN_STORE_CORRUPT', 'SVPN_STORE_INVALID_ARGUMENT']);

/** Why a job attempt failed and whether another attempt may help. */
export function classifyFailure(error: unknown): { code: string; retryable: boolean; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PeAdapterError) return { code: error.code, retryable: error.retryable, message };
  if (isSvpnError(error)) {
    const permanent =
      error.code === 'SVPN_PROVISIONING_INVALID_PAYLOAD' || PERMANENT_STORE_CODES.has(error.code);
    return { code: error.code, retryable: !permanent, message };
  }
  return { code: 'SVPN_PROVISIONING_ERROR', retryable: true, message };
}

/**
 * The worker of one PE queue. DESIGN §5 "serialised per PE" is kept per network object: the queue's
 * global concurrency (every process together) and this worker's are `concurrency`, and each job runs
 * holding the lock of the object it converges ({@link objectKeyOf}: an LSP, a session's UNI and
 * marking, a membership, an LDP FEC) — so jobs on one object run one at a time in queue order while
 * jobs on different objects of the PE overlap. That is all the handlers need: each converges one
 * object to its desired state as it is when the job runs, and the PE applies each operation
 * atomically, so any interleaving of different objects ends where some one-at-a-time order would.
 * Before, one job per PE at a time capped setup + release at ≈ 55 sessions/s (five jobs per session
 * on the ingress PE, each paying BullMQ's hand-over round trips in turn).
 *
 * Each job is validated against its payload schema and handed to {@link handleJob}; a failure a
 * retry cannot cure (`PeAdapterError.retryable === false`, an invalid payload) is thrown as BullMQ's
 * `UnrecoverableError`, anything else is retried with the job's exponential backoff. Failure reasons
 * start with `[CODE]` so producers can tell why.
 */
export class PeWorker {
  readonly pe: string;
  readonly worker: Worker;

  private constructor(pe: string, worker: Worker) {
    this.pe = pe;
    this.worker = worker;
  }

  /** Sets the PE queue's global concurrency and starts consuming it. */
  static async start(options: PeWorkerOptions): Promise<PeWorker> {
    const prefix = queueKeyPrefix(options.keyPrefix ?? 'svpn');
    const name = peQueueName(options.pe);
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
    const queue = new Queue(name, { connection: options.connection, prefix });
    try {
      await queue.setGlobalConcurrency(concurrency);
    } finally {
      await queue.close();
    }
    const log = options.log?.child({ component: 'provisioner.worker', pe: options.pe });
    const lockDurationMs = options.lockDurationMs ?? 30_000;
    const locks = new ObjectLocks({
      redis: options.connection,
      keyPrefix: `${prefix}:${name}`,
      ttlMs: lockDurationMs,
    });
    const process = processorFor(options, log);
    const worker = new Worker(
      name,
      (job: Job) => locks.run(objectKeyOf(job.name, job.data), () => process(job)),
      {
        connection: options.connection,
        prefix,
        concurrency,
        lockDuration: lockDurationMs,
        stalledInterval: options.stalledIntervalMs ?? 15_000,
        autorun: false,
      },
    );
    worker.on('error', (err) => log?.warn({ err }, 'worker error'));
    // Waiting runners hear of a finished job from a notice (jobs/completion-channel.ts): handed over
    // in this thread when its waiter is here, to the main thread from the PE worker thread, else
    // published.
    const channel = completionChannel(prefix);
    const notify = (notice: CompletionNotice): void =>
      handOverCompletion(options.connection, channel, notice, log);
    worker.on('completed', (job, result: JobOutcome | undefined) => {
      if (job.id !== undefined)
        notify({ pe: options.pe, jobId: job.id, status: 'completed', outcome: result ?? null });
    });
    worker.on('failed', (job, err) => {
      if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError)) {
        log?.warn({ jobId: job.id, type: job.name, reason: err.message }, 'job failed');
        if (job.id !== undefined)
          notify({ pe: options.pe, jobId: job.id, status: 'failed', reason: err.message });
      }
    });
    void worker.run().catch((err: unknown) => log?.error({ err }, 'worker stopped'));
    await worker.waitUntilReady();
    return new PeWorker(options.pe, worker);
  }

  /** Stops taking jobs; waits for the running one unless `force`. */
  async close(force = false): Promise<void> {
    await this.worker.close(force);
  }
}

/** The BullMQ processor of a PE queue (exported for tests). */
export function processorFor(
  options: Pick<PeWorkerOptions, 'pe' | 'adapter' | 'store' | 'peDeadlineMs' | 'metrics'>,
  log?: Logger,
): (job: Job) => Promise<JobOutcome> {
  const ctx = {
    adapter: options.adapter,
    store: options.store,
    ...(options.peDeadlineMs === undefined ? {} : { call: { deadlineMs: options.peDeadlineMs } }),
  };
  return async (job: Job): Promise<JobOutcome> => {
    const started = performance.now();
    let spec: JobSpec;
    try {
      if (!isJobType(job.name))
        throw new UnrecoverableError(`[SVPN_PROVISIONING_INVALID_PAYLOAD] unknown job type ${job.name}`);
      spec = { type: job.name, payload: checkPayload(job.name, job.data) } as JobSpec;
      if (spec.payload.pe !== options.pe) {
        throw new UnrecoverableError(
          `[SVPN_PROVISIONING_INVALID_PAYLOAD] job for ${spec.payload.pe} on the queue of ${options.pe}`,
        );
      }
    } catch (error) {
      options.metrics?.jobFailures.inc({
        type: job.name,
        code: 'SVPN_PROVISIONING_INVALID_PAYLOAD',
        final: 'true',
      });
      if (error instanceof UnrecoverableError) throw error;
      throw new UnrecoverableError(`[SVPN_PROVISIONING_INVALID_PAYLOAD] ${(error as Error).message}`);
    }
    try {
      const outcome = await handleJob(spec, ctx);
      options.metrics?.jobDuration.observe(
        { type: spec.type, outcome: outcome.outcome },
        (performance.now() - started) / 1000,
      );
      log?.debug(
        { jobId: job.id, type: spec.type, revision: spec.payload.revision, outcome: outcome.outcome },
        'job done',
      );
      return outcome;
    } catch (error) {
      const { code, retryable, message } = classifyFailure(error);
      const final = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      options.metrics?.jobDuration.observe(
        { type: spec.type, outcome: 'failed' },
        (performance.now() - started) / 1000,
      );
      options.metrics?.jobFailures.inc({ type: spec.type, code, final: String(final) });
      log?.info(
        { jobId: job.id, type: spec.type, code, retryable, attempt: job.attemptsMade + 1 },
        'job attempt failed',
      );
      const reason = `[${code}] ${message}`;
      throw retryable ? new Error(reason) : new UnrecoverableError(reason);
    }
  };
}
