import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { aggregateTspec, nextAggregateSize, roundUpToBulk } from '../../src/index.js';

const sizing = { bulkBps: 1_000_000, hysteresisBps: 200_000 };

describe('nextAggregateSize: RFC 3175 §1.4.4 bulk steps with hysteresis', () => {
  //  required   | current   | next       | why
  const table: [number, number, number, string][] = [
    [80_000, 0, 1_000_000, 'a new aggregate gets one bulk step'],
    [0, 0, 1_000_000, 'even for zero-rate contents'],
    [1_000_000, 1_000_000, 1_000_000, 'exactly full: no change'],
    [1_000_001, 1_000_000, 2_000_000, 'one bit over: grow by a whole step'],
    [3_500_000, 1_000_000, 4_000_000, 'grow to the smallest multiple that covers'],
    [1_900_000, 3_000_000, 3_000_000, 'below size − bulk but not below size − bulk − hysteresis: keep'],
    [1_800_000, 3_000_000, 3_000_000, 'exactly at size − bulk − hysteresis: keep'],
    [1_799_999, 3_000_000, 2_000_000, 'below it: shrink to the smallest covering multiple'],
    [10, 5_000_000, 1_000_000, 'shrink never goes below one step'],
    [750_000, 1_234_567, 1_234_567, 'a reduced (off-step) size is kept while it covers'],
    [1_300_000, 1_234_567, 2_000_000, 'and grows back onto the steps'],
  ];
  for (const [required, current, next, why] of table)
    it(`${why}: required ${required}, size ${current} → ${next}`, () => {
      assert.equal(nextAggregateSize(required, current, sizing), next);
    });

  it('the size always covers what is required, and is a multiple of the bulk whenever it changes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.integer({ min: 1, max: 3_000_000 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        (required, current, bulkBps, hysteresisBps) => {
          const next = nextAggregateSize(required, current, { bulkBps, hysteresisBps });
          assert.ok(next >= required);
          assert.ok(next >= bulkBps || next === current);
          if (next !== current) assert.equal(next % bulkBps, 0);
          // Hysteresis: no shrink while the contents stay within bulk + hysteresis of the size.
          if (current > 0 && required <= current && required >= current - bulkBps - hysteresisBps)
            assert.equal(next, current);
        },
      ),
    );
  });

  it('roundUpToBulk is exact on multiples', () => {
    assert.equal(roundUpToBulk(3 * 0.1e6, 0.1e6), 300_000);
    assert.equal(roundUpToBulk(8_320_000, 80_000), 8_320_000);
  });
});

describe('aggregateTspec (seed 003 §2.1: the tunnel covers the sum of rates, peaks and bursts)', () => {
  it('r is the reservation; p at least r; b, m, M from the contents', () => {
    assert.deepEqual(aggregateTspec(2_000_000, { r: 104_000, b: 4_160, p: 104_000, m: 208, M: 1_508 }), {
      r: 250_000,
      b: 4_160,
      p: 250_000,
      m: 208,
      M: 1_508,
    });
    assert.equal(aggregateTspec(80_000, { r: 9_000, b: 1, p: 20_000, m: 1, M: 1 }).p, 20_000);
  });
});
