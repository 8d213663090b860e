import { DuplicateReservationError, ReservationInvalidError, UnknownReservationError } from '../errors.js';
import {
  CLASS_TYPE_COUNT,
  LOWEST_PRIORITY,
  PRIORITY_COUNT,
  unreservedAtInstant,
  type BandwidthConstraints,
} from '../ledger/bandwidth-constraints.js';
import type {
  LedgerOperation,
  Reservation,
  ReservationLedger,
  ReservationRequest,
} from '../ledger/reservation-ledger.js';
import { BinaryHeap } from '../cspf/binary-heap.js';
import { constraintRows, rowRoom, type ConstraintRow } from './constraint-rows.js';

/** Growing an existing reservation (e.g. an aggregate tunnel) rather than admitting a new one. */
export interface PreemptionResize {
  /** Id of the reservation to grow; its setup priority, class type, links and interval apply. */
  resize: string;
  /** The bandwidth it should hold afterwards, bit/s. */
  bandwidthBps: number;
}

/** What a preemption plan makes room for: a new reservation, or a larger size for an existing one. */
export type PreemptionRequest = ReservationRequest | PreemptionResize;

/** RFC 4495: a reservation that may be reduced rather than ended, down to a floor. */
export interface VictimPolicy {
  /** The least bandwidth the holder can still use, bit/s; below it the reservation is ended. */
  minBandwidthBps: number;
}

/** Caller input for {@link planPreemption}. */
export interface PreemptionOptions {
  /**
   * Which reservations may be shrunk instead of ended (RFC 4495 bandwidth reduction), and to what floor.
   * @defaultValue no policy: every victim is ended
   */
  victimPolicy?: (reservation: Reservation) => VictimPolicy | undefined;
  /**
   * Admission order of a reservation (larger = admitted later), for the "newest first" tie-break
   * between victims with the same start.
   * @defaultValue none: start time, then id (larger id counts as newer)
   */
  sequenceOf?: (reservation: Reservation) => number | undefined;
  /**
   * Relative tolerance of capacity comparisons; keep it equal to the ledger's.
   * @defaultValue 1e-9
   */
  relativeTolerance?: number;
}

/** One reservation a plan preempts. */
export interface PreemptionVictim {
  id: string;
  owner: string;
  /** `end`: release it; `shrink`: reduce it to `newBandwidthBps` (RFC 4495). */
  action: 'end' | 'shrink';
  /** What it holds now, bit/s. */
  bandwidthBps: number;
  /** For `shrink`: what it keeps, bit/s (whole bit/s, at least its policy's floor, > 0). */
  newBandwidthBps?: number;
  holdingPriority: number;
  classType: number;
  /** The links of the request's path that it shares, in path order. */
  links: string[];
}

/** Outcome of {@link planPreemption}. */
export interface PreemptionPlan {
  /** True when the request fits once the victims are gone or reduced (or fits already). */
  feasible: boolean;
  /** The new reservation's id, or the id of the reservation to grow. */
  id: string;
  kind: 'admit' | 'resize';
  requestedBps: number;
  classType: number;
  setupPriority: number;
  start: number;
  end: number;
  /** Least important first: worst holding priority, then newest. Empty when nothing needs preempting. */
  victims: PreemptionVictim[];
  /** Per link of the request's path: the bandwidth the victims that use that link give up (0 if none). */
  freedBps: Record<string, number>;
  /** When not feasible: the first link of the path that stays short even with every allowed victim gone. */
  blocking?: { link: string; availableWithPreemptionBps: number };
  /** The ledger operations that carry the plan out: victims first, then the request (for `commit`). */
  operations: LedgerOperation[];
}

interface Target {
  kind: 'admit' | 'resize';
  id: string;
  links: readonly string[];
  bandwidthBps: number;
  classType: number;
  setupPriority: number;
  start: number;
  end: number;
  /** The reservation being grown (resize only). */
  self: Reservation | undefined;
  operation: LedgerOperation;
}

