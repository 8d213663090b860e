import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { isSvpnError } from '@svpn/errors';
import {
  checkMembershipIntent,
  checkSessionIntent,
  IntentConflictError,
  ProvisionerClosedError,
  ProvisioningFailedError,
  ProvisioningTimeoutError,
  UnknownSessionError,
  type CompensationReport,
  type FailedStep,
  type MembershipIntent,
  type MembershipKey,
  type MembershipResult,
  type ProvisionResult,
  type SessionIntent,
} from '@svpn/provisioning';
import {
  KeySpace,
  RedisProvisioningStore,
  type ActualEndpoint,
  type ActualLsp,
  type DesiredLsp,
  type DesiredSession,
  type ProvisioningStore,
  type SessionIntentChange,
  type SessionIntentInput,
} from '@svpn/store';
import { advertiseStep, modifyFlow, releaseFlow, setupFlow, withdrawStep } from '../flows/session-flow.js';
import { describeStep, stepPe, type Stage } from '../flows/step.js';
import { JobRunner, type FlowResult, type JobPolicy, type StepResult } from '../jobs/job-runner.js';
import type { ProvisionerMetrics } from '../metrics.js';

/** Options of {@link Provisioner}. */
export interface ProvisionerOptions {
  store: ProvisioningStore;
  runner: JobRunner;
  /** How long a flow may take before it is compensated. @defaultValue 8 000 ms */
  deadlineMs?: number;
  /** How long compensation may take before it is left to the reconciler. @defaultValue 8 000 ms */
  compensationDeadlineMs?: number;
  /** The `Retry-After` a PE failure suggests to the gateway. @defaultValue 5 s */
  retryAfterSeconds?: number;
  /** Close the runner with the provisioner. @defaultValue false */
  ownsRunner?: boolean;
  now?: () => number;
  log?: Logger;
  metrics?: ProvisionerMetrics;
}

/** Options of {@link Provisioner.connect}: a Provisioner over Redis with its own job runner. */
export interface ProvisionerConnectOptions extends Omit<
  ProvisionerOptions,
  'store' | 'runner' | 'ownsRunner'
> {
  /** Shared connection (`maxRetriesPerRequest: null`, as BullMQ requires). Not closed by the provisioner. */
  redis: Redis;
  /** The deployment's key prefix. @defaultValue 'svpn' */
  keyPrefix?: string;
  policy?: JobPolicy;
  pollIntervalMs?: number;
}

/** Per-call options. */
export interface FlowOptions {
  /** Overrides the provisioner's flow deadline for this call. */
  deadlineMs?: number;
}

/** Options of {@link Provisioner.releaseSession}. */
export interface ReleaseSessionOptions extends FlowOptions {
  /** The LSP's size once the session left. @defaultValue its size minus the session's share */
  lspBandwidthBps?: number;
}

/** What a release did. */
export interface ReleaseResult {
  readonly sessionId: string;
  /** False when the session was unknown (already released and collected). */
  readonly existed: boolean;
  /** True when the actual state confirms nothing of the session is left on any PE. */
  readonly complete: boolean;
}

/** A session's desired and observed state. */
export interface SessionStatus {
  readonly desired: DesiredSession;
  readonly endpoints: readonly ActualEndpoint[];
  readonly lsp: { readonly desired: DesiredLsp | null; readonly actual: ActualLsp | null } | null;
}

const DEFAULTS = { deadlineMs: 8_000, compensationDeadlineMs: 8_000, retryAfterSeconds: 5 } as const;

function toInput(
  intent: SessionIntent | DesiredSession,
  deadlineMs: number,
  replaceSameVersion = false,
  version = intent.version,
): SessionIntentInput {
  const lsp = intent.lsp ?? null;
  return {
    sessionId: intent.sessionId,
    version,
    vpnId: intent.vpnId,
    bandwidthBps: intent.bandwidthBps,
    dscp: intent.dscp,
    serviceClass: intent.serviceClass ?? null,
    endpoints: intent.endpoints.map((e) => ({ pe: e.pe, ce: e.ce, interface: e.interface })),
    lsp:
      lsp === null
        ? null
        : {
            lspId: lsp.lspId,
            route: lsp.route,
            setupPriority: lsp.setupPriority,
            holdingPriority: lsp.holdingPriority,
            penultimateHopPopping: lsp.penultimateHopPopping ?? false,
            bandwidthBps: lsp.bandwidthBps ?? null,
          },
    deadlineMs,
    replaceSameVersion,
  };
}

