import {
  PeAdapterError,
  type JobOutcome,
  type JobPayloads,
  type JobSpec,
  type LspState,
  type PeAdapter,
  type PeCallOptions,
  type UniSessionState,
} from '@svpn/provisioning';
import type { DesiredLsp, DesiredSession, EndpointRecord, ProvisioningStore } from '@svpn/store';
import { markedUni } from '../adapters/marked-uni.js';

/** What a job handler works with. */
export interface JobHandlerContext {
  readonly adapter: PeAdapter;
  readonly store: ProvisioningStore;
  /** Passed to every PE call (its deadline). */
  readonly call?: PeCallOptions;
}

const APPLIED: JobOutcome = { outcome: 'applied' };
const UNCHANGED: JobOutcome = { outcome: 'unchanged' };
const skipped = (detail: string): JobOutcome => ({ outcome: 'skipped', detail });

/**
 * Runs one provisioning job: converges the object it names on its PE to the desired state **as it is
 * now** (not as it was when the job was queued), then records what it observed in the actual-state
 * store. So a job that runs late, twice, or after a newer revision does no harm, and per-PE
 * serialisation (one job per PE at a time) makes the last job to run for an object the one that
 * sets it:
 *
 * - creating jobs (`rsvp-te.signal`/`resize`, `uni.add`/`modify-session`, `marking.apply`,
 *   `bgp.advertise-membership`) do nothing (`skipped`) when the object is no longer desired;
 * - removing jobs (`rsvp-te.teardown`, `uni.remove-session`, `bgp.withdraw-membership`) do nothing
 *   when the object is desired again; otherwise they remove it, whether or not anyone desired it
 *   (the reconciler uses them for leaks).
 *
 * Jobs queued with origin `direct` for objects the store does not know (class-wide markings, LDP
 * bindings, tools) apply their payload as given.
 *
 * PE failures propagate as `PeAdapterError` (the worker decides between retry and give-up).
 */
