import type { LspState, MembershipState, UniSessionState } from '@svpn/provisioning';
import type {
  ActualEndpoint,
  ActualLsp,
  ActualMembership,
  DesiredLsp,
  DesiredMembership,
  DesiredSession,
  FailureRecord,
  MembershipKey,
} from '@svpn/store';
import { advertiseStep, lspStep, uniAddStep, uniRemoveStep, withdrawStep } from '../flows/session-flow.js';
import type { Stage, Step } from '../flows/step.js';
import { lspMatchesRoute } from '../workers/handle-job.js';

/** Everything one reconciler round looks at, read in this order: the PEs, then actual, then desired. */
export interface Observation {
  readonly nowMs: number;
  readonly network: {
    readonly lsps: readonly LspState[];
    readonly sessions: readonly UniSessionState[];
    readonly memberships: readonly MembershipState[];
  };
  readonly actual: {
    readonly lsps: readonly ActualLsp[];
    readonly endpoints: readonly ActualEndpoint[];
    readonly memberships: readonly ActualMembership[];
  };
  readonly desired: {
    readonly sessions: readonly DesiredSession[];
    readonly lsps: readonly DesiredLsp[];
    readonly memberships: readonly DesiredMembership[];
  };
}

/** Time limits the reconciler applies. */
export interface ReconcilePolicy {
  /** How long past its deadline a session in flight is left to its Provisioner before it is failed. */
  readonly graceMs: number;
  /** How long a repair of an active session may take before the session is failed. */
  readonly repairDeadlineMs: number;
  /** How long a failed session's record is kept for the gateway to notice. */
  readonly failedRetentionMs: number;
  /** Whether memberships are reconciled too (off when PE memberships are managed elsewhere). */
  readonly memberships: boolean;
}

/** A change to the provisioning store a round makes (fenced by the reconciler's lease). */
export type StoreAction =
  | {
      readonly kind: 'fail-session';
      readonly sessionId: string;
      readonly revision: number;
      readonly failure: FailureRecord;
    }
  | {
      readonly kind: 'mark-session';
      readonly sessionId: string;
      readonly revision: number;
      readonly phase: 'active' | 'repairing';
      readonly deadlineMs: number | null;
    }
  | { readonly kind: 'delete-session'; readonly sessionId: string; readonly revision: number }
  | { readonly kind: 'delete-lsp'; readonly lspId: string; readonly revision: number }
  | { readonly kind: 'mark-membership'; readonly key: MembershipKey; readonly revision: number }
  | { readonly kind: 'delete-membership'; readonly key: MembershipKey; readonly revision: number }
  | { readonly kind: 'drop-actual-lsp'; readonly lspId: string }
  | { readonly kind: 'drop-actual-endpoint'; readonly sessionId: string; readonly pe: string }
  | { readonly kind: 'drop-actual-membership'; readonly key: MembershipKey };

/** Why a step was queued (a metric label). */
export type StepReason =
  | 'converge-session'
  | 'repair-session'
  | 'converge-lsp'
  | 'remove-session'
  | 'teardown-lsp'
  | 'advertise-membership'
  | 'withdraw-membership';

/** What one round decided. */
export interface ReconcilePlan {
  readonly store: readonly StoreAction[];
  /** create (LSPs, memberships) → UNI (add / modify / remove) → finish (marking, teardown, withdraw). */
  readonly stages: readonly Stage[];
  readonly reasons: readonly { readonly jobId: string; readonly reason: StepReason }[];
}

const key3 = (a: string, b: string, c: string): string => `${a}|${b}|${c}`;
const key2 = (a: string, b: string): string => `${a}|${b}`;

/** Whether the UNI session on the PE is what the desired session asks for on that endpoint. */
function uniMatches(
  observed: UniSessionState | undefined,
  s: DesiredSession,
  ce: string,
  iface: string,
): boolean {
  return (
    observed !== undefined &&
    observed.vpnId === s.vpnId &&
    observed.ce === ce &&
    observed.interface === iface &&
    observed.bandwidthBps === s.bandwidthBps &&
    observed.dscp === s.dscp &&
    observed.lspId === (s.lsp?.lspId ?? null)
  );
}

function lspUp(observed: LspState | undefined, desired: DesiredLsp): boolean {
  return (
    observed !== undefined &&
    observed.status === 'up' &&
    observed.bandwidthBps === desired.bandwidthBps &&
    lspMatchesRoute(observed, desired)
  );
}

