/**
 * The S-VPN call flow (DESIGN §4, seed 001 Figs. 2–3): an INVITE asking for VPN capacity is
 * authenticated, decided by policy, admitted in the TE ledger, provisioned on the PEs, and only then
 * offered to the callee; the two dialogs are bridged (a B2BUA: the callee sees the gateway, never the
 * caller) until a BYE, a timer or a preemption ends the session and everything is given back.
 *
 * ```
 *  INVITE ─► 100 ─► parse SDP ─► caller/callee bindings ─► policy ─► admission ─► provisioning
 *                                                                              │
 *         200 ◄─ createUAS ◄─ 200 ◄─ INVITE to callee (gateway SDP) ◄──────────┘
 *  any failure or CANCEL on the way ─► Rollback (provisioning, ledger, usage) ─► final response
 * ```
 */
import { createHash } from 'node:crypto';
import {
  type Dialog,
  type IncomingRequest,
  type Responder,
  type SipAgent,
  SipError,
  SipUri,
  type ClientRequest,
  type SipRequest,
} from '@svpn/sip';
import type { Grant } from '@svpn/policy';
import type { SessionIntent } from '@svpn/provisioning';
import {
  type Binding,
  type LocationStore,
  type PreemptionNotice,
  type SessionEndReason,
  type SessionEvent,
  type SessionEventType,
  type SessionRecord,
  type SessionStore,
  sessionEventId,
} from '@svpn/store';
import type { Logger } from '@svpn/service-kit';
import {
  VpnRequestError,
  type VpnRequest,
  buildVpnSdp,
  parseVpnRequest,
  requiresQosPrecondition,
} from '../sdp/vpn-request.js';
import type {
  AdmissionPort,
  EventsPort,
  MeterPort,
  PolicyPort,
  PreemptionAction,
  ProvisioningPort,
} from '../ports.js';
import { Rollback } from './rollback.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Holding } from '../admission/admission-engine.js';

export interface CallControllerOptions {
  agent: SipAgent;
  policy: PolicyPort;
  admission: AdmissionPort;
  provisioning: ProvisioningPort;
  events: EventsPort;
  location: LocationStore;
  sessions: SessionStore;
  log: Logger;
  metrics?: GatewayMetrics;
  /** Our SIP domain: Request-URIs in it are resolved through the location service. */
  domain: string;
  /** The address the gateway puts in SDP in place of the parties' (topology hiding). */
  mediaAddress: string;
  gatewayId: string;
  /** Seconds a refused-for-capacity caller is told to wait (503 Retry-After). @defaultValue 30 */
  retryAfterS?: number;
  /** Upper bound on any session's duration when policy sets none, seconds. @defaultValue none */
  maxDurationS?: number;
  now?: () => number;
  /**
   * Peer gateways by SIP domain (seed 001 Fig. 2): a Request-URI in a peer's domain is served by
   * that gateway; this one admits and provisions the whole tunnel, then sends the INVITE to the
   * peer's URI (e.g. `sip:127.0.0.1:5070`), which only bridges it to its registered callee.
   */
  peers?: Record<string, string>;
  /** PE traffic counters for the charge `stop` event's bytes. @defaultValue none (bytes: null) */
  meter?: MeterPort;
  /**
   * What the admission leader's ledger holds for a session now (the engine, or the leader's
   * `GET /v1/admissions/:id`): a preemption notice is checked against it before it is acted on.
   * @defaultValue none — notices are taken as they are
   */
  holding?: (sessionId: string) => Promise<Holding | undefined>;
  /**
   * How long a preemptor waits for victims held by other gateways to leave the PEs before it is
   * provisioned (pe-sim, like a router, refuses an LSP the victims' bandwidth still blocks).
   * @defaultValue 5000 ms
   */
  remoteVictimWaitMs?: number;
}

/** A session between its admission and its 200/ACK: a preemption meanwhile is applied once it is live. */
interface SetupInProgress {
  grantedBps: number;
  /** The ledger no longer holds it: the setup is refused, or the session ended once live. */
  lost: boolean;
  /** RFC 4495 — the ledger reduced it: the session is shrunk once live. */
  shrinkTo?: number;
}

/** One live bridged session. */
interface LiveSession {
  record: SessionRecord;
  request: VpnRequest;
  grant: Grant;
  /** What the PEs were last asked for (endpoints and LSP), changed by a re-INVITE or a move. */
  intent: SessionIntent;
  /** The callee's address of record (ours, or a peer gateway's domain). */
  calleeAor: string;
  uas?: Dialog;
  uac?: Dialog;
  timers: NodeJS.Timeout[];
  ending: boolean;
  seq: number;
  /** Bytes the ingress PE counted, read at the end (the `stop` event's `bytes`). */
  bytes?: number | null;
}

/** A call a peer gateway sent us for one of our applications: we only bridge it (seed 001 Fig. 2). */
interface BridgedCall {
  callId: string;
  uas: Dialog;
  uac: Dialog;
  ending: boolean;
}

const PREEMPTION_REASON = 'preemption ;cause=1 ;text="UA Preemption"';

/** What a preemption leaves a session: nothing, or a smaller bandwidth (RFC 4495). */
type Verdict = 'end' | { shrinkTo: number };

/** A deterministic session id: the same INVITE (Call-ID + From tag) always names the same session. */
export function sessionIdFor(callId: string, fromTag: string): string {
  return 's-' + createHash('sha256').update(`${callId}\u0000${fromTag}`).digest('hex').slice(0, 20);
}

export class CallController {
  private readonly live = new Map<string, LiveSession>();
  /** Sessions admitted but not yet live, by session id (preemption notices may concern them). */
  private readonly setups = new Map<string, SetupInProgress>();
  private readonly bridged = new Set<BridgedCall>();
  private readonly now: () => number;
  private draining = false;

