/**
 * The provisioner's PE workers and reconciler in a worker thread of this process (`svpn up`). On
 * the main thread they share one event loop and one heap with the gateway, and every PE job then
 * delays SIP handling: e2e-calls measured a lower INVITE-to-200 p99 at 100 calls/s with them
 * elsewhere (bench/e2e/README.md). The thread works on Redis as a separate `svpn run provisioner`
 * process does, except that its job completion notices may come to the main thread over the port
 * (`completionConnection`); the main thread asks it for metrics, readiness, a reconcile pass, and to stop.
 * A thread that dies is started again.
 */
import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { Counter, Registry } from 'prom-client';
import type { Logger, MetricsJson } from '@svpn/service-kit';
import type { Config } from '../config.js';
import { handOverCompletion } from '../jobs/completion-channel.js';
import type { ReconcileReport } from '../reconciler/reconciler.js';
import type { PeProcessingElsewhere } from '../start-provisioner.js';
import type { PeThreadData, ThreadAnswers, ThreadMessage, ThreadRequest } from './messages.js';

const ENTRY = new URL('./entry.js', import.meta.url);

export interface PeWorkerThreadOptions {
  /** The provisioner configuration (the thread runs the PE workers and the reconciler whatever it says). */
  config: Config;
  /** Where the thread's lifecycle is logged (started, died, restarted). */
  log: Logger;
  /** The thread's own JSON logs: level and file descriptor. @defaultValue the level of `log`, stdout */
  logLevel?: string;
  logFd?: number;
  /** Its name in the reconciler lease. */
  owner: string;
  /** How long a thread may take to get its workers running before it is ended. @defaultValue 30000 */
  startTimeoutMs?: number;
  /** How long to wait before starting a thread that died, doubled per failed start up to 30 s. @defaultValue 1000 */
  restartDelayMs?: number;
  /** How long `stop` lets running jobs finish before the thread is terminated. @defaultValue 15000 */
  stopTimeoutMs?: number;
  /** How long a question may wait for its answer. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /**
   * A connection of this thread. When given, the job completion notices no waiter in the thread
   * takes come here over the port — the steps of this process wait on this thread — and are
   * delivered to the waiters here or, when none waits, published on it (`handOverCompletion`).
   * Without it the thread publishes them itself.
   */
  completionConnection?: Redis;
}

/** Raised when the thread cannot answer (not running, gone, or too slow). */
export class PeWorkerThreadError extends Error {
  override readonly name = 'PeWorkerThreadError';
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export class PeWorkerThread implements PeProcessingElsewhere {
  readonly #o: PeWorkerThreadOptions;
  #worker: Worker | undefined;
  #ready = false;
  #stopping = false;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #restartTimer: NodeJS.Timeout | undefined;
  #restartDelayMs: number;
  #starts = 0;
  readonly #registry = new Registry();
  readonly #startsTotal = new Counter({
    name: 'svpn_provisioning_worker_thread_starts_total',
    help: 'Starts of the thread running the PE workers and the reconciler (more than one: it died and was started again)',
    registers: [this.#registry],
  });

  private constructor(options: PeWorkerThreadOptions) {
    this.#o = options;
    this.#restartDelayMs = options.restartDelayMs ?? 1000;
  }

  /** Starts the thread; resolves once its workers run, rejects when it cannot start them. */
  static async start(options: PeWorkerThreadOptions): Promise<PeWorkerThread> {
    const thread = new PeWorkerThread(options);
    await thread.#spawn();
    return thread;
  }

  /** True while a thread runs the workers. */
  get running(): boolean {
    return this.#ready;
  }

  /** How many threads were started (1 + restarts). */
  get starts(): number {
    return this.#starts;
  }

  /** The thread's `threadId` (tests; undefined between a death and the restart). */
  get threadId(): number | undefined {
    return this.#ready ? this.#worker?.threadId : undefined;
  }

