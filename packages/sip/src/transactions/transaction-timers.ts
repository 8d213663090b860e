/**
 * The clock a transaction driver schedules its timers on. Inject a fake in tests; the default is
 * the platform's `setTimeout` / `clearTimeout`.
 *
 * Contract: `setTimeout` never calls back synchronously, and a cleared handle never calls back.
 */
export interface TransactionTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** {@link TransactionTimers} over the global timer functions (looked up at call time). */
export const systemTimers: TransactionTimers = {
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};