  constructor(private readonly o: CallControllerOptions) {
    this.now = o.now ?? Date.now;
  }

  get liveSessions(): number {
    return this.live.size;
  }

  /** Calls from peer gateways bridged to our applications right now. */
  get bridgedCalls(): number {
    return this.bridged.size;
  }

  /** Stop taking new sessions (SIGTERM): new INVITEs get 503 with Retry-After. */
  drain(): void {
    this.draining = true;
  }

  /** Ends every live session (shutdown of the last gateway, or tests). */
  async endAll(reason: SessionEndReason = 'admin'): Promise<void> {
    await Promise.all([
      ...[...this.live.values()].map((s) => this.endSession(s, reason)),
      ...[...this.bridged].map((b) => this.endBridged(b)),
    ]);
  }

  // ------------------------------------------------------------------------------------------
  // Session setup
  // ------------------------------------------------------------------------------------------

  /** The INVITE handler: installed with `agent.invite(...)` behind digest authentication. */
  async handleInvite(req: IncomingRequest, res: Responder): Promise<void> {
    try {
      await this.setUp(req, res);
    } finally {
      this.setups.delete(sessionIdFor(req.message.callId, req.message.from.tag ?? ''));
    }
  }

  private async setUp(req: IncomingRequest, res: Responder): Promise<void> {
    const started = this.now();
    const log = this.o.log.child({ callId: req.message.callId });
    // RFC 3261 §17.2.1 — answer 100 at once: admission and provisioning take longer than 200 ms.
    res.send(100);
    if (this.draining) {
      res.send(503, {
        headers: { 'Retry-After': String(this.o.retryAfterS ?? 30) },
        warning: 'gateway is shutting down',
      });
      this.o.metrics?.calls.inc({ outcome: '503' });
      return;
    }
    const peerDomain = req.locals['peer'];
    if (typeof peerDomain === 'string') return this.bridgeFromPeer(req, res, peerDomain);
    const rollback = new Rollback();
    let pendingB: ClientRequest | undefined;
    req.onCancel(() => {
      pendingB?.cancel();
      // RFC 3261 §9.2 — a CANCEL before the final response ends the setup: give back what it holds
      // now (a provisioning flow in progress is superseded by the release) instead of finishing it.
      if (!res.finalSent) void rollback.run();
    });
    const outcome = (status: number): void => this.o.metrics?.calls.inc({ outcome: String(status) });
    const refuse = async (
      status: number,
      warning: string,
      headers: Record<string, string> = {},
    ): Promise<void> => {
      await rollback.run();
      if (!res.finalSent) res.send(status, { warning, headers });
      outcome(status);
      log.info({ status, warning }, 'session refused');
    };
    const cancelled = async (): Promise<boolean> => {
      if (!req.cancelled) return false;
      await rollback.run();
      outcome(487);
      log.info({}, 'session cancelled during setup');
      return true;
    };

    const application = String(req.locals['username'] ?? '');
    let vpnRequest: VpnRequest;
    try {
      vpnRequest = parseVpnRequest(req.body);
    } catch (error) {
      if (error instanceof VpnRequestError) return refuse(error.sipStatus, error.message);
      throw error;
    }
    const sessionId = sessionIdFor(req.message.callId, req.message.from.tag ?? '');
    const slog = log.child({ sessionId });

    // Where the caller is: its registration on this VPN names its CE (DESIGN §2 REGISTER).
    const membership = await this.o.policy.membership(application, vpnRequest.vpnId);
    if (!membership.member || membership.vpnId === undefined) {
      return refuse(403, `${application} is not a member of VPN ${vpnRequest.vpnId}`);
    }
    const vpnId = membership.vpnId;
    const callerBinding = await this.bindingOn(this.aor(application), vpnId);
    if (callerBinding?.ce === undefined) {
      return refuse(403, `${application} has no registration on VPN ${vpnId}: REGISTER with +svpn.ce first`);
    }
    // The callee: a registered application of our domain on the same VPN.
    const target = req.message.uri;
    if (!(target instanceof SipUri) || target.user === undefined) {
      return refuse(404, 'the Request-URI names no application');
    }
    const calleeName = target.userDecoded ?? target.user;
    // A Request-URI in a peer gateway's domain: that gateway serves the callee (seed 001 Fig. 2).
    // The location service is shared (Redis), so its binding names the callee's CE here too.
    const calleeDomain = target.host.toLowerCase();
    const peerUri = calleeDomain === this.o.domain.toLowerCase() ? undefined : this.o.peers?.[calleeDomain];
    const calleeAor = peerUri === undefined ? this.aor(calleeName) : `sip:${calleeName}@${calleeDomain}`;
    const calleeBinding = await this.bindingOn(calleeAor, vpnId);
    if (calleeBinding?.ce === undefined) {
      return refuse(404, `${calleeName} is not registered on VPN ${vpnId}`);
    }
    // RFC 3312 §14.1 — a mandatory QoS precondition that cannot be met is refused with 580.
    const preconditions = requiresQosPrecondition(vpnRequest);
    const unmet = preconditions ? 580 : 503;
    const [ingress, egress] = await Promise.all([
      this.o.policy.site(callerBinding.ce),
      this.o.policy.site(calleeBinding.ce),
    ]);
    if (ingress === undefined || egress === undefined) {
      return refuse(
        403,
        `customer edge ${ingress === undefined ? callerBinding.ce : calleeBinding.ce} is not attached to any PE`,
      );
    }

    // Policy: AAA, SLA, quota, precedence entitlement, DSCP (DESIGN §4).
    const resourcePriority = req.get('Resource-Priority');
    const decision = await this.o.policy.decide(
      {
        application,
        vpn: vpnId,
        serviceClass: vpnRequest.serviceClass,
        bandwidthBps: vpnRequest.bandwidthBps,
        ...(resourcePriority === undefined ? {} : { resourcePriority }),
        ...(vpnRequest.tspec === undefined ? {} : { tspec: vpnRequest.tspec }),
        ...(vpnRequest.rspec === undefined ? {} : { rspec: vpnRequest.rspec }),
        ...(vpnRequest.startAt === undefined ? {} : { start: new Date(vpnRequest.startAt) }),
        ...(vpnRequest.durationS === undefined ? {} : { durationS: vpnRequest.durationS }),
        now: new Date(this.now()),
      },
      sessionId,
    );
    if (!decision.allow) {
      return refuse(
        decision.sipStatus,
        decision.reason,
        decision.acceptResourcePriority === undefined
          ? {}
          : { 'Accept-Resource-Priority': decision.acceptResourcePriority },
      );
    }
    rollback.add('usage', () => this.o.policy.releaseUsage(sessionId));
    if (await cancelled()) return;

    // Admission in the TE ledger: path, aggregate tunnel, preemption plan (DESIGN §4).
    const start = vpnRequest.startAt ?? this.now();
    const maxDuration = decision.maxDurationS ?? this.o.maxDurationS;
    const durationS = vpnRequest.durationS ?? maxDuration;
    let admission: Awaited<ReturnType<AdmissionPort['admit']>>;
    try {
      admission = await this.o.admission.admit({
        sessionId,
        ingressPe: ingress.pe,
        egressPe: egress.pe,
        bandwidthBps: decision.grantedBps,
        classType: decision.classType,
        setupPriority: decision.setupPriority,
        holdingPriority: decision.holdingPriority,
        level: decision.precedence,
        start,
        end: durationS === undefined ? Number.POSITIVE_INFINITY : start + durationS * 1000,
        mayShrink: decision.mayShrink,
        minBps: decision.minBps,
      });
    } catch (error) {
      // The admission leader is unreachable (or failed): nothing was admitted; give back the usage.
      slog.error({ err: error }, 'admission failed');
      return refuse(503, 'admission is unavailable, try again later', {
        'Retry-After': String(this.o.retryAfterS ?? 30),
      });
    }
    if (!admission.ok) {
      this.o.metrics?.admissions.inc({ result: admission.reason });
      return refuse(unmet, `no capacity: ${admission.detail}`, {
        'Retry-After': String(admission.retryAfterS),
      });
    }
    this.o.metrics?.admissions.inc({ result: 'admitted' });
    rollback.add('admission', () => this.o.admission.release(sessionId));
    // From now on a preemption notice for this session is kept until it is live (or refused).
    this.setups.set(sessionId, { grantedBps: decision.grantedBps, lost: false });
    const lostInSetup = (): Promise<void> =>
      refuse(503, 'preempted by a more important session during setup', {
        'Retry-After': String(this.o.retryAfterS ?? 30),
      });
    // The victims' reservations leave the PEs before this session is signalled there: the ledger
    // made room, but the routers still hold the victims' LSPs until they are torn down or shrunk.
    if (admission.preempted.length > 0) await this.executePreemption(admission.preempted, slog);
    if (await cancelled()) return;
    if (this.setups.get(sessionId)?.lost === true) return lostInSetup();

    // Provisioning on the PEs; the reservation is in place before the callee is alerted.
    const intent: SessionIntent = {
      sessionId,
      version: 1,
      vpnId,
      bandwidthBps: decision.grantedBps,
      dscp: decision.dscp,
      serviceClass: decision.serviceClass,
      endpoints:
        ingress.pe === egress.pe
          ? [
              {
                pe: ingress.pe,
                ce: callerBinding.ce,
                interface: ingress.interface ?? `uni-${callerBinding.ce}`,
              },
            ]
          : [
              {
                pe: ingress.pe,
                ce: callerBinding.ce,
                interface: ingress.interface ?? `uni-${callerBinding.ce}`,
              },
              {
                pe: egress.pe,
                ce: calleeBinding.ce,
                interface: egress.interface ?? `uni-${calleeBinding.ce}`,
              },
            ],
      lsp:
        ingress.pe === egress.pe
          ? null
          : {
              lspId: admission.lspId,
              route: { nodes: admission.route },
              setupPriority: decision.setupPriority,
              holdingPriority: decision.holdingPriority,
              bandwidthBps: admission.lspBandwidthBps,
            },
    };
    let provisioned;
    try {
      rollback.add('provisioning', () => this.releaseTunnel(sessionId, admission.lspId));
      provisioned = await this.o.provisioning.provision(intent);
    } catch (error) {
      slog.warn({ err: error }, 'provisioning failed');
      if (await cancelled()) return;
      return refuse(unmet, `provisioning failed: ${(error as Error).message}`, {
        'Retry-After': String(this.o.retryAfterS ?? 30),
      });
    }
    if (await cancelled()) return;
    if (this.setups.get(sessionId)?.lost === true) return lostInSetup();

    const grantSdp = (label: number | null): string =>
      buildVpnSdp(
        vpnRequest,
        {
          sessionId,
          grantedBps: decision.grantedBps,
          dscp: decision.dscp,
          lspId: provisioned.lspId ?? 'local',
          label: label ?? 3,
          address: this.o.mediaAddress,
          port: vpnRequest.port,
        },
        { preconditionsMet: preconditions },
      );

    // The callee is invited only now; it sees the gateway's SDP, never the caller's (seed 001).
    let uac: Dialog;
    try {
      uac = await this.o.agent.createUAC(
        peerUri === undefined ? calleeBinding.contact : peerRequestUri(peerUri, calleeName),
        {
          localSdp: grantSdp(provisioned.ingressLabel),
          headers: {
            ...(resourcePriority === undefined ? {} : { 'Resource-Priority': resourcePriority }),
            'X-Svpn-Caller': application,
          },
          to: calleeAor,
          from: this.aor(application),
        },
        {
          cbRequest: (client) => {
            pendingB = client;
            if (req.cancelled) client.cancel();
          },
          cbProvisional: (provisional) => {
            if (provisional.status === 180 || provisional.status === 183) {
              if (!res.finalSent) res.send(provisional.status);
            }
          },
        },
      );
    } catch (error) {
      const status = error instanceof SipError ? error.status : 500;
      if (await cancelled()) return;
      // The callee's refusal is relayed; the reservation is rolled back completely.
      return refuse(status >= 300 && status < 700 ? status : 500, `callee answered ${status}`);
    }
    if (req.cancelled) {
      await uac.destroy();
      await cancelled();
      return;
    }

    const record: SessionRecord = {
      sessionId,
      callId: req.message.callId,
      phase: 'active',
      customerId: decision.customerId,
      vpnId,
      caller: application,
      callee: calleeName,
      serviceClass: decision.serviceClass,
      precedence: decision.precedence,
      grantedBps: decision.grantedBps,
      dscp: decision.dscp,
      ingress: { pe: ingress.pe, ce: callerBinding.ce },
      egress: { pe: egress.pe, ce: calleeBinding.ce },
      lspId: provisioned.lspId,
      label: provisioned.ingressLabel,
      links: admission.links,
      setupAt: started,
      gatewayId: this.o.gatewayId,
      version: 1,
      ...(maxDuration === undefined ? {} : { maxDurationS: maxDuration }),
    };
    let uas: Dialog;
    try {
      uas = await this.o.agent.createUAS(req, res, { localSdp: grantSdp(provisioned.ingressLabel) });
    } catch (error) {
      slog.info({ err: error }, 'caller went away before the ACK');
      await uac.destroy();
      await rollback.run();
      outcome(487);
      return;
    }
    rollback.commit();
    record.answerAt = this.now();
    const session: LiveSession = {
      record,
      request: vpnRequest,
      grant: decision,
      intent: {
        ...intent,
        ...(provisioned.lspBandwidthBps === null || intent.lsp == null
          ? {}
          : { lsp: { ...intent.lsp, bandwidthBps: provisioned.lspBandwidthBps } }),
      },
      calleeAor,
      uas,
      uac,
      timers: [],
      ending: false,
      seq: 0,
    };
    this.live.set(sessionId, session);
    // BYE from either side, or a dialog that dies, ends the session and releases everything. Listen
    // before awaiting anything: a caller may ACK and BYE at once, and a dialog destroyed while nobody
    // listened left the session, its reservation and its PE state behind for good. The end waits for
    // the start to be recorded, so the session record and the start event come before the stop.
    const recorded = (async () => {
      await this.o.sessions.put(record);
      await this.publish(session, 'start');
    })();
    const end = (): void => {
      const run = (): void => void this.endSession(session, 'bye');
      recorded.then(run, run);
    };
    uas.on('destroy', end);
    uac.on('destroy', end);
    uas.on('modify', (mreq, mres) => void this.handleModify(session, mreq, mres, 'caller'));
    uac.on('modify', (mreq, mres) => void this.handleModify(session, mreq, mres, 'callee'));
    if (uas.destroyed || uac.destroyed) end();
    await recorded;
    outcome(200);
    this.o.metrics?.setupSeconds.observe((this.now() - started) / 1000);
    slog.info(
      { grantedBps: decision.grantedBps, lspId: record.lspId, setupMs: this.now() - started },
      'session active',
    );

    // The session ends when the duration it asked for (a=svpn-duration, seed 001 Fig. 4: "the
    // estimated duration of the transfer") or the policy's maximum is reached, whichever comes first.
    const limitS = Math.min(vpnRequest.durationS ?? Infinity, maxDuration ?? Infinity);
    if (Number.isFinite(limitS)) {
      session.timers.push(setTimeout(() => void this.endSession(session, 'max-duration'), limitS * 1000));
    }
    // A preemption decided while the callee was being invited takes effect now.
    const setup = this.setups.get(sessionId);
    if (setup?.lost === true) await this.endSession(session, 'preempted', { Reason: PREEMPTION_REASON });
    else if (setup?.shrinkTo !== undefined && setup.shrinkTo < record.grantedBps) {
      await this.shrink(session, setup.shrinkTo);
    }
  }

