import { TransactionOptionsError } from './transaction-error.js';

/**
 * Caller input for one transaction: the RFC 3261 timer bases and what the transport offers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#appendix-A
 */
export interface TransactionOptions {
  /**
   * T1, the round-trip time estimate in milliseconds. Timers A, E and G start at T1; timers B, F,
   * H, J (unreliable), L and M last 64·T1.
   * @defaultValue 500
   */
  readonly T1?: number | undefined;
  /**
   * T2, the longest retransmission interval for non-INVITE requests and INVITE responses (ms).
   * @defaultValue 4000
   */
  readonly T2?: number | undefined;
  /**
   * T4, the longest time a message stays in the network (ms); timers I and K on unreliable
   * transports.
   * @defaultValue 5000
   */
  readonly T4?: number | undefined;
  /**
   * Whether the transport is reliable (TCP, TLS, SCTP, WebSocket). Reliable transports get no
   * retransmission timers (A, E, G) and zero-length wait timers (D, I, J, K). No default: the
   * transport must be known.
   */
  readonly reliable: boolean;
  /**
   * INVITE server transaction only: how long to wait for the TU's first response before sending
   * 100 (Trying) on its behalf (RFC 3261 §17.2.1). `0` sends 100 (Trying) at once.
   * @defaultValue 200
   */
  readonly trying100DelayMs?: number | undefined;
}

/** Validated, complete options, as kept inside every (JSON-serialisable) transaction state. */
export interface TransactionConfig {
  readonly T1: number;
  readonly T2: number;
  readonly T4: number;
  readonly reliable: boolean;
  readonly trying100DelayMs: number;
}

/** The RFC 3261 Table 4 defaults (and the 200 ms of §17.2.1). */
export const TRANSACTION_DEFAULTS = Object.freeze({
  T1: 500,
  T2: 4000,
  T4: 5000,
  trying100DelayMs: 200,
});

/** The longest delay `setTimeout` honours (2^31 − 1 ms); longer values fire at once. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Merges `options` over {@link TRANSACTION_DEFAULTS} and validates the result.
 *
 * @throws TransactionOptionsError on a non-finite or non-positive timer base, `T2 < T1`, a 64·T1
 *   beyond the timer range, a negative 100 (Trying) delay, or a missing `reliable` flag.
 */
export function resolveTransactionOptions(options: TransactionOptions): TransactionConfig {
  const config: TransactionConfig = {
    T1: options.T1 ?? TRANSACTION_DEFAULTS.T1,
    T2: options.T2 ?? TRANSACTION_DEFAULTS.T2,
    T4: options.T4 ?? TRANSACTION_DEFAULTS.T4,
    reliable: options.reliable,
    trying100DelayMs: options.trying100DelayMs ?? TRANSACTION_DEFAULTS.trying100DelayMs,
  };
  for (const name of ['T1', 'T2', 'T4'] as const) {
    const value = config[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TransactionOptionsError(name, `${name} must be a positive number of milliseconds`);
    }
    if (value > MAX_TIMER_DELAY_MS) {
      throw new TransactionOptionsError(name, `${name} must be at most ${MAX_TIMER_DELAY_MS} ms`);
    }
  }
  // RFC 3261 §17.1.2.2 — T2 caps a retransmission interval that starts at T1, so T2 < T1 is nonsense.
  if (config.T2 < config.T1) {
    throw new TransactionOptionsError('T2', `T2 (${config.T2} ms) must not be below T1 (${config.T1} ms)`);
  }
  if (64 * config.T1 > MAX_TIMER_DELAY_MS) {
    throw new TransactionOptionsError('T1', `64·T1 must be at most ${MAX_TIMER_DELAY_MS} ms`);
  }
  if (typeof config.reliable !== 'boolean') {
    throw new TransactionOptionsError('reliable', 'reliable must be true or false');
  }
  const trying = config.trying100DelayMs;
  if (typeof trying !== 'number' || !Number.isFinite(trying) || trying < 0 || trying > MAX_TIMER_DELAY_MS) {
    throw new TransactionOptionsError(
      'trying100DelayMs',
      'trying100DelayMs must be a number of milliseconds, 0 or more',
    );
  }
  return config;
}