/** One elementary time slice of one link of the path, with the usage left once the chosen victims go. */
interface Slice {
  link: string;
  start: number;
  constraints: BandwidthConstraints;
  rows: ConstraintRow[];
  tolerance: number;
  usage: Float64Array;
  deficient: boolean;
}

interface Candidate {
  reservation: Reservation;
  sequence: number | undefined;
  /** Indices into the slice list where the candidate is present. */
  coverage: number[];
  /** Position in newest-first order (0 = newest). */
  rank: number;
}

const DEFAULT_TOLERANCE = 1e-9;

/**
 * Plans the preemption that makes room for a request: which reservations to end or shrink so that it
 * fits on every link of its path over its whole interval, under each link's bandwidth-constraints
 * model. Pure: reads the ledger, changes nothing; {@link applyPreemption} carries the plan out.
 *
 * Rules, in order:
 * 1. Only reservations the request may preempt are candidates — RFC 3209 §4.7.4: setup priority s
 *    preempts holding priority h only if s < h (numerically). Equal or more important ones stay.
 * 2. A candidate helps only where it is: on the path links it shares and on the time slices where it
 *    overlaps the request, and only under the bounds that count its class type (RDM: a CTb victim
 *    frees room under BC0…BCb; MAM: under its own BC and the maximum reservable bandwidth).
 * 3. Least important first: candidates are taken tier by tier from the worst holding priority up;
 *    within a tier the one freeing the most of what is still missing goes first (fewest victims),
 *    newest first on ties (latest start, then admission order, then id).
 * 4. Then victims are revisited most important first (oldest first within a tier), each keeping as
 *    much as the others' sacrifice allows: a victim not needed at all is dropped from the plan, one
 *    whose policy allows it is reduced rather than ended (RFC 4495), the rest are ended.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3209#section-4.7.4
 * @see https://www.rfc-editor.org/rfc/rfc4495
 * @see https://www.rfc-editor.org/rfc/rfc4127#section-4
 * @see https://www.rfc-editor.org/rfc/rfc4125#section-3
 */