  private aor(application: string): string {
    return `sip:${application}@${this.o.domain}`;
  }

  private async bindingOn(aor: string, vpnId: string): Promise<Binding | undefined> {
    // DEVIATION(RFC 3261 §16.6): a B2BUA does not fork; of several contacts it tries the one with the
    // highest q, then the most recently refreshed registration (the application's current location).
    const bindings = (await this.o.location.lookup(aor, this.now())).sort(
      (a, b) => (b.q ?? 1) - (a.q ?? 1) || b.expiresAt - a.expiresAt,
    );
    return bindings.find((b) => b.vpnIds.includes(vpnId)) ?? bindings.find((b) => b.vpnIds.length === 0);
  }

  // ------------------------------------------------------------------------------------------
  // Calls from a peer gateway (seed 001 Fig. 2): the caller's gateway admitted and provisioned the
  // tunnel; this one finds its registered callee, alerts it and bridges the two dialogs.
  // ------------------------------------------------------------------------------------------

  private async bridgeFromPeer(req: IncomingRequest, res: Responder, peer: string): Promise<void> {
    const log = this.o.log.child({ callId: req.message.callId, peer });
    let pendingB: ClientRequest | undefined;
    req.onCancel(() => pendingB?.cancel());
    const refuse = (status: number, warning: string): void => {
      if (!res.finalSent) res.send(status, { warning });
      this.o.metrics?.calls.inc({ outcome: String(status) });
      log.info({ status, warning }, 'peer call refused');
    };
    let request: VpnRequest;
    try {
      request = parseVpnRequest(req.body);
    } catch (error) {
      if (error instanceof VpnRequestError) return refuse(error.sipStatus, error.message);
      throw error;
    }
    const target = req.message.uri;
    if (!(target instanceof SipUri) || target.user === undefined) {
      return refuse(404, 'the Request-URI names no application');
    }
    const calleeName = target.userDecoded ?? target.user;
    const binding = await this.bindingOn(this.aor(calleeName), request.vpnId);
    if (binding === undefined) return refuse(404, `${calleeName} is not registered on VPN ${request.vpnId}`);
    const offer = withAddress(req.body, this.o.mediaAddress);
    let uac: Dialog;
    try {
      uac = await this.o.agent.createUAC(
        binding.contact,
        {
          localSdp: offer,
          headers: copyHeaders(req, ['Resource-Priority', 'X-Svpn-Caller']),
          to: this.aor(calleeName),
          from: req.message.from.uri.toString(),
        },
        {
          cbRequest: (client) => {
            pendingB = client;
            if (req.cancelled) client.cancel();
          },
          cbProvisional: (provisional) => {
            if ((provisional.status === 180 || provisional.status === 183) && !res.finalSent) {
              res.send(provisional.status);
            }
          },
        },
      );
    } catch (error) {
      if (req.cancelled) return;
      const status = error instanceof SipError ? error.status : 500;
      return refuse(status >= 300 && status < 700 ? status : 500, `callee answered ${status}`);
    }
    let uas: Dialog;
    try {
      uas = await this.o.agent.createUAS(req, res, {
        localSdp: withAddress(uac.remote.sdp, this.o.mediaAddress),
      });
    } catch {
      await uac.destroy();
      return;
    }
    const call: BridgedCall = { callId: req.message.callId, uas, uac, ending: false };
    this.bridged.add(call);
    this.o.metrics?.calls.inc({ outcome: '200' });
    log.info({ callee: calleeName }, 'peer call bridged');
    // A BYE's Reason (RFC 4411 preemption, above all) crosses the bridge with it.
    const ended = (info: { request?: SipRequest }): void =>
      void this.endBridged(call, reasonOf(info.request));
    uas.on('destroy', ended);
    uac.on('destroy', ended);
    // In-dialog offers cross the bridge unchanged but for the address (the peer admitted them).
    uas.on('modify', (mreq, mres) => void this.relayModify(uac, mreq, mres));
    uac.on('modify', (mreq, mres) => void this.relayModify(uas, mreq, mres));
  }

