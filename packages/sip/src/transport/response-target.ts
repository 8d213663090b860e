import { isIP } from 'node:net';
import { normalizeAddress } from './normalize-address.js';
import { UnsupportedProtocolError } from './transport-error.js';
import { defaultPort, type TransportProtocol } from './transport.js';

/** The parts of the top Via of a response that decide where it goes. */
export interface ResponseVia {
  /** The `transport` token of `sent-protocol` (`UDP`, `TCP`, `TLS`, …), any case. */
  readonly transport: string;
  /** `sent-by` host: a host name, IPv4 or IPv6 (brackets allowed). */
  readonly host: string;
  /** `sent-by` port, when present. */
  readonly port?: number;
  /** `received` parameter (RFC 3261 §18.2.1). */
  readonly received?: string;
  /**
   * `rport` parameter (RFC 3581): the port number once the server filled it in, `true` when the
   * parameter is present without a value (then the request's source port is used).
   */
  readonly rport?: number | true;
  /** `maddr` parameter. */
  readonly maddr?: string;
  /** `ttl` parameter (multicast only). */
  readonly ttl?: number;
}

/** Where and how the request that is being answered arrived. */
export interface RequestSource {
  readonly address: string;
  readonly port: number;
  readonly protocol: TransportProtocol;
  readonly connectionId?: string;
}

/** Which rule of RFC 3261 §18.2.2 / RFC 3581 §4 chose the target. */
export type ResponseTargetRule = 'connection' | 'maddr' | 'received-rport' | 'received' | 'sent-by';

/** Where to send a response: hand `{address, port, connectionId}` to `Transport.send`. */
export interface ResponseTarget {
  readonly protocol: TransportProtocol;
  /** An IP address, or a host name when `needsResolution` is set. */
  readonly address: string;
  readonly port: number;
  /**
   * The connection the request came in on. When it has closed by the time of sending, the
   * transport opens a new connection to `address:port` (RFC 3261 §18.2.2).
   */
  readonly connectionId?: string;
  /** `address` is a host name: resolve it with RFC 3263 §5 before sending. */
  readonly needsResolution: boolean;
  /** Multicast TTL for a `maddr` target (RFC 3261 §18.2.2: the Via's `ttl`, or 1). */
  readonly ttl?: number;
  readonly rule: ResponseTargetRule;
}

/** Options of `responseTarget`. */
export interface ResponseTargetOptions {
  /**
   * Tells whether a connection is still open; when it says no, the result carries no
   * `connectionId`.
   * @defaultValue every connection counts as open (the transport falls back by itself)
   */
  isConnectionOpen?: (connectionId: string) => boolean;
}

const RELIABLE_VIA_TRANSPORTS = new Set(['tcp', 'tls', 'sctp', 'tls-sctp']);

/**
 * Decides where a server transport sends a response (RFC 3261 §18.2.2 with RFC 3581 §4).
 * Pure: give it the top Via of the response (with `received` / `rport` already filled in by
 * `viaReceivedParams`) and where the request came from.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.2.2
 * @see https://www.rfc-editor.org/rfc/rfc3581#section-4
 * @throws UnsupportedProtocolError for a Via transport this layer cannot send on (SCTP, WS, …)
 */
export function responseTarget(
  topVia: ResponseVia,
  source: RequestSource,
  options: ResponseTargetOptions = {},
): ResponseTarget {
  const viaTransport = topVia.transport.trim().toLowerCase();
  if (RELIABLE_VIA_TRANSPORTS.has(viaTransport)) {
    if (source.protocol === 'udp') {
      // The Via promises a reliable transport but the request came over UDP: answer the way it came.
      return unreliableTarget(topVia, source);
    }
    return reliableTarget(topVia, source, options);
  }
  if (viaTransport !== 'udp') throw new UnsupportedProtocolError(topVia.transport);
  return unreliableTarget(topVia, source);
}

function reliableTarget(
  via: ResponseVia,
  source: RequestSource,
  options: ResponseTargetOptions,
): ResponseTarget {
  const protocol = source.protocol;
  // RFC 3261 §18.2.2 — if the connection is no longer open, the server SHOULD open a connection to
  // the IP address in "received", if present, using the "sent-by" port or the transport's default.
  const fallback = hostTarget(via.received ?? via.host, via.port ?? defaultPort(protocol));
  const open = source.connectionId !== undefined && (options.isConnectionOpen?.(source.connectionId) ?? true);
  if (open && source.connectionId !== undefined) {
    // RFC 3261 §18.2.2 — for a reliable transport the response MUST be sent on the existing
    // connection to the source of the request, if that connection is still open.
    return { protocol, ...fallback, connectionId: source.connectionId, rule: 'connection' };
  }
  return { protocol, ...fallback, rule: via.received !== undefined ? 'received' : 'sent-by' };
}

function unreliableTarget(via: ResponseVia, source: RequestSource): ResponseTarget {
  const protocol: TransportProtocol = 'udp';
  const sentByPort = via.port ?? defaultPort(protocol);
  if (via.maddr !== undefined) {
    // RFC 3261 §18.2.2 — with "maddr" the response MUST be forwarded to that address, using the
    // "sent-by" port or 5060; for multicast with the "ttl" given, or a TTL of 1.
    return { protocol, ...hostTarget(via.maddr, sentByPort), ttl: via.ttl ?? 1, rule: 'maddr' };
  }
  // RFC 3581 §4 — an "rport" still without a value has not been filled in: it stands for the
  // request's source port, and the request's source address is the "received" value.
  const rport = via.rport === true ? source.port : via.rport;
  const received = via.received ?? (via.rport === true ? source.address : undefined);
  if (received !== undefined && rport !== undefined) {
    // RFC 3581 §4 — with both "received" and "rport", the response MUST be sent to the received
    // address and the rport port (and from the address and port the request was received on).
    return { protocol, ...hostTarget(received, rport), rule: 'received-rport' };
  }
  if (received !== undefined) {
    // RFC 3261 §18.2.2 — with "received", the response MUST be sent to that address, using the
    // "sent-by" port or 5060 if none is given.
    return { protocol, ...hostTarget(received, sentByPort), rule: 'received' };
  }
  // RFC 3261 §18.2.2 — otherwise to the "sent-by" address, resolved per RFC 3263 §5 if a name.
  return { protocol, ...hostTarget(via.host, sentByPort), rule: 'sent-by' };
}

/** A host in canonical form and whether it is a name, by host text: peers come back again and again. */
const HOSTS = new Map<string, { readonly address: string; readonly needsResolution: boolean }>();

function hostTarget(host: string, port: number): { address: string; port: number; needsResolution: boolean } {
  let known = HOSTS.get(host);
  if (known === undefined) {
    const address = normalizeAddress(host);
    known = { address, needsResolution: isIP(address.replace(/%.*$/, '')) === 0 };
    // Bounded: a flood of distinct hosts empties it now and then.
    if (HOSTS.size >= 1024) HOSTS.clear();
    HOSTS.set(host, known);
  }
  return { address: known.address, port, needsResolution: known.needsResolution };
}
