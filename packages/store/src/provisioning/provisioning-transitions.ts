/**
 * The desired-state transitions of the provisioning store, as pure functions over records: both
 * store implementations run exactly these inside their compare-and-set transactions. Every write
 * stamps the records it changes with `revision`, a number the store draws from one counter that
 * only grows: a record's revisions increase, and a revision is never reused — not even by a record
 * created again under the id of one that was collected — so job ids derived from it never collide
 * with a job BullMQ still remembers. @internal
 */
import {
  IntentConflictStoreError,
  IntentReleasedError,
  StaleIntentError,
} from './provisioning-store-error.js';
import type {
  DesiredLsp,
  DesiredMembership,
  DesiredSession,
  MembershipIntentInput,
  ReleaseSessionOptions,
  SessionIntentInput,
  SessionLspRecord,
} from './provisioning-store.js';

/** What a session intent write does: the new session record and the LSP records to write. */
export interface SessionPlan {
  readonly session: DesiredSession;
  /** LSP records that changed (to write). */
  readonly lspWrites: readonly DesiredLsp[];
  /** The LSPs the change touched, as they are after it. */
  readonly lsps: readonly DesiredLsp[];
  readonly changed: boolean;
}

function sessionContent(s: {
  vpnId: string;
  bandwidthBps: number;
  dscp: number;
  serviceClass: string | null;
  endpoints: readonly { pe: string; ce: string; interface: string }[];
  lsp: SessionLspRecord | null;
}): string {
  return JSON.stringify([
    s.vpnId,
    s.bandwidthBps,
    s.dscp,
    s.serviceClass,
    s.endpoints.map((e) => [e.pe, e.ce, e.interface]),
    s.lsp === null
      ? null
      : [
          s.lsp.lspId,
          routeKey(s.lsp.route),
          s.lsp.setupPriority,
          s.lsp.holdingPriority,
          s.lsp.penultimateHopPopping,
          s.lsp.bandwidthBps,
        ],
  ]);
}

function routeKey(route: SessionLspRecord['route']): string {
  return 'nodes' in route ? `n:${route.nodes.join('|')}` : `l:${route.links.join('|')}`;
}

/** The ids of the LSPs a session intent write reads: the one it rides and the one it rode. */
export function lspIdsTouched(current: DesiredSession | null, input: SessionIntentInput): string[] {
  const ids = new Set<string>();
  if (input.lsp) ids.add(input.lsp.lspId);
  if (current?.lsp) ids.add(current.lsp.lspId);
  return [...ids];
}

/** Applies a session intent to the stored records (see {@link ProvisioningStore.putSessionIntent}). */
export function planPutSession(
  current: DesiredSession | null,
  lsps: ReadonlyMap<string, DesiredLsp | null>,
  input: SessionIntentInput,
  nowMs: number,
  revision: number,
): SessionPlan {
  const id = `session ${input.sessionId}`;
  if (current) {
    if (current.intent === 'released') throw new IntentReleasedError(id);
    if (input.version < current.version) throw new StaleIntentError(id, current.version, input.version);
    if (input.version === current.version) {
      if (sessionContent(current) === sessionContent(input)) {
        const touched = current.lsp ? lsps.get(current.lsp.lspId) : null;
        return { session: current, lspWrites: [], lsps: touched ? [touched] : [], changed: false };
      }
      if (!input.replaceSameVersion) {
        throw new IntentConflictStoreError(
          `${id}: version ${input.version} was submitted with other parameters`,
        );
      }
    }
  }
  const session: DesiredSession = {
    sessionId: input.sessionId,
    version: input.version,
    revision,
    intent: 'active',
    phase: current ? 'modifying' : 'deploying',
    vpnId: input.vpnId,
    bandwidthBps: input.bandwidthBps,
    dscp: input.dscp,
    serviceClass: input.serviceClass,
    endpoints: input.endpoints.map((e) => ({ pe: e.pe, ce: e.ce, interface: e.interface })),
    lsp: input.lsp === null ? null : { ...input.lsp },
    deadlineMs: input.deadlineMs,
    failure: null,
    createdAtMs: current?.createdAtMs ?? nowMs,
    updatedAtMs: nowMs,
  };
  const after: DesiredLsp[] = [];
  const writes: DesiredLsp[] = [];
  if (input.lsp) {
    const ingress = input.endpoints[0]?.pe ?? '';
    const before = lsps.get(input.lsp.lspId) ?? null;
    const joined = joinLsp(before, input.sessionId, input.bandwidthBps, ingress, input.lsp, nowMs, revision);
    after.push(joined);
    if (joined !== before) writes.push(joined);
  }
  const left = current?.lsp && current.lsp.lspId !== input.lsp?.lspId ? current.lsp.lspId : null;
  if (left !== null) {
    const before = lsps.get(left) ?? null;
    if (before) {
      const after1 = leaveLsp(before, input.sessionId, undefined, nowMs, revision);
      after.push(after1);
      if (after1 !== before) writes.push(after1);
    }
  }
  return { session, lspWrites: writes, lsps: after, changed: true };
}

/**
 * The session rides the LSP: a new or released LSP is (re)created at the requested size (or the
 * session's); an active one takes the requested aggregate size, or grows by the session's bandwidth,
 * remembering the session's contribution so that leaving gives exactly that back.
 */
