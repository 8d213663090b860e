import { OverheadInvalidError } from '../errors.js';
import { ceilRational, exactRational, mulRational } from '../internal/exact-rational.js';
import type { Tspec } from '../tspec/tspec.js';

/**
 * How sizing helpers round.
 * - `up` (default): every rate and size is the smallest whole number of bytes (per second) that is ≥ the
 *   exact value. Reservations are sized with this, so they never fall short.
 * - `exact`: the floating-point value, unrounded (for display and analysis).
 */
export type SizingRounding = 'up' | 'exact';

/** Caller input for {@link addOverhead}. */
export interface AddOverheadOptions {
  /** @defaultValue 'up' */
  readonly rounding?: SizingRounding;
}

/**
 * The Tspec of a flow after every packet gains H bytes of encapsulation (labels, tunnel headers).
 *
 * The worst case is a stream of minimum-size packets: per m bytes policed, m + H go on the wire, so
 * r′ = r·(m+H)/m, b′ = b·(m+H)/m, p′ = p·(m+H)/m, m′ = m+H, M′ = M+H (seed 003 §2.1; the same
 * inflation RFC 3175 §1.4 and RFC 4804 §6 ask an aggregator to account for).
 *
 * With the default rounding every result is computed exactly and rounded up:
 * a G.711 call `{ r: 10000, m: 200 }` under two MPLS labels (H = 8) gives r′ = 10 400 B/s.
 *
 * @throws {@link OverheadInvalidError} if H is not a whole number of bytes ≥ 0, or H > 0 with m = 0
 *   (the inflation would be unbounded).
 */
export function addOverhead(tspec: Tspec, overheadBytes: number, options: AddOverheadOptions = {}): Tspec {
  if (!Number.isInteger(overheadBytes) || overheadBytes < 0) {
    throw new OverheadInvalidError(`overhead must be a whole number of bytes ≥ 0, got ${overheadBytes}`);
  }
  if (overheadBytes === 0) return { r: tspec.r, b: tspec.b, p: tspec.p, m: tspec.m, M: tspec.M };
  if (!(tspec.m > 0)) {
    throw new OverheadInvalidError(
      `cannot add ${overheadBytes} B overhead to a Tspec with m = ${tspec.m}: r·(m+H)/m is unbounded`,
    );
  }
  const rounding = options.rounding ?? 'up';
  const inflate = (x: number): number => {
    if (x === Infinity) return Infinity;
    if (rounding === 'exact') return (x * (tspec.m + overheadBytes)) / tspec.m;
    return ceilRational(mulRational(exactRational(x), BigInt(tspec.m + overheadBytes), BigInt(tspec.m)));
  };
  return {
    r: inflate(tspec.r),
    b: inflate(tspec.b),
    p: inflate(tspec.p),
    m: tspec.m + overheadBytes,
    M: tspec.M + overheadBytes,
  };
}
