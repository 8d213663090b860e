/**
 * The clock a transaction driver schedules its timers on. Inject a fake in tests; the default is
 * the platform's `setTimeout` / `clearTimeout`.
 *
 * Contract: `setTimeout` never calls back synchronously, and a cleared handle never calls back.
 */
export interface TransactionTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * The current time in ms on the clock `setTimeout` counts on, when it has one: lets many timers
   * of equal length share one (`TimerQueue`). A fake clock without it gets a timer per entry.
   * @defaultValue none
   */
  nowMs?: (() => number) | undefined;
}

/**
 * {@link TransactionTimers} over the global timer functions (looked up at call time); `nowMs` is
 * `performance.now`, which `mock.timers` does not fake: tests that fake the clock inject timers.
 */
export const systemTimers: TransactionTimers = {
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  nowMs: () => performance.now(),
};
