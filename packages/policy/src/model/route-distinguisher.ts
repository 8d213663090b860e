import { isIPv4 } from 'node:net';

/**
 * Route Distinguishers (RFC 4364 §4.2) and route targets (RFC 4364 §4.3.1, carried as the RFC 4360 §4
 * extended community) in their usual text forms. Both are an Administrator and an Assigned Number:
 *
 * | type | Administrator | Assigned Number | example |
 * |---|---|---|---|
 * | 0 | 2-byte AS number | 4 bytes | `65000:1` |
 * | 1 | IPv4 address | 2 bytes | `192.0.2.1:7` |
 * | 2 | 4-byte AS number (asplain, or asdot `X.Y` per RFC 5396) | 2 bytes | `4200000000:7` |
 *
 * Canonical forms: decimal without leading zeros, asplain AS numbers; route targets carry the
 * `target:` prefix (`target:65000:1`), which is optional on input.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4364#section-4.2
 * @see https://www.rfc-editor.org/rfc/rfc4360#section-4
 */

/** A parsed RD or route-target value. */
export interface AdministratorAssigned {
  readonly type: 0 | 1 | 2;
  /** AS number (types 0 and 2) or dotted IPv4 address (type 1). */
  readonly administrator: number | string;
  readonly assigned: number;
}

const DECIMAL = /^(0|[1-9]\d{0,9})$/;
const ASDOT = /^(0|[1-9]\d{0,4})\.(0|[1-9]\d{0,4})$/;

/**
 * Parses `ASN:n` or `IPv4:n`. Returns the value, or a sentence saying what is wrong.
 */
export function parseAdministratorAssigned(text: string): AdministratorAssigned | string {
  const colon = text.lastIndexOf(':');
  if (colon <= 0 || colon === text.length - 1) return `"${text}" is not of the form ASN:n or IPv4:n`;
  const admin = text.slice(0, colon);
  const number = text.slice(colon + 1);
  if (!DECIMAL.test(number)) return `"${number}" is not a decimal assigned number`;
  const assigned = Number(number);
  if (isIPv4(admin)) {
    // RFC 4364 §4.2 — type 1: a 4-byte IPv4 address and a 2-byte assigned number.
    if (assigned > 0xffff) return 'with an IPv4 administrator the assigned number must be ≤ 65535';
    return { type: 1, administrator: admin.split('.').map(Number).join('.'), assigned };
  }
  let asn: number;
  const dot = ASDOT.exec(admin);
  if (dot !== null) {
    const high = Number(dot[1]);
    const low = Number(dot[2]);
    if (high > 0xffff || low > 0xffff) return `"${admin}" is not an asdot AS number`;
    asn = high * 0x10000 + low;
  } else if (DECIMAL.test(admin)) {
    asn = Number(admin);
  } else {
    return `"${admin}" is neither an AS number nor an IPv4 address`;
  }
  if (asn > 0xffffffff) return `AS number ${admin} does not fit in 4 bytes`;
  if (asn <= 0xffff) {
    // RFC 4364 §4.2 — type 0: a 2-byte AS number and a 4-byte assigned number.
    if (assigned > 0xffffffff) return 'with a 2-byte AS number the assigned number must be ≤ 4294967295';
    return { type: 0, administrator: asn, assigned };
  }
  // RFC 4364 §4.2 — type 2: a 4-byte AS number and a 2-byte assigned number.
  if (assigned > 0xffff) return 'with a 4-byte AS number the assigned number must be ≤ 65535';
  return { type: 2, administrator: asn, assigned };
}

function format(value: AdministratorAssigned): string {
  return `${value.administrator}:${value.assigned}`;
}

/** The canonical text of a Route Distinguisher, or a sentence saying why it is not one. */
export function canonicalRouteDistinguisher(
  text: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const parsed = parseAdministratorAssigned(text.trim());
  return typeof parsed === 'string' ? { ok: false, error: parsed } : { ok: true, value: format(parsed) };
}

/** The canonical text of a route target (`target:ASN:n`), or a sentence saying why it is not one. */
export function canonicalRouteTarget(
  text: string,
): { ok: true; value: string } | { ok: false; error: string } {
  const trimmed = text.trim();
  const body = trimmed.toLowerCase().startsWith('target:') ? trimmed.slice('target:'.length) : trimmed;
  const parsed = parseAdministratorAssigned(body);
  return typeof parsed === 'string'
    ? { ok: false, error: parsed }
    : { ok: true, value: `target:${format(parsed)}` };
}
