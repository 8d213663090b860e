/**
 * DiffServ-TE bandwidth-constraints models (RFC 4124 §4): how the per-class-type usage of a link
 * turns into the "Unreserved TE-Class [i]" figure for a TE-Class ⟨CTc, p⟩.
 *
 * Notation as in the RFCs: `Reserved(CTb, q)` is the bandwidth reserved by reservations of class
 * type b and holding priority q (0 = highest, RFC 3209 §4.7.4). The unreserved bandwidth for
 * ⟨CTc, p⟩ only counts reservations with q ≤ p: reservations at worse holding priority could be
 * preempted by a setup at priority p, so they do not reduce what is unreserved at that level.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4124#section-4
 * @see https://www.rfc-editor.org/rfc/rfc4125 (Maximum Allocation Model, MAM)
 * @see https://www.rfc-editor.org/rfc/rfc4127 (Russian Dolls Model, RDM)
 */

/** Number of DiffServ-TE class types (RFC 4124 §2: CT0 … CT7). */
export const CLASS_TYPE_COUNT = 8;
/** Number of preemption priorities (RFC 3209 §4.7.4: 0 … 7, 0 highest). */
export const PRIORITY_COUNT = 8;
/** The lowest (least important) priority: at this level every reservation counts. */
export const LOWEST_PRIORITY = 7;

/** RFC 4124 §4 bandwidth-constraints model identifiers (IANA "Bandwidth Constraints Model Id"). */
export type BandwidthConstraintsModel = 'RDM' | 'MAM';

/** The bandwidth constraints of one directional link. All figures in bit/s. */
export interface BandwidthConstraints {
  /** `RDM` (RFC 4127) or `MAM` (RFC 4125). */
  readonly model: BandwidthConstraintsModel;
  /**
   * Maximum Reservable Bandwidth (RFC 3630 §2.5.7). Under MAM it is the limit on the sum over all
   * class types (RFC 4125 §3). Under RDM it is not an admission constraint: BC0 is the aggregate
   * limit (RFC 4127 §4); it is kept for reporting.
   */
  readonly maxReservableBps: number;
  /** BC0 … BC(n-1): one constraint per class type in use on the link (n ≤ 8). CTc with c ≥ n cannot reserve. */
  readonly bc: readonly number[];
}

/** The single-class default: RDM with BC0 = maximum reservable bandwidth (plain RFC 3209 TE). */
export function defaultBandwidthConstraints(maxReservableBps: number): BandwidthConstraints {
  return { model: 'RDM', maxReservableBps, bc: [maxReservableBps] };
}

/**
 * Checks a constraints object; returns one message per problem (empty when valid). Paths are
 * relative (`bc[1]`), for the caller to prefix.
 */
export function checkBandwidthConstraints(c: BandwidthConstraints): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  if (c.model !== 'RDM' && c.model !== 'MAM')
    problems.push({ path: 'model', message: 'must be "RDM" or "MAM"' });
  if (!Number.isFinite(c.maxReservableBps) || c.maxReservableBps <= 0)
    problems.push({ path: 'maxReservableBps', message: 'must be a finite number > 0' });
  if (c.bc.length < 1 || c.bc.length > CLASS_TYPE_COUNT)
    problems.push({
      path: 'bc',
      message: `must list 1 to ${CLASS_TYPE_COUNT} bandwidth constraints (BC0…BC7)`,
    });
  c.bc.forEach((value, i) => {
    if (!Number.isFinite(value) || value < 0)
      problems.push({ path: `bc[${i}]`, message: 'must be a finite number ≥ 0' });
  });
  if (c.model === 'RDM') {
    // RFC 4127 §4 — the constraints nest: BC0 ≥ BC1 ≥ … ≥ BC(MaxCT-1).
    for (let i = 1; i < c.bc.length; i++) {
      if ((c.bc[i] as number) > (c.bc[i - 1] as number))
        problems.push({ path: `bc[${i}]`, message: `RDM requires BC${i} ≤ BC${i - 1} (RFC 4127 §4)` });
    }
  }
  return problems;
}

