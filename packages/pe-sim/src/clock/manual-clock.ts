import type { SimClock } from './sim-clock.js';

interface Sleeper {
  readonly until: number;
  readonly resolve: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` moves time forward and wakes every sleeper whose
 * time has come, in due order. For tests of counters, latency and deadlines without real waiting.
 */
export class ManualClock implements SimClock {
  #now: number;
  readonly #sleepers = new Set<Sleeper>();
  readonly #waiters = new Set<{ count: number; resolve: () => void }>();

  /** @param startMs the initial time. @defaultValue 0 */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        cancel();
        reject(abortError());
      };
      const cancel = this.after(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Calls `fire` once the clock reaches now + `ms`, unless cancelled first; counts as a sleeper meanwhile. */
  after(ms: number, fire: () => void): () => void {
    const sleeper: Sleeper = { until: this.#now + Math.max(0, ms), resolve: fire };
    this.#sleepers.add(sleeper);
    if (sleeper.until <= this.#now) this.#wake();
    this.#notifyWaiters();
    return () => {
      this.#sleepers.delete(sleeper);
    };
  }

  /** Number of pending sleeps. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least `count` sleeps are pending (so a test can advance past them). */
  untilSleeping(count = 1): Promise<void> {
    if (this.#sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add({ count, resolve }));
  }

  /** Moves time forward by `ms` and wakes the sleepers that are due. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('ManualClock.advance: ms must be ≥ 0');
    this.#now += ms;
    this.#wake();
  }

  /** Sets the time (never backwards) and wakes the sleepers that are due. */
  set(ms: number): void {
    if (ms < this.#now) throw new RangeError('ManualClock.set: time cannot go backwards');
    this.#now = ms;
    this.#wake();
  }

  #wake(): void {
    const due = [...this.#sleepers].filter((s) => s.until <= this.#now).sort((a, b) => a.until - b.until);
    for (const sleeper of due) {
      this.#sleepers.delete(sleeper);
      sleeper.resolve();
    }
  }

  #notifyWaiters(): void {
    for (const waiter of this.#waiters) {
      if (this.#sleepers.size >= waiter.count) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

function abortError(): Error {
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
