import {
  PeAdapterError,
  type BgpAdvertiseMembershipRequest,
  type BgpWithdrawMembershipRequest,
  type JobType,
  type LdpBindingRequest,
  type LdpBindingState,
  type LspState,
  type MarkingApplyRequest,
  type MarkingResult,
  type MembershipState,
  type PeAdapter,
  type PeErrorCode,
  type RsvpTeResizeRequest,
  type RsvpTeSignalRequest,
  type RsvpTeTeardownRequest,
  type UniAddSessionRequest,
  type UniModifySessionRequest,
  type UniRemoveSessionRequest,
  type UniSessionState,
} from '@svpn/provisioning';

/**
 * An in-memory PE network for pure tests: records every operation, keeps LSPs, sessions and
 * memberships in maps, and fails an operation on demand (`failNext`).
 */
export class FakePeAdapter implements PeAdapter {
  readonly calls: string[] = [];
  readonly lsps = new Map<string, LspState>();
  readonly sessions = new Map<string, UniSessionState>();
  readonly memberships = new Map<string, MembershipState>();
  readonly #failures: { op: JobType; code: PeErrorCode }[] = [];
  #label = 100;

  constructor(readonly pes: readonly string[] = ['PE1', 'PE2', 'PE4']) {}

  /** The next call of `op` throws a PeAdapterError with `code`. */
  failNext(op: JobType, code: PeErrorCode): void {
    this.#failures.push({ op, code });
  }

