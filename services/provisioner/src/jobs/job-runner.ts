import { Job, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { peQueueName, queueKeyPrefix, type JobOutcome, type PeErrorCode } from '@svpn/provisioning';
import { describeStep, stepPe, type Stage, type Step } from '../flows/step.js';
import type { QueueCounts } from '../metrics.js';
import { CompletionListener, completionChannel, type CompletionNotice } from './completion-channel.js';

/** Retry and retention policy of the jobs a runner queues. */
export interface JobPolicy {
  /** Attempts per job (BullMQ `attempts`). @defaultValue 4 */
  attempts?: number;
  /** First retry delay; each next one doubles (BullMQ exponential backoff). @defaultValue 100 ms */
  backoffMs?: number;
  /**
   * How long completed jobs are kept: their ids dedupe re-submissions meanwhile (a retransmitted
   * INVITE comes within Timer B, 32 s; later ones are answered from the actual-state store).
   * @defaultValue 3 600 s
   */
  keepCompletedSeconds?: number;
  /** At most this many completed jobs are kept per PE queue. @defaultValue 10 000 */
  keepCompletedCount?: number;
  /** How long failed jobs are kept for inspection. @defaultValue 86 400 s */
  keepFailedSeconds?: number;
  /** At most this many failed jobs are kept per PE queue. @defaultValue 10 000 */
  keepFailedCount?: number;
}

/** Options of {@link JobRunner}. */
export interface JobRunnerOptions {
  /** Shared connection (BullMQ duplicates it for its blocking readers). Not closed by the runner. */
  connection: Redis;
  /** The deployment's key prefix (`KeySpace` prefix). @defaultValue 'svpn' */
  keyPrefix?: string;
  policy?: JobPolicy;
  /**
   * How soon a waiting step first re-reads its job's state. Completion normally arrives at once
   * as a notice from the worker (completion-channel.ts); the poll is the fallback when a notice is
   * lost (pub/sub is best-effort).
   * Each next poll of the same step waits twice as long, up to `maxPollIntervalMs`: under load many
   * steps wait at once, and fixed-rate polling would add work exactly when the queue is behind.
   * @defaultValue 250 ms
   */
  pollIntervalMs?: number;
  /** Longest wait between two polls of one step. @defaultValue 2 000 ms (at least `pollIntervalMs`) */
  maxPollIntervalMs?: number;
  log?: Logger;
}

/** How one step ended, as far as BullMQ knows. */
export type StepResult =
  | { readonly status: 'completed'; readonly step: Step; readonly outcome: JobOutcome | null }
  | {
      readonly status: 'failed';
      readonly step: Step;
      readonly reason: string;
      readonly peCode: PeErrorCode | null;
    }
  | { readonly status: 'timeout'; readonly step: Step; readonly state: string };

/** How a staged flow ended: every step completed, or the first stage with a failure or a timeout. */
export interface FlowResult {
  readonly ok: boolean;
  /** Results of every step run, in order. */
  readonly results: readonly StepResult[];
  /** The failed (preferred) or timed-out step, when not ok. */
  readonly failure: StepResult | null;
}

const DEFAULT_POLICY: Required<JobPolicy> = {
  attempts: 4,
  backoffMs: 100,
  keepCompletedSeconds: 3_600,
  keepCompletedCount: 10_000,
  keepFailedSeconds: 86_400,
  keepFailedCount: 10_000,
};

const CODE = /^\[(SVPN_[A-Z_]+)\]/;

/** The `SVPN_PE_…` code a worker put at the start of a failure reason (`[CODE] message`). */
export function peCodeOf(reason: string): PeErrorCode | null {
  const match = CODE.exec(reason);
  return match && match[1]?.startsWith('SVPN_PE_') ? (match[1] as PeErrorCode) : null;
}

/** A timer that can be cancelled when the wait it bounds ends first. */
function delay(ms: number): { done: Promise<undefined>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}

/**
 * Queues steps on their PE's queue with deterministic ids and waits for them. Completion comes from
 * the workers' notices (a latency shortcut, completion-channel.ts) with a backed-off re-read of the
 * job as the fallback, bounded by a deadline; callers confirm the effect in the actual-state store.
 * One runner can serve the Provisioner and the reconciler of a process.
 */
export class JobRunner {
  readonly #connection: Redis;
  readonly #prefix: string;
  readonly #policy: Required<JobPolicy>;
  readonly #pollIntervalMs: number;
  readonly #maxPollIntervalMs: number;
  readonly #log: Logger | undefined;
  readonly #queues = new Map<string, Queue>();
  #listener: CompletionListener | undefined;
  #closed = false;

  constructor(options: JobRunnerOptions) {
    this.#connection = options.connection;
    this.#prefix = queueKeyPrefix(options.keyPrefix ?? 'svpn');
    this.#policy = { ...DEFAULT_POLICY, ...options.policy };
    this.#pollIntervalMs = options.pollIntervalMs ?? 250;
    this.#maxPollIntervalMs = Math.max(this.#pollIntervalMs, options.maxPollIntervalMs ?? 2_000);
    this.#log = options.log;
  }

  /** The BullMQ key prefix of the queues. */
  get prefix(): string {
    return this.#prefix;
  }

  /** The queue of a PE (created on first use). */
  queue(pe: string): Queue {
    let queue = this.#queues.get(pe);
    if (!queue) {
      queue = new Queue(peQueueName(pe), { connection: this.#connection, prefix: this.#prefix });
      // Every step waiting on this queue listens for its closing: many flows in flight are normal.
      queue.setMaxListeners(0);
      queue.on('error', (err) => this.#log?.warn({ err, pe }, 'queue error'));
      this.#queues.set(pe, queue);
    }
    return queue;
  }

  /** The completion subscriber (created on first use, shared by every step). */
  async #completions(): Promise<CompletionListener> {
    if (this.#listener === undefined) {
      this.#listener = new CompletionListener(this.#connection, completionChannel(this.#prefix), this.#log);
    }
    await this.#listener.ready();
    return this.#listener;
  }

  /** BullMQ options of a step's job. */
  jobOptions(s: Step): JobsOptions {
    return {
      jobId: s.jobId,
      attempts: this.#policy.attempts,
      backoff: { type: 'exponential', delay: this.#policy.backoffMs },
      removeOnComplete: { age: this.#policy.keepCompletedSeconds, count: this.#policy.keepCompletedCount },
      removeOnFail: { age: this.#policy.keepFailedSeconds, count: this.#policy.keepFailedCount },
    };
  }

  /** Queues a step without waiting (BullMQ keeps a single job per id). */
  async enqueue(s: Step): Promise<void> {
    if (this.#closed) throw new Error('job runner closed');
    await this.queue(stepPe(s)).add(s.spec.type, s.spec.payload, this.jobOptions(s));
  }

  /** Queues a step and waits until its job completes, fails for good, or the deadline passes. */
  async run(s: Step, deadlineAtMs: number): Promise<StepResult> {
    if (this.#closed) throw new Error('job runner closed');
    const pe = stepPe(s);
    const queue = this.queue(pe);
    // Wait before queueing, so a notice for a job that finishes at once cannot slip past.
    const waiter = (await this.#completions()).wait(pe, s.jobId);
    try {
      await queue.add(s.spec.type, s.spec.payload, this.jobOptions(s));
      // An unchanged LSP keeps its revision, so its step has the id of a job that may have run long
      // ago (BullMQ answers the add with that job): no notice will come, look at once.
      let lookNow = s.spec.type.startsWith('rsvp-te.');
      let interval = this.#pollIntervalMs;
      for (;;) {
        if (!lookNow) {
          const left = deadlineAtMs - Date.now();
          if (left > 0) {
            const timer = delay(Math.min(interval, left));
            const notice: CompletionNotice | undefined = await Promise.race([waiter.notice, timer.done]);
            timer.cancel();
            if (notice?.status === 'completed')
              return { status: 'completed', step: s, outcome: notice.outcome };
            if (notice?.status === 'failed') {
              return { status: 'failed', step: s, reason: notice.reason, peCode: peCodeOf(notice.reason) };
            }
          }
          interval = Math.min(this.#maxPollIntervalMs, interval * 2);
        }
        lookNow = false;
        // The poll interval or the deadline: the job's own state decides.
        const snapshot = await this.#snapshot(queue, s.jobId);
        if (snapshot.state === 'completed' || snapshot.state === 'unknown') {
          // `unknown`: the job was removed after it finished; the caller checks the actual state.
          return { status: 'completed', step: s, outcome: snapshot.outcome };
        }
        if (snapshot.state === 'failed') {
          return { status: 'failed', step: s, reason: snapshot.reason, peCode: peCodeOf(snapshot.reason) };
        }
        if (Date.now() >= deadlineAtMs) {
          this.#log?.debug(
            { step: describeStep(s), jobId: s.jobId, state: snapshot.state },
            'step timed out',
          );
          return { status: 'timeout', step: s, state: snapshot.state };
        }
      }
    } finally {
      waiter.cancel();
    }
  }

  async #snapshot(
    queue: Queue,
    jobId: string,
  ): Promise<{ state: string; outcome: JobOutcome | null; reason: string }> {
    const job = await Job.fromId(queue, jobId);
    if (!job) return { state: 'unknown', outcome: null, reason: '' };
    const state = await job.getState();
    return {
      state,
      outcome: (job.returnvalue as JobOutcome | null | undefined) ?? null,
      reason: job.failedReason ?? '',
    };
  }

  /**
   * Runs stages in order, the steps of a stage in parallel. Stops after the first stage with a step
   * that failed or timed out (the other steps of that stage are waited for, so the caller knows
   * everything that ran).
   */
  async runStages(stages: readonly Stage[], deadlineAtMs: number): Promise<FlowResult> {
    const results: StepResult[] = [];
    for (const stage of stages) {
      const settled = await Promise.all(stage.map((s) => this.run(s, deadlineAtMs)));
      results.push(...settled);
      const failure =
        settled.find((r) => r.status === 'failed') ?? settled.find((r) => r.status === 'timeout') ?? null;
      if (failure) return { ok: false, results, failure };
    }
    return { ok: true, results, failure: null };
  }

  /** Job counts per PE of every queue this runner has touched (for the depth gauge). */
  async queueCounts(pes?: readonly string[]): Promise<Record<string, QueueCounts>> {
    const out: Record<string, QueueCounts> = {};
    for (const pe of pes ?? [...this.#queues.keys()]) {
      out[pe] = await this.queue(pe).getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
    }
    return out;
  }

  /** Closes the queues and the completion subscriber (the shared connection stays open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#listener?.close();
    await Promise.allSettled([...this.#queues.values()].map((q) => q.close()));
  }
}
