import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  PRIORITY_COUNT,
  unreservedAtInstant,
  violatedConstraints,
  type BandwidthConstraints,
  type Reservation,
  type ReservationLedger,
} from '../../src/index.js';
import { ledgerOver, mam, rdm } from '../helpers/one-link.js';

const LINKS: Record<string, BandwidthConstraints> = {
  A: rdm(100, 50, 20),
  B: mam(100, 60, 50),
  C: rdm(70),
  D: mam(80, 80, 30, 10),
};
const LINK_IDS = Object.keys(LINKS);

type Op =
  | {
      kind: 'admit';
      links: string[];
      bw: number;
      ct: number;
      setup: number;
      holdDelta: number;
      start: number;
      len: number | null;
    }
  | { kind: 'release'; pick: number }
  | { kind: 'resize'; pick: number; bw: number }
  | { kind: 'query'; link: string; ct: number; p: number; start: number; len: number | null };

const time = fc.integer({ min: 0, max: 30 });
const length = fc.option(fc.integer({ min: 1, max: 15 }), { nil: null, freq: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('admit' as const),
      links: fc.subarray(LINK_IDS, { minLength: 1 }),
      bw: fc.integer({ min: 0, max: 60 }),
      ct: fc.integer({ min: 0, max: 3 }),
      setup: fc.integer({ min: 0, max: 7 }),
      holdDelta: fc.integer({ min: 0, max: 7 }),
      start: time,
      len: length,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('resize' as const),
      pick: fc.nat(),
      bw: fc.integer({ min: 0, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('query' as const),
      link: fc.constantFrom(...LINK_IDS),
      ct: fc.integer({ min: 0, max: 3 }),
      p: fc.integer({ min: 0, max: 7 }),
      start: time,
      len: length,
    }),
  },
);

/** Brute force: reserved per class type at instant t, counting holding priority ≤ p, from a plain list. */
function usageAt(list: readonly Reservation[], link: string, t: number, p: number, skip?: string): number[] {
  const usage = new Array<number>(8).fill(0);
  for (const r of list)
    if (r.id !== skip && r.links.includes(link) && r.start <= t && t < r.end && r.holdingPriority <= p)
      usage[r.classType]! += r.bandwidthBps;
  return usage;
}

/** Brute force unreserved ⟨ct, p⟩ over [start, end): evaluate at start and at every boundary inside. */
function bruteUnreserved(
  list: readonly Reservation[],
  link: string,
  ct: number,
  p: number,
  start: number,
  end: number,
  skip?: string,
): number {
  const instants = new Set<number>([start]);
  for (const r of list) {
    if (!r.links.includes(link)) continue;
    if (r.start > start && r.start < end) instants.add(r.start);
    if (r.end > start && r.end < end) instants.add(r.end);
  }
  let least = Infinity;
  for (const t of instants)
    least = Math.min(least, unreservedAtInstant(LINKS[link]!, usageAt(list, link, t, p, skip), ct));
  return Math.max(0, least);
}

/** No link exceeds any bound at any priority level in any elementary time slice. */
function assertWithinCapacity(list: readonly Reservation[]): void {
  for (const link of LINK_IDS) {
    const instants = new Set<number>();
    for (const r of list) if (r.links.includes(link)) instants.add(r.start);
    for (const t of instants)
      for (let p = 0; p < PRIORITY_COUNT; p++) {
        const broken = violatedConstraints(LINKS[link]!, usageAt(list, link, t, p), 1e-9);
        assert.deepEqual(broken, [], `link ${link} at t=${t}, level p${p}`);
      }
  }
}

