import { isSvpnError } from '@svpn/errors';
import { PeSimError, type Lsp, type PeSimErrorCode, type PeSimulator, type UniSession } from '@svpn/pe-sim';
import {
  isJobType,
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
  type PeCallOptions,
  type PeErrorCode,
  type RsvpTeResizeRequest,
  type RsvpTeSignalRequest,
  type RsvpTeTeardownRequest,
  type UniAddSessionRequest,
  type UniModifySessionRequest,
  type UniRemoveSessionRequest,
  type UniSessionState,
} from '@svpn/provisioning';
import type { MarkedUniAdapter } from './marked-uni.js';

/** How each pe-sim failure maps onto the adapter-neutral PE error codes. */
const CODES: Record<PeSimErrorCode, PeErrorCode> = {
  PESIM_REFUSED: 'SVPN_PE_REFUSED',
  PESIM_TIMEOUT: 'SVPN_PE_TIMEOUT',
  PESIM_FAILED_HALF_WAY: 'SVPN_PE_PARTIAL',
  PESIM_PE_REBOOTED: 'SVPN_PE_REBOOTED',
  PESIM_NO_BANDWIDTH: 'SVPN_PE_NO_BANDWIDTH',
  PESIM_UNKNOWN_VPN: 'SVPN_PE_UNKNOWN_VPN',
  PESIM_UNKNOWN_PE: 'SVPN_PE_INVALID',
  PESIM_UNKNOWN_NODE: 'SVPN_PE_INVALID',
  PESIM_UNKNOWN_LINK: 'SVPN_PE_INVALID',
  PESIM_INVALID_PATH: 'SVPN_PE_INVALID',
  PESIM_INVALID_ARGUMENT: 'SVPN_PE_INVALID',
  PESIM_INVALID_TOPOLOGY: 'SVPN_PE_INVALID',
  PESIM_INVALID_FAULT: 'SVPN_PE_INVALID',
  PESIM_TOPOLOGY_MISMATCH: 'SVPN_PE_INVALID',
  PESIM_LABEL_SPACE_EXHAUSTED: 'SVPN_PE_EXHAUSTED',
  PESIM_NOT_FOUND: 'SVPN_PE_NOT_FOUND',
  PESIM_CONFLICT: 'SVPN_PE_CONFLICT',
  PESIM_LSP_NOT_UP: 'SVPN_PE_LSP_NOT_UP',
  PESIM_STORE_CORRUPT: 'SVPN_PE_INVALID',
};

