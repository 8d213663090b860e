import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeTrafficCounters } from '../../src/index.js';

describe('computeTrafficCounters: bytes = Σ rate × elapsed / 8, exact', () => {
  it('one rate', () => {
    assert.deepEqual(computeTrafficCounters([[1_000, 8_000]], 3_000, 100), {
      bytes: 2_000,
      packets: 20,
      rateBps: 8_000,
      asOfMs: 3_000,
    });
  });
  it('segments, reading in the middle of one, and before the start', () => {
    const history = [
      [0, 8_000],
      [1_000, 0],
      [2_000, 16_000],
    ] as const;
    assert.equal(computeTrafficCounters(history, 500, 1).bytes, 500);
    assert.equal(computeTrafficCounters(history, 1_500, 1).rateBps, 0);
    assert.equal(computeTrafficCounters(history, 2_500, 1).bytes, 1_000 + 1_000);
    assert.equal(
      computeTrafficCounters(history, 2_000, 1).rateBps,
      16_000,
      'the new rate holds from its start',
    );
    assert.deepEqual(computeTrafficCounters([[5_000, 1]], 4_000, 1), {
      bytes: 0,
      packets: 0,
      rateBps: 0,
      asOfMs: 4_000,
    });
  });
  it('stays exact where floating point would not: ~10 Tbit/s for an hour', () => {
    const rate = 9_999_999_999_999;
    const ms = 3_600_001;
    assert.notEqual(Math.floor((rate * ms) / 8000), 4_500_001_249_999_549, 'doubles round this product');
    const c = computeTrafficCounters([[0, rate]], ms, 1_000);
    assert.equal(c.bytes, 4_500_001_249_999_549);
    assert.equal(c.packets, 4_500_001_249_999);
  });
});