function run(ledger: ReservationLedger, ops: Op[]): void {
  const model = new Map<string, Reservation>();
  let n = 0;
  for (const op of ops) {
    const before = [...model.values()];
    switch (op.kind) {
      case 'admit': {
        const id = `r${n++}`;
        const holding = Math.max(0, op.setup - op.holdDelta);
        const end = op.len === null ? Infinity : op.start + op.len;
        const result = ledger.admit({
          id,
          links: op.links,
          bandwidthBps: op.bw,
          classType: op.ct,
          setupPriority: op.setup,
          holdingPriority: holding,
          start: op.start,
          end,
        });
        // The decision matches brute force: it fits iff every link has room at level 7.
        const fits = op.links.every(
          (l) => op.bw <= bruteUnreserved(before, l, op.ct, 7, op.start, end) + 1e-9,
        );
        assert.equal(result.ok, fits, `admit ${JSON.stringify(op)}`);
        if (result.ok) model.set(id, result.reservation);
        else {
          const firstShort = op.links.find(
            (l) => op.bw > bruteUnreserved(before, l, op.ct, 7, op.start, end) + 1e-9,
          );
          assert.equal(result.refusal.link, firstShort);
          assert.equal(
            result.refusal.availableBps,
            bruteUnreserved(before, firstShort!, op.ct, 7, op.start, end),
          );
          assert.equal(
            result.refusal.availableWithPreemptionBps,
            bruteUnreserved(before, firstShort!, op.ct, op.setup, op.start, end),
          );
        }
        break;
      }
      case 'release': {
        if (before.length === 0) break;
        const victim = before[op.pick % before.length]!;
        assert.deepEqual(ledger.release(victim.id), victim);
        model.delete(victim.id);
        break;
      }
      case 'resize': {
        if (before.length === 0) break;
        const r = before[op.pick % before.length]!;
        const result = ledger.resize(r.id, op.bw);
        const fits =
          op.bw <= r.bandwidthBps ||
          r.links.every(
            (l) => op.bw <= bruteUnreserved(before, l, r.classType, 7, r.start, r.end, r.id) + 1e-9,
          );
        assert.equal(result.ok, fits, `resize ${r.id} ${r.bandwidthBps} → ${op.bw}`);
        if (result.ok) model.set(r.id, { ...r, bandwidthBps: op.bw });
        break;
      }
      case 'query': {
        const end = op.len === null ? Infinity : op.start + op.len;
        assert.equal(
          ledger.unreserved(op.link, op.ct, op.p, { start: op.start, end }),
          bruteUnreserved(before, op.link, op.ct, op.p, op.start, end),
          `query ${JSON.stringify(op)}`,
        );
        break;
      }
    }
    const held = ledger.reservations();
    assert.deepEqual(
      held,
      [...model.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    );
    assertWithinCapacity(held);
  }
}

describe('ledger properties over random operation sequences', () => {
  it('admission, resize and unreserved agree with brute force; no link exceeds any BC at any priority or time', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        run(ledgerOver(LINKS), ops);
      }),
      { numRuns: 250, seed: 20240611 },
    );
  });

  it('releasing everything, in any order, restores the empty ledger exactly', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.nat(), (ops, shuffleSeed) => {
        const ledger = ledgerOver(LINKS);
        const empty = ledger.snapshot();
        run(ledger, ops);
        const ids = ledger.reservations().map((r) => r.id);
        // Deterministic shuffle.
        let s = shuffleSeed;
        for (let i = ids.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        }
        for (const id of ids) ledger.release(id);
        assert.deepEqual(ledger.snapshot(), empty);
        assert.equal(ledger.size, 0);
        assert.equal(ledger.activeLinkCount, 0);
        for (const l of LINK_IDS) assert.deepEqual(ledger.onLink(l), []);
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('snapshot → JSON → restore gives an equal ledger that answers the same', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 30 }), (ops) => {
        const ledger = ledgerOver(LINKS);
        run(ledger, ops);
        const restored = (
          ledger.constructor as typeof import('../../src/index.js').ReservationLedger
        ).restore(JSON.parse(JSON.stringify(ledger.snapshot())));
        assert.deepEqual(restored.snapshot(), ledger.snapshot());
        for (const l of LINK_IDS)
          assert.deepEqual(
            restored.unreservedTable(l, { start: 5, end: 25 }),
            ledger.unreservedTable(l, { start: 5, end: 25 }),
          );
      }),
      { numRuns: 80, seed: 11 },
    );
  });
});
