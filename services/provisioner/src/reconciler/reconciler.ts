import type { Logger } from 'pino';
import type { PeAdapter } from '@svpn/provisioning';
import type { Fence, Lease, ProvisioningStore } from '@svpn/store';
import { describeStep } from '../flows/step.js';
import type { JobRunner, StepResult } from '../jobs/job-runner.js';
import type { ProvisionerMetrics } from '../metrics.js';
import {
  isConverged,
  planReconcile,
  type Observation,
  type ReconcilePolicy,
  type StoreAction,
} from './plan-reconcile.js';

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions {
  store: ProvisioningStore;
  /** Observes the network (`listLsps`, `listSessions`, `listMemberships`). */
  adapter: PeAdapter;
  /** Queues the steps (on the PE queues, like every other change). */
  runner: JobRunner;
  /** This process's name in the lease. */
  owner: string;
  /** Lease time-to-live, renewed between rounds. @defaultValue 30 000 ms */
  leaseTtlMs?: number;
  /** @defaultValue 10 000 ms */
  graceMs?: number;
  /** @defaultValue 30 000 ms */
  repairDeadlineMs?: number;
  /** @defaultValue 3 600 000 ms */
  failedRetentionMs?: number;
  /** How long a round waits for its steps. @defaultValue 10 000 ms */
  roundDeadlineMs?: number;
  /** Rounds per pass at most (observe → act → wait). @defaultValue 5 */
  maxRounds?: number;
  /** Reconcile memberships too. @defaultValue true */
  memberships?: boolean;
  now?: () => number;
  log?: Logger;
  metrics?: ProvisionerMetrics;
}

/** What one pass did. */
export interface ReconcileReport {
  /** False when another process held the lease (nothing was done). */
  readonly ran: boolean;
  /** The fencing token of the pass. */
  readonly token: number | null;
  readonly rounds: number;
  /** True when the last round found nothing to do. */
  readonly converged: boolean;
  /** Count per action (`remove-session`, `teardown-lsp`, `fail-session`, `delete-session`, …). */
  readonly actions: Readonly<Record<string, number>>;
  readonly steps: { readonly completed: number; readonly failed: number; readonly timedOut: number };
  /** Sessions this pass failed (their gateway must end them). */
  readonly failedSessions: readonly string[];
}

/** The lease every reconciler process competes for. */
export const RECONCILER_LEASE = 'provisioning-reconciler';

/**
 * Converges desired, actual and network state (DESIGN §5) in passes. A pass takes the reconciler
 * lease (so one process reconciles at a time; its fencing token guards every store write, so a
 * process that lost the lease mid-pass cannot write), then repeats rounds of observe → plan
 * ({@link planReconcile}) → act → wait until a round finds nothing to do. Idempotent: a pass on a
 * converged system changes nothing.
 */