export function joinLsp(
  lsp: DesiredLsp | null,
  sessionId: string,
  sessionBps: number,
  ingress: string,
  request: SessionLspRecord,
  nowMs: number,
  revision: number,
): DesiredLsp {
  if (lsp === null || lsp.intent === 'released') {
    const size = request.bandwidthBps ?? sessionBps;
    return {
      lspId: request.lspId,
      ingress,
      route: request.route,
      setupPriority: request.setupPriority,
      holdingPriority: request.holdingPriority,
      penultimateHopPopping: request.penultimateHopPopping,
      bandwidthBps: size,
      contributions: new Map([[sessionId, size]]),
      intent: 'active',
      revision,
      createdRevision: revision,
      updatedAtMs: nowMs,
    };
  }
  if (
    lsp.ingress !== ingress ||
    routeKey(lsp.route) !== routeKey(request.route) ||
    lsp.setupPriority !== request.setupPriority ||
    lsp.holdingPriority !== request.holdingPriority ||
    lsp.penultimateHopPopping !== request.penultimateHopPopping
  ) {
    throw new IntentConflictStoreError(
      `LSP ${lsp.lspId} is in use with another ingress, route or priorities`,
    );
  }
  const had = lsp.contributions.get(sessionId);
  const old = had ?? 0;
  let size: number;
  let contribution: number;
  if (request.bandwidthBps !== null) {
    size = request.bandwidthBps;
    contribution = old + (size - lsp.bandwidthBps);
  } else {
    size = lsp.bandwidthBps - old + sessionBps;
    contribution = sessionBps;
  }
  size = Math.max(1, size);
  if (had !== undefined && had === contribution && size === lsp.bandwidthBps) return lsp;
  return {
    ...lsp,
    bandwidthBps: size,
    contributions: new Map(lsp.contributions).set(sessionId, contribution),
    // The revision names what the network must hold: a join that leaves the LSP's size as it is (an
    // aggregate with room, RFC 3175) keeps it, so the flow's LSP step is the job already run (same id)
    // instead of one more resize on the ingress PE.
    revision: size === lsp.bandwidthBps ? lsp.revision : revision,
    updatedAtMs: nowMs,
  };
}

/**
 * The session leaves the LSP: its contribution is given back (or the LSP takes `explicitBps`); the
 * last session's leaving releases the LSP (to be torn down).
 */
export function leaveLsp(
  lsp: DesiredLsp,
  sessionId: string,
  explicitBps: number | undefined,
  nowMs: number,
  revision: number,
): DesiredLsp {
  if (lsp.intent === 'released' || !lsp.contributions.has(sessionId)) return lsp;
  const contributions = new Map(lsp.contributions);
  const contribution = contributions.get(sessionId) ?? 0;
  contributions.delete(sessionId);
  if (contributions.size === 0) {
    return { ...lsp, contributions, intent: 'released', revision, updatedAtMs: nowMs };
  }
  const bandwidthBps = Math.max(1, explicitBps ?? lsp.bandwidthBps - contribution);
  return {
    ...lsp,
    contributions,
    bandwidthBps,
    // As for a join: the revision moves only when the network must change.
    revision: bandwidthBps === lsp.bandwidthBps ? lsp.revision : revision,
    updatedAtMs: nowMs,
  };
}

/** Releases a session (see {@link ProvisioningStore.releaseSessionIntent}); `null` for an unknown one. */
export function planReleaseSession(
  current: DesiredSession | null,
  lsp: DesiredLsp | null,
  options: ReleaseSessionOptions,
  nowMs: number,
  revision: number,
): SessionPlan | null {
  if (current === null) return null;
  if (current.intent === 'released') {
    return { session: current, lspWrites: [], lsps: lsp ? [lsp] : [], changed: false };
  }
  const session: DesiredSession = {
    ...current,
    intent: 'released',
    phase: options.phase ?? 'releasing',
    revision,
    deadlineMs: null,
    failure: options.failure ?? null,
    updatedAtMs: nowMs,
  };
  if (!lsp) return { session, lspWrites: [], lsps: [], changed: true };
  const after = leaveLsp(lsp, current.sessionId, options.lspBandwidthBps, nowMs, revision);
  return { session, lspWrites: after === lsp ? [] : [after], lsps: [after], changed: true };
}

function membershipContent(m: MembershipIntentInput | DesiredMembership): string {
  return JSON.stringify([m.rd, m.importTargets, m.exportTargets, m.prefixes]);
}

/** Stores a membership intent; unchanged when already desired with the same RD, targets and prefixes. */
export function planPutMembership(
  current: DesiredMembership | null,
  input: MembershipIntentInput,
  nowMs: number,
  revision: number,
): { membership: DesiredMembership; changed: boolean } {
  if (current && current.intent === 'active' && membershipContent(current) === membershipContent(input)) {
    return { membership: current, changed: false };
  }
  return {
    membership: {
      pe: input.pe,
      vpnId: input.vpnId,
      ce: input.ce,
      rd: input.rd,
      importTargets: [...input.importTargets],
      exportTargets: [...input.exportTargets],
      prefixes: [...input.prefixes],
      revision,
      intent: 'active',
      phase: 'deploying',
      updatedAtMs: nowMs,
    },
    changed: true,
  };
}

/** Releases a membership; `null` for an unknown one, unchanged if already released. */
export function planReleaseMembership(
  current: DesiredMembership | null,
  nowMs: number,
  revision: number,
): { membership: DesiredMembership; changed: boolean } | null {
  if (current === null) return null;
  if (current.intent === 'released') return { membership: current, changed: false };
  return {
    membership: {
      ...current,
      intent: 'released',
      phase: 'releasing',
      revision,
      updatedAtMs: nowMs,
    },
    changed: true,
  };
}
