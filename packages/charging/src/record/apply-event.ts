import { ChargeEventMismatchError } from '../errors.js';
import type {
  BandwidthChange,
  ChargeFoldState,
  ChargeRecord,
  ChargeSegment,
  ChargingEvent,
} from './charge-record.js';

/** The charging profile of events that name none. */
export const DEFAULT_CHARGING_PROFILE = 'default';

/** Whether an event ends the session: every `stop`, and a `preempt` that says when it ended. */
export function isTerminalEvent(event: Pick<ChargingEvent, 'type' | 'endAt'>): boolean {
  return (
    event.type === 'stop' || (event.type === 'preempt' && event.endAt !== undefined && event.endAt !== null)
  );
}

const EMPTY_FOLD: ChargeFoldState = {
  appliedSeqs: [],
  factsSeq: -1,
  answerSeq: null,
  bytesSeq: null,
  preemptSeq: null,
  closedBySeq: null,
};

/**
 * Folds one session event into the session's charge record (`undefined`: no record yet).
 *
 * - **Idempotent**: an event whose `seq` was applied already returns `record` itself (same object),
 *   so callers can count duplicates with `===`.
 * - **Order-independent**: the result depends on the set of events applied, not on their order.
 *   The facts come from the earliest terminal event (`stop`, or `preempt` with `endAt`), else from
 *   the highest seq; `answerAt` and `bytes` from the highest seq that carries them; bandwidth
 *   changes are placed by seq, so a late `modify` still splits the right segment.
 * - **Segments**: every event records the bandwidth granted from its `at`; cost is the sum over the
 *   segments between answer and end. Before the earliest known change (its start event missing) the
 *   earliest known bandwidth is assumed, until the missing event arrives.
 *
 * The result is unrated (`cost` `null`): rate it with `rateRecord` once closed.
 * @throws {@link ChargeEventMismatchError} when the event belongs to another session
 */
export function applyEvent(record: ChargeRecord | undefined, event: ChargingEvent): ChargeRecord {
  if (record !== undefined && record.sessionId !== event.sessionId)
    throw new ChargeEventMismatchError(record.sessionId, event.sessionId);
  const fold = record?.fold ?? EMPTY_FOLD;
  if (fold.appliedSeqs.includes(event.seq)) return record!;

  const terminal = isTerminalEvent(event);
  const closesNow = terminal && (fold.closedBySeq === null || event.seq < fold.closedBySeq);
  const takeFacts =
    record === undefined || closesNow || (fold.closedBySeq === null && event.seq > fold.factsSeq);
  const hasAnswer = event.answerAt !== undefined && event.answerAt !== null;
  const takeAnswer = hasAnswer && (fold.answerSeq === null || event.seq > fold.answerSeq);
  const hasBytes = event.bytes !== undefined && event.bytes !== null;
  const takeBytes = hasBytes && (fold.bytesSeq === null || event.seq > fold.bytesSeq);
  const takePreempt = event.type === 'preempt' && (fold.preemptSeq === null || event.seq < fold.preemptSeq);

  const nextFold: ChargeFoldState = {
    appliedSeqs: insertSorted(fold.appliedSeqs, event.seq),
    factsSeq: takeFacts ? event.seq : fold.factsSeq,
    answerSeq: takeAnswer ? event.seq : fold.answerSeq,
    bytesSeq: takeBytes ? event.seq : fold.bytesSeq,
    preemptSeq: takePreempt ? event.seq : fold.preemptSeq,
    closedBySeq: closesNow ? event.seq : fold.closedBySeq,
  };
  const changes = insertChange(record?.changes ?? [], {
    seq: event.seq,
    at: event.at,
    bps: event.grantedBps,
  });

  const facts = takeFacts ? factsOf(event) : factsOf(record!);
  const answerAt = takeAnswer ? (event.answerAt as number) : (record?.answerAt ?? null);
  const bytes = takeBytes ? (event.bytes as number) : (record?.bytes ?? null);
  const preemptedAt = takePreempt ? event.at : (record?.preemptedAt ?? null);
  const closed = nextFold.closedBySeq !== null;
  let endAt: number | null = null;
  let reason: string | null = null;
  if (closesNow) {
    endAt = event.endAt as number;
    reason = event.reason ?? (event.type === 'preempt' ? 'preempted' : 'bye');
  } else if (closed) {
    endAt = record!.endAt;
    reason = record!.reason;
  }
  if (endAt !== null && answerAt !== null && endAt < answerAt) endAt = answerAt;
  const durationMs = closed && answerAt !== null && endAt !== null ? endAt - answerAt : null;

  return {
    sessionId: event.sessionId,
    ...facts,
    answerAt,
    endAt,
    durationS: durationMs === null ? null : Math.ceil(durationMs / 1000),
    durationMs,
    bytes,
    cost: null,
    currency: null,
    status: closed ? 'closed' : 'open',
    reason,
    preemptedAt,
    segments: segmentsOf(changes, answerAt, closed ? endAt : null),
    changes,
    complete: closed && isGapless(nextFold.appliedSeqs, nextFold.closedBySeq!),
    fold: nextFold,
    rating: null,
    ratingError: null,
  };
}

