import { BandwidthInvalidError } from '../errors.js';
import {
  addRational,
  ceilRational,
  exactRational,
  floorRational,
  mulRational,
  subRational,
} from '../internal/exact-rational.js';
import {
  IPV4_HEADER_BYTES,
  IPV6_HEADER_BYTES,
  UDP_HEADER_BYTES,
  type IpVersion,
} from '../overhead/encapsulation-overhead.js';

/**
 * SDP bandwidth figures and bit rates.
 *
 * - `b=AS:<kbit/s>` (RFC 8866 §5.8, RFC 4566 §5.8): application-specific maximum in kilobits per second
 *   (1 kbit = 1 000 bit), and it includes the IP and transport overhead.
 * - `b=TIAS:<bit/s>` (RFC 3890): transport-independent application-specific maximum, without IP, UDP
 *   or RTP headers; together with `a=maxprate:<packets/s>` it gives the bit rate on a given transport:
 *   bit/s = TIAS + maxprate · (IP + UDP + RTP headers) · 8 (RFC 3890 "Converting to
 *   Transport-Dependent Values").
 *
 * @see https://www.rfc-editor.org/rfc/rfc3890
 * @see https://www.rfc-editor.org/rfc/rfc8866#section-5.8
 */

/** The RTP fixed header without CSRCs (RFC 3550 §5.1). */
export const RTP_HEADER_BYTES = 12;
/** The TCP header without options (RFC 9293 §3.1). */
export const TCP_HEADER_BYTES = 20;

/**
 * What carries the application data on top of IP.
 * - `rtp`: RTP over UDP, the case RFC 3890 is written for (12 + 8 B);
 * - `udp`: plain UDP (8 B);
 * - `tcp`: TCP without options (20 B), as the `svpn-data` media line uses.
 */
export type TiasTransport = 'rtp' | 'udp' | 'tcp';

/** Bytes of IP + transport (+ RTP) header per packet: IPv4/UDP/RTP 40, IPv6/UDP/RTP 60. */
export function transportOverheadBytes(ipVersion: IpVersion, transport: TiasTransport = 'rtp'): number {
  const ip = ipVersion === 'ipv4' ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES;
  switch (transport) {
    case 'rtp':
      return ip + UDP_HEADER_BYTES + RTP_HEADER_BYTES;
    case 'udp':
      return ip + UDP_HEADER_BYTES;
    case 'tcp':
      return ip + TCP_HEADER_BYTES;
    default: {
      const never: never = transport;
      throw new BandwidthInvalidError('transport', `unknown transport ${String(never)}`);
    }
  }
}

function requireNonNegative(field: string, value: number, integer: boolean): void {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new BandwidthInvalidError(
      field,
      `${field} must be a finite ${integer ? 'whole ' : ''}number ≥ 0, got ${String(value)}`,
    );
  }
}

/** `b=AS` kbit/s → bit/s (RFC 8866 §5.8: kilobits are 1 000 bits). */
export function asToBitRate(kilobitsPerSecond: number): number {
  // RFC 8866 §9 grammar — bandwidth = 1*DIGIT: a whole number.
  requireNonNegative('b=AS', kilobitsPerSecond, true);
  return kilobitsPerSecond * 1000;
}

/** bit/s → the smallest `b=AS` kbit/s that covers it (rounded up: AS is a maximum). */
export function bitRateToAs(bitsPerSecond: number): number {
  requireNonNegative('bit rate', bitsPerSecond, false);
  return Math.ceil(bitsPerSecond / 1000);
}

/** Input of {@link tiasToBitRate}. */
export interface TiasBandwidth {
  /** `b=TIAS` value, bit/s (a whole number, RFC 3890 grammar). */
  readonly tias: number;
  /** `a=maxprate` value, packets/s (may be fractional, e.g. `28.0`). */
  readonly maxprate: number;
  /** IP version of the path the bit rate is wanted for. */
  readonly ipVersion: IpVersion;
  /** @defaultValue 'rtp' */
  readonly transport?: TiasTransport;
}