  private async relayModify(other: Dialog, req: IncomingRequest, res: Responder): Promise<void> {
    try {
      const answer = await other.modify(withAddress(req.body, this.o.mediaAddress));
      res.send(200, { body: withAddress(answer, this.o.mediaAddress), contentType: 'application/sdp' });
    } catch (error) {
      res.send(error instanceof SipError ? error.status : 500);
    }
  }

  private async endBridged(call: BridgedCall, byeHeaders: Record<string, string> = {}): Promise<void> {
    if (call.ending) return;
    call.ending = true;
    await Promise.allSettled([
      call.uas.destroyed ? undefined : call.uas.destroy({ headers: byeHeaders }),
      call.uac.destroyed ? undefined : call.uac.destroy({ headers: byeHeaders }),
    ]);
    this.bridged.delete(call);
  }

  // ------------------------------------------------------------------------------------------
  // VPN mobility (seed 001 Fig. 1: "re-registration with a S-VPN at the new location causes the
  // associated VPN tunnels to be redirected to the new location")
  // ------------------------------------------------------------------------------------------

  /**
   * An application re-registered from another CE: each of its live sessions on the VPNs the new
   * binding names is admitted on the new ingress/egress PE (the old share is given up in the same
   * step of the single writer), then re-provisioned with the next intent version — the provisioner
   * adds the UNI at the new PE and signals the new LSP before it removes the old ones
   * (make-before-break). A move the network cannot carry leaves the session where it was.
   */
  async rehome(application: string, from: Binding, to: Binding): Promise<number> {
    if (to.ce === undefined) return 0;
    const site = await this.o.policy.site(to.ce);
    if (site === undefined) return 0;
    let moved = 0;
    for (const session of [...this.live.values()]) {
      const r = session.record;
      if (session.ending) continue;
      if (to.vpnIds.length > 0 && !to.vpnIds.includes(r.vpnId)) continue;
      const asCaller = r.caller === application && r.ingress.ce === from.ce;
      const asCallee = session.calleeAor === this.aor(application) && r.egress.ce === from.ce;
      if (!asCaller && !asCallee) continue;
      const log = this.o.log.child({ sessionId: r.sessionId, from: from.ce, to: to.ce });
      const ingress = asCaller ? { pe: site.pe, ce: to.ce, iface: site.interface } : undefined;
      const egress = asCallee ? { pe: site.pe, ce: to.ce, iface: site.interface } : undefined;
      const ingressPe = ingress?.pe ?? r.ingress.pe;
      const egressPe = egress?.pe ?? r.egress.pe;
      const admitted = await this.o.admission.move(r.sessionId, ingressPe, egressPe);
      if (!admitted.ok) {
        log.warn({ detail: admitted.detail }, 'session not moved: no capacity on the new path');
        continue;
      }
      const previous = session.intent;
      const endpointOf = (
        side: { pe: string; ce: string; iface?: string | undefined } | undefined,
        index: number,
        fallback: { pe: string; ce: string },
      ): { pe: string; ce: string; interface: string } =>
        side === undefined
          ? (previous.endpoints[index] ?? { ...fallback, interface: `uni-${fallback.ce}` })
          : { pe: side.pe, ce: side.ce, interface: side.iface ?? `uni-${side.ce}` };
      const first = endpointOf(ingress, 0, r.ingress);
      const second = endpointOf(egress, previous.endpoints.length > 1 ? 1 : 0, r.egress);
      r.version += 1;
      session.intent = {
        ...previous,
        version: r.version,
        endpoints: ingressPe === egressPe ? [first] : [first, second],
        lsp:
          ingressPe === egressPe
            ? null
            : {
                lspId: admitted.lspId,
                route: { nodes: admitted.route },
                setupPriority: session.grant.setupPriority,
                holdingPriority: session.grant.holdingPriority,
                bandwidthBps: admitted.lspBandwidthBps,
              },
      };
      try {
        const provisioned = await this.o.provisioning.provision(session.intent);
        r.lspId = provisioned.lspId;
        r.label = provisioned.ingressLabel;
      } catch (error) {
        // The provisioner rolled the PEs back to the previous version; give the ledger back too.
        log.warn({ err: error }, 'session not moved: provisioning failed');
        await this.o.admission.move(r.sessionId, r.ingress.pe, r.egress.pe);
        session.intent = previous;
        r.version -= 1;
        continue;
      }
      if (ingress !== undefined) r.ingress = { pe: ingress.pe, ce: ingress.ce };
      if (egress !== undefined) r.egress = { pe: egress.pe, ce: egress.ce };
      r.links = admitted.links;
      await this.o.sessions.put(r);
      await this.publish(session, 'modify');
      moved += 1;
      log.info({ ingressPe, egressPe, lspId: r.lspId }, 'session moved with its application');
    }
    return moved;
  }

