/**
 * Where a UAC sends a request (RFC 3261 §8.1.2, RFC 3263 §4 without NAPTR/SRV): the first Route
 * when there is one (loose routing), else the Request-URI; transport from the `transport` parameter
 * (SIPS means TLS), port from the URI or the transport's default; host names through the system resolver.
 */
import { lookup } from 'node:dns/promises';
import { SipUri, type Uri, isIPv4, isIPv6 } from '../grammar/index.js';
import type { SipRequest } from '../messages/index.js';
import { type TransportProtocol, defaultPort } from '../transport/index.js';
import { SipCoreError } from './errors.js';

export interface ResolvedTarget {
  protocol: TransportProtocol;
  address: string;
  port: number;
}

/** The URI a request is routed by: RFC 3261 §8.1.2 — the first Route value when present. */
export function nextHopUri(request: SipRequest): Uri {
  const routes = request.routes;
  return routes.length > 0 ? (routes[0] as (typeof routes)[number]).uri : request.uri;
}

/** RFC 3263 §4.1 — the transport named by the URI, TLS for SIPS, else UDP. */
export function uriTransport(uri: SipUri): TransportProtocol {
  const t = uri.transport;
  if (uri.scheme === 'sips' || t === 'tls') return 'tls';
  if (t === 'tcp') return 'tcp';
  if (t === undefined || t === 'udp') return 'udp';
  throw new SipCoreError('SIP_CORE_UNSUPPORTED_TRANSPORT', `transport=${t} is not supported`);
}

export async function resolveTarget(uri: Uri): Promise<ResolvedTarget> {
  if (!(uri instanceof SipUri)) {
    throw new SipCoreError('SIP_CORE_UNROUTABLE', `cannot route to a ${uri.scheme}: URI`);
  }
  const protocol = uriTransport(uri);
  // RFC 3261 §19.1.1 — maddr overrides the host part for routing.
  const host = uri.params.get('maddr') ?? uri.hostname;
  const port = uri.port ?? defaultPort(protocol);
  if (isIPv4(host) || isIPv6(host)) return { protocol, address: host, port };
  try {
    const { address } = await lookup(host);
    return { protocol, address, port };
  } catch (cause) {
    throw new SipCoreError('SIP_CORE_UNRESOLVABLE', `cannot resolve ${host}`, { cause });
  }
}
