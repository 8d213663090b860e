import type { KeySpace } from '../keys.js';
import type { PolicyKind } from './policy-store.js';

const ENTITY_PART: Readonly<Record<PolicyKind, string>> = {
  customer: 'customers',
  application: 'applications',
  vpn: 'vpns',
  sla: 'slas',
};

/**
 * Redis keys of the policy domain. Every key carries the `{policy}` hash tag, so the WATCH/MULTI
 * writes and the usage scripts touch one Redis Cluster slot.
 *
 * | key | type | content |
 * |---|---|---|
 * | `svpn:{policy}:customers` | hash | customer id → customer (JSON) |
 * | `svpn:{policy}:applications` | hash | application name → application with H(A1) (JSON) |
 * | `svpn:{policy}:vpns` | hash | canonical VPN-ID → VPN (JSON) |
 * | `svpn:{policy}:slas` | hash | SLA id → SLA (JSON) |
 * | `svpn:{policy}:vpn-names` | hash | VPN name → VPN-ID |
 * | `svpn:{policy}:sites` | hash | CE → customer id |
 * | `svpn:{policy}:usage:<customer>` | hash | session id → claim `bps;start;end` (ms, `end` `inf` when open; a bare `bps` from before windows counts always) |
 * | `svpn:{policy}:usage-owners` | hash | session id → customer id |
 * | `svpn:{policy}:changed` | pub/sub channel | {@link PolicyChange} (JSON) after each write |
 */
export class PolicyKeys {
  constructor(private readonly keys: KeySpace) {}

  entities(kind: PolicyKind): string {
    return this.keys.key('policy', ENTITY_PART[kind]);
  }
  get vpnNames(): string {
    return this.keys.key('policy', 'vpn-names');
  }
  get sites(): string {
    return this.keys.key('policy', 'sites');
  }
  usage(customerId: string): string {
    return this.keys.key('policy', 'usage', customerId);
  }
  get usageOwners(): string {
    return this.keys.key('policy', 'usage-owners');
  }
  /** The change-notification channel, `svpn:{policy}:changed`. */
  get changed(): string {
    return this.keys.key('policy', 'changed');
  }
  /** Every key a policy write reads, for WATCH. */
  get watched(): string[] {
    return [
      ...(Object.keys(ENTITY_PART) as PolicyKind[]).map((k) => this.entities(k)),
      this.vpnNames,
      this.sites,
    ];
  }
}

/** The channel policy changes are published on (`svpn:{policy}:changed` with the default prefix). */
export function policyChangeChannel(keys: KeySpace): string {
  return new PolicyKeys(keys).changed;
}
