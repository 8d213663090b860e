import { InvalidArgumentError } from '../errors.js';
import {
  encodeAdministratorValue,
  formatAdministratorValue,
  parseAdministratorValue,
  type AdministratorValue,
} from './administrator-value.js';

/**
 * A Route Distinguisher (RFC 4364 §4.2): 8 bytes, a 2-byte Type field then a 6-byte Value field, which
 * makes a customer's address prefix unique across VPNs (a VPN-IPv4 address is RD + IPv4 prefix).
 * @see https://www.rfc-editor.org/rfc/rfc4364#section-4.2
 */
export interface RouteDistinguisher extends AdministratorValue {
  /** Canonical text, `ASN:nn` or `IPv4:nn` (asplain AS numbers). */
  readonly text: string;
}

/**
 * Parses a Route Distinguisher from its usual text: `65000:100` (type 0: 2-byte ASN, 4-byte number),
 * `192.0.2.1:7` (type 1: IPv4 address, 2-byte number), `4200000000:5` or `64086.59904:5` (type 2:
 * 4-byte ASN, 2-byte number). Throws {@link InvalidArgumentError} naming `field`.
 */
export function parseRouteDistinguisher(text: string, field = 'rd'): RouteDistinguisher {
  const value = parseAdministratorValue(text);
  if (typeof value === 'string') throw new InvalidArgumentError(field, value);
  return { ...value, text: formatAdministratorValue(value) };
}

/** The 8 wire bytes of a Route Distinguisher (RFC 4364 §4.2: Type then Value, network byte order). */
export function encodeRouteDistinguisher(rd: RouteDistinguisher): Uint8Array {
  const out = new Uint8Array(8);
  // RFC 4364 §4.2 — Type field: 0, 1 or 2, two bytes.
  out[1] = rd.type;
  encodeAdministratorValue(rd, out, 2);
  return out;
}
