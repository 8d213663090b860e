import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRate } from '../../../src/app/model/parse-rate.js';
import { formatRateInput } from '../../../src/app/model/sla-form.js';

test('rates as operators type them', () => {
  assert.equal(parseRate('1G'), 1_000_000_000);
  assert.equal(parseRate('2.5 Gbit/s'), 2_500_000_000);
  assert.equal(parseRate('200M'), 200_000_000);
  assert.equal(parseRate('200 mbps'), 200_000_000);
  assert.equal(parseRate('64k'), 64_000);
  assert.equal(parseRate(' 1000000 '), 1_000_000);
  assert.equal(parseRate('1.5k'), 1500);
  assert.equal(parseRate('0.001G'), 1_000_000);
});

test('what is not a whole number of bit/s is refused', () => {
  for (const bad of ['', 'G', '1.5', '1,5G', '-1G', '1e9', '1 Pbit/s', '0.0001k', '1G2', 'ten'])
    assert.equal(parseRate(bad), undefined, bad);
  assert.equal(parseRate('9999999999T'), undefined, 'beyond safe integers');
});

test('formatRateInput writes what parseRate reads back exactly', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10 ** 13 }), (bps) => {
      assert.equal(parseRate(formatRateInput(bps)), bps);
    }),
  );
  assert.equal(formatRateInput(1_000_000_000), '1G');
  assert.equal(formatRateInput(2_500_000_000), '2.5G');
  assert.equal(formatRateInput(100_000_000), '100M');
  assert.equal(formatRateInput(1500), '1.5k');
  assert.equal(formatRateInput(1501), '1501');
});