/** Maps a pe-sim error (or anything else) thrown by an operation to a {@link PeAdapterError}. */
export function toPeAdapterError(error: unknown, pe: string, operation: JobType): PeAdapterError {
  if (error instanceof PeAdapterError) return error;
  if (error instanceof PeSimError) {
    // A combined call's failure names the operation that failed (a refused marking.apply after the
    // attachment), as the second of two separate calls would.
    const failed = 'operation' in error && isJobType(error.operation) ? error.operation : operation;
    return new PeAdapterError(CODES[error.code], pe, failed, error.message, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  // Redis trouble under the simulator is transient from the worker's point of view.
  return new PeAdapterError('SVPN_PE_FAILED', pe, operation, message, {
    cause: error,
    retryable: !isSvpnError(error),
  });
}

function lspState(lsp: Lsp): LspState {
  return {
    lspId: lsp.lspId,
    ingress: lsp.ingress,
    egress: lsp.egress,
    nodes: lsp.nodes,
    links: lsp.hops.map((h) => h.linkId),
    bandwidthBps: lsp.bandwidthBps,
    setupPriority: lsp.setupPriority,
    holdingPriority: lsp.holdingPriority,
    penultimateHopPopping: lsp.penultimateHopPopping,
    status: lsp.status,
    ingressLabel: lsp.ingressLabel,
    hopLabels: lsp.hops.map((h) => h.label),
    hopReservedBps: lsp.hops.map((h) => h.reservedBps),
  };
}

function sessionState(s: UniSession): UniSessionState {
  return {
    sessionId: s.sessionId,
    pe: s.pe,
    vpnId: s.vpnId,
    ce: s.ce,
    interface: s.interface,
    bandwidthBps: s.bandwidthBps,
    marking:
      s.marking.serviceClass === undefined
        ? { dscp: s.marking.dscp }
        : { dscp: s.marking.dscp, serviceClass: s.marking.serviceClass },
    dscp: s.dscp,
    lspId: s.lspId,
  };
}

/**
 * The default {@link PeAdapter}: the simulated MPLS network of `@svpn/pe-sim`. Each job type calls the
 * simulator operation of the same name; pe-sim failures become `PeAdapterError`s (`PESIM_NO_BANDWIDTH`
 * → `SVPN_PE_NO_BANDWIDTH`, not retryable; `PESIM_TIMEOUT` → `SVPN_PE_TIMEOUT`, retryable; …).
 */
export class PeSimAdapter implements PeAdapter, MarkedUniAdapter {
  readonly #sim: PeSimulator;
  readonly #pes: readonly string[];

  constructor(simulator: PeSimulator) {
    this.#sim = simulator;
    this.#pes = [...simulator.topology.nodes.values()]
      .filter((n) => n.kind === 'PE')
      .map((n) => n.id)
      .sort();
  }

  /** The simulator behind the adapter (tests and the demo inspect it). */
  get simulator(): PeSimulator {
    return this.#sim;
  }

  async #call<T>(operation: JobType, pe: string, body: () => Promise<T>): Promise<T> {
    try {
      return await body();
    } catch (error) {
      throw toPeAdapterError(error, pe, operation);
    }
  }

  uniAddSession(request: UniAddSessionRequest, options?: PeCallOptions): Promise<UniSessionState> {
    return this.#call('uni.add-session', request.pe, async () =>
      sessionState(await this.#sim.uniAddSession(request, options)),
    );
  }

  uniModifySession(request: UniModifySessionRequest, options?: PeCallOptions): Promise<UniSessionState> {
    return this.#call('uni.modify-session', request.pe, async () =>
      sessionState(await this.#sim.uniModifySession(request, options)),
    );
  }

  /** `uni.add-session` then a per-session `marking.apply` of `dscp`: one script run on the simulator. */
  uniAddSessionMarked(
    request: UniAddSessionRequest,
    dscp: number,
    options?: PeCallOptions,
  ): Promise<UniSessionState> {
    return this.#call('uni.add-session', request.pe, async () =>
      sessionState(await this.#sim.uniAddSession({ ...request, sessionDscp: dscp }, options)),
    );
  }

  /** `uni.modify-session` then a per-session `marking.apply` of `dscp`: one script run on the simulator. */
  uniModifySessionMarked(
    request: UniModifySessionRequest,
    dscp: number,
    options?: PeCallOptions,
  ): Promise<UniSessionState> {
    return this.#call('uni.modify-session', request.pe, async () =>
      sessionState(await this.#sim.uniModifySession({ ...request, sessionDscp: dscp }, options)),
    );
  }

  uniRemoveSession(request: UniRemoveSessionRequest, options?: PeCallOptions): Promise<{ removed: boolean }> {
    return this.#call('uni.remove-session', request.pe, async () => {
      const { removed } = await this.#sim.uniRemoveSession(request, options);
      return { removed };
    });
  }

  bgpAdvertiseMembership(
    request: BgpAdvertiseMembershipRequest,
    options?: PeCallOptions,
  ): Promise<MembershipState> {
    return this.#call('bgp.advertise-membership', request.pe, async () => {
      const { route } = await this.#sim.bgpAdvertiseMembership(request, options);
      return {
        pe: route.pe,
        vpnId: route.vpnId,
        ce: route.ce,
        rd: route.rd,
        routeTargets: route.routeTargets,
        vpnLabel: route.label,
        prefixes: route.prefixes,
      };
    });
  }

  bgpWithdrawMembership(
    request: BgpWithdrawMembershipRequest,
    options?: PeCallOptions,
  ): Promise<{ withdrawn: boolean }> {
    return this.#call('bgp.withdraw-membership', request.pe, async () => {
      const { withdrawn } = await this.#sim.bgpWithdrawMembership(request, options);
      return { withdrawn };
    });
  }

  ldpBind(request: LdpBindingRequest, options?: PeCallOptions): Promise<LdpBindingState> {
    return this.#call('ldp.bind', request.pe, async () => {
      const { pe, fec, label } = await this.#sim.ldpBind(request, options);
      return { pe, fec, label };
    });
  }

  ldpRelease(request: LdpBindingRequest, options?: PeCallOptions): Promise<{ released: boolean }> {
    return this.#call('ldp.release', request.pe, async () => {
      const { released } = await this.#sim.ldpRelease(request, options);
      return { released };
    });
  }

  rsvpTeSignal(request: RsvpTeSignalRequest, options?: PeCallOptions): Promise<LspState> {
    return this.#call('rsvp-te.signal', request.pe, async () => {
      const { lsp } = await this.#sim.rsvpTeSignal(
        {
          lspId: request.lspId,
          route: request.route,
          bandwidthBps: request.bandwidthBps,
          setupPriority: request.setupPriority,
          holdingPriority: request.holdingPriority,
          penultimateHopPopping: request.penultimateHopPopping ?? false,
        },
        options,
      );
      return lspState(lsp);
    });
  }

  rsvpTeResize(request: RsvpTeResizeRequest, options?: PeCallOptions): Promise<LspState> {
    return this.#call('rsvp-te.resize', request.pe, async () => {
      const { lsp } = await this.#sim.rsvpTeResize(
        { lspId: request.lspId, bandwidthBps: request.bandwidthBps },
        options,
      );
      return lspState(lsp);
    });
  }

  rsvpTeTeardown(request: RsvpTeTeardownRequest, options?: PeCallOptions): Promise<{ existed: boolean }> {
    return this.#call('rsvp-te.teardown', request.pe, async () => {
      const { existed } = await this.#sim.rsvpTeTeardown({ lspId: request.lspId }, options);
      return { existed };
    });
  }

  markingApply(request: MarkingApplyRequest, options?: PeCallOptions): Promise<MarkingResult> {
    return this.#call('marking.apply', request.pe, async () => {
      const { pe, dscp, sessionsAffected } = await this.#sim.markingApply(request, options);
      return { pe, dscp, sessionsAffected };
    });
  }

  listPes(): readonly string[] {
    return this.#pes;
  }

  async getLsp(lspId: string): Promise<LspState | null> {
    const lsp = await this.#sim.getLsp(lspId);
    return lsp === null ? null : lspState(lsp);
  }

  async listLsps(): Promise<LspState[]> {
    return (await this.#sim.listLsps()).map(lspState);
  }

  async getSession(pe: string, sessionId: string): Promise<UniSessionState | null> {
    const session = await this.#sim.getSession(pe, sessionId);
    return session === null ? null : sessionState(session);
  }

  async listSessions(pe?: string): Promise<UniSessionState[]> {
    return (await this.#sim.listSessions(pe)).map(sessionState);
  }

  async listMemberships(pe?: string): Promise<MembershipState[]> {
    return (await this.#sim.listRoutes(pe)).map((route) => ({
      pe: route.pe,
      vpnId: route.vpnId,
      ce: route.ce,
      rd: route.rd,
      routeTargets: route.routeTargets,
      vpnLabel: route.label,
      prefixes: route.prefixes,
    }));
  }
}
