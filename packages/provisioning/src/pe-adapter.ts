import type {
  BgpAdvertiseMembershipRequest,
  BgpWithdrawMembershipRequest,
  LdpBindingRequest,
  Marking,
  MarkingApplyRequest,
  RsvpTeResizeRequest,
  RsvpTeSignalRequest,
  RsvpTeTeardownRequest,
  UniAddSessionRequest,
  UniModifySessionRequest,
  UniRemoveSessionRequest,
} from './payload-schemas.js';

/** State of an LSP as the PE network reports it. */
export type LspStatus = 'up' | 'partial' | 'resize-partial' | 'down';

/** An RSVP-TE LSP as observed on the network (RFC 3209). */
export interface LspState {
  readonly lspId: string;
  readonly ingress: string;
  readonly egress: string;
  /** Node ids, ingress to egress. */
  readonly nodes: readonly string[];
  /** Link ids, one per hop. */
  readonly links: readonly string[];
  /** The size the LSP was granted (the old size while a resize is partial). */
  readonly bandwidthBps: number;
  readonly setupPriority: number;
  readonly holdingPriority: number;
  readonly penultimateHopPopping: boolean;
  readonly status: LspStatus;
  /** The label the ingress pushes (the answer's `a=svpn-label`), `null` unless up. */
  readonly ingressLabel: number | null;
  /** The label each hop's downstream node bound (`null` where none is held). */
  readonly hopLabels: readonly (number | null)[];
  /** Bandwidth each hop holds. */
  readonly hopReservedBps: readonly number[];
}

/** A UNI session as observed on a PE. */
export interface UniSessionState {
  readonly sessionId: string;
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly interface: string;
  readonly bandwidthBps: number;
  /** The marking rule the session was configured with. */
  readonly marking: Marking;
  /** The DSCP applied now (a per-session `marking.apply` overrides the rule). */
  readonly dscp: number;
  readonly lspId: string | null;
}

/** A CE's membership of a VPN at a PE: the VRF's RD, route targets and VPN label (RFC 4364 §4). */
export interface MembershipState {
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly rd: string;
  readonly routeTargets: readonly string[];
  /** The per-VRF VPN label (RFC 4364 §4.3.2). */
  readonly vpnLabel: number;
  readonly prefixes: readonly string[];
}

/** An LDP label binding for a FEC on a PE (RFC 5036). */
export interface LdpBindingState {
  readonly pe: string;
  readonly fec: string;
  readonly label: number;
}

/** Result of `marking.apply`. */
export interface MarkingResult {
  readonly pe: string;
  readonly dscp: number;
  readonly sessionsAffected: number;
}

/** Per-call options of every PE operation. */
export interface PeCallOptions {
  /** How long to wait for the PE's answer before `SVPN_PE_TIMEOUT`. @defaultValue the adapter's */
  deadlineMs?: number;
}

/**
 * What the provisioner's workers drive: one method per job type, and the queries the workers and the
 * reconciler use to observe the network. Every operation is idempotent by its natural key (session
 * id on a PE, LSP id, (PE, VPN, CE), (PE, FEC)) and takes absolute values, so a retried or duplicated
 * job converges instead of applying twice. Failures are thrown as `PeAdapterError` with a stable
 * `SVPN_PE_…` code and `retryable`.
 *
 * `@svpn/pe-sim` is the default implementation (the provisioner's `PeSimAdapter`); a driver for real
 * routers (NETCONF, a controller's API) implements the same interface.
 */
export interface PeAdapter {
  /** `uni.add-session`: attach the session to its VPN on the PE. */
  uniAddSession(request: UniAddSessionRequest, options?: PeCallOptions): Promise<UniSessionState>;
  /** `uni.modify-session`: change the fields given, keep the rest. */
  uniModifySession(request: UniModifySessionRequest, options?: PeCallOptions): Promise<UniSessionState>;
  /** `uni.remove-session`; removing an absent session answers `removed: false`. */
  uniRemoveSession(request: UniRemoveSessionRequest, options?: PeCallOptions): Promise<{ removed: boolean }>;
  /** `bgp.advertise-membership`: the CE joins the VPN at the PE (VRF created on first use). */
  bgpAdvertiseMembership(
    request: BgpAdvertiseMembershipRequest,
    options?: PeCallOptions,
  ): Promise<MembershipState>;
  /** `bgp.withdraw-membership`; withdrawing an absent membership answers `withdrawn: false`. */
  bgpWithdrawMembership(
    request: BgpWithdrawMembershipRequest,
    options?: PeCallOptions,
  ): Promise<{ withdrawn: boolean }>;
  /** `ldp.bind`: a label for the FEC (the existing one if already bound). */
  ldpBind(request: LdpBindingRequest, options?: PeCallOptions): Promise<LdpBindingState>;
  /** `ldp.release`. */
  ldpRelease(request: LdpBindingRequest, options?: PeCallOptions): Promise<{ released: boolean }>;
  /** `rsvp-te.signal`: set the LSP up along its explicit route (a partial/down LSP is signalled afresh). */
  rsvpTeSignal(request: RsvpTeSignalRequest, options?: PeCallOptions): Promise<LspState>;
  /** `rsvp-te.resize`: make-before-break to the new size on the same route. */
  rsvpTeResize(request: RsvpTeResizeRequest, options?: PeCallOptions): Promise<LspState>;
  /** `rsvp-te.teardown`: release every hop the LSP holds, whatever its status. */
  rsvpTeTeardown(request: RsvpTeTeardownRequest, options?: PeCallOptions): Promise<{ existed: boolean }>;
  /** `marking.apply`: a DSCP for one session or for a service class on the PE. */
  markingApply(request: MarkingApplyRequest, options?: PeCallOptions): Promise<MarkingResult>;

  /** The PE ids this adapter drives (one queue and one worker each). */
  listPes(): readonly string[];
  /** One LSP, or `null`. */
  getLsp(lspId: string): Promise<LspState | null>;
  /** Every LSP on the network. */
  listLsps(): Promise<LspState[]>;
  /** One UNI session on a PE, or `null`. */
  getSession(pe: string, sessionId: string): Promise<UniSessionState | null>;
  /** UNI sessions of one PE or of every PE. */
  listSessions(pe?: string): Promise<UniSessionState[]>;
  /** Memberships (CE sites) of one PE or of every PE. */
  listMemberships(pe?: string): Promise<MembershipState[]>;
}

/**
 * What a worker's job returns (BullMQ `returnvalue`): `applied` when it changed the PE, `unchanged`
 * when the PE already matched, `skipped` when the desired state no longer asks for it (a newer
 * revision or a release superseded the job). Best-effort information: the actual-state store is
 * the source of truth.
 */
export interface JobOutcome {
  readonly outcome: 'applied' | 'unchanged' | 'skipped';
  readonly detail?: string;
}
