import { Type, type Static } from '@sinclair/typebox';

import type { PolicyProblem } from '../errors.js';
import { IdSchema } from './identifiers.js';
import { canonicalRouteDistinguisher, canonicalRouteTarget } from './route-distinguisher.js';
import { canonicalVpnId } from './vpn-id.js';

/**
 * A network VPN (RFC 4364 BGP/MPLS IP VPN) as the broker knows it: its RFC 2685 VPN-ID, a configured
 * name (both accepted wherever a VPN is named), the owning customer, and the RD and route targets the
 * PEs' VRFs for it use.
 */
export const VpnSchema = Type.Object(
  {
    /** RFC 2685 `OUI:index` in hex; stored canonical (`00000a:00000001`). */
    vpnId: Type.String({ pattern: '^[0-9a-fA-F]{1,6}:[0-9a-fA-F]{1,8}$' }),
    /** Configured name, e.g. `acme-storage` (never contains `:`, so it cannot be mistaken for a VPN-ID). */
    name: IdSchema,
    customerId: IdSchema,
    /** Route Distinguisher (RFC 4364 §4.2), e.g. `65000:1`. */
    rd: Type.String({ minLength: 3, maxLength: 40 }),
    /** Route targets the VRFs import (RFC 4364 §4.3.1), e.g. `target:65000:1`. */
    importTargets: Type.Array(Type.String({ minLength: 3, maxLength: 48 }), { minItems: 1, maxItems: 64 }),
    /** Route targets the VRFs attach to the routes they export. */
    exportTargets: Type.Array(Type.String({ minLength: 3, maxLength: 48 }), { minItems: 1, maxItems: 64 }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** A VPN. */
export type Vpn = Static<typeof VpnSchema>;

/**
 * The VPN with its VPN-ID, RD and route targets in canonical form (targets sorted, without duplicates),
 * and every rule they break.
 */
export function normalizeVpn(vpn: Vpn): { vpn: Vpn; problems: PolicyProblem[] } {
  const problems: PolicyProblem[] = [];
  const vpnId = canonicalVpnId(vpn.vpnId);
  if (vpnId === undefined) problems.push({ path: '/vpnId', message: 'not an RFC 2685 OUI:index VPN-ID' });
  const rd = canonicalRouteDistinguisher(vpn.rd);
  if (!rd.ok) problems.push({ path: '/rd', message: rd.error });
  const targets = (field: 'importTargets' | 'exportTargets'): string[] => {
    const out = new Set<string>();
    vpn[field].forEach((text, i) => {
      const rt = canonicalRouteTarget(text);
      if (rt.ok) out.add(rt.value);
      else problems.push({ path: `/${field}/${i}`, message: rt.error });
    });
    return [...out].sort();
  };
  const normalized: Vpn = {
    ...vpn,
    vpnId: vpnId ?? vpn.vpnId,
    rd: rd.ok ? rd.value : vpn.rd,
    importTargets: targets('importTargets'),
    exportTargets: targets('exportTargets'),
  };
  return { vpn: normalized, problems };
}
