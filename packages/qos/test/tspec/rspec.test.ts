import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RspecInvalidError, validateRspec, type Rspec, type RspecRule, type Tspec } from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

describe('validateRspec', () => {
  it('accepts R ≥ r (RFC 2212) and returns the Rspec', () => {
    const equal = { R: 10_000, S: 0 };
    const larger = { R: 12_000, S: 5_000 };
    assert.equal(validateRspec(equal, G711), equal);
    assert.equal(validateRspec(larger, G711), larger);
    assert.deepEqual(validateRspec({ R: 1, S: 0 }), { R: 1, S: 0 });
  });

  const bad: ReadonlyArray<{ name: string; rspec: Record<string, unknown>; tspec?: Tspec; rule: RspecRule }> =
    [
      { name: 'R NaN', rspec: { R: NaN, S: 0 }, rule: 'finite' },
      { name: 'S infinite', rspec: { R: 1, S: Infinity }, rule: 'finite' },
      { name: 'S missing', rspec: { R: 1 }, rule: 'finite' },
      { name: 'S negative', rspec: { R: 1, S: -1 }, rule: 'non-negative' },
      { name: 'R zero', rspec: { R: 0, S: 0 }, rule: 'rate-zero' },
      { name: 'R below r', rspec: { R: 9_999, S: 0 }, tspec: G711, rule: 'rate-below-tspec-rate' },
    ];
  for (const c of bad) {
    it(`rejects ${c.name} with rule ${c.rule}`, () => {
      assert.throws(
        () => validateRspec(c.rspec as unknown as Rspec, c.tspec),
        (err: unknown) =>
          err instanceof RspecInvalidError && err.code === 'QOS_RSPEC_INVALID' && err.rule === c.rule,
      );
    });
  }
});
