import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { unreservedAtInstant, type BandwidthConstraints } from '../../src/index.js';
import { constraintRows, rowRoom } from '../../src/preemption/constraint-rows.js';
import { mam, rdm } from '../helpers/one-link.js';

describe('constraintRows: the bounds a class type must respect', () => {
  it('RDM BC=[100,50,20]: a CT1 request is bounded by BC0 (all classes) and BC1 (CT1 and up)', () => {
    const rows = constraintRows(rdm(100, 50, 20), 1);
    assert.deepEqual(
      rows.map((r) => [r.bound, r.cap, r.classes.slice(0, 3)]),
      [
        ['BC0', 100, [true, true, true]],
        ['BC1', 50, [false, true, true]],
      ],
    );
  });

  it('MAM MRB=100 BC=[60,50]: a CT1 request is bounded by BC1 (CT1 only) and MaxReservable (all)', () => {
    const rows = constraintRows(mam(100, 60, 50), 1);
    assert.deepEqual(
      rows.map((r) => [r.bound, r.cap, r.classes.slice(0, 2)]),
      [
        ['BC1', 50, [false, true]],
        ['MaxReservable', 100, [true, true]],
      ],
    );
  });

  it('a class type without a bandwidth constraint on the link has no rows (nothing fits)', () => {
    assert.deepEqual(constraintRows(rdm(100, 50), 2), []);
  });

  const constraintsArb: fc.Arbitrary<BandwidthConstraints> = fc.oneof(
    fc
      .array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 })
      .map((bc) => rdm(...[...bc].sort((a, b) => b - a))),
    fc
      .tuple(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 8 }),
      )
      .map(([mrb, bc]) => mam(mrb, ...bc)),
  );

  it('the least room over the rows is exactly unreservedAtInstant, for any usage (both models)', () => {
    fc.assert(
      fc.property(
        constraintsArb,
        fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 7 }),
        (constraints, usage, ct) => {
          const rows = constraintRows(constraints, ct);
          const least = rows.length === 0 ? 0 : Math.min(...rows.map((r) => rowRoom(r, usage)));
          assert.equal(least, unreservedAtInstant(constraints, usage, ct));
        },
      ),
      { numRuns: 500 },
    );
  });
});
