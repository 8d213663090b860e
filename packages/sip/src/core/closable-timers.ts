import type { TransactionTimers } from '../transactions/index.js';

interface Scheduled {
  handle: unknown;
}

/**
 * A {@link TransactionTimers} clock that remembers what it has scheduled, so its owner can cancel
 * everything at once when it closes. The stack hands it to every transaction driver and dialog: a
 * closed stack then leaves no Timer J/K/L or 2xx retransmission behind to keep the process alive
 * (or to fire into closed transports) for up to 64·T1.
 */
export class ClosableTimers implements TransactionTimers {
  readonly #base: TransactionTimers;
  readonly #pending = new Set<Scheduled>();
  #closed = false;

  constructor(base: TransactionTimers) {
    this.#base = base;
    this.nowMs = base.nowMs;
  }

  /** The base clock's time, when it has one. */
  readonly nowMs: (() => number) | undefined;

  /** How many timers are scheduled and have neither fired nor been cleared. */
  get size(): number {
    return this.#pending.size;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const entry: Scheduled = { handle: undefined };
    // After close nothing is scheduled: the callback could only act on a stack that is gone.
    if (this.#closed) return entry;
    entry.handle = this.#base.setTimeout(() => {
      this.#pending.delete(entry);
      callback();
    }, delayMs);
    this.#pending.add(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    const entry = handle as Scheduled;
    if (!this.#pending.delete(entry)) return;
    this.#base.clearTimeout(entry.handle);
  }

  /** Cancels every pending timer and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#pending) this.#base.clearTimeout(entry.handle);
    this.#pending.clear();
  }
}
