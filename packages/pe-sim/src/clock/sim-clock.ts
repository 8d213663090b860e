import { setTimeout as sleepFor } from 'node:timers/promises';

/**
 * Time as the simulator sees it: `now()` stamps state changes and advances the traffic counters;
 * `sleep()` waits out latency and deadlines. Inject a {@link ManualClock} in tests.
 */
export interface SimClock {
  /** Milliseconds since the Unix epoch (or any fixed origin shared by every process of one network). */
  now(): number;
  /** Resolves after `ms`; rejects if `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time and real timers. */
export const systemClock: SimClock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleepFor(ms, undefined, signal ? { signal } : undefined);
  },
};