function failedStep(result: StepResult | null, fallback: string): FailedStep {
  if (!result) return { type: 'uni.add-session', pe: '', jobId: '', peCode: null, reason: fallback };
  const base = { type: result.step.spec.type, pe: stepPe(result.step), jobId: result.step.jobId };
  switch (result.status) {
    case 'failed':
      return { ...base, peCode: result.peCode, reason: result.reason };
    case 'timeout':
      return { ...base, peCode: null, reason: `no result in time (job ${result.state})` };
    case 'completed':
      return { ...base, peCode: null, reason: fallback };
  }
}

/**
 * The provisioning API the gateway (and the northbound API) call (DESIGN §4, §5). Each call records
 * the intent in the provisioning store **before** queuing anything, runs the job flow on the PE
 * queues, waits for it within a deadline and confirms the result in the actual-state store (job
 * completion events are only a latency shortcut). A flow that fails or runs out of time is
 * compensated — a failed setup is released, a failed modify rolled back — so nothing stays reserved
 * on any PE, and the call rejects with {@link ProvisioningFailedError} / {@link ProvisioningTimeoutError}
 * (the gateway answers 503 with `Retry-After`). Whatever compensation cannot finish in time, the
 * reconciler does.
 *
 * Retransmissions are free: the same intent (session id and version) changes nothing in the store,
 * so the flow has the same job ids and BullMQ runs each job once; a second caller simply waits on
 * the same jobs.
 */
export class Provisioner {
  readonly #store: ProvisioningStore;
  readonly #runner: JobRunner;
  readonly #deadlineMs: number;
  readonly #compensationDeadlineMs: number;
  readonly #retryAfterSeconds: number;
  readonly #ownsRunner: boolean;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  readonly #metrics: ProvisionerMetrics | undefined;
  #closed = false;

  constructor(options: ProvisionerOptions) {
    this.#store = options.store;
    this.#runner = options.runner;
    this.#deadlineMs = options.deadlineMs ?? DEFAULTS.deadlineMs;
    this.#compensationDeadlineMs = options.compensationDeadlineMs ?? DEFAULTS.compensationDeadlineMs;
    this.#retryAfterSeconds = options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds;
    this.#ownsRunner = options.ownsRunner ?? false;
    this.#now = options.now ?? Date.now;
    this.#log = options.log?.child({ component: 'provisioner.api' });
    this.#metrics = options.metrics;
  }

  /** A Provisioner over Redis: a {@link RedisProvisioningStore} and a job runner of its own. */
  static connect(options: ProvisionerConnectOptions): Provisioner {
    const keyPrefix = options.keyPrefix ?? 'svpn';
    const runner = new JobRunner({
      connection: options.redis,
      keyPrefix,
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      ...(options.log ? { log: options.log } : {}),
    });
    return new Provisioner({
      ...options,
      store: new RedisProvisioningStore(options.redis, new KeySpace(keyPrefix)),
      runner,
      ownsRunner: true,
    });
  }

  /** The store behind the provisioner (status pages, tests). */
  get store(): ProvisioningStore {
    return this.#store;
  }

  // -------------------------------------------------------------------------------------------
  // sessions
  // -------------------------------------------------------------------------------------------

  /**
   * Provisions a session (seed 001 Fig. 3): the LSP (signal or resize), the UNI attachment on each
   * endpoint's PE, the marking; resolves with the labels once the actual state confirms it.
   * Submitting the same intent again (a retransmitted INVITE) provisions nothing twice.
   * @throws {@link InvalidIntentError}, {@link IntentConflictError}, {@link ProvisioningFailedError},
   *   {@link ProvisioningTimeoutError}
   */
  provisionSession(intent: SessionIntent, options: FlowOptions = {}): Promise<ProvisionResult> {
    return this.#apply(intent, 'setup', options);
  }

