/**
 * Rate history of an LSP or session: `[startMs, rateBps]` pairs in time order; each rate holds from its
 * start until the next entry's start (the last one until now).
 */
export type RateHistory = readonly (readonly [startMs: number, rateBps: number])[];

/** Byte and packet counters as if traffic had flowed at the reserved rate. */
export interface TrafficCounters {
  /** Bytes since the LSP / session was set up: Σ rate × time / 8, rounded down. */
  readonly bytes: number;
  /** `floor(bytes / meanPacketBytes)`. */
  readonly packets: number;
  /** The rate the counters advance at now (0 when the LSP is not up). */
  readonly rateBps: number;
  /** The instant the counters were read at. */
  readonly asOfMs: number;
}

/**
 * Computes counters lazily from the rate history: bytes = Σ rateᵢ × elapsedᵢ / 8, in exact integer
 * arithmetic (bit·ms summed as BigInt, divided once), so reading at any instant costs O(changes) and
 * never drifts. Exact while the result stays below 2^53 bytes (9 PB).
 */
export function computeTrafficCounters(
  history: RateHistory,
  nowMs: number,
  meanPacketBytes: number,
): TrafficCounters {
  let bitMs = 0n;
  let rateBps = 0;
  for (let i = 0; i < history.length; i++) {
    const [start, rate] = history[i] as readonly [number, number];
    if (start > nowMs) break;
    const next = history[i + 1];
    const end = next === undefined ? nowMs : Math.min(next[0], nowMs);
    if (end > start) bitMs += BigInt(rate) * BigInt(end - start);
    rateBps = rate;
  }
  const bytes = bitMs / 8000n;
  const packets = meanPacketBytes > 0 ? bytes / BigInt(meanPacketBytes) : 0n;
  return { bytes: Number(bytes), packets: Number(packets), rateBps, asOfMs: nowMs };
}