  // ------------------------------------------------------------------------------------------
  // Changes (re-INVITE / UPDATE): admit only the delta, keep the old session when refused
  // ------------------------------------------------------------------------------------------

  private async handleModify(
    session: LiveSession,
    req: IncomingRequest,
    res: Responder,
    from: 'caller' | 'callee',
  ): Promise<void> {
    const log = this.o.log.child({ sessionId: session.record.sessionId });
    let next: VpnRequest;
    try {
      next = parseVpnRequest(req.body);
    } catch (error) {
      res.send(error instanceof VpnRequestError ? 488 : 500, { warning: (error as Error).message });
      return;
    }
    const other = from === 'caller' ? session.uac : session.uas;
    const record = session.record;
    if (next.bandwidthBps === record.grantedBps && next.serviceClass === record.serviceClass) {
      // A refresh (session timer) or a change svpn does not act on: answer with the current grant.
      res.send(200, { body: this.sdpFor(session, session.request), contentType: 'application/sdp' });
      return;
    }
    const decision = await this.o.policy.decide(
      {
        application: record.caller,
        vpn: record.vpnId,
        serviceClass: next.serviceClass,
        bandwidthBps: next.bandwidthBps,
        currentBps: record.grantedBps,
        now: new Date(this.now()),
      },
      record.sessionId,
    );
    if (!decision.allow) {
      // RFC 3261 §14.2 — a refused re-INVITE leaves the session as it was.
      res.send(488, { warning: decision.reason });
      return;
    }
    const resized = await this.o.admission.resize(record.sessionId, decision.grantedBps);
    if (!resized.ok) {
      await this.o.policy.decide(
        {
          application: record.caller,
          vpn: record.vpnId,
          serviceClass: record.serviceClass,
          bandwidthBps: record.grantedBps,
          currentBps: decision.grantedBps,
          now: new Date(this.now()),
        },
        record.sessionId,
      );
      res.send(488, { warning: `no capacity for ${decision.grantedBps} bit/s: ${resized.detail}` });
      return;
    }
    if (resized.preempted.length > 0) await this.executePreemption(resized.preempted, log);
    record.version += 1;
    record.grantedBps = decision.grantedBps;
    record.dscp = decision.dscp;
    record.serviceClass = decision.serviceClass;
    session.request = next;
    session.grant = decision;
    try {
      await this.o.provisioning.provision(this.intentFor(session, resized.lspBandwidthBps));
      if (other !== undefined) await other.modify(this.sdpFor(session, next));
    } catch (error) {
      log.warn({ err: error }, 'modification failed after admission');
    }
    await this.o.sessions.put(record);
    await this.publish(session, 'modify');
    res.send(200, { body: this.sdpFor(session, next), contentType: 'application/sdp' });
  }