export class Reconciler {
  readonly #options: ReconcilerOptions;
  readonly #policy: ReconcilePolicy;
  readonly #now: () => number;
  readonly #log: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReconcileReport> | undefined;
  #stopped = false;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#policy = {
      graceMs: options.graceMs ?? 10_000,
      repairDeadlineMs: options.repairDeadlineMs ?? 30_000,
      failedRetentionMs: options.failedRetentionMs ?? 3_600_000,
      memberships: options.memberships ?? true,
    };
    this.#now = options.now ?? Date.now;
    this.#log = options.log?.child({ component: 'provisioner.reconciler' });
  }

  /** Runs one pass (or joins the pass already running in this process). */
  reconcile(): Promise<ReconcileReport> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Runs a pass every `intervalMs` (errors are logged, never thrown). */
  start(intervalMs: number): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => {
      this.reconcile().catch((err: unknown) => this.#log?.error({ err }, 'reconcile pass failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  async #observe(): Promise<Observation> {
    const { adapter, store } = this.#options;
    // The network first, then actual, then desired: state seen on the network was desired before it
    // was created, so a desired record written meanwhile is never missed and its objects never
    // mistaken for leaks.
    const [lsps, sessions, memberships] = await Promise.all([
      adapter.listLsps(),
      adapter.listSessions(),
      adapter.listMemberships(),
    ]);
    const [actualLsps, actualEndpoints, actualMemberships] = await Promise.all([
      store.listActualLsps(),
      store.listActualEndpoints(),
      store.listActualMemberships(),
    ]);
    const [desiredSessions, desiredLsps, desiredMemberships] = await Promise.all([
      store.listSessionIntents(),
      store.listLspIntents(),
      store.listMembershipIntents(),
    ]);
    return {
      nowMs: this.#now(),
      network: { lsps, sessions, memberships },
      actual: { lsps: actualLsps, endpoints: actualEndpoints, memberships: actualMemberships },
      desired: { sessions: desiredSessions, lsps: desiredLsps, memberships: desiredMemberships },
    };
  }

  async #pass(): Promise<ReconcileReport> {
    const { store, runner, metrics } = this.#options;
    const ttl = this.#options.leaseTtlMs ?? 30_000;
    let lease: Lease | null = await store.acquireLease(RECONCILER_LEASE, this.#options.owner, ttl);
    if (!lease) {
      metrics?.reconcileRuns.inc({ result: 'skipped' });
      return {
        ran: false,
        token: null,
        rounds: 0,
        converged: false,
        actions: {},
        steps: { completed: 0, failed: 0, timedOut: 0 },
        failedSessions: [],
      };
    }
    const fence: Fence = { name: RECONCILER_LEASE, token: lease.token };
    const actions: Record<string, number> = {};
    const count = (action: string): void => {
      actions[action] = (actions[action] ?? 0) + 1;
      metrics?.reconcileActions.inc({ action });
    };
    const steps = { completed: 0, failed: 0, timedOut: 0 };
    const failedSessions: string[] = [];
    const maxRounds = this.#options.maxRounds ?? 5;
    let rounds = 0;
    let converged = false;
    try {
      while (rounds < maxRounds) {
        rounds++;
        const plan = planReconcile(await this.#observe(), this.#policy, `rc${lease.token}-${rounds}`);
        if (isConverged(plan)) {
          converged = true;
          break;
        }
        this.#log?.info(
          {
            token: lease.token,
            round: rounds,
            store: plan.store.map((a) => a.kind),
            steps: plan.stages.flat().map(describeStep),
          },
          'reconcile round',
        );
        for (const action of plan.store) {
          if (await this.#apply(action, fence)) {
            count(action.kind);
            if (action.kind === 'fail-session') failedSessions.push(action.sessionId);
          }
        }
        const reasonOf = new Map(plan.reasons.map((r) => [r.jobId, r.reason]));
        const deadline = this.#now() + (this.#options.roundDeadlineMs ?? 10_000);
        for (const stage of plan.stages) {
          const results: readonly StepResult[] = (await runner.runStages([stage], deadline)).results;
          for (const r of results) {
            if (r.status === 'completed') steps.completed++;
            else if (r.status === 'failed') steps.failed++;
            else steps.timedOut++;
          }
          for (const s of stage) count(reasonOf.get(s.jobId) ?? 'step');
        }
        lease = await store.renewLease(lease, ttl);
        if (!lease) {
          this.#log?.warn({ token: fence.token }, 'reconciler lease lost');
          break;
        }
      }
    } finally {
      if (lease) await store.releaseLease(lease).catch(() => false);
    }
    const result = converged ? 'converged' : 'pending';
    metrics?.reconcileRuns.inc({ result });
    this.#log?.info({ token: fence.token, rounds, converged, actions, steps }, 'reconcile pass');
    return { ran: true, token: fence.token, rounds, converged, actions, steps, failedSessions };
  }

  /** Applies one store action under the fence; false when it no longer applied (a newer revision). */
  async #apply(action: StoreAction, fence: Fence): Promise<boolean> {
    const { store } = this.#options;
    switch (action.kind) {
      case 'fail-session': {
        const current = await store.getSessionIntent(action.sessionId);
        if (!current || current.revision !== action.revision || current.intent !== 'active') return false;
        const change = await store.releaseSessionIntent(action.sessionId, {
          phase: 'failed',
          failure: action.failure,
          fence,
        });
        return change?.changed ?? false;
      }
      case 'mark-session':
        return (
          (await store.setSessionPhase(
            action.sessionId,
            action.revision,
            { phase: action.phase, deadlineMs: action.deadlineMs },
            fence,
          )) !== null
        );
      case 'delete-session':
        return store.deleteSessionIntent(action.sessionId, action.revision, fence);
      case 'delete-lsp':
        return store.deleteLspIntent(action.lspId, action.revision, fence);
      case 'mark-membership':
        return (await store.setMembershipPhase(action.key, action.revision, 'active', fence)) !== null;
      case 'delete-membership':
        return store.deleteMembershipIntent(action.key, action.revision, fence);
      case 'drop-actual-lsp':
        return store.deleteActualLsp(action.lspId);
      case 'drop-actual-endpoint':
        return store.deleteActualEndpoint(action.sessionId, action.pe);
      case 'drop-actual-membership':
        return store.deleteActualMembership(action.key);
      default: {
        const never: never = action;
        throw new Error(`unknown reconcile action ${String((never as { kind: unknown }).kind)}`);
      }
    }
  }
}