  /**
   * Changes a provisioned session (re-INVITE / UPDATE, dynamic QoS): `version` must be higher than
   * the stored one. On failure the old parameters are restored and the call rejects; if even that
   * fails the session is released (`ProvisioningFailedError` with `sessionReleased`).
   * @throws {@link UnknownSessionError} and the errors of {@link provisionSession}
   */
  async modifySession(intent: SessionIntent, options: FlowOptions = {}): Promise<ProvisionResult> {
    const current = await this.#store.getSessionIntent(checkSessionIntent(intent).sessionId);
    if (!current || current.intent !== 'active') throw new UnknownSessionError(intent.sessionId);
    return this.#apply(intent, 'modify', options);
  }

  /**
   * Releases a session (BYE, CANCEL, expiry, preemption): UNI attachments removed, then the LSP
   * shrunk or torn down. Idempotent. Resolves `complete: false` when some PE did not confirm in time
   * (the reconciler finishes it); never rejects for PE failures.
   */
  async releaseSession(sessionId: string, options: ReleaseSessionOptions = {}): Promise<ReleaseResult> {
    this.#open();
    const started = this.#now();
    const released = await this.#store.releaseSessionIntent(sessionId, {
      phase: 'releasing',
      ...(options.lspBandwidthBps === undefined ? {} : { lspBandwidthBps: options.lspBandwidthBps }),
    });
    if (!released) return { sessionId, existed: false, complete: true };
    const complete = await this.#cleanUp(
      released,
      'release',
      started + (options.deadlineMs ?? this.#deadlineMs),
    );
    this.#observe('release', complete ? 'ok' : 'pending', started);
    return { sessionId, existed: true, complete };
  }

  /** The session's desired and observed state, or `null`. */
  async getSession(sessionId: string): Promise<SessionStatus | null> {
    const desired = await this.#store.getSessionIntent(sessionId);
    if (!desired) return null;
    const endpoints = await this.#store.listActualEndpoints(sessionId);
    if (!desired.lsp) return { desired, endpoints, lsp: null };
    const [lspDesired, lspActual] = await Promise.all([
      this.#store.getLspIntent(desired.lsp.lspId),
      this.#store.getActualLsp(desired.lsp.lspId),
    ]);
    return { desired, endpoints, lsp: { desired: lspDesired, actual: lspActual } };
  }

  /**
   * Sessions the provisioner gave up on (the reconciler marks those whose provisioning cannot
   * complete): the gateway ends their SIP sessions and calls {@link releaseSession}.
   */
  async listFailedSessions(): Promise<DesiredSession[]> {
    return (await this.#store.listSessionIntents()).filter((s) => s.phase === 'failed');
  }

  // -------------------------------------------------------------------------------------------
  // memberships
  // -------------------------------------------------------------------------------------------

  /**
   * Advertises a CE's membership of a VPN at its PE (REGISTER, seed 001 Fig. 1 arrow 3): the VRF
   * (RD, route targets) and the membership route. Resolves with the VPN label. A failure withdraws
   * what was advertised and rejects with {@link ProvisioningFailedError}.
   */
  async advertiseMembership(intent: MembershipIntent, options: FlowOptions = {}): Promise<MembershipResult> {
    this.#open();
    const m = checkMembershipIntent(intent);
    const started = this.#now();
    const deadline = started + (options.deadlineMs ?? this.#deadlineMs);
    const change = await this.#store.putMembershipIntent({ ...m, prefixes: m.prefixes ?? [] });
    const key = `${m.pe}|${m.vpnId}|${m.ce}`;
    const confirmed = await this.#confirmMembership(change.membership.pe, m, change.membership.revision);
    if (!change.changed && confirmed) return confirmed;
    const flow = await this.#runner.runStages([[advertiseStep(change.membership, 'setup')]], deadline);
    const result = flow.ok ? await this.#confirmMembership(m.pe, m, change.membership.revision) : null;
    if (result) {
      await this.#store.setMembershipPhase(m, change.membership.revision, 'active');
      this.#observe('membership', 'ok', started);
      return result;
    }
    const released = await this.#store.releaseMembershipIntent(m);
    const undo = released ? [[withdrawStep(released.membership, 'compensation')]] : [];
    const compensation = await this.#runCompensation(
      undo,
      async () => (await this.#store.getActualMembership(m)) === null,
    );
    this.#observe('membership', 'failed', started);
    throw this.#failure(key, flow, compensation, false);
  }

  /** Withdraws a membership (de-REGISTER, the CE moved). Idempotent. */
  async withdrawMembership(key: MembershipKey, options: FlowOptions = {}): Promise<{ complete: boolean }> {
    this.#open();
    const released = await this.#store.releaseMembershipIntent(key);
    if (!released) return { complete: true };
    const deadline = this.#now() + (options.deadlineMs ?? this.#deadlineMs);
    const flow = await this.#runner.runStages([[withdrawStep(released.membership, 'release')]], deadline);
    return { complete: flow.ok };
  }

  /** Stops accepting calls (and closes the runner if this provisioner owns it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsRunner) await this.#runner.close();
  }

  // -------------------------------------------------------------------------------------------
  // internals
  // -------------------------------------------------------------------------------------------

  #open(): void {
    if (this.#closed) throw new ProvisionerClosedError();
  }

  #observe(flow: string, outcome: string, started: number): void {
    this.#metrics?.flowDuration.observe({ flow, outcome }, (this.#now() - started) / 1000);
  }

  async #put(input: SessionIntentInput): Promise<SessionIntentChange> {
    try {
      return await this.#store.putSessionIntent(input);
    } catch (error) {
      if (
        isSvpnError(error, 'SVPN_STORE_INTENT_CONFLICT') ||
        isSvpnError(error, 'SVPN_STORE_INTENT_STALE') ||
        isSvpnError(error, 'SVPN_STORE_INTENT_RELEASED')
      ) {
        throw new IntentConflictError(error.message, { cause: error });
      }
      throw error;
    }
  }

  async #apply(
    intent: SessionIntent,
    flowName: 'setup' | 'modify',
    options: FlowOptions,
  ): Promise<ProvisionResult> {
    this.#open();
    const checked = checkSessionIntent(intent);
    const started = this.#now();
    const deadline = started + (options.deadlineMs ?? this.#deadlineMs);
    const change = await this.#put(toInput(checked, deadline));
    const { session, previous } = change;
    const minLspRevision = change.lsps.find((l) => l.lspId === session.lsp?.lspId)?.revision ?? 0;
    let stages: Stage[];
    if (change.changed) {
      stages = previous ? modifyFlow(previous, session, change.lsps) : setupFlow(session, change.lsps);
    } else {
      const confirmed = await this.#confirm(session, minLspRevision);
      if (confirmed) {
        if (session.phase !== 'active') {
          await this.#store.setSessionPhase(session.sessionId, session.revision, {
            phase: 'active',
            deadlineMs: null,
          });
        }
        return confirmed;
      }
      // A retransmission while the flow runs: the same job ids, so this waits on the same jobs. A
      // session whose PE state went missing since is converged again under fresh ids.
      stages =
        session.phase === 'deploying'
          ? setupFlow(session, change.lsps)
          : session.phase === 'modifying'
            ? modifyFlow(session, session, change.lsps)
            : setupFlow(session, change.lsps, 'setup', `again-${this.#now().toString(36)}`);
    }
    const log = this.#log?.child({ sessionId: session.sessionId, revision: session.revision });
    log?.debug({ flow: flowName, steps: stages.flat().map(describeStep) }, 'flow queued');
    // A retransmission's flow (or a repair under fresh ids) runs as planned: only a new change trusts
    // the actual state of the LSP it shares.
    if (change.changed) stages = await this.#withoutConvergedLsps(stages);
    const flow = await this.#runner.runStages(stages, deadline);
    if (flow.ok) {
      const result = await this.#confirm(session, minLspRevision);
      if (result) {
        await this.#store.setSessionPhase(session.sessionId, session.revision, {
          phase: 'active',
          deadlineMs: null,
        });
        this.#observe(flowName, 'ok', started);
        log?.debug({ flow: flowName }, 'flow confirmed');
        return result;
      }
    }
    const current = await this.#store.getSessionIntent(session.sessionId);
    if (!current || current.revision !== session.revision) {
      // Someone changed the session meanwhile — a newer version, or a release (CANCEL during
      // provisioning): their flow owns it now, so this one neither confirms nor compensates.
      this.#observe(flowName, 'superseded', started);
      throw new IntentConflictError(
        `session ${session.sessionId} changed while revision ${session.revision} was provisioned`,
      );
    }
    log?.info({ flow: flowName, failure: flow.failure && describeStep(flow.failure.step) }, 'flow failed');
    if (previous && change.changed) return this.#rollBack(checked, previous, flow, started);
    const released = await this.#store.releaseSessionIntent(session.sessionId, {
      phase: 'failed',
      failure: {
        code:
          flow.failure?.status === 'failed'
            ? (flow.failure.peCode ?? 'SVPN_PE_FAILED')
            : 'SVPN_PROVISIONING_TIMEOUT',
        message: failedStep(flow.failure, 'actual state does not confirm the flow').reason,
      },
    });
    const complete = released
      ? await this.#cleanUp(released, 'compensation', this.#now() + this.#compensationDeadlineMs)
      : true;
    this.#observe(flowName, 'failed', started);
    throw this.#failure(
      session.sessionId,
      flow,
      {
        complete,
        steps: released ? releaseFlow(released.session, released.lsps).flat().map(describeStep) : [],
      },
      true,
    );
  }

  /** A failed modify: restore the previous parameters; if even that fails, release the session. */
  async #rollBack(
    intent: SessionIntent,
    previous: DesiredSession,
    flow: FlowResult,
    started: number,
  ): Promise<never> {
    const deadline = this.#now() + this.#compensationDeadlineMs;
    const current = await this.#store.getSessionIntent(intent.sessionId);
    let restored = false;
    let steps: string[] = [];
    if (current && current.intent === 'active') {
      const rolled = await this.#put(toInput(previous, deadline, true, intent.version));
      const undo = modifyFlow(current, rolled.session, rolled.lsps, 'compensation');
      steps = undo.flat().map(describeStep);
      const result = await this.#runner.runStages(undo, deadline);
      const minLsp = rolled.lsps.find((l) => l.lspId === rolled.session.lsp?.lspId)?.revision ?? 0;
      if (result.ok && (await this.#confirm(rolled.session, minLsp))) {
        await this.#store.setSessionPhase(rolled.session.sessionId, rolled.session.revision, {
          phase: 'active',
          deadlineMs: null,
        });
        restored = true;
      }
    }
    let complete = restored;
    if (!restored) {
      const released = await this.#store.releaseSessionIntent(intent.sessionId, {
        phase: 'failed',
        failure: { code: 'SVPN_PROVISIONING_FAILED', message: 'modify and rollback failed' },
      });
      complete = released
        ? await this.#cleanUp(released, 'compensation', this.#now() + this.#compensationDeadlineMs)
        : true;
    }
    this.#observe('modify', restored ? 'rolled-back' : 'failed', started);
    throw this.#failure(intent.sessionId, flow, { complete, steps }, !restored);
  }

  /** Runs a release flow for a released session; deletes the record once nothing of it is left. */
  async #cleanUp(
    released: SessionIntentChange,
    origin: 'release' | 'compensation',
    deadline: number,
  ): Promise<boolean> {
    const session = released.session;
    // The PEs the session is on now and was on before its last change (a modify that moved it).
    const pes = [
      ...new Set([...session.endpoints, ...(released.previous?.endpoints ?? [])].map((e) => e.pe)),
    ];
    const stages = await this.#withoutConvergedLsps(
      releaseFlow(session, released.lsps, origin, undefined, pes),
    );
    const flow = await this.#runAll(stages, deadline);
    const gone = released.lsps.filter((l) => l.intent === 'released').map((l) => l.lspId);
    const view = await this.#store.getSessionView(session.sessionId, pes, gone);
    const complete = flow.ok && view.endpoints.every((a) => a === null) && view.lsps.every((l) => l === null);
    if (complete) await this.#store.deleteSessionIntent(session.sessionId, session.revision);
    return complete;
  }

  /**
   * Drops the signal/resize steps of LSPs the actual-state store already shows up at the step's
   * revision or a later one: a session joining or leaving an aggregate whose size stays keeps the
   * LSP's revision (`@svpn/store`), and its job has run — one read instead of a job on the ingress
   * PE's queue. The flow's result is still confirmed against the actual state afterwards.
   */
  async #withoutConvergedLsps(stages: readonly Stage[]): Promise<Stage[]> {
    const pruned = await Promise.all(
      stages.map(async (stage) => {
        const keep = await Promise.all(
          stage.map(async (s) => {
            if (s.spec.type !== 'rsvp-te.signal' && s.spec.type !== 'rsvp-te.resize') return true;
            const actual = await this.#store.getActualLsp(s.spec.payload.lspId);
            return !(actual && actual.status === 'up' && actual.revision >= s.spec.payload.revision);
          }),
        );
        return stage.filter((_, i) => keep[i]);
      }),
    );
    return pruned.filter((stage) => stage.length > 0);
  }

  /** Runs every stage whatever fails (undo steps are independent), within the deadline. */
  async #runAll(stages: readonly Stage[], deadline: number): Promise<FlowResult> {
    const results: StepResult[] = [];
    let failure: StepResult | null = null;
    for (const stage of stages) {
      const flow = await this.#runner.runStages([stage], deadline);
      results.push(...flow.results);
      failure ??= flow.failure;
    }
    return { ok: failure === null, results, failure };
  }

  async #runCompensation(
    stages: readonly Stage[],
    verify: () => Promise<boolean>,
  ): Promise<CompensationReport> {
    const flow = await this.#runAll(stages, this.#now() + this.#compensationDeadlineMs);
    return { complete: flow.ok && (await verify()), steps: stages.flat().map(describeStep) };
  }

  #failure(
    id: string,
    flow: FlowResult,
    compensation: CompensationReport,
    sessionReleased: boolean,
  ): ProvisioningFailedError {
    const step = failedStep(flow.failure, 'the actual state does not confirm the flow');
    const error =
      flow.failure?.status === 'timeout'
        ? new ProvisioningTimeoutError(id, step, compensation, this.#retryAfterSeconds, sessionReleased)
        : new ProvisioningFailedError(id, step, compensation, this.#retryAfterSeconds, sessionReleased);
    return error;
  }

  /** The result of a session as the actual state confirms it at `session.revision`, or `null`. */
  async #confirm(session: DesiredSession, minLspRevision: number): Promise<ProvisionResult | null> {
    // One read of everything the answer depends on: the intent, its endpoints and its LSP.
    const view = await this.#store.getSessionView(
      session.sessionId,
      session.endpoints.map((e) => e.pe),
      session.lsp ? [session.lsp.lspId] : [],
    );
    const current = view.intent;
    if (!current || current.intent !== 'active' || current.revision !== session.revision) return null;
    const actual = view.endpoints;
    const endpoints: ProvisionResult['endpoints'][number][] = [];
    for (const [i, e] of session.endpoints.entries()) {
      const a = actual[i];
      if (
        !a ||
        a.uniRevision < session.revision ||
        a.markingRevision < session.revision ||
        a.bandwidthBps !== session.bandwidthBps ||
        a.dscp !== session.dscp
      ) {
        return null;
      }
      endpoints.push({
        pe: e.pe,
        ce: e.ce,
        interface: e.interface,
        bandwidthBps: a.bandwidthBps,
        dscp: a.dscp,
      });
    }
    let lsp: ActualLsp | null = null;
    if (session.lsp) {
      lsp = view.lsps[0] ?? null;
      if (!lsp || lsp.status !== 'up' || lsp.revision < minLspRevision) return null;
    }
    return {
      sessionId: session.sessionId,
      version: session.version,
      revision: session.revision,
      bandwidthBps: session.bandwidthBps,
      dscp: session.dscp,
      lspId: session.lsp?.lspId ?? null,
      ingressLabel: lsp?.ingressLabel ?? null,
      hopLabels: lsp?.hopLabels ?? [],
      lspBandwidthBps: lsp?.bandwidthBps ?? null,
      endpoints,
    };
  }

  async #confirmMembership(
    pe: string,
    key: MembershipKey,
    revision: number,
  ): Promise<MembershipResult | null> {
    const actual = await this.#store.getActualMembership({ pe, vpnId: key.vpnId, ce: key.ce });
    if (!actual || actual.revision < revision) return null;
    return { pe, vpnId: key.vpnId, ce: key.ce, revision, vpnLabel: actual.vpnLabel };
  }
}
