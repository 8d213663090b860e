import { isIPv4, isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors.js';

/**
 * Validates an IPv4 or IPv6 prefix `address/length` (an LDP FEC prefix element, RFC 5036 §3.4.1, or a
 * VPN customer prefix) and returns its canonical text (lower-case, a bare address becomes a host prefix).
 */
export function parseIpPrefix(text: string, field: string): string {
  if (typeof text !== 'string' || text.length === 0)
    throw new InvalidArgumentError(field, 'must be an IP prefix');
  const slash = text.indexOf('/');
  const address = (slash < 0 ? text : text.slice(0, slash)).toLowerCase();
  const v4 = isIPv4(address);
  if (!v4 && !isIPv6(address))
    throw new InvalidArgumentError(field, `"${text}" is not an IPv4 or IPv6 prefix`);
  const max = v4 ? 32 : 128;
  const lengthText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(lengthText) || Number(lengthText) > max) {
    throw new InvalidArgumentError(field, `"${text}" has a prefix length outside 0…${max}`);
  }
  return `${address}/${Number(lengthText)}`;
}
