import type { PrecedenceLevel } from '@svpn/qos';

/**
 * What charging needs of a session event. The `@svpn/store` `SessionEvent` (the stream contract)
 * has exactly these fields, so it is passed as is; this package does not depend on the store.
 */
export interface ChargingEvent {
  readonly eventId: string;
  readonly type: 'start' | 'modify' | 'preempt' | 'stop';
  readonly sessionId: string;
  readonly seq: number;
  readonly at: number;
  readonly customer: string;
  readonly vpnId: string;
  readonly caller: string;
  readonly callee: string;
  readonly grantedBps: number;
  readonly serviceClass: string;
  readonly precedence: PrecedenceLevel;
  readonly dscp: number;
  readonly chargingProfile?: string | undefined;
  readonly setupAt: number;
  readonly answerAt?: number | null | undefined;
  readonly endAt?: number | null | undefined;
  readonly reason?: string | undefined;
  readonly lspId?: string | null | undefined;
  readonly ingressPe?: string | null | undefined;
  readonly peSessionId?: string | null | undefined;
  readonly bytes?: number | null | undefined;
}

/** A bandwidth change as an event recorded it: `bps` granted from `at`, in `seq` order. */
export interface BandwidthChange {
  readonly seq: number;
  readonly at: number;
  readonly bps: number;
}

/** A stretch of the answered session at one granted bandwidth (`toAt` `null`: still running). */
export interface ChargeSegment {
  readonly fromAt: number;
  readonly toAt: number | null;
  readonly bps: number;
}

/** How a closed record's cost was worked out (see `rate`). */
export interface ChargeRating {
  /** The tariff used. */
  readonly tariffId: string;
  /** The record's charging profile had no tariff: the default one rated it. */
  readonly fallbackTariff: boolean;
  /** Charged time: the answered duration rounded up to whole increments. */
  readonly billedS: number;
  /** Usage (bandwidth·time + volume, with the precedence multiplier), rounded to minor units. */
  readonly usage: number;
  /** Whether the minimum charge replaced a smaller usage. */
  readonly minimumApplied: boolean;
  readonly setupFee: number;
  readonly surchargePerMille: number;
  /** Bytes the volume price applied to. */
  readonly volumeBytes: number;
  /** No metered bytes were known: the volume is the granted bandwidth × answered time. */
  readonly bytesEstimated: boolean;
}

/** Bookkeeping of `applyEvent`: seqs applied and which event each group of fields was taken from. */
export interface ChargeFoldState {
  /** Seqs of the events applied, ascending. */
  readonly appliedSeqs: number[];
  /** The facts (customer, bandwidth, class, …) come from this event: the closing one, else the latest. */
  readonly factsSeq: number;
  /** `answerAt` comes from the latest event that had one. */
  readonly answerSeq: number | null;
  /** `bytes` comes from the latest event that had them. */
  readonly bytesSeq: number | null;
  /** The earliest preemption. */
  readonly preemptSeq: number | null;
  /** The event that ended the session (the earliest terminal one). */
  readonly closedBySeq: number | null;
}

export type ChargeStatus = 'open' | 'closed';

/**
 * One charge record per session, folded from its events by `applyEvent` (CDR in the RADIUS
 * accounting sense, RFC 2866 §5). The record is a function of the *set* of events applied — not of
 * their arrival order — so redelivery and reordering between consumers cannot change a charge.
 *
 * JSON-serialisable; every amount is an integer of minor units, every instant ms since the epoch.
 */
export interface ChargeRecord {
  readonly sessionId: string;
  readonly customer: string;
  readonly vpnId: string;
  readonly caller: string;
  readonly callee: string;
  /** The bandwidth granted now (or at the end). */
  readonly grantedBps: number;
  readonly serviceClass: string;
  readonly precedence: PrecedenceLevel;
  readonly dscp: number;
  readonly chargingProfile: string;
  readonly setupAt: number;
  readonly answerAt: number | null;
  readonly endAt: number | null;
  /** Answered duration in whole seconds, a started second counting (`null` while open or unanswered). */
  readonly durationS: number | null;
  /** Answered duration in ms (exact). */
  readonly durationMs: number | null;
  /** Bytes carried, from the PE counters; `null` when unknown. */
  readonly bytes: number | null;
  /** Minor units; `null` until the record is closed and rated. */
  readonly cost: number | null;
  readonly currency: string | null;
  readonly status: ChargeStatus;
  /** Why the session ended (or last changed, for a non-terminal preemption). */
  readonly reason: string | null;
  /** Set when a preemption ended or reduced the session. */
  readonly preemptedAt: number | null;
  readonly lspId: string | null;
  readonly ingressPe: string | null;
  readonly peSessionId: string | null;
  /** Granted bandwidth per stretch of the answered session. */
  readonly segments: ChargeSegment[];
  /** Every bandwidth the events recorded, by seq. */
  readonly changes: BandwidthChange[];
  /** Closed, and every event from the start (seq 0) to the end applied: no gap in seqs. */
  readonly complete: boolean;
  /** Which events the record's fields come from (what makes the fold order-independent). */
  readonly fold: ChargeFoldState;
  readonly rating: ChargeRating | null;
  /** Why rating failed, when it did (the record is still closed, with `cost` `null`). */
  readonly ratingError: string | null;
}
