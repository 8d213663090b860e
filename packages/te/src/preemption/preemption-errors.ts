import { TeError, type TeErrorCode } from '../errors.js';
import type { Refusal } from '../ledger/reservation-ledger.js';

/** Stable codes of the preemption errors. */
export type PreemptionErrorCode =
  'TE_PREEMPTION_INFEASIBLE' | 'TE_PREEMPTION_NOT_ALLOWED' | 'TE_PREEMPTION_STALE';

/**
 * DEVIATION(STYLE.md "Errors"): the `TeErrorCode` union lives in `errors.ts`, which this module does
 * not own; until these codes join it, they reach the `TeError` constructor through this one cast.
 * The runtime `code` is exactly the string shown.
 */
function teCode(code: PreemptionErrorCode): TeErrorCode {
  return code as unknown as TeErrorCode;
}

/** Even preempting every reservation the request's setup priority may preempt would not make room. */
export class PreemptionInfeasibleError extends TeError {
  /** The first link of the path (in path order) that stays short. */
  readonly link: string;
  readonly requestedBps: number;
  /** What that link could take with every preemptable reservation gone. */
  readonly availableWithPreemptionBps: number;

  constructor(link: string, requestedBps: number, availableWithPreemptionBps: number) {
    super(
      teCode('TE_PREEMPTION_INFEASIBLE'),
      `no preemption makes room for ${requestedBps} bit/s on ${link}: at most ${availableWithPreemptionBps} bit/s`,
    );
    this.link = link;
    this.requestedBps = requestedBps;
    this.availableWithPreemptionBps = availableWithPreemptionBps;
  }
}

/**
 * A plan names a victim the request may not preempt: RFC 3209 §4.7.4 lets setup priority s preempt
 * holding priority h only if s < h, so an equal or more important reservation is never touched.
 */
export class PreemptionNotAllowedError extends TeError {
  readonly victimId: string;

  constructor(victimId: string, detail: string) {
    super(teCode('TE_PREEMPTION_NOT_ALLOWED'), `victim "${victimId}": ${detail}`);
    this.victimId = victimId;
  }
}

/** The ledger changed since the plan was made and the plan no longer applies; nothing was changed — plan again. */
export class PreemptionStaleError extends TeError {
  /** The ledger's refusal, when the commit itself was refused. */
  readonly refusal: Refusal | undefined;

  constructor(detail: string, refusal?: Refusal) {
    super(
      teCode('TE_PREEMPTION_STALE'),
      refusal === undefined
        ? `preemption plan is stale: ${detail}`
        : `preemption plan is stale: ${detail} (${refusal.link} has ${refusal.availableBps} bit/s, ${refusal.requestedBps} asked)`,
    );
    this.refusal = refusal;
  }
}
