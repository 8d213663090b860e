/**
 * Job completion notices over Redis pub/sub: a PE worker publishes one small message when a job
 * completes or fails for good, and every {@link JobRunner} subscribes once and wakes the steps waiting
 * for that job. It replaces BullMQ's `QueueEvents` for waiting: those read each queue's event stream
 * with one blocking XREAD per batch of events (about three round trips per job at 100 calls/s, and
 * one reader per PE queue), where a notice is one PUBLISH by the worker and a push to each subscriber.
 *
 * Notices are best-effort like any pub/sub message (a subscriber that reconnects misses what was
 * published meanwhile): the runner still re-reads a job's state on a backed-off poll and confirms
 * results in the actual-state store, so a lost notice only costs latency.
 */
import type { Redis } from 'ioredis';
import type { JobOutcome } from '@svpn/provisioning';
import type { Logger } from 'pino';

/** One notice: how a job of a PE queue finished. */
export type CompletionNotice =
  | {
      readonly pe: string;
      readonly jobId: string;
      readonly status: 'completed';
      readonly outcome: JobOutcome | null;
    }
  | { readonly pe: string; readonly jobId: string; readonly status: 'failed'; readonly reason: string };

/** The channel of a deployment's queues (`<queue prefix>:completions`, in the queues' hash slot). */
export function completionChannel(queuePrefix: string): string {
  return `${queuePrefix}:completions`;
}

/** Publishes a notice (errors are the caller's to log: a lost notice only delays a waiter). */
export async function publishCompletion(
  redis: Redis,
  channel: string,
  notice: CompletionNotice,
): Promise<void> {
  await redis.publish(channel, JSON.stringify(notice));
}

/** Parses a notice; `null` for anything that is not one (another publisher, a newer format). */
export function parseCompletion(message: string): CompletionNotice | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v['pe'] !== 'string' || typeof v['jobId'] !== 'string') return null;
  if (v['status'] === 'completed') {
    const outcome = (v['outcome'] ?? null) as JobOutcome | null;
    return { pe: v['pe'], jobId: v['jobId'], status: 'completed', outcome };
  }
  if (v['status'] === 'failed' && typeof v['reason'] === 'string') {
    return { pe: v['pe'], jobId: v['jobId'], status: 'failed', reason: v['reason'] };
  }
  return null;
}

/** The listeners of this thread per channel: a worker hands them its notices without a round trip. */
const local = new Map<string, Set<CompletionListener>>();

/**
 * Hands a notice to the listeners of this thread that wait for its job; whether any did. A worker
 * whose job's waiter runs in the same thread (a provisioner queueing for itself) then need not
 * publish: the notice is a latency shortcut, and a waiter in another process that misses it (a
 * duplicate wait on the same job id) still learns the outcome from its poll.
 */
export function deliverLocally(channel: string, notice: CompletionNotice): boolean {
  let delivered = false;
  for (const listener of local.get(channel) ?? []) delivered = listener.deliver(notice) || delivered;
  return delivered;
}

/** Where this thread passes the notices none of its own listeners takes, instead of publishing them. */
let relay: ((channel: string, notice: CompletionNotice) => void) | undefined;

/**
 * Makes this thread pass the notices its own listeners do not take to `to` instead of publishing
 * them (`undefined` publishes again). Set in the PE worker thread of `svpn up`: the steps waiting
 * for its jobs run on the main thread, which gets each notice over the thread's message port and
 * hands it on with {@link handOverCompletion} — delivered there, or published if no one there waits.
 * Four notices per call then cost no Redis round trip (a PUBLISH by the thread and a push to the
 * main thread's subscriber each).
 */
export function relayCompletionsTo(
  to: ((channel: string, notice: CompletionNotice) => void) | undefined,
): void {
  relay = to;
}

/**
 * Gets a notice to its waiters: to this thread's listeners when one waits for the job, else to the
 * relay when this thread has one, else over Redis to every other process. Never throws: a notice
 * that cannot be published is logged (a waiter elsewhere then learns the outcome from its poll).
 */
export function handOverCompletion(
  redis: Redis,
  channel: string,
  notice: CompletionNotice,
  log?: Logger,
): void {
  if (deliverLocally(channel, notice)) return;
  if (relay !== undefined) {
    relay(channel, notice);
    return;
  }
  publishCompletion(redis, channel, notice).catch((err: unknown) =>
    log?.debug({ err, jobId: notice.jobId }, 'completion notice not published'),
  );
}

/**
 * The subscriber side: one connection (a duplicate of the given one) subscribed to the channel, and
 * the waiters per job. `wait` registers before the job is queued, so a notice cannot slip past.
 */
export class CompletionListener {
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #waiters = new Map<string, Set<(notice: CompletionNotice) => void>>();
  readonly #ready: Promise<void>;
  #closed = false;

  constructor(connection: Redis, channel: string, log?: Logger) {
    this.#subscriber = connection.duplicate();
    this.#subscriber.on('error', (err) => log?.warn({ err }, 'completion subscriber error'));
    this.#subscriber.on('message', (_channel: string, message: string) => {
      const notice = parseCompletion(message);
      if (notice !== null) this.deliver(notice);
    });
    this.#channel = channel;
    let listeners = local.get(channel);
    if (listeners === undefined) {
      listeners = new Set();
      local.set(channel, listeners);
    }
    listeners.add(this);
    this.#ready = this.#subscriber.subscribe(channel).then(() => undefined);
    // A failed subscription surfaces on the first wait; never as an unhandled rejection.
    this.#ready.catch(() => undefined);
  }

  /** Wakes the waiters of the notice's job; whether there were any. */
  deliver(notice: CompletionNotice): boolean {
    const waiting = this.#waiters.get(key(notice.pe, notice.jobId));
    if (waiting === undefined) return false;
    for (const wake of [...waiting]) wake(notice);
    return true;
  }

  /** Resolves once the subscription is in place. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * A promise of the next notice for `jobId` on `pe`'s queue, and the function that stops waiting
   * (call it when the wait ends another way, so waiters do not pile up).
   */
  wait(pe: string, jobId: string): { notice: Promise<CompletionNotice>; cancel: () => void } {
    const k = key(pe, jobId);
    let wake!: (notice: CompletionNotice) => void;
    const notice = new Promise<CompletionNotice>((resolve) => {
      wake = resolve;
    });
    const cancel = (): void => {
      const set = this.#waiters.get(k);
      if (set === undefined) return;
      set.delete(wakeOnce);
      if (set.size === 0) this.#waiters.delete(k);
    };
    const wakeOnce = (n: CompletionNotice): void => {
      cancel();
      wake(n);
    };
    let set = this.#waiters.get(k);
    if (set === undefined) {
      set = new Set();
      this.#waiters.set(k, set);
    }
    set.add(wakeOnce);
    return { notice, cancel };
  }

  /** Waiters registered now (for tests and leak checks). */
  get waiting(): number {
    let n = 0;
    for (const set of this.#waiters.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiters.clear();
    const listeners = local.get(this.#channel);
    listeners?.delete(this);
    if (listeners?.size === 0) local.delete(this.#channel);
    await this.#subscriber.quit().catch(() => this.#subscriber.disconnect());
  }
}

function key(pe: string, jobId: string): string {
  return `${pe}|${jobId}`;
}