/**
 * One reconciler round, pure: compares the network with the actual and desired state and decides
 * what converges them (DESIGN §5).
 *
 * - Network state nobody desires (after a crash, a compensation that did not finish, a lost job) is
 *   removed: UNI sessions, LSPs, memberships.
 * - Desired, active objects missing or wrong on the network are converged again; an active session
 *   whose PE lost its state goes `repairing` with a deadline.
 * - A session still `deploying` / `modifying` / `repairing` past its deadline (plus grace for its
 *   Provisioner to compensate) is failed: released, its state removed, its record kept `failed`
 *   for a while so the gateway ends the SIP session.
 * - Records of released objects nothing is left of are collected; actual records of objects absent
 *   from the network are dropped.
 *
 * Every step carries `tag`, so a round's re-runs get fresh job ids while duplicates within a round
 * (or from a second reconciler process with the same token) collapse.
 */
export function planReconcile(obs: Observation, policy: ReconcilePolicy, tag: string): ReconcilePlan {
  const now = obs.nowMs;
  const store: StoreAction[] = [];
  const stages: [Map<string, Step>, Map<string, Step>, Map<string, Step>] = [new Map(), new Map(), new Map()];
  const reasons = new Map<string, StepReason>();
  const add = (stage: 0 | 1 | 2, s: Step, reason: StepReason): void => {
    const k = key2(s.spec.payload.pe, s.jobId);
    if (!stages[stage].has(k)) {
      stages[stage].set(k, s);
      reasons.set(s.jobId, reason);
    }
  };

  const netSessions = new Map(obs.network.sessions.map((s) => [key2(s.sessionId, s.pe), s]));
  const netLsps = new Map(obs.network.lsps.map((l) => [l.lspId, l]));
  const netMemberships = new Map(obs.network.memberships.map((m) => [key3(m.pe, m.vpnId, m.ce), m]));
  const actualEndpoints = new Map(obs.actual.endpoints.map((e) => [key2(e.sessionId, e.pe), e]));
  const actualLsps = new Map(obs.actual.lsps.map((l) => [l.lspId, l]));
  const actualMemberships = new Map(obs.actual.memberships.map((m) => [key3(m.pe, m.vpnId, m.ce), m]));
  const sessions = new Map(obs.desired.sessions.map((s) => [s.sessionId, s]));
  const lsps = new Map(obs.desired.lsps.map((l) => [l.lspId, l]));
  const memberships = new Map(obs.desired.memberships.map((m) => [key3(m.pe, m.vpnId, m.ce), m]));

  const wanted = (sessionId: string, pe: string): DesiredSession | null => {
    const s = sessions.get(sessionId);
    return s && s.intent === 'active' && s.endpoints.some((e) => e.pe === pe) ? s : null;
  };

  const converge = (s: DesiredSession, reason: StepReason): void => {
    const lsp = s.lsp ? lsps.get(s.lsp.lspId) : undefined;
    if (lsp && lsp.intent === 'active') add(0, lspStep(lsp, 'reconcile', tag), reason);
    for (const e of s.endpoints) {
      // uni.add-session applies the session's marking too (see flows/session-flow.ts).
      add(1, uniAddStep(s, e, 'reconcile', tag), reason);
    }
  };

  // --- desired sessions ---
  for (const s of sessions.values()) {
    if (s.intent === 'released') {
      const left =
        obs.network.sessions.some((n) => n.sessionId === s.sessionId) ||
        obs.actual.endpoints.some((a) => a.sessionId === s.sessionId);
      const keep = s.phase === 'failed' && now < s.updatedAtMs + policy.failedRetentionMs;
      if (!left && !keep)
        store.push({ kind: 'delete-session', sessionId: s.sessionId, revision: s.revision });
      continue;
    }
    const lsp = s.lsp ? lsps.get(s.lsp.lspId) : undefined;
    const present =
      s.endpoints.every((e) => uniMatches(netSessions.get(key2(s.sessionId, e.pe)), s, e.ce, e.interface)) &&
      (!s.lsp || (lsp !== undefined && lsp.intent === 'active' && lspUp(netLsps.get(s.lsp.lspId), lsp)));
    const recorded = s.endpoints.every((e) => {
      const a = actualEndpoints.get(key2(s.sessionId, e.pe));
      return a !== undefined && a.uniRevision >= s.revision && a.markingRevision >= s.revision;
    });
    if (s.phase === 'active') {
      if (!present) {
        store.push({
          kind: 'mark-session',
          sessionId: s.sessionId,
          revision: s.revision,
          phase: 'repairing',
          deadlineMs: now + policy.repairDeadlineMs,
        });
        converge(s, 'repair-session');
      } else if (!recorded) {
        converge(s, 'converge-session');
      }
      continue;
    }
    // deploying, modifying or repairing
    if (s.deadlineMs !== null && now > s.deadlineMs + policy.graceMs) {
      store.push({
        kind: 'fail-session',
        sessionId: s.sessionId,
        revision: s.revision,
        failure: {
          code: 'SVPN_PROVISIONING_TIMEOUT',
          message: `${s.phase} did not complete by its deadline; released by the reconciler`,
        },
      });
    } else if (present && recorded) {
      store.push({
        kind: 'mark-session',
        sessionId: s.sessionId,
        revision: s.revision,
        phase: 'active',
        deadlineMs: null,
      });
    } else {
      converge(s, 'converge-session');
    }
  }

  // --- UNI sessions on the network nobody desires there ---
  for (const n of obs.network.sessions) {
    if (wanted(n.sessionId, n.pe)) continue;
    const s = sessions.get(n.sessionId);
    add(
      1,
      uniRemoveStep({ sessionId: n.sessionId, revision: s?.revision ?? 0 }, n.pe, 'reconcile', tag),
      'remove-session',
    );
  }
  for (const a of obs.actual.endpoints) {
    if (!netSessions.has(key2(a.sessionId, a.pe)) && !wanted(a.sessionId, a.pe)) {
      store.push({ kind: 'drop-actual-endpoint', sessionId: a.sessionId, pe: a.pe });
    }
  }

  // --- LSPs ---
  for (const l of lsps.values()) {
    const observed = netLsps.get(l.lspId);
    if (l.intent === 'active') {
      const actual = actualLsps.get(l.lspId);
      if (!lspUp(observed, l) || !actual || actual.revision < l.revision)
        add(0, lspStep(l, 'reconcile', tag), 'converge-lsp');
    } else if (observed) {
      add(2, lspStep(l, 'reconcile', tag), 'teardown-lsp');
    } else {
      if (actualLsps.has(l.lspId)) store.push({ kind: 'drop-actual-lsp', lspId: l.lspId });
      store.push({ kind: 'delete-lsp', lspId: l.lspId, revision: l.revision });
    }
  }
  for (const n of obs.network.lsps) {
    if (lsps.has(n.lspId)) continue;
    add(
      2,
      lspStep(
        {
          lspId: n.lspId,
          ingress: n.ingress,
          route: { nodes: n.nodes },
          setupPriority: n.setupPriority,
          holdingPriority: n.holdingPriority,
          penultimateHopPopping: n.penultimateHopPopping,
          bandwidthBps: n.bandwidthBps,
          contributions: new Map(),
          intent: 'released',
          revision: 0,
          createdRevision: 0,
          updatedAtMs: now,
        },
        'reconcile',
        tag,
      ),
      'teardown-lsp',
    );
  }
  for (const a of obs.actual.lsps) {
    if (!lsps.has(a.lspId) && !netLsps.has(a.lspId)) store.push({ kind: 'drop-actual-lsp', lspId: a.lspId });
  }

  // --- memberships ---
  if (policy.memberships) {
    for (const [k, m] of memberships) {
      const observed = netMemberships.get(k);
      if (m.intent === 'active') {
        const actual = actualMemberships.get(k);
        if (!observed || observed.rd !== m.rd || !actual || actual.revision < m.revision) {
          add(0, advertiseStep(m, 'reconcile', tag), 'advertise-membership');
        } else if (m.phase !== 'active') {
          store.push({ kind: 'mark-membership', key: m, revision: m.revision });
        }
      } else if (observed) {
        add(2, withdrawStep(m, 'reconcile', tag), 'withdraw-membership');
      } else {
        if (actualMemberships.has(k)) store.push({ kind: 'drop-actual-membership', key: m });
        store.push({ kind: 'delete-membership', key: m, revision: m.revision });
      }
    }
    for (const [k, n] of netMemberships) {
      if (!memberships.has(k))
        add(2, withdrawStep({ ...n, revision: 0 }, 'reconcile', tag), 'withdraw-membership');
    }
    for (const [k, a] of actualMemberships) {
      if (!memberships.has(k) && !netMemberships.has(k))
        store.push({ kind: 'drop-actual-membership', key: a });
    }
  }

  return {
    store,
    stages: stages.map((m) => [...m.values()]).filter((s) => s.length > 0),
    reasons: [...reasons].map(([jobId, reason]) => ({ jobId, reason })),
  };
}

/** Whether a plan has nothing to do. */
export function isConverged(plan: ReconcilePlan): boolean {
  return plan.store.length === 0 && plan.stages.length === 0;
}
