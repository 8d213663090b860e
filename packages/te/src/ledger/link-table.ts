import type { BandwidthConstraints } from './bandwidth-constraints.js';

const CT = 8;
const P = 8;
const CELLS = CT * P;

/**
 * Flat per-link arrays behind the ledger's fast path, indexed by a link's slot number: the link's
 * bandwidth constraints, the running sums `Σ Reserved(CTc, q ≤ p)` of every reservation it holds,
 * and the latest start / earliest end among them. When every reservation on a link has started
 * before a query interval's end and lasts at least until that end, all of them are active together
 * in the interval's last instants, so the peak usage is just the sums and the RFC formulas apply to
 * them directly — a handful of typed-array reads, no tree walk, no object touched. An empty link
 * (latest start −∞, earliest end +∞, sums 0) takes the same path.
 *
 * The formulas repeat `unreservedAtInstant` (bandwidth-constraints.ts) over this layout; the
 * property tests check both against a brute-force oracle.
 * @internal
 */
export class LinkTable {
  /** Number of BCs (0 = slot unused). */
  bcCount = new Uint8Array(0);
  /** 1 for MAM, 0 for RDM. */
  mam = new Uint8Array(0);
  /** Maximum reservable bandwidth (the MAM aggregate bound). */
  maxReservable = new Float64Array(0);
  /** `bc[slot * 8 + j]` = BCj. */
  bc = new Float64Array(0);
  /** `sums[slot * 64 + c * 8 + p]` = Σ bandwidth of the link's CTc reservations at holding priority ≤ p. */
  sums = new Float64Array(0);
  maxStart = new Float64Array(0);
  minEnd = new Float64Array(0);
  #capacity = 0;

  /** Makes room for slots 0 … slot. */
  ensure(slot: number): void {
    if (slot < this.#capacity) return;
    let capacity = Math.max(16, this.#capacity);
    while (capacity <= slot) capacity *= 2;
    const grow = <A extends Float64Array | Uint8Array>(old: A, per: number, make: (n: number) => A): A => {
      const next = make(capacity * per);
      next.set(old);
      return next;
    };
    this.bcCount = grow(this.bcCount, 1, (n) => new Uint8Array(n));
    this.mam = grow(this.mam, 1, (n) => new Uint8Array(n));
    this.maxReservable = grow(this.maxReservable, 1, (n) => new Float64Array(n));
    this.bc = grow(this.bc, CT, (n) => new Float64Array(n));
    this.sums = grow(this.sums, CELLS, (n) => new Float64Array(n));
    const maxStart = new Float64Array(capacity).fill(-Infinity);
    maxStart.set(this.maxStart);
    this.maxStart = maxStart;
    const minEnd = new Float64Array(capacity).fill(Infinity);
    minEnd.set(this.minEnd);
    this.minEnd = minEnd;
    this.#capacity = capacity;
  }

  setConstraints(slot: number, c: BandwidthConstraints): void {
    this.ensure(slot);
    this.bcCount[slot] = c.bc.length;
    this.mam[slot] = c.model === 'MAM' ? 1 : 0;
    this.maxReservable[slot] = c.maxReservableBps;
    for (let j = 0; j < CT; j++) this.bc[slot * CT + j] = j < c.bc.length ? (c.bc[j] as number) : 0;
  }

  /** Marks a slot unused (its link was removed). */
  clearConstraints(slot: number): void {
    this.bcCount[slot] = 0;
  }

  /** Adds `delta` to Σ Reserved(CTct, q ≤ p) for every p ≥ holding. */
  add(slot: number, ct: number, holding: number, delta: number): void {
    const base = slot * CELLS + ct * P;
    for (let p = holding; p < P; p++) this.sums[base + p]! += delta;
  }

  /** Back to an empty link: zero sums, no bounds (exactly as a fresh slot). */
  clearUsage(slot: number): void {
    this.sums.fill(0, slot * CELLS, (slot + 1) * CELLS);
    this.maxStart[slot] = -Infinity;
    this.minEnd[slot] = Infinity;
  }

  /** Whether the sums are the peak usage over any interval ending at `end`. */
  covers(slot: number, end: number): boolean {
    return (this.maxStart[slot] as number) < end && (this.minEnd[slot] as number) >= end;
  }

  /**
   * Unreserved ⟨CTct, p⟩ from the sums (RFC 4127 §4 for RDM, RFC 4125 §3 for MAM), optionally not
   * counting `exBw` of class type `exCt` (a reservation being resized). May be negative.
   */
  unreserved(slot: number, ct: number, p: number, exCt = -1, exBw = 0): number {
    const n = this.bcCount[slot] as number;
    if (ct >= n) return 0;
    const sums = this.sums;
    const bc = this.bc;
    const base = slot * CELLS + p;
    const bcBase = slot * CT;
    if (this.mam[slot] === 0) {
      let suffix = 0;
      for (let b = CT - 1; b > ct; b--) suffix += sums[base + b * P] as number;
      if (exCt > ct) suffix -= exBw;
      let least = Infinity;
      for (let j = ct; j >= 0; j--) {
        suffix += sums[base + j * P] as number;
        if (exCt === j) suffix -= exBw;
        const room = (bc[bcBase + j] as number) - suffix;
        if (room < least) least = room;
      }
      return least;
    }
    let total = 0;
    for (let b = 0; b < CT; b++) total += sums[base + b * P] as number;
    let own = sums[base + ct * P] as number;
    if (exCt >= 0) {
      total -= exBw;
      if (exCt === ct) own -= exBw;
    }
    const ownRoom = (bc[bcBase + ct] as number) - own;
    const aggregateRoom = (this.maxReservable[slot] as number) - total;
    return ownRoom < aggregateRoom ? ownRoom : aggregateRoom;
  }
}
