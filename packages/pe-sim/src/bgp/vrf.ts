import { num, parseStored, str, strings } from '../redis/stored-json.js';
import { routeTargetsMatch } from './route-target.js';

/** A VRF on a PE (RFC 4364 §3): one per VPN, with its RD, route targets and per-VRF VPN label. */
export interface Vrf {
  readonly pe: string;
  readonly vpnId: string;
  /** Route Distinguisher, canonical text. */
  readonly rd: string;
  readonly importTargets: readonly string[];
  readonly exportTargets: readonly string[];
  /** The VPN label the PE bound for this VRF (per-VRF label allocation, RFC 4364 §4.3.2). */
  readonly label: number;
  readonly createdAtMs: number;
}

/** A membership route: a CE (site) of a VPN attached at a PE, as MP-BGP carries it (RFC 4364 §4.3). */
export interface MembershipRoute {
  /** Originating PE. */
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  /** RD of the originating VRF: (RD, CE) is the route's unique key, as an RD makes a VPN-IPv4 address. */
  readonly rd: string;
  /** The originating VRF's export targets. */
  readonly routeTargets: readonly string[];
  /** BGP next hop: the originating PE's router id. */
  readonly nextHop: string;
  /** VPN label to send with towards the next hop. */
  readonly label: number;
  /** Customer prefixes reachable at the site (may be empty). */
  readonly prefixes: readonly string[];
  readonly advertisedAtMs: number;
}

/** A route in a VRF's table: its own sites, and routes imported because a route target matched. */
export interface VrfTableEntry extends MembershipRoute {
  readonly source: 'local' | 'imported';
}

/** The routes a PE holds in one VRF. */
export interface VrfTable {
  readonly vrf: Vrf;
  readonly routes: readonly VrfTableEntry[];
}

/** @internal */
export function decodeVrf(json: unknown, pe: string): Vrf {
  const o = parseStored(json, 'vrf');
  return {
    pe,
    vpnId: str(o, 'vpnId', 'vrf'),
    rd: str(o, 'rd', 'vrf'),
    importTargets: strings(o, 'importTargets', 'vrf'),
    exportTargets: strings(o, 'exportTargets', 'vrf'),
    label: num(o, 'label', 'vrf'),
    createdAtMs: num(o, 'createdAtMs', 'vrf'),
  };
}

/** @internal */
export function decodeMembershipRoute(json: unknown): MembershipRoute {
  const o = parseStored(json, 'route');
  return {
    pe: str(o, 'pe', 'route'),
    vpnId: str(o, 'vpnId', 'route'),
    ce: str(o, 'ce', 'route'),
    rd: str(o, 'rd', 'route'),
    routeTargets: strings(o, 'routeTargets', 'route'),
    nextHop: str(o, 'nextHop', 'route'),
    label: num(o, 'label', 'route'),
    prefixes: strings(o, 'prefixes', 'route'),
    advertisedAtMs: num(o, 'advertisedAtMs', 'route'),
  };
}

/**
 * The table of one VRF as a route reflector would leave it: the VRF's own sites, plus every route of
 * another VRF (on any PE) carrying a route target in this VRF's import set (RFC 4364 §4.3.5).
 * Ordered by originating PE, VPN, then CE.
 */
export function buildVrfTable(vrf: Vrf, routes: readonly MembershipRoute[]): VrfTable {
  const entries: VrfTableEntry[] = [];
  for (const route of routes) {
    if (route.pe === vrf.pe && route.vpnId === vrf.vpnId) entries.push({ ...route, source: 'local' });
    else if (routeTargetsMatch(route.routeTargets, vrf.importTargets))
      entries.push({ ...route, source: 'imported' });
  }
  entries.sort((a, b) => cmp(a.pe, b.pe) || cmp(a.vpnId, b.vpnId) || cmp(a.ce, b.ce));
  return { vrf, routes: entries };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