  /** The next version of what the PEs hold for the session: same endpoints, new parameters. */
  private intentFor(session: LiveSession, lspBandwidthBps?: number): SessionIntent {
    const r = session.record;
    const previous = session.intent;
    session.intent = {
      ...previous,
      version: r.version,
      bandwidthBps: r.grantedBps,
      dscp: r.dscp,
      serviceClass: r.serviceClass,
      ...(previous.lsp == null || lspBandwidthBps === undefined
        ? {}
        : { lsp: { ...previous.lsp, bandwidthBps: lspBandwidthBps } }),
    };
    return session.intent;
  }

  private sdpFor(session: LiveSession, request: VpnRequest): string {
    const r = session.record;
    return buildVpnSdp(
      request,
      {
        sessionId: r.sessionId,
        grantedBps: r.grantedBps,
        dscp: r.dscp,
        lspId: r.lspId ?? 'local',
        label: r.label ?? 3,
        address: this.o.mediaAddress,
        port: request.port,
      },
      { sessionVersion: r.version },
    );
  }

  // ------------------------------------------------------------------------------------------
  // Preemption (RFC 3209 / RFC 4411 / RFC 4495)
  // ------------------------------------------------------------------------------------------

  /**
   * The victims an admission of ours reported: those we hold are ended or shrunk now; the others'
   * holders (another gateway, the API) act on the preemption notice the leader published, and
   * this waits — bounded — until those ended elsewhere have left the PEs.
   */
  private async executePreemption(actions: PreemptionAction[], log: Logger): Promise<void> {
    const elsewhere: string[] = [];
    for (const action of actions) {
      this.o.metrics?.preemptions.inc({ action: action.action });
      const verdict: Verdict =
        action.action === 'shrink' && action.newBandwidthBps !== undefined
          ? { shrinkTo: action.newBandwidthBps }
          : 'end';
      if (!(await this.applyPreemption(action.sessionId, verdict))) {
        log.info({ victim: action.sessionId }, 'preempted session is held elsewhere: its holder is notified');
        if (verdict === 'end') elsewhere.push(action.sessionId);
      }
    }
    if (elsewhere.length > 0) await this.awaitReleasedElsewhere(elsewhere, log);
  }

