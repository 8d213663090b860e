import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatRspecAttribute,
  formatTspecAttribute,
  parseRspecAttribute,
  parseTspecAttribute,
  RspecInvalidError,
  TspecInvalidError,
  type Tspec,
} from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

describe('a=svpn-tspec / a=svpn-rspec', () => {
  it('parses and formats a Tspec', () => {
    assert.deepEqual(parseTspecAttribute('r=10000 b=200 p=10000 m=200 M=200'), G711);
    assert.deepEqual(parseTspecAttribute('  M=200\tm=200 p=10000  b=200 r=10000 '), G711);
    assert.equal(formatTspecAttribute(G711), 'r=10000 b=200 p=10000 m=200 M=200');
    assert.deepEqual(parseTspecAttribute('r=1250.5 b=3e3 p=2500 m=64 M=1500'), {
      r: 1250.5,
      b: 3000,
      p: 2500,
      m: 64,
      M: 1500,
    });
    const jumbo = 'r=1000000 b=9000 p=1000000 m=64 M=9000';
    assert.equal(formatTspecAttribute(parseTspecAttribute(jumbo, { mtu: 9000 })), jumbo);
  });

  const badTspec: ReadonlyArray<[string, string, string]> = [
    ['r=10000 b=200 p=10000 m=200', 'syntax', 'M'],
    ['r=10000 b=200 p=10000 m=200 M=200 M=200', 'syntax', 'M'],
    ['r=10000 b=200 p=10000 m=200 M=200 x=1', 'syntax', 'x'],
    ['r=10000 b=200 p=10000 m=200 M', 'syntax', 'M'],
    ['r=-1 b=200 p=10000 m=200 M=200', 'syntax', 'r'],
    ['r=abc b=200 p=10000 m=200 M=200', 'syntax', 'r'],
    ['R=10000 b=200 p=10000 m=200 M=200', 'syntax', 'R'],
    ['', 'syntax', 'r'],
    ['r=10000 b=200 p=9000 m=200 M=200', 'peak-below-rate', 'p'],
    ['r=10000 b=200 p=10000 m=200 M=1600', 'max-above-mtu', 'M'],
  ];
  for (const [text, rule, field] of badTspec) {
    it(`rejects ${JSON.stringify(text)} (${rule} ${field})`, () => {
      assert.throws(
        () => parseTspecAttribute(text),
        (e: unknown) => e instanceof TspecInvalidError && e.rule === rule && e.field === field,
      );
    });
  }

  it('parses and formats an Rspec, checking R ≥ r', () => {
    assert.deepEqual(parseRspecAttribute('R=12000 S=500'), { R: 12_000, S: 500 });
    assert.deepEqual(parseRspecAttribute('S=0 R=10000', G711), { R: 10_000, S: 0 });
    assert.equal(formatRspecAttribute({ R: 12_000, S: 500 }), 'R=12000 S=500');
    assert.throws(() => parseRspecAttribute('R=9000 S=0', G711), { rule: 'rate-below-tspec-rate' });
    assert.throws(
      () => parseRspecAttribute('R=9000'),
      (e: unknown) => e instanceof RspecInvalidError && e.rule === 'syntax' && e.field === 'S',
    );
    assert.throws(() => parseRspecAttribute('r=9000 S=1'), { rule: 'syntax', field: 'r' });
  });
});