export async function handleJob(spec: JobSpec, ctx: JobHandlerContext): Promise<JobOutcome> {
  switch (spec.type) {
    case 'rsvp-te.signal':
    case 'rsvp-te.resize':
      return ensureLsp(spec.payload, ctx, spec.payload.origin === 'direct' ? directLsp(spec) : null);
    case 'rsvp-te.teardown':
      return teardownLsp(spec.payload, ctx);
    case 'uni.add-session':
    case 'uni.modify-session':
      return ensureUni(spec.payload.pe, spec.payload.sessionId, ctx, spec);
    case 'uni.remove-session':
      return removeUni(spec.payload, ctx);
    case 'marking.apply':
      return applyMarking(spec.payload, ctx);
    case 'bgp.advertise-membership':
      return advertise(spec.payload, ctx);
    case 'bgp.withdraw-membership':
      return withdraw(spec.payload, ctx);
    case 'ldp.bind': {
      const { revision: _r, origin: _o, ...request } = spec.payload;
      const binding = await ctx.adapter.ldpBind(request, ctx.call);
      return { outcome: 'applied', detail: `label ${binding.label}` };
    }
    case 'ldp.release': {
      const { revision: _r, origin: _o, ...request } = spec.payload;
      const { released } = await ctx.adapter.ldpRelease(request, ctx.call);
      return released ? APPLIED : UNCHANGED;
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown job type ${String((never as { type: unknown }).type)}`);
    }
  }
}

// -----------------------------------------------------------------------------------------------
// RSVP-TE
// -----------------------------------------------------------------------------------------------

type LspTarget = Pick<
  DesiredLsp,
  | 'lspId'
  | 'ingress'
  | 'route'
  | 'bandwidthBps'
  | 'setupPriority'
  | 'holdingPriority'
  | 'penultimateHopPopping'
> & { revision: number };

/** The target of a direct signal job that the store does not know. */
function directLsp(spec: JobSpec): LspTarget | null {
  if (spec.type !== 'rsvp-te.signal') return null;
  const p = spec.payload;
  return {
    lspId: p.lspId,
    ingress: p.pe,
    route: p.route,
    bandwidthBps: p.bandwidthBps,
    setupPriority: p.setupPriority,
    holdingPriority: p.holdingPriority,
    penultimateHopPopping: p.penultimateHopPopping ?? false,
    revision: p.revision,
  };
}

/** Whether the LSP on the network follows the desired route with the desired priorities. */
export function lspMatchesRoute(observed: LspState, desired: LspTarget): boolean {
  const sameRoute =
    'nodes' in desired.route
      ? observed.nodes.join('|') === desired.route.nodes.join('|')
      : observed.links.join('|') === desired.route.links.join('|');
  return (
    sameRoute &&
    observed.setupPriority === desired.setupPriority &&
    observed.holdingPriority === desired.holdingPriority &&
    observed.penultimateHopPopping === desired.penultimateHopPopping
  );
}

async function ensureLsp(
  payload: JobPayloads['rsvp-te.signal'] | JobPayloads['rsvp-te.resize'],
  ctx: JobHandlerContext,
  direct: LspTarget | null,
): Promise<JobOutcome> {
  const desired = await ctx.store.getLspIntent(payload.lspId);
  const target: LspTarget | null = desired?.intent === 'active' ? desired : desired === null ? direct : null;
  if (target === null) return skipped(desired ? 'LSP released' : 'LSP not desired');
  const signal = (): Promise<LspState> =>
    ctx.adapter.rsvpTeSignal(
      {
        pe: target.ingress,
        lspId: target.lspId,
        route: target.route as JobPayloads['rsvp-te.signal']['route'],
        bandwidthBps: target.bandwidthBps,
        setupPriority: target.setupPriority,
        holdingPriority: target.holdingPriority,
        penultimateHopPopping: target.penultimateHopPopping,
      },
      ctx.call,
    );
  const observed = await ctx.adapter.getLsp(target.lspId);
  let state: LspState;
  let outcome = APPLIED;
  if (observed === null) {
    state = await signal();
  } else if (!lspMatchesRoute(observed, target)) {
    // Another route (an LSP id re-used after a release whose teardown has not run yet): break, then make.
    await ctx.adapter.rsvpTeTeardown({ pe: target.ingress, lspId: target.lspId }, ctx.call);
    state = await signal();
  } else if (observed.status === 'partial' || observed.status === 'down') {
    // RFC 3209 §4.6.4 — signalled again along the same route; the simulator releases the leftovers first.
    state = await signal();
  } else if (observed.status === 'resize-partial' || observed.bandwidthBps !== target.bandwidthBps) {
    state = await ctx.adapter.rsvpTeResize(
      { pe: target.ingress, lspId: target.lspId, bandwidthBps: target.bandwidthBps },
      ctx.call,
    );
  } else {
    state = observed;
    outcome = UNCHANGED;
  }
  await ctx.store.putActualLsp({
    lspId: state.lspId,
    ingress: state.ingress,
    status: state.status,
    bandwidthBps: state.bandwidthBps,
    ingressLabel: state.ingressLabel,
    hopLabels: state.hopLabels,
    revision: target.revision,
  });
  return outcome;
}

async function teardownLsp(
  payload: JobPayloads['rsvp-te.teardown'],
  ctx: JobHandlerContext,
): Promise<JobOutcome> {
  const desired = await ctx.store.getLspIntent(payload.lspId);
  if (desired?.intent === 'active') return skipped('LSP desired again');
  const { existed } = await ctx.adapter.rsvpTeTeardown({ pe: payload.pe, lspId: payload.lspId }, ctx.call);
  await ctx.store.deleteActualLsp(payload.lspId);
  // The desired record of a released LSP has served its purpose once the network holds nothing of it.
  if (desired) await ctx.store.deleteLspIntent(desired.lspId, desired.revision);
  return existed ? APPLIED : UNCHANGED;
}

// -----------------------------------------------------------------------------------------------
// UNI and marking
// -----------------------------------------------------------------------------------------------

function desiredEndpoint(session: DesiredSession | null, pe: string): EndpointRecord | null {
  if (!session || session.intent !== 'active') return null;
  return session.endpoints.find((e) => e.pe === pe) ?? null;
}

/** What the UNI session on `pe` should look like. */
interface UniTarget {
  readonly pe: string;
  readonly sessionId: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly interface: string;
  readonly bandwidthBps: number;
  readonly marking: { dscp: number; serviceClass?: string };
  readonly lspId: string | null;
  readonly revision: number;
}

function uniTarget(session: DesiredSession, endpoint: EndpointRecord): UniTarget {
  return {
    pe: endpoint.pe,
    sessionId: session.sessionId,
    vpnId: session.vpnId,
    ce: endpoint.ce,
    interface: endpoint.interface,
    bandwidthBps: session.bandwidthBps,
    marking:
      session.serviceClass === null
        ? { dscp: session.dscp }
        : { dscp: session.dscp, serviceClass: session.serviceClass },
    lspId: session.lsp?.lspId ?? null,
    revision: session.revision,
  };
}

function directUni(spec: JobSpec): UniTarget | null {
  if (spec.type !== 'uni.add-session' || spec.payload.origin !== 'direct') return null;
  const p = spec.payload;
  return {
    pe: p.pe,
    sessionId: p.sessionId,
    vpnId: p.vpnId,
    ce: p.ce,
    interface: p.interface,
    bandwidthBps: p.bandwidthBps,
    marking: p.marking,
    lspId: p.lspId ?? null,
    revision: p.revision,
  };
}

function sameMarking(a: UniSessionState['marking'], b: UniTarget['marking']): boolean {
  return a.dscp === b.dscp && (a.serviceClass ?? null) === (b.serviceClass ?? null);
}

async function ensureUni(
  pe: string,
  sessionId: string,
  ctx: JobHandlerContext,
  spec: JobSpec,
): Promise<JobOutcome> {
  const session = await ctx.store.getSessionIntent(sessionId);
  const endpoint = desiredEndpoint(session, pe);
  const target =
    session && endpoint ? uniTarget(session, endpoint) : session === null ? directUni(spec) : null;
  if (target === null) return skipped(session ? 'session released or moved' : 'session not desired');
  // A desired session's DSCP is applied with its attachment, in the same job: one job per endpoint
  // instead of an attachment job and a marking job (each BullMQ job costs a queue round trip). An
  // adapter with the combined call sets it in the same PE call too (pe-sim: one Redis round trip).
  let marking: Marking = session === null ? 'none' : 'pending';
  const combined = marking === 'pending' ? markedUni(ctx.adapter) : null;
  const dscp = target.marking.dscp;
  const add = async (): Promise<UniSessionState> => {
    const request = {
      pe,
      sessionId,
      vpnId: target.vpnId,
      ce: target.ce,
      interface: target.interface,
      bandwidthBps: target.bandwidthBps,
      marking: target.marking,
      ...(target.lspId === null ? {} : { lspId: target.lspId }),
    };
    if (combined === null) return ctx.adapter.uniAddSession(request, ctx.call);
    const added = await combined.uniAddSessionMarked(request, dscp, ctx.call);
    marking = 'done';
    return added;
  };
  if (spec.type === 'uni.add-session') {
    // The common case is a session the PE does not have yet: add it straight away (the add is
    // idempotent for the same parameters); only a conflict needs a look at what the PE holds.
    try {
      const added = await add();
      return await recordUni(ctx, sessionId, pe, target, added, APPLIED, marking);
    } catch (error) {
      if (!(error instanceof PeAdapterError) || error.code !== 'SVPN_PE_CONFLICT') throw error;
    }
  }
  const observed = await ctx.adapter.getSession(pe, sessionId);
  let state: UniSessionState;
  let outcome = APPLIED;
  if (observed === null) {
    state = await add();
  } else if (observed.vpnId !== target.vpnId || observed.ce !== target.ce) {
    // VPN and CE are the session's identity on the PE: replace it.
    await ctx.adapter.uniRemoveSession({ pe, sessionId }, ctx.call);
    state = await add();
  } else if (
    observed.bandwidthBps !== target.bandwidthBps ||
    observed.interface !== target.interface ||
    observed.lspId !== target.lspId ||
    !sameMarking(observed.marking, target.marking)
  ) {
    const request = {
      pe,
      sessionId,
      bandwidthBps: target.bandwidthBps,
      interface: target.interface,
      lspId: target.lspId,
      // A marking in a modify replaces a per-session override: only send it when the rule changed.
      ...(sameMarking(observed.marking, target.marking) ? {} : { marking: target.marking }),
    };
    if (combined === null) {
      state = await ctx.adapter.uniModifySession(request, ctx.call);
    } else {
      state = await combined.uniModifySessionMarked(request, dscp, ctx.call);
      marking = 'done';
    }
  } else {
    state = observed;
    outcome = UNCHANGED;
  }
  return recordUni(ctx, sessionId, pe, target, state, outcome, marking);
}

/** A UNI job's per-session marking: none (a direct job), still to apply, or applied with the attachment. */
type Marking = 'none' | 'pending' | 'done';

/**
 * Records the attachment in the actual-state store. A `pending` marking is first set as a per-session
 * rule (what a per-session `marking.apply` does: an absolute value, so applying it again is a no-op),
 * so a class-wide rule on the PE does not silently re-mark a session whose SLA fixed its DSCP; `done`
 * when the attachment call set it already. The record then carries the marking revision too.
 */
async function recordUni(
  ctx: JobHandlerContext,
  sessionId: string,
  pe: string,
  target: UniTarget,
  state: UniSessionState,
  outcome: JobOutcome,
  marking: Marking,
): Promise<JobOutcome> {
  let dscp = state.dscp;
  if (marking === 'pending') {
    dscp = (
      await ctx.adapter.markingApply({ pe, target: { sessionId }, dscp: target.marking.dscp }, ctx.call)
    ).dscp;
  }
  const marked = marking !== 'none';
  await ctx.store.updateActualEndpoint(sessionId, pe, {
    vpnId: state.vpnId,
    ce: state.ce,
    interface: state.interface,
    bandwidthBps: state.bandwidthBps,
    dscp,
    lspId: state.lspId,
    uniRevision: target.revision,
    ...(marked ? { markingRevision: target.revision } : {}),
  });
  return outcome;
}

async function removeUni(
  payload: JobPayloads['uni.remove-session'],
  ctx: JobHandlerContext,
): Promise<JobOutcome> {
  const session = await ctx.store.getSessionIntent(payload.sessionId);
  if (desiredEndpoint(session, payload.pe)) return skipped('session desired on this PE');
  const { removed } = await ctx.adapter.uniRemoveSession(
    { pe: payload.pe, sessionId: payload.sessionId },
    ctx.call,
  );
  await ctx.store.deleteActualEndpoint(payload.sessionId, payload.pe);
  return removed ? APPLIED : UNCHANGED;
}

async function applyMarking(
  payload: JobPayloads['marking.apply'],
  ctx: JobHandlerContext,
): Promise<JobOutcome> {
  const { revision: _r, origin: _o, ...request } = payload;
  if (!('sessionId' in request.target)) {
    // A class-wide rule (dynamic QoS re-marking) is not per-session desired state: apply as given.
    const result = await ctx.adapter.markingApply(request, ctx.call);
    return { outcome: 'applied', detail: `${result.sessionsAffected} sessions re-marked` };
  }
  const sessionId = request.target.sessionId;
  const session = await ctx.store.getSessionIntent(sessionId);
  if (session === null && payload.origin === 'direct') {
    await ctx.adapter.markingApply(request, ctx.call);
    return APPLIED;
  }
  if (!session || !desiredEndpoint(session, payload.pe)) {
    return skipped(session ? 'session released or moved' : 'session not desired');
  }
  // The session's DSCP is set as a per-session rule (an absolute value: applying it again is a no-op),
  // so a class-wide rule on the PE does not silently re-mark a session whose SLA fixed its DSCP.
  const result = await ctx.adapter.markingApply(
    { pe: payload.pe, target: { sessionId }, dscp: session.dscp },
    ctx.call,
  );
  await ctx.store.updateActualEndpoint(sessionId, payload.pe, {
    dscp: result.dscp,
    markingRevision: session.revision,
  });
  return APPLIED;
}

// -----------------------------------------------------------------------------------------------
// BGP membership
// -----------------------------------------------------------------------------------------------

async function advertise(
  payload: JobPayloads['bgp.advertise-membership'],
  ctx: JobHandlerContext,
): Promise<JobOutcome> {
  const desired = await ctx.store.getMembershipIntent(payload);
  if (desired === null && payload.origin !== 'direct') return skipped('membership not desired');
  if (desired !== null && desired.intent !== 'active') return skipped('membership released');
  const source = desired ?? { ...payload, prefixes: payload.prefixes ?? [] };
  const state = await ctx.adapter.bgpAdvertiseMembership(
    {
      pe: source.pe,
      vpnId: source.vpnId,
      ce: source.ce,
      rd: source.rd,
      importTargets: [...source.importTargets],
      exportTargets: [...source.exportTargets],
      prefixes: [...source.prefixes],
    },
    ctx.call,
  );
  await ctx.store.putActualMembership({
    pe: state.pe,
    vpnId: state.vpnId,
    ce: state.ce,
    vpnLabel: state.vpnLabel,
    revision: desired?.revision ?? payload.revision,
  });
  return APPLIED;
}

async function withdraw(
  payload: JobPayloads['bgp.withdraw-membership'],
  ctx: JobHandlerContext,
): Promise<JobOutcome> {
  const desired = await ctx.store.getMembershipIntent(payload);
  if (desired?.intent === 'active') return skipped('membership desired again');
  const { withdrawn } = await ctx.adapter.bgpWithdrawMembership(
    { pe: payload.pe, vpnId: payload.vpnId, ce: payload.ce },
    ctx.call,
  );
  await ctx.store.deleteActualMembership(payload);
  if (desired) await ctx.store.deleteMembershipIntent(payload, desired.revision);
  return withdrawn ? APPLIED : UNCHANGED;
}
