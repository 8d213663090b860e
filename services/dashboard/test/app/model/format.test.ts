import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatBps,
  formatClock,
  formatDuration,
  formatInstant,
  formatMinorUnits,
  formatPercent,
} from '../../../src/app/model/format.js';

test('bit rates use decimal prefixes, as the topology and SLAs do', () => {
  assert.equal(formatBps(0), '0 bit/s');
  assert.equal(formatBps(999), '999 bit/s');
  assert.equal(formatBps(64_000), '64 kbit/s');
  assert.equal(formatBps(200_000_000), '200 Mbit/s');
  assert.equal(formatBps(201_000_000), '201 Mbit/s');
  assert.equal(formatBps(1_000_000_000), '1 Gbit/s');
  assert.equal(formatBps(2_500_000_000), '2.5 Gbit/s');
  assert.equal(formatBps(1_234_567), '1.235 Mbit/s');
  assert.equal(formatBps(Number.NaN), '—');
});

test('percentages round to whole percent; a sliver shows as <1 %', () => {
  assert.equal(formatPercent(0), '0 %');
  assert.equal(formatPercent(0.2), '20 %');
  assert.equal(formatPercent(0.201), '20 %');
  assert.equal(formatPercent(0.004), '<1 %');
  assert.equal(formatPercent(1.5), '150 %');
});

test('money comes from integer minor units, never through floating point', () => {
  assert.equal(formatMinorUnits(350, 'EUR'), '3.50 EUR');
  assert.equal(formatMinorUnits(5, 'EUR'), '0.05 EUR');
  assert.equal(formatMinorUnits(0, null), '0.00');
  assert.equal(formatMinorUnits(-1234, 'USD'), '-12.34 USD');
  assert.equal(formatMinorUnits(null, 'EUR'), '—');
  assert.equal(formatMinorUnits(9_007_199_254_740_991, 'EUR'), '90071992547409.91 EUR');
});

test('durations read as h/min/s', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(12_999), '12 s');
  assert.equal(formatDuration(185_000), '3 min 05 s');
  assert.equal(formatDuration(3_720_000), '1 h 02 min');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(-1), '—');
});

test('instants are ISO 8601 UTC to the second', () => {
  assert.equal(formatInstant(Date.UTC(2026, 0, 15, 12, 0, 5, 678)), '2026-01-15T12:00:05Z');
  assert.equal(formatInstant('2026-01-15T13:00:05+01:00'), '2026-01-15T12:00:05Z');
  assert.equal(formatInstant('not a date'), '—');
  assert.equal(formatInstant(null), '—');
  assert.equal(formatClock(Date.UTC(2026, 0, 15, 9, 8, 7)), '09:08:07');
});