  async check(): Promise<void> {
    if (!this.#ready) throw new PeWorkerThreadError('the PE worker thread is not running');
    const problem = await this.#ask('check');
    if (problem !== null) throw new PeWorkerThreadError(problem);
  }

  async metrics(): Promise<MetricsJson> {
    // A scrape while the thread restarts shows the main thread's series alone, and the starts.
    const theirs = this.#ready ? await this.#ask('metrics').catch(() => []) : [];
    return [...theirs, ...(await this.#registry.getMetricsAsJSON())];
  }

  reconcile(): Promise<ReconcileReport> {
    if (!this.#ready) return Promise.reject(new PeWorkerThreadError('the PE worker thread is not running'));
    // A pass waits for its repairs (up to `repairDeadlineMs`): no timeout here; it ends when the
    // pass does, or when the thread dies.
    return this.#ask('reconcile', null);
  }

  /**
   * Ends the thread abruptly, as a fatal error in it would (fault injection): running jobs are cut
   * off (BullMQ hands them to another worker once their lock expires) and the thread is started again.
   */
  async crash(): Promise<void> {
    const worker = this.#worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    await worker.terminate();
    await exited;
  }

  /** Lets running jobs finish (bounded by `stopTimeoutMs`), then the thread exits. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    if (worker === undefined) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    if (this.#ready) {
      const stopTimeoutMs = this.#o.stopTimeoutMs ?? 15_000;
      await this.#ask('stop', stopTimeoutMs).catch((error: unknown) =>
        this.#o.log.warn({ err: error }, 'the PE worker thread did not stop cleanly'),
      );
      const late = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(late);
    } else {
      await worker.terminate();
    }
  }

  #spawn(): Promise<void> {
    const data: PeThreadData = {
      config: this.#o.config,
      logLevel: this.#o.logLevel ?? this.#o.log.level,
      logFd: this.#o.logFd ?? 1,
      owner: this.#o.owner,
      relayCompletions: this.#o.completionConnection !== undefined,
    };
    const worker = new Worker(ENTRY, { workerData: data });
    this.#worker = worker;
    this.#starts += 1;
    this.#startsTotal.inc();
    const startTimeoutMs = this.#o.startTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      // A thread that never gets ready (its Redis unreachable: its clients wait for it forever) is
      // ended, so `svpn up` fails with a reason instead of hanging.
      const startTimer = setTimeout(() => {
        settle(new PeWorkerThreadError(`the PE worker thread was not ready within ${startTimeoutMs} ms`));
        void worker.terminate();
      }, startTimeoutMs);
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(startTimer);
        if (error) reject(error);
        else resolve();
      };
      worker.on('message', (message: ThreadMessage) => {
        if (message.type === 'ready') {
          this.#ready = true;
          this.#restartDelayMs = this.#o.restartDelayMs ?? 1000;
          settle();
        } else if (message.type === 'failed') {
          settle(new PeWorkerThreadError(`the PE worker thread could not start: ${message.error}`));
        } else if (message.type === 'completion') {
          const connection = this.#o.completionConnection;
          if (connection) handOverCompletion(connection, message.channel, message.notice, this.#o.log);
        } else this.#settleReply(message);
      });
      worker.on('error', (error) => {
        this.#o.log.error({ err: error }, 'the PE worker thread failed');
        settle(new PeWorkerThreadError(`the PE worker thread failed: ${error.message}`));
      });
      worker.on('exit', (code) => {
        const wasReady = this.#ready;
        this.#ready = false;
        this.#worker = undefined;
        for (const [id, pending] of this.#pending) {
          clearTimeout(pending.timer);
          pending.reject(new PeWorkerThreadError('the PE worker thread exited'));
          this.#pending.delete(id);
        }
        settle(new PeWorkerThreadError(`the PE worker thread exited (code ${code}) before it was ready`));
        if (this.#stopping || !wasReady) return;
        // Provisioning stalls without the workers: start them again.
        this.#o.log.error({ code }, 'the PE worker thread died; starting it again');
        this.#scheduleRestart();
      });
    });
  }

  #scheduleRestart(): void {
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(delay * 2, 30_000);
    this.#restartTimer = setTimeout(() => {
      if (this.#stopping) return;
      this.#spawn().then(
        () => this.#o.log.info({ starts: this.#starts }, 'the PE worker thread runs again'),
        (error: unknown) => {
          this.#o.log.error({ err: error }, 'the PE worker thread could not be started again');
          if (!this.#stopping) this.#scheduleRestart();
        },
      );
    }, delay);
    this.#restartTimer.unref();
  }

  /** Asks the thread; `timeoutMs` null waits as long as the thread lives. */
  #ask<K extends ThreadRequest['type']>(
    type: K,
    timeoutMs: number | null = this.#o.requestTimeoutMs ?? 10_000,
  ): Promise<ThreadAnswers[K]> {
    const worker = this.#worker;
    if (worker === undefined)
      return Promise.reject(new PeWorkerThreadError('the PE worker thread is not running'));
    const id = this.#nextId++;
    return new Promise<ThreadAnswers[K]>((resolve, reject) => {
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => {
              this.#pending.delete(id);
              reject(new PeWorkerThreadError(`the PE worker thread did not answer "${type}" in time`));
            }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      worker.postMessage({ type, id } as ThreadRequest);
    });
  }

  #settleReply(message: Extract<ThreadMessage, { type: 'reply' }>): void {
    const pending = this.#pending.get(message.id);
    if (pending === undefined) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.value);
    else pending.reject(new PeWorkerThreadError(message.error));
  }
}

/** The configuration the main thread's provisioner runs with while the thread has the workers. */
export function withoutPeProcessing(config: Config): Config {
  return { ...config, runWorkers: false, runReconciler: false };
}