type Facts = Pick<
  ChargeRecord,
  | 'customer'
  | 'vpnId'
  | 'caller'
  | 'callee'
  | 'grantedBps'
  | 'serviceClass'
  | 'precedence'
  | 'dscp'
  | 'chargingProfile'
  | 'setupAt'
  | 'lspId'
  | 'ingressPe'
  | 'peSessionId'
>;

function factsOf(source: ChargingEvent | ChargeRecord): Facts {
  return {
    customer: source.customer,
    vpnId: source.vpnId,
    caller: source.caller,
    callee: source.callee,
    grantedBps: source.grantedBps,
    serviceClass: source.serviceClass,
    precedence: source.precedence,
    dscp: source.dscp,
    chargingProfile: source.chargingProfile ?? DEFAULT_CHARGING_PROFILE,
    setupAt: source.setupAt,
    lspId: source.lspId ?? null,
    ingressPe: source.ingressPe ?? null,
    peSessionId: source.peSessionId ?? null,
  };
}

/**
 * The answered session cut into stretches of one bandwidth. Change instants are made monotone in
 * seq order (a change never takes effect before an earlier-seq one); changes at or before the answer
 * set the first stretch's bandwidth, changes at or after the end are ignored. `endAt` `null`: the
 * last stretch is still running.
 */
export function segmentsOf(
  changes: readonly BandwidthChange[],
  answerAt: number | null,
  endAt: number | null,
): ChargeSegment[] {
  if (answerAt === null || changes.length === 0) return [];
  const points: { t: number; bps: number }[] = [];
  let t = Number.NEGATIVE_INFINITY;
  for (const c of changes) {
    t = Math.max(t, c.at);
    points.push({ t, bps: c.bps });
  }
  let bps = points[0]!.bps;
  for (const p of points) if (p.t <= answerAt) bps = p.bps;
  const segments: { fromAt: number; toAt: number | null; bps: number }[] = [];
  let current = { fromAt: answerAt, bps };
  for (const p of points) {
    if (p.t <= answerAt) continue;
    if (endAt !== null && p.t >= endAt) break;
    if (p.t === current.fromAt) {
      current.bps = p.bps;
      const last = segments[segments.length - 1];
      if (last !== undefined && last.bps === current.bps) {
        segments.pop();
        current = { fromAt: last.fromAt, bps: last.bps };
      }
    } else if (p.bps !== current.bps) {
      segments.push({ fromAt: current.fromAt, toAt: p.t, bps: current.bps });
      current = { fromAt: p.t, bps: p.bps };
    }
  }
  segments.push({ fromAt: current.fromAt, toAt: endAt, bps: current.bps });
  return segments;
}

function insertSorted(values: readonly number[], value: number): number[] {
  const out = [...values, value];
  out.sort((a, b) => a - b);
  return out;
}

function insertChange(changes: readonly BandwidthChange[], change: BandwidthChange): BandwidthChange[] {
  const out = [...changes, change];
  out.sort((a, b) => a.seq - b.seq);
  return out;
}

function isGapless(sortedSeqs: readonly number[], upTo: number): boolean {
  for (let i = 0; i <= upTo; i++) if (sortedSeqs[i] !== i) return false;
  return true;
}
