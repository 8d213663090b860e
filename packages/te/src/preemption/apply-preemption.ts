import type { LedgerOperation, Reservation, ReservationLedger } from '../ledger/reservation-ledger.js';
import { normaliseTarget, type PreemptionPlan, type PreemptionRequest } from './plan-preemption.js';
import {
  PreemptionInfeasibleError,
  PreemptionNotAllowedError,
  PreemptionStaleError,
} from './preemption-errors.js';

/** Outcome of {@link applyPreemption}. */
export interface AppliedPreemption {
  /** The admitted (or grown) reservation. */
  reservation: Reservation;
  /** The victims as they were before: released (`end`) or reduced (`shrink`), per the plan. */
  released: Reservation[];
  reduced: Reservation[];
}

/**
 * Carries out a {@link planPreemption} plan in one atomic ledger commit: the victims are released or
 * reduced and the request admitted (or grown), all or nothing.
 *
 * The plan is checked against the ledger first, so a plan from elsewhere cannot break the rules:
 * every victim must exist, be another reservation, and hold a priority the request may preempt
 * (RFC 3209 §4.7.4: s < h); a shrink must lower the bandwidth.
 *
 * @throws PreemptionInfeasibleError (`TE_PREEMPTION_INFEASIBLE`) when the plan says it cannot be done;
 *   PreemptionNotAllowedError (`TE_PREEMPTION_NOT_ALLOWED`) when a victim may not be touched;
 *   PreemptionStaleError (`TE_PREEMPTION_STALE`) when the ledger changed and the plan no longer makes
 *   room (nothing is changed; plan again).
 */
export function applyPreemption(
  ledger: ReservationLedger,
  request: PreemptionRequest,
  plan: PreemptionPlan,
): AppliedPreemption {
  const target = normaliseTarget(ledger, request);
  if (!plan.feasible) {
    throw new PreemptionInfeasibleError(
      plan.blocking?.link ?? target.links[0] ?? '',
      target.bandwidthBps,
      plan.blocking?.availableWithPreemptionBps ?? 0,
    );
  }
  if (plan.id !== target.id || plan.kind !== target.kind)
    throw new PreemptionNotAllowedError(
      plan.id,
      `the plan was made for ${plan.kind} "${plan.id}", not this request`,
    );
  const operations: LedgerOperation[] = [];
  const released: Reservation[] = [];
  const reduced: Reservation[] = [];
  const seen = new Set<string>();
  for (const v of plan.victims) {
    const r = ledger.get(v.id);
    if (!r) throw new PreemptionStaleError(`victim "${v.id}" is no longer in the ledger`);
    if (seen.has(v.id)) throw new PreemptionNotAllowedError(v.id, 'named twice in the plan');
    seen.add(v.id);
    if (r.id === target.id) throw new PreemptionNotAllowedError(v.id, 'a request cannot preempt itself');
    // RFC 3209 §4.7.4 — setup priority s may preempt holding priority h only if s < h.
    if (!(target.setupPriority < r.holdingPriority))
      throw new PreemptionNotAllowedError(
        v.id,
        `holding priority ${r.holdingPriority} is not worse than setup priority ${target.setupPriority}`,
      );
    if (v.action === 'end') {
      operations.push({ op: 'release', id: v.id });
      released.push(r);
    } else {
      const bw = v.newBandwidthBps;
      if (bw === undefined || !Number.isFinite(bw) || bw < 0 || bw >= r.bandwidthBps)
        throw new PreemptionNotAllowedError(
          v.id,
          `a shrink must lower the bandwidth below ${r.bandwidthBps}`,
        );
      operations.push({ op: 'resize', id: v.id, bandwidthBps: bw });
      reduced.push(r);
    }
  }
  operations.push(target.operation);
  const result = ledger.commit(operations);
  if (!result.ok) throw new PreemptionStaleError('the ledger refused the plan', result.refusal);
  return {
    reservation: result.reservations[result.reservations.length - 1] as Reservation,
    released,
    reduced,
  };
}