  /**
   * A preemption notice from the leader (every gateway reads them all): a session of ours loses its
   * reservation or part of it. The ledger is asked what the session holds now — a notice may come
   * late, twice, or after our own admission path already acted — and only the difference is acted
   * on: nothing held → BYE with the RFC 4411 Reason; less than granted → shrink (RFC 4495).
   */
  async handlePreemptionNotice(notice: PreemptionNotice): Promise<void> {
    const id = notice.sessionId;
    if (!this.live.has(id) && !this.setups.has(id)) return; // not ours, or over already
    let verdict: Verdict = notice.action === 'end' ? 'end' : { shrinkTo: notice.newBandwidthBps ?? 0 };
    if (this.o.holding !== undefined) {
      try {
        const held = await this.o.holding(id);
        verdict = held === undefined ? 'end' : { shrinkTo: held.bandwidthBps };
      } catch (error) {
        // The leader cannot say (it is failing over): the notice is the best word there is.
        this.o.log.warn({ err: error, sessionId: id }, 'ledger not readable; acting on the notice as it is');
      }
    }
    const applied = await this.applyPreemption(id, verdict);
    if (applied) {
      this.o.log.info(
        { sessionId: id, noticeId: notice.noticeId, preemptor: notice.preemptorSessionId, verdict },
        'preemption notice applied',
      );
    }
  }

  /**
   * Applies what the ledger decided to a session of ours: a live one is ended or shrunk (only below
   * its current grant, so applying twice changes nothing); one still in setup is marked, and the
   * mark is applied when it is live. False when the session is not ours.
   */
  private async applyPreemption(sessionId: string, verdict: Verdict): Promise<boolean> {
    const victim = this.live.get(sessionId);
    if (victim !== undefined) {
      if (verdict === 'end') {
        await this.endSession(victim, 'preempted', { Reason: PREEMPTION_REASON });
        await this.released(victim);
      } else if (!victim.ending && verdict.shrinkTo > 0 && verdict.shrinkTo < victim.record.grantedBps) {
        await this.shrink(victim, verdict.shrinkTo);
      }
      return true;
    }
    const setup = this.setups.get(sessionId);
    if (setup === undefined) return false;
    if (verdict === 'end') setup.lost = true;
    else if (verdict.shrinkTo > 0 && verdict.shrinkTo < (setup.shrinkTo ?? setup.grantedBps)) {
      setup.shrinkTo = verdict.shrinkTo;
    }
    return true;
  }

