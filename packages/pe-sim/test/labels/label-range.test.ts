import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkLabelRange,
  DEFAULT_LABEL_RANGE,
  IMPLICIT_NULL_LABEL,
  InvalidArgumentError,
} from '../../src/index.js';

describe('label range (RFC 3032 §2.1)', () => {
  it('defaults to 16 … 2^20 − 1; Implicit NULL is 3', () => {
    assert.deepEqual(DEFAULT_LABEL_RANGE, { min: 16, max: 2 ** 20 - 1 });
    assert.equal(IMPLICIT_NULL_LABEL, 3);
  });
  it('accepts sub-ranges and refuses reserved or out-of-field labels', () => {
    assert.deepEqual(checkLabelRange({ min: 1000, max: 1000 }), { min: 1000, max: 1000 });
    for (const bad of [
      { min: 0, max: 100 },
      { min: 15, max: 100 },
      { min: 16, max: 2 ** 20 },
      { min: 200, max: 100 },
      { min: 16.5, max: 100 },
    ]) {
      assert.throws(() => checkLabelRange(bad), InvalidArgumentError, JSON.stringify(bad));
    }
  });
});
