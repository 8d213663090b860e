import type { AddressInfo } from 'node:net';

/**
 * The `http://host:port` URL of a listening server's address (`server.address()`), IPv6 hosts in
 * brackets (RFC 3986 §3.2.2); undefined when the server is not listening on TCP.
 */
export function httpUrl(address: AddressInfo | string | null): string | undefined {
  if (address === null || typeof address !== 'object') return undefined;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
