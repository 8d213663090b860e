import type { Lsp } from './rsvp-te/lsp.js';
import type { MarkingRule, UniSession } from './uni/uni-session.js';
import type { MembershipRoute, Vrf } from './bgp/vrf.js';
import type { ExplicitRoute } from './topology/sim-topology.js';

/** Per-call options of every provisioning operation. */
export interface CallOptions {
  /** How long the caller waits for the PE's answer. @defaultValue the simulator's `deadlineMs` */
  deadlineMs?: number;
}

/** `uni.add-session`: attach a session of a CE to its VPN on the PE. */
export interface UniAddSessionRequest {
  pe: string;
  sessionId: string;
  vpnId: string;
  ce: string;
  /** The PE interface facing the CE, e.g. `ge-0/0/1.100`. */
  interface: string;
  bandwidthBps: number;
  marking: MarkingRule;
  /** The LSP carrying the session, if any. */
  lspId?: string;
  /**
   * Then a per-session `marking.apply` of this DSCP, as the PE's next operation (its own fault draw and
   * latency), in the same Redis round trip: a session attached with the DSCP its SLA fixed.
   */
  sessionDscp?: number;
}

/** `uni.modify-session`: change what is given; leave the rest. */
export interface UniModifySessionRequest {
  pe: string;
  sessionId: string;
  bandwidthBps?: number;
  interface?: string;
  marking?: MarkingRule;
  /** `null` detaches the session from its LSP. */
  lspId?: string | null;
  /** Then a per-session `marking.apply` of this DSCP, in the same round trip (see {@link UniAddSessionRequest}). */
  sessionDscp?: number;
}

/** `uni.remove-session`. */
export interface UniRemoveSessionRequest {
  pe: string;
  sessionId: string;
}

/** Result of `uni.remove-session`: the session as it was, with final counters (`null` if absent). */
export interface UniRemoveSessionResult {
  readonly removed: boolean;
  readonly session: UniSession | null;
}

/** `bgp.advertise-membership`: a CE (site) joins a VPN at a PE. */
export interface BgpAdvertiseMembershipRequest {
  pe: string;
  vpnId: string;
  ce: string;
  /** Route Distinguisher of the PE's VRF for the VPN, `ASN:nn` or `IPv4:nn`. */
  rd: string;
  importTargets: readonly string[];
  exportTargets: readonly string[];
  /** Customer prefixes at the site. @defaultValue [] */
  prefixes?: readonly string[];
}

/** Result of `bgp.advertise-membership`. */
export interface BgpAdvertiseMembershipResult {
  readonly vrf: Vrf;
  readonly route: MembershipRoute;
  readonly vrfCreated: boolean;
  /** False when the same advertisement was already in place (an idempotent retry). */
  readonly routeChanged: boolean;
}

/** `bgp.withdraw-membership`. */
export interface BgpWithdrawMembershipRequest {
  pe: string;
  vpnId: string;
  ce: string;
}

/** Result of `bgp.withdraw-membership`. */
export interface BgpWithdrawMembershipResult {
  readonly withdrawn: boolean;
  /** True when that was the VRF's last site, so the VRF and its VPN label went too. */
  readonly vrfRemoved: boolean;
}

/** `ldp.bind` / `ldp.release`: a label binding for a FEC (an IP prefix, e.g. a PE loopback /32). */
export interface LdpBindingRequest {
  pe: string;
  fec: string;
}

/** An LDP label binding on a PE. */
export interface LdpBinding {
  readonly pe: string;
  readonly fec: string;
  readonly label: number;
}

/** Result of `ldp.bind`. */
export interface LdpBindResult extends LdpBinding {
  /** False when the FEC was already bound (the existing label is returned). */
  readonly created: boolean;
}

/** Result of `ldp.release`. */
export interface LdpReleaseResult {
  readonly released: boolean;
  readonly label: number | null;
}

/** `rsvp-te.signal`: set an LSP up along an explicit route. The LSP id makes retries idempotent. */
export interface RsvpTeSignalRequest {
  lspId: string;
  /** The route the broker's CSPF computed, ingress to egress (both PEs). */
  route: ExplicitRoute;
  bandwidthBps: number;
  /** RFC 3209 §4.7: 0 (highest) … 7. @defaultValue 7 */
  setupPriority?: number;
  /** RFC 3209 §4.7: 0 (highest) … 7, not lower than the setup priority. @defaultValue 7 */
  holdingPriority?: number;
  /** The egress asks for Implicit NULL (label 3) so its upstream pops. @defaultValue false */
  penultimateHopPopping?: boolean;
}

/** Result of `rsvp-te.signal`. */
export interface RsvpTeSignalResult {
  readonly lsp: Lsp;
  /** False when the LSP was already up with this route and size (an idempotent retry). */
  readonly created: boolean;
}

/** `rsvp-te.resize`: make-before-break to a new size on the same route. */
export interface RsvpTeResizeRequest {
  lspId: string;
  bandwidthBps: number;
}

/** Result of `rsvp-te.resize`. */
export interface RsvpTeResizeResult {
  readonly lsp: Lsp;
  readonly previousBandwidthBps: number;
}

/** `rsvp-te.teardown`. */
export interface RsvpTeTeardownRequest {
  lspId: string;
}

/** Result of `rsvp-te.teardown`: the LSP as it was, with final counters (`null` if absent). */
export interface RsvpTeTeardownResult {
  readonly existed: boolean;
  readonly lsp: Lsp | null;
}

/** `marking.apply`: a DSCP for one session, or for every session of a service class on the PE. */
export interface MarkingApplyRequest {
  pe: string;
  target: { sessionId: string } | { serviceClass: string };
  dscp: number;
}

/** Result of `marking.apply`. */
export interface MarkingApplyResult {
  readonly pe: string;
  readonly dscp: number;
  /** Sessions whose effective DSCP this rule now sets. */
  readonly sessionsAffected: number;
}

/** What a reboot wiped. */
export interface RebootReport {
  readonly node: string;
  /** LSPs through the node, now `down`. */
  readonly lspsDown: readonly string[];
  /** UNI sessions lost. */
  readonly sessionsLost: readonly string[];
  readonly routesWithdrawn: number;
  readonly vrfsLost: number;
  readonly ldpBindingsLost: number;
  /** Labels the node had bound (all of them are free again). */
  readonly labelsLost: number;
}

/** A link as the simulator's own bookkeeping sees it. */
export interface LinkState {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly maxReservableBps: number;
  readonly reservedBps: number;
  readonly unreservedBps: number;
}

/** A label bound on a node, with its owner (`rsvp:<lsp>`, `ldp:<fec>`, `vrf:<vpn>`). */
export interface LabelBinding {
  readonly node: string;
  readonly label: number;
  readonly owner: string;
}
