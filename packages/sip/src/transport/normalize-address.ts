import { isIP } from 'node:net';

/** The IP address families the transports bind to (Node's spelling). */
export type AddressFamily = 'IPv4' | 'IPv6';

const IPV4_MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * Canonical text form of an IP address, so that two spellings of one address compare equal and can
 * key a connection pool: brackets removed, IPv6 lower-cased and compressed as in RFC 5952 §4,
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`, what a dual-stack socket reports) turned into plain IPv4.
 * A string that is not an IP address (a host name) is returned lower-cased, without brackets.
 */
export function normalizeAddress(address: string): string {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zoneAt = text.indexOf('%');
  const zone = zoneAt >= 0 ? text.slice(zoneAt) : '';
  const bare = zoneAt >= 0 ? text.slice(0, zoneAt) : text;
  const kind = isIP(bare);
  if (kind === 4) return bare;
  if (kind !== 6) return text.toLowerCase();
  // RFC 5952 §4 — the WHATWG URL serializer compresses the longest zero run and lower-cases.
  const canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = IPV4_MAPPED.exec(canonical);
  if (mapped && zone === '') {
    const high = Number.parseInt(mapped[1] ?? '0', 16);
    const low = Number.parseInt(mapped[2] ?? '0', 16);
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return canonical + zone;
}

/** The family of an IP address (brackets allowed), or `undefined` for a host name or garbage. */
export function addressFamily(address: string): AddressFamily | undefined {
  const kind = isIP(normalizeAddress(address).replace(/%.*$/, ''));
  if (kind === 4) return 'IPv4';
  if (kind === 6) return 'IPv6';
  return undefined;
}

/** Whether two textual addresses name the same IP address (or the same host name, ignoring case). */
export function isSameAddress(a: string, b: string): boolean {
  return normalizeAddress(a) === normalizeAddress(b);
}

/** `address:port`, with IPv6 in brackets (RFC 3261 §25.1 `hostport`): the key of a connection pool. */
export function formatHostPort(address: string, port: number): string {
  const normal = normalizeAddress(address);
  return normal.includes(':') ? `[${normal}]:${port}` : `${normal}:${port}`;
}
