import { isIP } from 'node:net';
import { normalizeAddress } from './normalize-address.js';

/** The parts of a request's top Via that the server side of RFC 3261 §18.2.1 / RFC 3581 looks at. */
export interface ReceivedVia {
  /** `sent-by` host: a host name, IPv4 or IPv6 (brackets allowed). */
  readonly host: string;
  /** `rport` as received: `true` when present without a value, a number when it has one. */
  readonly rport?: number | true;
}

/** Parameters to add to (or overwrite on) the top Via of a received request. */
export interface ViaReceivedParams {
  /** `received=<source IP>`; IPv6 without brackets (RFC 3261 §25.1 `via-received`). */
  readonly received?: string;
  /** `rport=<source port>`. */
  readonly rport?: number;
}

/**
 * What a server transport adds to the top Via of a request it received.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.2.1
 * @see https://www.rfc-editor.org/rfc/rfc3581#section-4
 */
export function viaReceivedParams(
  topVia: ReceivedVia,
  source: { readonly address: string; readonly port: number },
): ViaReceivedParams {
  const sourceAddress = normalizeAddress(source.address);
  const sentByHost = normalizeAddress(topVia.host);
  const hostIsIp = isIP(sentByHost.replace(/%.*$/, '')) !== 0;
  if (topVia.rport === true) {
    // RFC 3581 §4 — with "rport" and no value, the server MUST add "rport" set to the source port
    // and MUST insert "received" with the source IP even when it equals the sent-by host.
    return { received: sourceAddress, rport: source.port };
  }
  if (!hostIsIp || sentByHost !== sourceAddress) {
    // RFC 3261 §18.2.1 — if sent-by is a domain name or an IP that differs from the packet's
    // source address, the server MUST add a "received" parameter.
    return { received: sourceAddress };
  }
  return {};
}