  /**
   * Waits until a session ending here has given its share back (it leaves `live` once released):
   * another path may have begun ending it — our admission's victim list and the leader's notice
   * race — and the preemptor must not be signalled on the PEs before the victim left them.
   */
  private async released(session: LiveSession): Promise<void> {
    const deadline = this.now() + (this.o.remoteVictimWaitMs ?? 5000);
    while (this.live.get(session.record.sessionId) === session && this.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Waits until the sessions' records are gone (their holders released them on the PEs), bounded. */
  private async awaitReleasedElsewhere(sessionIds: string[], log: Logger): Promise<void> {
    const deadline = this.now() + (this.o.remoteVictimWaitMs ?? 5000);
    let pending = sessionIds;
    while (pending.length > 0) {
      const records = await Promise.all(pending.map((id) => this.o.sessions.get(id).catch(() => undefined)));
      pending = pending.filter((_, i) => records[i] !== undefined && records[i]?.phase !== 'ended');
      if (pending.length === 0) return;
      if (this.now() >= deadline) {
        log.warn({ victims: pending }, 'victims held elsewhere are not released yet; provisioning anyway');
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** RFC 4495 — the victim keeps its session at a lower bandwidth: re-INVITE both parties. */
  private async shrink(session: LiveSession, bandwidthBps: number): Promise<void> {
    const r = session.record;
    r.version += 1;
    r.grantedBps = bandwidthBps;
    await this.o.sessions.put(r);
    await this.publish(session, 'preempt', 'preempted');
    const sdp = this.sdpFor(session, { ...session.request, bandwidthBps });
    await Promise.allSettled([session.uas?.modify(sdp), session.uac?.modify(sdp)]);
  }

  // ------------------------------------------------------------------------------------------
  // Teardown
  // ------------------------------------------------------------------------------------------

  /** Ends a session once: BYE to whoever is still up, then provisioning, ledger, usage, charge stop. */
  async endSession(
    session: LiveSession,
    reason: SessionEndReason,
    byeHeaders: Record<string, string> = {},
  ): Promise<void> {
    if (session.ending) return;
    session.ending = true;
    for (const t of session.timers) clearTimeout(t);
    const r = session.record;
    const log = this.o.log.child({ sessionId: r.sessionId, callId: r.callId });
    // BYE whoever is still up, but never hold the network resources hostage to a slow or vanished
    // peer: the BYE transactions finish (or time out) on their own (RFC 3261 §15.1.1).
    const byes = Promise.allSettled([
      session.uas?.destroyed ? undefined : session.uas?.destroy({ headers: byeHeaders }),
      session.uac?.destroyed ? undefined : session.uac?.destroy({ headers: byeHeaders }),
    ]);
    r.endAt = this.now();
    // The bytes the PE counted, read before uni.remove-session makes them disappear (seed 001).
    if (this.o.meter !== undefined) {
      try {
        session.bytes = await this.o.meter.readBytes(r.ingress.pe, r.sessionId, r.endAt);
      } catch (error) {
        log.warn({ err: error }, 'PE counters not read; the charge record meters them itself');
      }
    }
    const results = await Promise.allSettled([
      this.releaseTunnel(r.sessionId, r.lspId),
      this.o.policy.releaseUsage(r.sessionId),
    ]);
    for (const failed of results.filter((x) => x.status === 'rejected')) {
      // The reconciler finds what a failed release left behind (DESIGN §5).
      log.error({ err: (failed as PromiseRejectedResult).reason }, 'release step failed');
    }
    r.phase = 'ended';
    r.endReason = reason;
    this.live.delete(r.sessionId);
    // A preempted session's terminal event is `preempt` (with endAt); every other end is `stop`.
    await this.publish(session, reason === 'preempted' ? 'preempt' : 'stop', reason);
    await this.o.sessions.delete(r.sessionId);
    log.info({ reason }, 'session ended');
    await byes;
  }

  /**
   * Gives a session's tunnel share back: the ledger first, then the PEs with the aggregate's size as
   * the ledger now holds it — a shared LSP keeps what its other sessions need (the share a session
   * caused when it joined need not be what the aggregate can lose when it leaves). Releasing the
   * ledger again later (a rollback step) is a no-op. If the ledger cannot be reached the PEs still
   * give the session's share back; the reconciler converges the rest (DESIGN §5).
   */
  private async releaseTunnel(sessionId: string, lspId: string | null | undefined): Promise<void> {
    let left: { lspId: string; lspBandwidthBps: number } | undefined;
    let ledgerError: unknown;
    try {
      left = await this.o.admission.release(sessionId);
    } catch (error) {
      ledgerError = error;
    }
    const sameLsp = left !== undefined && left.lspId === lspId && left.lspBandwidthBps > 0;
    await this.o.provisioning.release(sessionId, sameLsp ? { lspBandwidthBps: left!.lspBandwidthBps } : {});
    if (ledgerError !== undefined) throw ledgerError;
  }

  private async publish(
    session: LiveSession,
    type: SessionEventType,
    reason?: SessionEndReason,
  ): Promise<void> {
    const r = session.record;
    const seq = session.seq++;
    try {
      await this.o.events.publish({
        type,
        eventId: sessionEventId(r.sessionId, seq),
        sessionId: r.sessionId,
        seq,
        at: this.now(),
        customer: r.customerId,
        vpnId: r.vpnId,
        caller: this.aor(r.caller),
        callee: session.calleeAor,
        grantedBps: Math.round(r.grantedBps),
        serviceClass: r.serviceClass,
        precedence: r.precedence as SessionEvent['precedence'],
        dscp: r.dscp,
        chargingProfile: session.grant.chargingProfile,
        setupAt: r.setupAt,
        answerAt: r.answerAt ?? null,
        endAt: r.endAt ?? null,
        ...(reason === undefined ? {} : { reason }),
        lspId: r.lspId,
        ingressPe: r.ingress.pe,
        peSessionId: r.sessionId,
        ...(session.bytes === undefined || (type !== 'stop' && type !== 'preempt') || r.endAt === undefined
          ? {}
          : { bytes: session.bytes }),
      });
    } catch (error) {
      this.o.log.error({ err: error, sessionId: r.sessionId, type }, 'session event not published');
    }
  }
}

/** The Request-URI for a callee served by a peer gateway: the callee's user at the peer's address. */
export function peerRequestUri(peerUri: string, user: string): string {
  const hostPort = peerUri.replace(/^sips?:/, '').replace(/^[^@]*@/, '');
  return `sip:${encodeURIComponent(user)}@${hostPort}`;
}

/** The SDP with every `o=` / `c=` address replaced by ours (topology hiding across the bridge). */
export function withAddress(sdp: string, address: string): string {
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  return sdp
    .replace(/^(o=\S+ \S+ \S+ IN) IP[46] \S+/gm, `$1 ${ip} ${address}`)
    .replace(/^c=IN IP[46] \S+/gm, `c=IN ${ip} ${address}`);
}

/** The Reason header of the BYE that ended a bridged leg, to send on with the other leg's BYE. */
function reasonOf(request: SipRequest | undefined): Record<string, string> {
  const reason = request?.headers.get('Reason');
  return reason === undefined ? {} : { Reason: reason };
}

function copyHeaders(req: IncomingRequest, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = req.get(name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
