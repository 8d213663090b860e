import { InvalidArgumentError } from '../errors.js';
import {
  encodeAdministratorValue,
  formatAdministratorValue,
  parseAdministratorValue,
  type AdministratorValue,
} from './administrator-value.js';

/**
 * A Route Target (RFC 4364 §4.3.1), carried as a BGP extended community (RFC 4360 §4: two-octet AS
 * specific type 0x00 or IPv4-address specific type 0x01; RFC 5668: four-octet AS specific type 0x02;
 * sub-type 0x02 = Route Target).
 * @see https://www.rfc-editor.org/rfc/rfc4364#section-4.3.1
 * @see https://www.rfc-editor.org/rfc/rfc4360#section-4
 */
export interface RouteTarget extends AdministratorValue {
  /** Canonical text, `ASN:nn` or `IPv4:nn`, without the `target:` prefix. */
  readonly text: string;
}

/** Parses `65000:1`, `target:65000:1`, `192.0.2.1:7` or `4200000000:5`; throws {@link InvalidArgumentError}. */
export function parseRouteTarget(text: string, field = 'routeTarget'): RouteTarget {
  const body = typeof text === 'string' && text.startsWith('target:') ? text.slice('target:'.length) : text;
  const value = parseAdministratorValue(body);
  if (typeof value === 'string') throw new InvalidArgumentError(field, value);
  return { ...value, text: formatAdministratorValue(value) };
}

/** Parses a list of route targets into their canonical texts, sorted and without duplicates. */
export function parseRouteTargets(texts: readonly string[], field: string): string[] {
  if (!Array.isArray(texts)) throw new InvalidArgumentError(field, 'must be an array of route targets');
  const set = new Set(texts.map((t, i) => parseRouteTarget(t, `${field}[${i}]`).text));
  return [...set].sort();
}

/** The 8 bytes of the route-target extended community (type, sub-type 0x02, 6-byte value). */
export function encodeRouteTarget(rt: RouteTarget): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = rt.type; // 0x00 two-octet AS, 0x01 IPv4 address, 0x02 four-octet AS (all transitive)
  out[1] = 0x02; // sub-type: Route Target
  encodeAdministratorValue(rt, out, 2);
  return out;
}

/**
 * RFC 4364 §4.3.5 — a route is eligible for import into a VRF if it carries at least one Route Target
 * that is among the VRF's import targets.
 */
export function routeTargetsMatch(
  routeTargets: readonly string[],
  importTargets: readonly string[],
): boolean {
  return routeTargets.some((rt) => importTargets.includes(rt));
}