export function planPreemption(
  ledger: ReservationLedger,
  request: PreemptionRequest,
  options: PreemptionOptions = {},
): PreemptionPlan {
  const target = normaliseTarget(ledger, request);
  const relativeTolerance = options.relativeTolerance ?? DEFAULT_TOLERANCE;
  const B = target.bandwidthBps;
  const ct = target.classType;

  // The path's elementary time slices with the usage of every reservation (the request's own share
  // left out when growing), and the reservations found on each link.
  const slices: Slice[] = [];
  const firstSlice: number[] = [];
  const onPath: Reservation[][] = [];
  for (const link of target.links) {
    const constraints = ledger.constraintsOf(link);
    const rows = constraintRows(constraints, ct);
    const tolerance = relativeTolerance * Math.max(1, constraints.bc[0] ?? 0, constraints.maxReservableBps);
    const present = ledger
      .onLink(link, { start: target.start, end: target.end })
      .filter((r) => r.id !== target.id);
    onPath.push(present);
    firstSlice.push(slices.length);
    for (const { start, usage } of sweep(present, target.start, target.end))
      slices.push({ link, start, constraints, rows, tolerance, usage, deficient: false });
  }
  firstSlice.push(slices.length);
  const fits = (s: Slice): boolean => unreservedAtInstant(s.constraints, s.usage, ct) + s.tolerance >= B;

  const plan: PreemptionPlan = {
    feasible: true,
    id: target.id,
    kind: target.kind,
    requestedBps: B,
    classType: ct,
    setupPriority: target.setupPriority,
    start: target.start,
    end: target.end,
    victims: [],
    freedBps: Object.fromEntries(target.links.map((l) => [l, 0])),
    operations: [target.operation],
  };
  let missing = 0;
  for (const s of slices) {
    s.deficient = !fits(s);
    if (s.deficient) missing++;
  }
  if (missing === 0) return plan;

  // RFC 3209 §4.7.4 — candidates: holding priority numerically greater than the setup priority.
  const byId = new Map<string, Candidate>();
  target.links.forEach((_link, li) => {
    for (const r of onPath[li] as Reservation[]) {
      if (!(r.holdingPriority > target.setupPriority) || r.bandwidthBps <= 0) continue;
      let c = byId.get(r.id);
      if (!c) {
        c = { reservation: r, sequence: options.sequenceOf?.(r), coverage: [], rank: 0 };
        byId.set(r.id, c);
      }
      // The slices of this link where r is present: starts in [r.start, r.end).
      const from = firstSlice[li] as number;
      const to = firstSlice[li + 1] as number;
      let k = lowerBound(slices, from, to, r.start);
      for (; k < to && (slices[k] as Slice).start < r.end; k++) c.coverage.push(k);
    }
  });
  const candidates = [...byId.values()];
  // Rank 0 = newest: the tie-break as one number.
  [...candidates].sort((a, b) => (newer(a, b) ? -1 : 1)).forEach((c, i) => (c.rank = i));

  // Feasible at all? Take every candidate away and look again.
  for (const c of candidates)
    for (const k of c.coverage)
      (slices[k] as Slice).usage[c.reservation.classType]! -= c.reservation.bandwidthBps;
  for (let li = 0; li < target.links.length; li++) {
    let least = Infinity;
    let short = false;
    for (let k = firstSlice[li] as number; k < (firstSlice[li + 1] as number); k++) {
      const s = slices[k] as Slice;
      least = Math.min(least, unreservedAtInstant(s.constraints, s.usage, ct));
      if (!fits(s)) short = true;
    }
    if (short) {
      plan.feasible = false;
      plan.blocking = { link: target.links[li] as string, availableWithPreemptionBps: Math.max(0, least) };
      plan.operations = [];
      return plan;
    }
  }
  for (const c of candidates)
    for (const k of c.coverage)
      (slices[k] as Slice).usage[c.reservation.classType]! += c.reservation.bandwidthBps;

  // Selection: tier by tier from the least important holding priority; within a tier, greedily the
  // candidate that covers most of what is still missing (fewest victims), newest first on ties.
  // Lazy greedy: a candidate's score only falls as the shortfall shrinks, so a stale score is an upper
  // bound and the first entry popped with a fresh score is exactly the eager choice.
  const chosen: Candidate[] = [];
  const tiers = [...new Set(candidates.map((c) => c.reservation.holdingPriority))].sort((a, b) => b - a);
  for (const tier of tiers) {
    if (missing === 0) break;
    const heap = new BinaryHeap<{ c: Candidate; score: number; round: number }>(
      (a, b) => b.score - a.score || a.c.rank - b.c.rank,
    );
    for (const c of candidates)
      if (c.reservation.holdingPriority === tier) {
        const score = helpScore(c, slices, B);
        if (score > 0) heap.push({ c, score, round: 0 });
      }
    let round = 0;
    while (missing > 0) {
      const top = heap.pop();
      if (!top) break;
      if (top.round !== round) {
        const score = helpScore(top.c, slices, B);
        if (score > 0) heap.push({ c: top.c, score, round });
        continue;
      }
      const best = top.c;
      round++;
      chosen.push(best);
      for (const k of best.coverage) {
        const s = slices[k] as Slice;
        s.usage[best.reservation.classType]! -= best.reservation.bandwidthBps;
        if (s.deficient && fits(s)) {
          s.deficient = false;
          missing--;
        }
      }
    }
  }
  if (missing > 0) {
    // Cannot happen after the check above (every candidate was available); kept as a guard.
    plan.feasible = false;
    plan.operations = [];
    return plan;
  }

  // Revisit most important first (oldest first within a tier): keep as much of each as possible.
  const protect = [...chosen].sort(
    (a, b) => a.reservation.holdingPriority - b.reservation.holdingPriority || (newer(a, b) ? 1 : -1),
  );
  const victims: PreemptionVictim[] = [];
  const order = new Map<Candidate, number>();
  for (const c of protect) {
    const r = c.reservation;
    let keep = r.bandwidthBps;
    for (const k of c.coverage) {
      const s = slices[k] as Slice;
      for (const row of s.rows)
        if (row.classes[r.classType]) keep = Math.min(keep, rowRoom(row, s.usage) - B + s.tolerance);
    }
    if (keep >= r.bandwidthBps) {
      giveBack(c, slices, r.bandwidthBps); // not needed after all
      continue;
    }
    const policy = options.victimPolicy?.(r);
    const kept = Math.floor(Math.max(0, keep));
    let victim: PreemptionVictim;
    // RFC 4495 — reduce rather than remove when the holder can live with less.
    if (policy !== undefined && kept > 0 && kept >= policy.minBandwidthBps) {
      giveBack(c, slices, kept);
      victim = describe(r, target.links, 'shrink', kept);
    } else {
      victim = describe(r, target.links, 'end', undefined);
    }
    victims.push(victim);
    order.set(c, victims.length - 1);
  }
  // Report least important first.
  const reported = chosen.filter((c) => order.has(c));
  reported.sort(
    (a, b) => b.reservation.holdingPriority - a.reservation.holdingPriority || (newer(a, b) ? -1 : 1),
  );
  plan.victims = reported.map((c) => victims[order.get(c) as number] as PreemptionVictim);
  for (const v of plan.victims) {
    const freed = v.bandwidthBps - (v.newBandwidthBps ?? 0);
    for (const l of v.links) plan.freedBps[l] = (plan.freedBps[l] ?? 0) + freed;
  }
  plan.operations = [
    ...plan.victims.map((v): LedgerOperation =>
      v.action === 'end'
        ? { op: 'release', id: v.id }
        : { op: 'resize', id: v.id, bandwidthBps: v.newBandwidthBps as number },
    ),
    target.operation,
  ];
  return plan;
}

