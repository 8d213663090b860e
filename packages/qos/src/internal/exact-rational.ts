/**
 * Exact rational arithmetic on finite IEEE-754 doubles, so that sizing a reservation rounds up the
 * true value and never a floating-point artefact (10 000 · 208 / 200 is 10 400, not 10 400.000…1).
 * @internal
 */

/** A non-negative rational `num / den` with `den > 0`. */
export interface ExactRational {
  readonly num: bigint;
  readonly den: bigint;
}

/** The exact value of a finite double (every finite double is `n / 2^k`). */
export function exactRational(x: number): ExactRational {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  let scaled = x;
  let den = 1n;
  // Doubling a double is exact (no overflow for a non-integer), and at most 1 074 doublings make it whole.
  while (!Number.isInteger(scaled)) {
    scaled *= 2;
    den *= 2n;
  }
  return { num: BigInt(scaled), den };
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** a + b over the least common denominator (keeps long sums of doubles small). */
export function addRational(a: ExactRational, b: ExactRational): ExactRational {
  if (a.den === b.den) return { num: a.num + b.num, den: a.den };
  const g = gcd(a.den, b.den);
  const den = (a.den / g) * b.den;
  return { num: a.num * (den / a.den) + b.num * (den / b.den), den };
}

export function mulRational(a: ExactRational, num: bigint, den: bigint): ExactRational {
  return { num: a.num * num, den: a.den * den };
}

/** Smallest integer ≥ the rational (the rational must be ≥ 0). */
export function ceilRational(a: ExactRational): number {
  if (a.num < 0n) throw new RangeError('ceilRational expects a non-negative value');
  return Number((a.num + a.den - 1n) / a.den);
}

/** a − b (may be negative). */
export function subRational(a: ExactRational, b: ExactRational): ExactRational {
  return addRational(a, { num: -b.num, den: b.den });
}

/** Largest integer ≤ the rational. */
export function floorRational(a: ExactRational): number {
  const q = a.num / a.den;
  return Number(a.num < 0n && q * a.den !== a.num ? q - 1n : q);
}
