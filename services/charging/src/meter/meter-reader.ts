import type { PeSimulator } from '@svpn/pe-sim';

/** Which session's counters to read, and the instant the session ended. */
export interface MeterQuery {
  /** The ingress PE serving the session. */
  readonly pe: string;
  /** The UNI session id on that PE. */
  readonly peSessionId: string;
  /** The session's end: bytes counted after it are not the session's. */
  readonly endAt: number;
}

/**
 * Reads how many bytes a session carried from the provider edge's counters (seed 001: "meter
 * bandwidth usage on the tunnel"). Used when a stop event arrives without bytes.
 */
export interface MeterReader {
  /** Bytes carried up to `endAt`, or `null` when the PE no longer knows the session. */
  readBytes(query: MeterQuery): Promise<number | null>;
}

/**
 * Meter over the simulated PEs (`PeSimulator.getSession(pe, id).counters`). The simulator counts
 * until the session is removed, so the bytes counted between `endAt` and the read (at the current
 * rate) are taken back. A removed session answers `null` (its final counters went to whoever removed
 * it, which should put them in the stop event).
 */
export class PeSimMeterReader implements MeterReader {
  constructor(private readonly simulator: Pick<PeSimulator, 'getSession'>) {}

  async readBytes(query: MeterQuery): Promise<number | null> {
    const session = await this.simulator.getSession(query.pe, query.peSessionId);
    if (session === null) return null;
    const { bytes, rateBps, asOfMs } = session.counters;
    if (asOfMs <= query.endAt) return bytes;
    const afterEnd = (BigInt(rateBps) * BigInt(asOfMs - query.endAt)) / 8000n;
    const own = BigInt(bytes) - afterEnd;
    return own > 0n ? Number(own) : 0;
  }
}
