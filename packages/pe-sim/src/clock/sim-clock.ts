/**
 * Time as the simulator sees it: `now()` stamps state changes and advances the traffic counters;
 * `sleep()` waits out latency and deadlines. Inject a {@link ManualClock} in tests.
 */
export interface SimClock {
  /** Milliseconds since the Unix epoch (or any fixed origin shared by every process of one network). */
  now(): number;
  /** Resolves after `ms`; rejects if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fire` after `ms` unless the returned function is called first: a deadline that is
   * usually cancelled, without the AbortController, listener and promise a `sleep` would take.
   */
  after(ms: number, fire: () => void): () => void;
}

/**
 * Wall-clock time and real timers. An aborted sleep rejects with the signal's reason as it is (no
 * `AbortError` with its stack built per abort). PE operations' deadlines use `after`.
 */
export const systemClock: SimClock = {
  now: () => Date.now(),
  after: (ms, fire) => {
    const timer = setTimeout(fire, ms);
    return () => clearTimeout(timer);
  },
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
