import { TspecSumEmptyError } from '../errors.js';
import { addRational, ceilRational, exactRational, type ExactRational } from '../internal/exact-rational.js';
import type { Tspec } from '../tspec/tspec.js';
import type { SizingRounding } from './add-overhead.js';

/** Caller input for {@link sumTspecs}. */
export interface SumTspecsOptions {
  /** @defaultValue 'up' */
  readonly rounding?: SizingRounding;
}

/**
 * The Tspec of an aggregate carrying all the given flows (RFC 2212 "TSpec merging" for a
 * sum, RFC 3175 §1.4 aggregate sizing): r, b and p add; m is the smallest m; M is the largest M.
 *
 * With the default rounding the sums are exact and rounded up to whole bytes; an infinite p stays
 * infinite. 100 G.711 calls under two labels (each r = 10 400 B/s) sum to r = 1 040 000 B/s,
 * 8.32 Mbit/s.
 *
 * @throws {@link TspecSumEmptyError} for an empty list (there is no m or M to take).
 */
export function sumTspecs(tspecs: readonly Tspec[], options: SumTspecsOptions = {}): Tspec {
  const first = tspecs[0];
  if (first === undefined) throw new TspecSumEmptyError();
  const rounding = options.rounding ?? 'up';
  let m = first.m;
  let M = first.M;
  for (const t of tspecs) {
    if (t.m < m) m = t.m;
    if (t.M > M) M = t.M;
  }
  const total = (field: 'r' | 'b' | 'p'): number => {
    if (tspecs.some((t) => t[field] === Infinity)) return Infinity;
    if (rounding === 'exact') return tspecs.reduce((acc, t) => acc + t[field], 0);
    let acc: ExactRational = { num: 0n, den: 1n };
    for (const t of tspecs) acc = addRational(acc, exactRational(t[field]));
    return ceilRational(acc);
  };
  return { r: total('r'), b: total('b'), p: total('p'), m, M };
}