  #call(op: JobType, pe: string, detail: string): void {
    this.calls.push(`${op} ${pe} ${detail}`);
    const i = this.#failures.findIndex((f) => f.op === op);
    if (i >= 0) {
      const [f] = this.#failures.splice(i, 1);
      throw new PeAdapterError(f!.code, pe, op, `injected ${f!.code}`);
    }
  }

  async uniAddSession(r: UniAddSessionRequest): Promise<UniSessionState> {
    this.#call('uni.add-session', r.pe, r.sessionId);
    const s: UniSessionState = {
      sessionId: r.sessionId,
      pe: r.pe,
      vpnId: r.vpnId,
      ce: r.ce,
      interface: r.interface,
      bandwidthBps: r.bandwidthBps,
      marking: r.marking,
      dscp: r.marking.dscp,
      lspId: r.lspId ?? null,
    };
    const existing = this.sessions.get(`${r.pe}|${r.sessionId}`);
    if (existing) {
      // As a PE does: the same request again answers the session as it is; other parameters conflict.
      const { dscp: _d, ...had } = existing;
      const { dscp: _n, ...asked } = s;
      if (JSON.stringify(had) === JSON.stringify(asked)) return existing;
      throw new PeAdapterError('SVPN_PE_CONFLICT', r.pe, 'uni.add-session', 'exists with other parameters');
    }
    this.sessions.set(`${r.pe}|${r.sessionId}`, s);
    return s;
  }

  async uniModifySession(r: UniModifySessionRequest): Promise<UniSessionState> {
    this.#call('uni.modify-session', r.pe, r.sessionId);
    const key = `${r.pe}|${r.sessionId}`;
    const old = this.sessions.get(key);
    if (!old) throw new PeAdapterError('SVPN_PE_NOT_FOUND', r.pe, 'uni.modify-session', 'no such session');
    const marking = r.marking ?? old.marking;
    const s: UniSessionState = {
      ...old,
      bandwidthBps: r.bandwidthBps ?? old.bandwidthBps,
      interface: r.interface ?? old.interface,
      marking,
      dscp: r.marking ? r.marking.dscp : old.dscp,
      lspId: r.lspId === undefined ? old.lspId : r.lspId,
    };
    this.sessions.set(key, s);
    return s;
  }

  async uniRemoveSession(r: UniRemoveSessionRequest): Promise<{ removed: boolean }> {
    this.#call('uni.remove-session', r.pe, r.sessionId);
    return { removed: this.sessions.delete(`${r.pe}|${r.sessionId}`) };
  }

  async bgpAdvertiseMembership(r: BgpAdvertiseMembershipRequest): Promise<MembershipState> {
    this.#call('bgp.advertise-membership', r.pe, `${r.vpnId}|${r.ce}`);
    const m: MembershipState = {
      pe: r.pe,
      vpnId: r.vpnId,
      ce: r.ce,
      rd: r.rd,
      routeTargets: r.exportTargets,
      vpnLabel: 16,
      prefixes: r.prefixes ?? [],
    };
    this.memberships.set(`${r.pe}|${r.vpnId}|${r.ce}`, m);
    return m;
  }

  async bgpWithdrawMembership(r: BgpWithdrawMembershipRequest): Promise<{ withdrawn: boolean }> {
    this.#call('bgp.withdraw-membership', r.pe, `${r.vpnId}|${r.ce}`);
    return { withdrawn: this.memberships.delete(`${r.pe}|${r.vpnId}|${r.ce}`) };
  }

  async ldpBind(r: LdpBindingRequest): Promise<LdpBindingState> {
    this.#call('ldp.bind', r.pe, r.fec);
    return { pe: r.pe, fec: r.fec, label: 99 };
  }

  async ldpRelease(r: LdpBindingRequest): Promise<{ released: boolean }> {
    this.#call('ldp.release', r.pe, r.fec);
    return { released: true };
  }

  async rsvpTeSignal(r: RsvpTeSignalRequest): Promise<LspState> {
    this.#call('rsvp-te.signal', r.pe, `${r.lspId} ${r.bandwidthBps}`);
    const nodes = 'nodes' in r.route ? r.route.nodes : [r.pe, 'X'];
    const hops = nodes.length - 1;
    const lsp: LspState = {
      lspId: r.lspId,
      ingress: nodes[0]!,
      egress: nodes[nodes.length - 1]!,
      nodes,
      links: nodes.slice(1).map((to, i) => `${nodes[i]}-${to}`),
      bandwidthBps: r.bandwidthBps,
      setupPriority: r.setupPriority,
      holdingPriority: r.holdingPriority,
      penultimateHopPopping: r.penultimateHopPopping ?? false,
      status: 'up',
      ingressLabel: this.#label,
      hopLabels: Array.from({ length: hops }, (_, i) => this.#label + i),
      hopReservedBps: Array.from({ length: hops }, () => r.bandwidthBps),
    };
    this.#label += hops;
    this.lsps.set(r.lspId, lsp);
    return lsp;
  }

  async rsvpTeResize(r: RsvpTeResizeRequest): Promise<LspState> {
    this.#call('rsvp-te.resize', r.pe, `${r.lspId} ${r.bandwidthBps}`);
    const old = this.lsps.get(r.lspId);
    if (!old) throw new PeAdapterError('SVPN_PE_NOT_FOUND', r.pe, 'rsvp-te.resize', 'no such LSP');
    const lsp = { ...old, bandwidthBps: r.bandwidthBps, status: 'up' as const };
    this.lsps.set(r.lspId, lsp);
    return lsp;
  }

  async rsvpTeTeardown(r: RsvpTeTeardownRequest): Promise<{ existed: boolean }> {
    this.#call('rsvp-te.teardown', r.pe, r.lspId);
    return { existed: this.lsps.delete(r.lspId) };
  }

  async markingApply(r: MarkingApplyRequest): Promise<MarkingResult> {
    const target = 'sessionId' in r.target ? r.target.sessionId : `class=${r.target.serviceClass}`;
    this.#call('marking.apply', r.pe, `${target} ${r.dscp}`);
    let affected = 0;
    for (const [key, s] of this.sessions) {
      if (
        s.pe === r.pe &&
        ('sessionId' in r.target
          ? s.sessionId === r.target.sessionId
          : s.marking.serviceClass === r.target.serviceClass)
      ) {
        this.sessions.set(key, { ...s, dscp: r.dscp });
        affected++;
      }
    }
    if ('sessionId' in r.target && affected === 0) {
      throw new PeAdapterError('SVPN_PE_NOT_FOUND', r.pe, 'marking.apply', 'no such session');
    }
    return { pe: r.pe, dscp: r.dscp, sessionsAffected: affected };
  }

  listPes(): readonly string[] {
    return this.pes;
  }

  async getLsp(lspId: string): Promise<LspState | null> {
    return this.lsps.get(lspId) ?? null;
  }

  async listLsps(): Promise<LspState[]> {
    return [...this.lsps.values()];
  }

  async getSession(pe: string, sessionId: string): Promise<UniSessionState | null> {
    return this.sessions.get(`${pe}|${sessionId}`) ?? null;
  }

  async listSessions(pe?: string): Promise<UniSessionState[]> {
    return [...this.sessions.values()].filter((s) => pe === undefined || s.pe === pe);
  }

  async listMemberships(pe?: string): Promise<MembershipState[]> {
    return [...this.memberships.values()].filter((m) => pe === undefined || m.pe === pe);
  }
}
