import { TspecInvalidError } from '../errors.js';

/**
 * A token-bucket traffic specification (RFC 2210 §3.1 TOKEN_BUCKET_TSPEC, RFC 2215 §3.6).
 *
 * Units are RFC 2210's: bytes and bytes per second of IP datagrams (IP header included).
 *
 * @see https://www.rfc-editor.org/rfc/rfc2210#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc2215#section-3.6
 */
export interface Tspec {
  /** Token rate r, B/s. */
  readonly r: number;
  /** Token bucket depth b, B. */
  readonly b: number;
  /** Peak rate p, B/s (p ≥ r). */
  readonly p: number;
  /** Minimum policed unit m, B: smaller packets are counted as m bytes. */
  readonly m: number;
  /** Maximum packet size M, B. */
  readonly M: number;
}

/** Caller input for {@link validateTspec}. */
export interface TspecValidationOptions {
  /**
   * MTU of the path or link, bytes; M may not exceed it.
   * @defaultValue 1500
   */
  readonly mtu?: number;
  /**
   * Accept p = +Infinity ("peak rate unknown"), which RFC 2215 §3.6 allows on the wire.
   * @defaultValue false (svpn sizes reservations from p, so it must be a number)
   */
  readonly allowInfinitePeak?: boolean;
  /**
   * Require b ≥ M. RFC 2212 "Policing" bounds the data a conformant flow sends in any interval T by
   * M + min(pT, rT + b − M); at T = 0 that is min(M, b), so with b < M a single packet of M bytes is
   * already non-conformant and the Tspec describes no flow that may use its own M. No RFC states the
   * rule outright, hence the switch.
   * @defaultValue true
   */
  readonly requireBucketCoversMaxPacket?: boolean;
}

/** Defaults of {@link TspecValidationOptions}. */
export const TSPEC_VALIDATION_DEFAULTS: Required<TspecValidationOptions> = Object.freeze({
  mtu: 1500,
  allowInfinitePeak: false,
  requireBucketCoversMaxPacket: true,
});

const FIELDS = ['r', 'b', 'p', 'm', 'M'] as const;

/**
 * Checks a Tspec and returns it unchanged, or throws {@link TspecInvalidError} naming the first rule
 * that failed (`err.rule`, `err.field`). Rules, in the order checked:
 *
 * | rule | source |
 * |---|---|
 * | `finite` — every field is a number, not NaN; only p may be +∞ and only if allowed | RFC 2215 §3.6 |
 * | `non-negative` — every field ≥ 0 | RFC 2210 §3.1 (rates and sizes) |
 * | `integer-units` — m and M are whole bytes | RFC 2210 §3.1 (32-bit integers) |
 * | `max-packet-zero` — M ≥ 1 | a flow of zero-byte packets carries nothing |
 * | `peak-below-rate` — p ≥ r | RFC 2212 "TSpec" / RFC 2215 §3.6 |
 * | `min-above-max` — m ≤ M | RFC 2212 "Policing" |
 * | `max-above-mtu` — M ≤ MTU | RFC 2212 "Invocation Information" |
 * | `bucket-below-max` — b ≥ M (configurable) | follows from RFC 2212 "Policing" at T = 0 |
 */
export function validateTspec(tspec: Tspec, options: TspecValidationOptions = {}): Tspec {
  const opts = { ...TSPEC_VALIDATION_DEFAULTS, ...options };
  if (!(Number.isInteger(opts.mtu) && opts.mtu > 0)) {
    throw new TspecInvalidError('max-above-mtu', 'mtu', `MTU must be a positive integer, got ${opts.mtu}`);
  }
  for (const field of FIELDS) {
    const value: unknown = (tspec as unknown as Record<string, unknown>)[field];
    const infiniteOk = field === 'p' && opts.allowInfinitePeak && value === Infinity;
    if (typeof value !== 'number' || Number.isNaN(value) || (!Number.isFinite(value) && !infiniteOk)) {
      throw new TspecInvalidError(
        'finite',
        field,
        `Tspec ${field} must be a finite number, got ${String(value)}`,
      );
    }
    if (value < 0) {
      throw new TspecInvalidError('non-negative', field, `Tspec ${field} must be ≥ 0, got ${value}`);
    }
  }
  // RFC 2210 §3.1 — m and M are carried as 32-bit integers (bytes); r, b, p as floats.
  for (const field of ['m', 'M'] as const) {
    if (!Number.isInteger(tspec[field])) {
      throw new TspecInvalidError(
        'integer-units',
        field,
        `Tspec ${field} must be a whole number of bytes, got ${tspec[field]}`,
      );
    }
  }
  if (tspec.M < 1) {
    throw new TspecInvalidError('max-packet-zero', 'M', 'Tspec M must be at least 1 byte');
  }
  // RFC 2212 / RFC 2215 §3.6 — the peak rate p is at least the token rate r.
  if (tspec.p < tspec.r) {
    throw new TspecInvalidError('peak-below-rate', 'p', `Tspec p (${tspec.p} B/s) < r (${tspec.r} B/s)`);
  }
  // RFC 2212 "Policing" — the minimum policed unit m may not exceed the maximum packet size M.
  if (tspec.m > tspec.M) {
    throw new TspecInvalidError('min-above-max', 'm', `Tspec m (${tspec.m} B) > M (${tspec.M} B)`);
  }
  // RFC 2212 "Invocation Information" — a request whose M exceeds the MTU MUST be rejected.
  if (tspec.M > opts.mtu) {
    throw new TspecInvalidError('max-above-mtu', 'M', `Tspec M (${tspec.M} B) > MTU (${opts.mtu} B)`);
  }
  if (opts.requireBucketCoversMaxPacket && tspec.b < tspec.M) {
    throw new TspecInvalidError(
      'bucket-below-max',
      'b',
      `Tspec b (${tspec.b} B) < M (${tspec.M} B): a maximum-size packet could never conform`,
    );
  }
  return tspec;
}

