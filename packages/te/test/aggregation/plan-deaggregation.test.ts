import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planDeaggregation, type DeaggregationItem } from '../../src/index.js';

const item = (
  id: string,
  contributionBps: number,
  defendingPriority = 10_000,
  sequence = 0,
): DeaggregationItem => ({
  id,
  contributionBps,
  defendingPriority,
  sequence,
});

function show(steps: ReturnType<typeof planDeaggregation>): string[] {
  return steps.map((s) => (s.action === 'end' ? `end ${s.item.id}` : `reduce ${s.item.id} to ${s.keptBps}`));
}

describe('planDeaggregation: which carried reservations an aggregate reduces or ends', () => {
  it('nothing to free, nothing to do', () => {
    assert.deepEqual(planDeaggregation([item('a', 10)], 0), []);
  });

  it('lowest RFC 3181 defending priority first, even when a higher one alone would do', () => {
    const items = [item('flash', 100, 40_000), item('r1', 30, 10_000), item('r2', 30, 10_000)];
    // r2 counts as newer (same sequence, larger id): it gives everything, the older r1 keeps what it can.
    assert.deepEqual(show(planDeaggregation(items, 50)), ['end r2', 'reduce r1 to 10']);
  });

  it('fewest reservations within the tier: the one that alone frees enough', () => {
    const items = [item('small-new', 10, 1, 3), item('big-old', 60, 1, 1), item('small', 10, 1, 2)];
    assert.deepEqual(show(planDeaggregation(items, 40)), ['reduce big-old to 20']);
  });

  it('newest first among equally few: the latest admitted of those that alone suffice', () => {
    const items = [
      item('vpn4', 50, 1, 1),
      item('vpn5', 50, 1, 2),
      item('vpn6', 50, 1, 3),
      item('tiny', 5, 1, 4),
    ];
    assert.deepEqual(show(planDeaggregation(items, 30)), ['reduce vpn6 to 20']);
  });

  it('a keep function applies floors: below what it can live with, a reservation is ended', () => {
    const items = [item('voice', 80, 1, 1)];
    const floor70 = (_: DeaggregationItem, allowed: number) => (allowed >= 70 ? allowed : 0);
    assert.deepEqual(show(planDeaggregation(items, 10, floor70)), ['reduce voice to 70']);
    assert.deepEqual(show(planDeaggregation(items, 11, floor70)), ['end voice']);
  });

  it('when the tier is not enough, all of it goes and the next tier completes the cut', () => {
    const items = [item('a', 10, 1), item('b', 10, 1), item('c', 50, 2), item('d', 50, 3)];
    assert.deepEqual(show(planDeaggregation(items, 40)), ['end b', 'end a', 'reduce c to 30']);
  });

  it('asked for more than everything: everything ends', () => {
    assert.deepEqual(show(planDeaggregation([item('a', 10), item('b', 20)], 100)).sort(), ['end a', 'end b']);
  });

  it('frees at least the excess, with the fewest of the lowest tier, never touching a higher tier needlessly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            c: fc.integer({ min: 1, max: 100 }),
            d: fc.integer({ min: 0, max: 3 }),
            floor: fc.integer({ min: 0, max: 100 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 600 }),
        (rows, excess) => {
          const items = rows.map((r, i) => ({ ...item(`i${i}`, r.c, r.d, i), floor: r.floor }));
          const steps = planDeaggregation(items, excess, (it, allowed) =>
            allowed >= it.floor ? allowed : 0,
          );
          const total = items.reduce((a, i) => a + i.contributionBps, 0);
          const freed = steps.reduce((a, s) => a + s.item.contributionBps - s.keptBps, 0);
          assert.ok(freed >= Math.min(excess, total), `freed ${freed} of ${excess}`);
          for (const s of steps) {
            assert.ok(s.keptBps >= 0 && s.keptBps < s.item.contributionBps);
            if (s.action === 'reduce') assert.ok(s.keptBps >= s.item.floor);
          }
          // A tier is touched only if every lower tier together could not free the excess.
          for (const s of steps) {
            const lower = items.filter((i) => i.defendingPriority < s.item.defendingPriority);
            assert.ok(lower.reduce((a, i) => a + i.contributionBps, 0) < excess);
          }
          // Irredundant: no step could have kept more (one more bit/s would free too little).
          for (const s of steps) if (s.action === 'reduce') assert.ok(freed - 1 < excess);
        },
      ),
      { numRuns: 500 },
    );
  });
});
