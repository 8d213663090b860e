/** The q-quantile (0 ≤ q ≤ 1) of samples, nearest-rank; sorts a copy. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** High-resolution clock in microseconds. */
export function nowMicros(): number {
  return Number(process.hrtime.bigint()) / 1000;
}