/** Σ over the slices a candidate covers that are still short, of what it frees under each violated bound. */
function helpScore(c: Candidate, slices: readonly Slice[], B: number): number {
  const r = c.reservation;
  let score = 0;
  for (const k of c.coverage) {
    const s = slices[k] as Slice;
    if (!s.deficient) continue;
    for (const row of s.rows) {
      if (!row.classes[r.classType]) continue;
      const lack = B - rowRoom(row, s.usage);
      if (lack > s.tolerance) score += Math.min(r.bandwidthBps, lack);
    }
  }
  return score;
}

function giveBack(c: Candidate, slices: readonly Slice[], bandwidthBps: number): void {
  for (const k of c.coverage) (slices[k] as Slice).usage[c.reservation.classType]! += bandwidthBps;
}

/** True when `a` counts as newer than `b`: later start, then later admission, then larger id. */
function newer(a: Candidate, b: Candidate): boolean {
  const ra = a.reservation;
  const rb = b.reservation;
  if (ra.start !== rb.start) return ra.start > rb.start;
  const sa = a.sequence ?? -Infinity;
  const sb = b.sequence ?? -Infinity;
  if (sa !== sb) return sa > sb;
  return ra.id > rb.id;
}

function describe(
  r: Reservation,
  path: readonly string[],
  action: 'end' | 'shrink',
  newBandwidthBps: number | undefined,
): PreemptionVictim {
  const victim: PreemptionVictim = {
    id: r.id,
    owner: r.owner,
    action,
    bandwidthBps: r.bandwidthBps,
    holdingPriority: r.holdingPriority,
    classType: r.classType,
    links: path.filter((l) => r.links.includes(l)),
  };
  if (newBandwidthBps !== undefined) victim.newBandwidthBps = newBandwidthBps;
  return victim;
}

/**
 * The elementary slices of [start, end) for a set of reservations: boundaries at every start and end
 * inside the interval, each slice with Σ bandwidth per class type. All changes at one instant are
 * applied before the slice that begins there, so one reservation ending at t and another starting at
 * t never count together, while two starting at t both do (the ledger's rule).
 */
