import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addOverhead, sumTspecs, tspecToBitRate, TspecSumEmptyError, type Tspec } from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

describe('sumTspecs', () => {
  it('issue 3 vector: 100 G.711 calls under two MPLS labels need 8.32 Mbit/s', () => {
    const calls = Array.from({ length: 100 }, () => addOverhead(G711, 8));
    const total = sumTspecs(calls);
    assert.deepEqual(total, { r: 1_040_000, b: 20_800, p: 1_040_000, m: 208, M: 208 });
    assert.equal(tspecToBitRate(total), 8_320_000);
  });

  it('adds r, b, p and takes the min m and max M', () => {
    const a: Tspec = { r: 100, b: 1000, p: 200, m: 64, M: 1500 };
    const b: Tspec = { r: 50, b: 300, p: 75, m: 20, M: 576 };
    const c: Tspec = { r: 1, b: 9000, p: 1, m: 128, M: 9000 };
    assert.deepEqual(sumTspecs([a, b, c]), { r: 151, b: 10_300, p: 276, m: 20, M: 9000 });
    assert.deepEqual(sumTspecs([a]), a);
  });

  it('sums fractional rates exactly and rounds up once', () => {
    const t = (r: number): Tspec => ({ r, b: 1, p: r, m: 1, M: 1 });
    // 0.1 + 0.2 is 0.30000000000000004 in floats; exactly it is just above 0.3 too, so ⌈·⌉ = 1.
    assert.equal(sumTspecs([t(0.1), t(0.2)]).r, 1);
    assert.equal(sumTspecs([t(0.5), t(0.5), t(1)]).r, 2);
    assert.equal(sumTspecs([t(0.5), t(0.25)], { rounding: 'exact' }).r, 0.75);
  });

  it('is order independent', () => {
    const xs: Tspec[] = [
      { r: 3, b: 5, p: 7, m: 2, M: 9 },
      { r: 11, b: 13, p: 17, m: 1, M: 4 },
      { r: 19, b: 23, p: 29, m: 3, M: 30 },
    ];
    assert.deepEqual(sumTspecs(xs), sumTspecs([...xs].reverse()));
  });

  it('keeps an infinite peak infinite', () => {
    assert.equal(sumTspecs([G711, { ...G711, p: Infinity }]).p, Infinity);
  });

  it('rejects an empty list', () => {
    assert.throws(
      () => sumTspecs([]),
      (e: unknown) => e instanceof TspecSumEmptyError && e.code === 'QOS_TSPEC_SUM_EMPTY',
    );
  });
});