/** The Tspec's sustained rate in bit/s (r · 8). */
export function tspecToBitRate(tspec: Tspec): number {
  return tspec.r * 8;
}

/** Caller input for {@link tspecFromBitRate}. */
export interface TspecFromBitRateOptions {
  /**
   * Maximum packet size M, bytes.
   * @defaultValue 1500
   */
  readonly maxPacketSize?: number;
  /**
   * Minimum policed unit m, bytes.
   * @defaultValue the maximum packet size (a constant-size flow)
   */
  readonly minPolicedUnit?: number;
  /**
   * Bucket depth b, bytes.
   * @defaultValue the maximum packet size (no burst beyond one packet)
   */
  readonly bucketDepth?: number;
  /**
   * Peak rate p, B/s.
   * @defaultValue r (a constant-rate flow)
   */
  readonly peakRate?: number;
}

/**
 * A Tspec whose token rate carries `bitsPerSecond`: r = ⌈bit/s ÷ 8⌉ B/s (rounded up, so the Tspec
 * never asks for less than the bit rate). The inverse of {@link tspecToBitRate} for rates that are a
 * whole number of bytes per second.
 */
export function tspecFromBitRate(bitsPerSecond: number, options: TspecFromBitRateOptions = {}): Tspec {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) {
    throw new TspecInvalidError('finite', 'r', `bit rate must be finite and ≥ 0, got ${bitsPerSecond}`);
  }
  const r = Math.ceil(bitsPerSecond / 8);
  const M = options.maxPacketSize ?? 1500;
  const tspec: Tspec = {
    r,
    b: options.bucketDepth ?? M,
    p: options.peakRate ?? r,
    m: options.minPolicedUnit ?? M,
    M,
  };
  return tspec;
}

/** Caller input for {@link tspecFromPacketFlow}. */
export interface PacketFlow {
  /** IP datagram size, bytes (IP header included). */
  readonly packetBytes: number;
  /** Packets per second. */
  readonly packetsPerSecond: number;
  /**
   * Packets that may arrive back to back.
   * @defaultValue 1
   */
  readonly burstPackets?: number;
}

/**
 * The Tspec of a constant-size, constant-rate packet flow (a voice codec, a video frame train):
 * r = p = size · rate, b = size · burst, m = M = size. A G.711/20 ms call (200-byte packets, 50 pps)
 * is `{ r: 10000, b: 200, p: 10000, m: 200, M: 200 }`.
 */
export function tspecFromPacketFlow(flow: PacketFlow): Tspec {
  const { packetBytes, packetsPerSecond } = flow;
  const burstPackets = flow.burstPackets ?? 1;
  if (!Number.isInteger(packetBytes) || packetBytes < 1) {
    throw new TspecInvalidError(
      'integer-units',
      'M',
      `packet size must be a whole number ≥ 1, got ${packetBytes}`,
    );
  }
  if (!Number.isFinite(packetsPerSecond) || packetsPerSecond < 0) {
    throw new TspecInvalidError('finite', 'r', `packet rate must be finite and ≥ 0, got ${packetsPerSecond}`);
  }
  if (!Number.isFinite(burstPackets) || burstPackets < 1) {
    throw new TspecInvalidError(
      'bucket-below-max',
      'b',
      `burst must be at least one packet, got ${burstPackets}`,
    );
  }
  const r = packetBytes * packetsPerSecond;
  return { r, b: packetBytes * burstPackets, p: r, m: packetBytes, M: packetBytes };
}