/**
 * The bit rate a TIAS stream needs on a given IP version: TIAS + maxprate · overhead · 8, rounded up to
 * a whole bit/s. TIAS 64 000 with maxprate 50 is 80 000 bit/s over IPv4 (40 B/packet of IP/UDP/RTP)
 * and 88 000 bit/s over IPv6 (60 B/packet).
 */
export function tiasToBitRate(bandwidth: TiasBandwidth): number {
  requireNonNegative('b=TIAS', bandwidth.tias, true);
  requireNonNegative('a=maxprate', bandwidth.maxprate, false);
  const overhead = transportOverheadBytes(bandwidth.ipVersion, bandwidth.transport);
  // RFC 3890 "Converting to Transport-Dependent Values" — add maxprate × per-packet header bits.
  const headerBits = mulRational(exactRational(bandwidth.maxprate), BigInt(overhead * 8), 1n);
  return ceilRational(addRational(exactRational(bandwidth.tias), headerBits));
}

/**
 * The inverse of {@link tiasToBitRate}: the largest whole `b=TIAS` whose stream fits in `bitsPerSecond`
 * at `maxprate` packets/s (rounded down, so converting back never exceeds the bit rate).
 * @throws {@link BandwidthInvalidError} if the headers alone exceed the bit rate.
 */
export function bitRateToTias(
  bitsPerSecond: number,
  options: { maxprate: number; ipVersion: IpVersion; transport?: TiasTransport },
): number {
  requireNonNegative('bit rate', bitsPerSecond, false);
  requireNonNegative('a=maxprate', options.maxprate, false);
  const overhead = transportOverheadBytes(options.ipVersion, options.transport);
  const headerBits = mulRational(exactRational(options.maxprate), BigInt(overhead * 8), 1n);
  const tias = floorRational(subRational(exactRational(bitsPerSecond), headerBits));
  if (tias < 0) {
    throw new BandwidthInvalidError(
      'bit rate',
      `${bitsPerSecond} bit/s does not even carry the headers of ${options.maxprate} packets/s`,
    );
  }
  return tias;
}

/** The bandwidth lines of one SDP media description (values as `sdp-transform` parses them). */
export interface SdpBandwidth {
  /** `b=AS`, kbit/s. */
  readonly as?: number;
  /** `b=TIAS`, bit/s. */
  readonly tias?: number;
  /** `a=maxprate`, packets/s. */
  readonly maxprate?: number;
}

/** What {@link sdpBandwidthToBitRate} found. */
export interface SdpBitRate {
  readonly bitsPerSecond: number;
  /** Which line the figure came from. */
  readonly source: 'tias' | 'as';
}

/**
 * The bit rate an SDP media description asks for on the given IP version.
 *
 * RFC 3890 — a receiver that understands TIAS uses it (with `a=maxprate`) in preference to `b=AS`,
 * because only it can be converted to the transport actually used; TIAS without a packet rate cannot be
 * converted, so `b=AS` is used then, and if neither gives a figure the description is refused.
 */
export function sdpBandwidthToBitRate(
  bandwidth: SdpBandwidth,
  ipVersion: IpVersion,
  transport: TiasTransport = 'rtp',
): SdpBitRate {
  if (bandwidth.tias !== undefined && bandwidth.maxprate !== undefined) {
    return {
      bitsPerSecond: tiasToBitRate({
        tias: bandwidth.tias,
        maxprate: bandwidth.maxprate,
        ipVersion,
        transport,
      }),
      source: 'tias',
    };
  }
  if (bandwidth.as !== undefined) return { bitsPerSecond: asToBitRate(bandwidth.as), source: 'as' };
  throw new BandwidthInvalidError(
    bandwidth.tias !== undefined ? 'a=maxprate' : 'b=AS',
    bandwidth.tias !== undefined
      ? 'b=TIAS without a=maxprate and no b=AS: the transport bit rate cannot be computed'
      : 'no b=AS or b=TIAS bandwidth given',
  );
}