function sweep(
  reservations: readonly Reservation[],
  start: number,
  end: number,
): { start: number; usage: Float64Array }[] {
  const events: { t: number; bw: number; ct: number }[] = [];
  for (const r of reservations) {
    events.push({ t: r.start > start ? r.start : start, bw: r.bandwidthBps, ct: r.classType });
    if (r.end < end) events.push({ t: r.end, bw: -r.bandwidthBps, ct: r.classType });
  }
  events.sort((a, b) => a.t - b.t);
  const usage = new Float64Array(CLASS_TYPE_COUNT);
  const out: { start: number; usage: Float64Array }[] = [];
  let i = 0;
  let t = start;
  for (;;) {
    for (; i < events.length && (events[i] as { t: number }).t === t; i++) {
      const e = events[i] as { t: number; bw: number; ct: number };
      usage[e.ct]! += e.bw;
    }
    out.push({ start: t, usage: Float64Array.from(usage) });
    if (i >= events.length) return out;
    t = (events[i] as { t: number }).t;
  }
}

/** First index in [from, to) whose slice starts at or after `t`, the slice containing `t` included. */
function lowerBound(slices: readonly Slice[], from: number, to: number, t: number): number {
  // Slices tile the interval; find the last slice with start ≤ t (or `from`).
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((slices[mid] as Slice).start <= t) lo = mid + 1;
    else hi = mid;
  }
  return Math.max(from, lo - 1);
}

/** @internal — shared with {@link applyPreemption}. */
export function normaliseTarget(ledger: ReservationLedger, request: PreemptionRequest): Target {
  if (typeof request !== 'object' || request === null)
    throw new ReservationInvalidError('request', 'must be an object');
  if ('resize' in request) {
    const self = ledger.get(request.resize);
    if (!self) throw new UnknownReservationError(request.resize);
    checkBandwidth(request.bandwidthBps);
    return {
      kind: 'resize',
      id: self.id,
      links: self.links,
      bandwidthBps: request.bandwidthBps,
      classType: self.classType,
      setupPriority: self.setupPriority,
      start: self.start,
      end: self.end,
      self,
      operation: { op: 'resize', id: self.id, bandwidthBps: request.bandwidthBps },
    };
  }
  if (typeof request.id !== 'string' || request.id === '')
    throw new ReservationInvalidError('id', 'must be a non-empty string');
  if (ledger.has(request.id)) throw new DuplicateReservationError(request.id);
  if (!Array.isArray(request.links) || request.links.length === 0)
    throw new ReservationInvalidError('links', 'must list at least one link');
  const seen = new Set<string>();
  for (const link of request.links) {
    ledger.constraintsOf(link); // UnknownLinkError
    if (seen.has(link)) throw new ReservationInvalidError('links', `link ${link} appears twice in the path`);
    seen.add(link);
  }
  checkBandwidth(request.bandwidthBps);
  const classType = request.classType ?? 0;
  checkIndex(classType, CLASS_TYPE_COUNT, 'classType');
  const setupPriority = request.setupPriority ?? LOWEST_PRIORITY;
  checkIndex(setupPriority, PRIORITY_COUNT, 'setupPriority');
  const start = request.start ?? 0;
  const end = request.end ?? Infinity;
  if (typeof start !== 'number' || !Number.isFinite(start))
    throw new ReservationInvalidError('start', 'must be a finite number');
  if (typeof end !== 'number' || Number.isNaN(end) || !(end > start))
    throw new ReservationInvalidError('end', 'must be a number greater than start (or Infinity)');
  return {
    kind: 'admit',
    id: request.id,
    links: request.links,
    bandwidthBps: request.bandwidthBps,
    classType,
    setupPriority,
    start,
    end,
    self: undefined,
    operation: { op: 'admit', request },
  };
}

function checkBandwidth(value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ReservationInvalidError('bandwidthBps', 'must be a finite number of bit/s ≥ 0');
}

function checkIndex(value: unknown, count: number, field: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count)
    throw new ReservationInvalidError(field, `must be an integer 0…${count - 1}`);
}
