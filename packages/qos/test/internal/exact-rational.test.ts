import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addRational,
  ceilRational,
  exactRational,
  floorRational,
  mulRational,
  subRational,
} from '../../src/internal/exact-rational.js';

describe('exact rational arithmetic', () => {
  it('represents doubles exactly', () => {
    assert.deepEqual(exactRational(3), { num: 3n, den: 1n });
    assert.deepEqual(exactRational(0.5), { num: 1n, den: 2n });
    assert.deepEqual(exactRational(0.75), { num: 3n, den: 4n });
    // 0.1 is not 1/10 but the nearest double: 3602879701896397 / 2^55
    assert.deepEqual(exactRational(0.1), { num: 3602879701896397n, den: 2n ** 55n });
    assert.throws(() => exactRational(Infinity), RangeError);
    assert.throws(() => exactRational(NaN), RangeError);
  });

  it('ceil and floor', () => {
    assert.equal(ceilRational({ num: 10n, den: 5n }), 2);
    assert.equal(ceilRational({ num: 11n, den: 5n }), 3);
    assert.equal(ceilRational({ num: 0n, den: 7n }), 0);
    assert.equal(floorRational({ num: 11n, den: 5n }), 2);
    assert.equal(floorRational({ num: -11n, den: 5n }), -3);
    assert.equal(floorRational({ num: -10n, den: 5n }), -2);
    assert.throws(() => ceilRational({ num: -1n, den: 1n }), RangeError);
  });

  it('add, subtract and scale agree with integer arithmetic', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 1, max: 9000 }),
        fc.integer({ min: 0, max: 100 }),
        (a, b, m, h) => {
          const sum = addRational(exactRational(a), exactRational(b));
          assert.equal(ceilRational(sum), a + b);
          assert.equal(floorRational(subRational(exactRational(a), exactRational(b))), a - b);
          const scaled = mulRational(exactRational(a), BigInt(m + h), BigInt(m));
          assert.equal(
            ceilRational(scaled),
            Number((BigInt(a) * BigInt(m + h) + BigInt(m) - 1n) / BigInt(m)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adds fractions over the least common denominator', () => {
    assert.deepEqual(addRational({ num: 1n, den: 4n }, { num: 1n, den: 2n }), { num: 3n, den: 4n });
    assert.deepEqual(addRational({ num: 1n, den: 6n }, { num: 1n, den: 6n }), { num: 2n, den: 6n });
  });
});
