import { RspecInvalidError } from '../errors.js';
import type { Tspec } from './tspec.js';

/**
 * A Guaranteed-service reservation specification (RFC 2212 "Invocation Information", RFC 2210 §3.3).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2212
 */
export interface Rspec {
  /** Reserved rate R, B/s. */
  readonly R: number;
  /** Slack term S, microseconds. */
  readonly S: number;
}

/**
 * Checks an Rspec (and, given the flow's Tspec, R ≥ r) and returns it unchanged, or throws
 * {@link RspecInvalidError} naming the rule: `finite`, `non-negative`, `rate-zero` (R > 0), or
 * `rate-below-tspec-rate`.
 */
export function validateRspec(rspec: Rspec, tspec?: Tspec): Rspec {
  for (const field of ['R', 'S'] as const) {
    const value: unknown = (rspec as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new RspecInvalidError(
        'finite',
        field,
        `Rspec ${field} must be a finite number, got ${String(value)}`,
      );
    }
    if (value < 0) {
      throw new RspecInvalidError('non-negative', field, `Rspec ${field} must be ≥ 0, got ${value}`);
    }
  }
  if (rspec.R === 0) {
    throw new RspecInvalidError('rate-zero', 'R', 'Rspec R must be > 0 B/s');
  }
  // RFC 2212 "Invocation Information" — the reserved rate R must be at least the token rate r
  // (R may be larger, to lower the queueing delay bound).
  if (tspec !== undefined && rspec.R < tspec.r) {
    throw new RspecInvalidError(
      'rate-below-tspec-rate',
      'R',
      `Rspec R (${rspec.R} B/s) < Tspec r (${tspec.r} B/s)`,
    );
  }
  return rspec;
}
