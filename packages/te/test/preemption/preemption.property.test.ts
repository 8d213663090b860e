import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyPreemption,
  planPreemption,
  ReservationLedger,
  violatedConstraints,
  type BandwidthConstraints,
  type PreemptionRequest,
  type Reservation,
} from '../../src/index.js';
import { ledgerOver, mam, rdm } from '../helpers/one-link.js';

const LINKS: Record<string, BandwidthConstraints> = {
  A: rdm(100, 50, 20),
  B: mam(100, 60, 50, 30),
  C: rdm(70, 40, 20),
};
const LINK_IDS = Object.keys(LINKS);

const time = fc.integer({ min: 0, max: 30 });
const len = fc.option(fc.integer({ min: 1, max: 20 }), { nil: null, freq: 3 });
const existingArb = fc.record({
  links: fc.subarray(LINK_IDS, { minLength: 1 }),
  bw: fc.integer({ min: 0, max: 60 }),
  ct: fc.integer({ min: 0, max: 2 }),
  setup: fc.integer({ min: 1, max: 7 }),
  holdDelta: fc.integer({ min: 0, max: 3 }),
  start: time,
  len,
  floor: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
});
const newArb = fc.record({
  kind: fc.constant('admit' as const),
  links: fc.shuffledSubarray(LINK_IDS, { minLength: 1 }),
  bw: fc.integer({ min: 1, max: 60 }),
  ct: fc.integer({ min: 0, max: 2 }),
  setup: fc.integer({ min: 0, max: 4 }),
  start: time,
  len,
});
const growArb = fc.record({
  kind: fc.constant('resize' as const),
  pick: fc.nat(),
  extra: fc.integer({ min: 1, max: 60 }),
});

/** Copies a ledger through its JSON form. */
function clone(ledger: ReservationLedger): ReservationLedger {
  return ReservationLedger.restore(JSON.parse(JSON.stringify(ledger.snapshot())));
}

/** Brute force: no link breaks its constraints at any slice. */
function assertWithinCapacity(ledger: ReservationLedger): void {
  for (const link of LINK_IDS)
    for (const s of ledger.slices(link)) {
      const usage = s.reserved.map((row) => row.reduce((a, b) => a + b, 0));
      assert.deepEqual(
        violatedConstraints(LINKS[link]!, usage, 1e-6),
        [],
        `${link} at [${s.start}, ${s.end})`,
      );
    }
}

describe('planPreemption / applyPreemption: properties over random ledgers', () => {
  it('plans apply cleanly, touch only less important reservations, are irredundant, and infeasible means infeasible', () => {
    fc.assert(
      fc.property(fc.array(existingArb, { maxLength: 14 }), fc.oneof(newArb, growArb), (rows, ask) => {
        const ledger = ledgerOver(LINKS);
        const floors = new Map<string, number>();
        rows.forEach((r, i) => {
          const hold = Math.max(0, r.setup - r.holdDelta);
          const ok = ledger.admit({
            id: `r${i}`,
            links: r.links,
            bandwidthBps: r.bw,
            classType: r.ct,
            setupPriority: r.setup,
            holdingPriority: hold,
            start: r.start,
            end: r.len === null ? Infinity : r.start + r.len,
          }).ok;
          if (ok && r.floor !== undefined) floors.set(`r${i}`, r.floor);
        });
        let request: PreemptionRequest;
        let setup: number;
        if (ask.kind === 'admit') {
          request = {
            id: 'new',
            links: ask.links,
            bandwidthBps: ask.bw,
            classType: ask.ct,
            setupPriority: ask.setup,
            start: ask.start,
            end: ask.len === null ? Infinity : ask.start + ask.len,
          };
          setup = ask.setup;
        } else {
          const all = ledger.reservations();
          if (all.length === 0) return;
          const grown = all[ask.pick % all.length] as Reservation;
          request = { resize: grown.id, bandwidthBps: grown.bandwidthBps + ask.extra };
          setup = grown.setupPriority;
        }
        const before = new Map(ledger.reservations().map((r) => [r.id, r]));
        const plan = planPreemption(ledger, request, {
          victimPolicy: (r) => (floors.has(r.id) ? { minBandwidthBps: floors.get(r.id)! } : undefined),
        });

        if (!plan.feasible) {
          // Even with every reservation the request may preempt gone, it does not fit.
          const bare = clone(ledger);
          for (const r of bare.reservations()) if (r.holdingPriority > setup) bare.release(r.id);
          const retry =
            'resize' in request ? bare.resize(request.resize, request.bandwidthBps) : bare.admit(request);
          assert.equal(
            retry.ok,
            false,
            'planPreemption said infeasible but it fits without the preemptable ones',
          );
          return;
        }

        const after = clone(ledger);
        applyPreemption(after, request, plan);
        assertWithinCapacity(after);
        const victims = new Map(plan.victims.map((v) => [v.id, v]));
        for (const [id, r] of before) {
          const v = victims.get(id);
          if (!v) {
            if (id !== plan.id)
              assert.deepEqual(after.get(id), r, `${id} is not a victim and must be unchanged`);
            continue;
          }
          // RFC 3209 §4.7.4 — never an equal or more important reservation.
          assert.ok(r.holdingPriority > setup, `victim ${id} holds ${r.holdingPriority}, setup ${setup}`);
          if (v.action === 'end') assert.equal(after.has(id), false);
          else {
            const kept = after.get(id)?.bandwidthBps as number;
            assert.equal(kept, v.newBandwidthBps);
            assert.ok(kept > 0 && kept < r.bandwidthBps && kept >= (floors.get(id) ?? Infinity));
          }
        }
        // Irredundant: giving any victim back what it lost (one more bit/s for a shrink) does not fit.
        for (const v of plan.victims) {
          const probe = clone(after);
          const original = before.get(v.id) as Reservation;
          const back =
            v.action === 'end'
              ? probe.admit({ ...original, links: [...original.links] })
              : probe.resize(v.id, (v.newBandwidthBps as number) + 1);
          assert.equal(back.ok, false, `victim ${v.id} (${v.action}) was not needed`);
        }
        // freedBps adds up the victims' reductions per link.
        for (const [link, freed] of Object.entries(plan.freedBps)) {
          const sum = plan.victims
            .filter((v) => v.links.includes(link))
            .reduce((a, v) => a + v.bandwidthBps - (v.newBandwidthBps ?? 0), 0);
          assert.equal(freed, sum);
        }
      }),
      { numRuns: 400 },
    );
  });
});
