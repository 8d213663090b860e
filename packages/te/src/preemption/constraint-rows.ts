import { CLASS_TYPE_COUNT, type BandwidthConstraints } from '../ledger/bandwidth-constraints.js';

/**
 * One linear bound of a bandwidth-constraints model as seen by a request of one class type:
 * the request fits at an instant when `cap − Σ_{b ∈ classes} usage[b] ≥ bandwidth` for every row.
 */
export interface ConstraintRow {
  /** The bound's name, `BC<j>` or `MaxReservable`. */
  readonly bound: string;
  readonly cap: number;
  /** `classes[b]` is true when class type b's usage counts against this bound. */
  readonly classes: readonly boolean[];
}

/**
 * The rows whose minimum is "Unreserved TE-Class ⟨CTc, p⟩" (`unreservedAtInstant`): the bounds a
 * CTc request must respect, and which class types' usage each bound counts. This is what makes a
 * victim useful or useless to a preemptor:
 *
 * - RDM (RFC 4127 §4): for j = 0…c, BCj bounds Σ_{b ≥ j} Reserved(CTb). A CT1 request is bounded by
 *   BC0 (every class) and BC1 (CT1…CT7), so preempting CT0 frees room under BC0 only, while
 *   preempting CT2 frees room under both.
 * - MAM (RFC 4125 §3): BCc bounds Reserved(CTc) alone and MaxReservable bounds the sum of all, so
 *   preempting another class type only helps when MaxReservable is what binds.
 *
 * Empty when the link has no constraint for class type `ct` (nothing of that class fits there).
 */
export function constraintRows(constraints: BandwidthConstraints, ct: number): ConstraintRow[] {
  const bc = constraints.bc;
  if (ct < 0 || ct >= bc.length) return [];
  if (constraints.model === 'RDM') {
    const rows: ConstraintRow[] = [];
    for (let j = 0; j <= ct; j++)
      rows.push({
        bound: `BC${j}`,
        cap: bc[j] as number,
        classes: Array.from({ length: CLASS_TYPE_COUNT }, (_, b) => b >= j),
      });
    return rows;
  }
  return [
    {
      bound: `BC${ct}`,
      cap: bc[ct] as number,
      classes: Array.from({ length: CLASS_TYPE_COUNT }, (_, b) => b === ct),
    },
    {
      bound: 'MaxReservable',
      cap: constraints.maxReservableBps,
      classes: new Array<boolean>(CLASS_TYPE_COUNT).fill(true),
    },
  ];
}

/** `cap − Σ_{b ∈ classes} usage[b]`: what the row leaves. */
export function rowRoom(row: ConstraintRow, usage: ArrayLike<number>): number {
  let used = 0;
  for (let b = 0; b < CLASS_TYPE_COUNT; b++) if (row.classes[b]) used += usage[b] ?? 0;
  return row.cap - used;
}
