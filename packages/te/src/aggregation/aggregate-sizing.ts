import type { Tspec } from '@svpn/qos';

/** How an aggregate's reservation follows what it carries (RFC 3175 §1.4.4). */
export interface AggregateSizing {
  /** The step the reservation grows and shrinks by, bit/s (> 0). */
  bulkBps: number;
  /** Extra slack before shrinking, bit/s (≥ 0). */
  hysteresisBps: number;
}

/**
 * The size an aggregate reservation should have, given what it must carry (`requiredBps`) and what it
 * holds now (`currentBps`, 0 if it has no reservation yet). RFC 3175 §1.4.4 / §3.4: resize in bulk
 * steps rather than per sub-reservation, and with hysteresis, so that the aggregate is not
 * re-signalled every time a flow comes or goes.
 *
 * - Grow when the contents no longer fit: to the smallest multiple of the bulk ≥ `requiredBps`.
 * - Shrink only when the contents fall below `current − bulk − hysteresis`: to the smallest multiple
 *   of the bulk ≥ `requiredBps`. Anything in between keeps the current size.
 * - Never below one bulk step while the aggregate exists.
 */
export function nextAggregateSize(requiredBps: number, currentBps: number, sizing: AggregateSizing): number {
  const { bulkBps, hysteresisBps } = sizing;
  if (currentBps <= 0 || requiredBps > currentBps) return roundUpToBulk(requiredBps, bulkBps);
  if (requiredBps < currentBps - bulkBps - hysteresisBps) return roundUpToBulk(requiredBps, bulkBps);
  return currentBps;
}

/** The smallest multiple of `bulkBps` that is ≥ `bps`, and at least one step. */
export function roundUpToBulk(bps: number, bulkBps: number): number {
  if (!(bps > 0)) return bulkBps;
  let steps = Math.ceil(bps / bulkBps);
  // Float division can overshoot by one step when bps is an exact multiple.
  if ((steps - 1) * bulkBps >= bps) steps--;
  return Math.max(1, steps) * bulkBps;
}

/**
 * The Tspec of an aggregate reservation of `sizeBps` that carries contents whose overhead-adjusted
 * Tspecs sum to `contents` (seed 003 §2.1): r is the reservation (≥ Σ r), p the larger of Σ p and r,
 * b = Σ b, m the least m, M the largest M — so the average rate, peak rate and burst of the tunnel are
 * each at least the sum of those of what it carries.
 */
export function aggregateTspec(sizeBps: number, contents: Tspec): Tspec {
  const r = sizeBps / 8;
  return { r, b: contents.b, p: Math.max(contents.p, r), m: contents.m, M: contents.M };
}