/**
 * Unreserved bandwidth for class type `ct` at one instant, given `reservedByClassType[b]` =
 * Σ Reserved(CTb, q) over the holding priorities q that count at the level being asked (q ≤ p).
 * Returns 0 for a class type the link has no constraint for. May be negative when the link is
 * overbooked (e.g. after its capacity was lowered); callers clamp where they need to.
 *
 * RDM, RFC 4127 §4/§5: Unreserved⟨CTc,p⟩ = min over j = 0…c of [ BCj − Σ_{b ≥ j} Reserved(CTb, q ≤ p) ].
 * MAM, RFC 4125 §3/§4: Unreserved⟨CTc,p⟩ = min( BCc − Reserved(CTc, q ≤ p),
 *                                                MaxReservable − Σ_b Reserved(CTb, q ≤ p) ).
 */
export function unreservedAtInstant(
  constraints: BandwidthConstraints,
  reservedByClassType: ArrayLike<number>,
  ct: number,
): number {
  const bc = constraints.bc;
  if (ct < 0 || ct >= bc.length) return 0;
  if (constraints.model === 'RDM') {
    // RFC 4127 §4 — for each b: Σ Reserved(CTc) for b ≤ c ≤ MaxCT-1 must stay ≤ BCb; a CTc
    // reservation sits inside every doll BC0 … BCc, so each of those bounds what is left for it.
    let suffix = 0;
    for (let b = CLASS_TYPE_COUNT - 1; b > ct; b--) suffix += reservedByClassType[b] ?? 0;
    let unreserved = Number.POSITIVE_INFINITY;
    for (let j = ct; j >= 0; j--) {
      suffix += reservedByClassType[j] ?? 0;
      const room = (bc[j] as number) - suffix;
      if (room < unreserved) unreserved = room;
    }
    return unreserved;
  }
  // RFC 4125 §3 — MAM: each CTc is bounded by its own BCc, and all CTs together by the Maximum
  // Reservable Bandwidth.
  let total = 0;
  for (let b = 0; b < CLASS_TYPE_COUNT; b++) total += reservedByClassType[b] ?? 0;
  const own = (bc[ct] as number) - (reservedByClassType[ct] ?? 0);
  const aggregate = constraints.maxReservableBps - total;
  return own < aggregate ? own : aggregate;
}

/**
 * The constraints broken at one instant (empty when the usage fits): each entry names the bound
 * (`BC<j>` or `MaxReservable`) and by how much the usage exceeds it. Used by invariant checks.
 */
export function violatedConstraints(
  constraints: BandwidthConstraints,
  reservedByClassType: ArrayLike<number>,
  tolerance = 0,
): { bound: string; excess: number }[] {
  const out: { bound: string; excess: number }[] = [];
  const bc = constraints.bc;
  for (let b = bc.length; b < CLASS_TYPE_COUNT; b++) {
    const r = reservedByClassType[b] ?? 0;
    if (r > tolerance) out.push({ bound: `CT${b} (no BC${b})`, excess: r });
  }
  if (constraints.model === 'RDM') {
    let suffix = 0;
    for (let b = CLASS_TYPE_COUNT - 1; b >= 0; b--) {
      suffix += reservedByClassType[b] ?? 0;
      if (b < bc.length && suffix - (bc[b] as number) > tolerance)
        out.push({ bound: `BC${b}`, excess: suffix - (bc[b] as number) });
    }
    return out;
  }
  let total = 0;
  for (let b = 0; b < CLASS_TYPE_COUNT; b++) {
    const r = reservedByClassType[b] ?? 0;
    total += r;
    if (b < bc.length && r - (bc[b] as number) > tolerance)
      out.push({ bound: `BC${b}`, excess: r - (bc[b] as number) });
  }
  if (total - constraints.maxReservableBps > tolerance)
    out.push({ bound: 'MaxReservable', excess: total - constraints.maxReservableBps });
  return out;
}
