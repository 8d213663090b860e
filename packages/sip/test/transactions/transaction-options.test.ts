import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRANSACTION_DEFAULTS,
  TransactionOptionsError,
  resolveTransactionOptions,
  type TransactionOptions,
} from '../../src/transactions/index.js';

describe('transaction options', () => {
  it('defaults to RFC 3261 Table 4: T1 = 500 ms, T2 = 4 s, T4 = 5 s, and 200 ms before 100 (Trying)', () => {
    assert.deepEqual(resolveTransactionOptions({ reliable: false }), {
      T1: 500,
      T2: 4000,
      T4: 5000,
      reliable: false,
      trying100DelayMs: 200,
    });
    assert.deepEqual(TRANSACTION_DEFAULTS, { T1: 500, T2: 4000, T4: 5000, trying100DelayMs: 200 });
  });

  it('keeps explicit values and treats undefined as "use the default"', () => {
    assert.deepEqual(
      resolveTransactionOptions({ reliable: true, T1: 100, T2: 100, T4: 1, trying100DelayMs: 0 }),
      { T1: 100, T2: 100, T4: 1, reliable: true, trying100DelayMs: 0 },
    );
    assert.equal(resolveTransactionOptions({ reliable: true, T1: undefined }).T1, 500);
  });

  const bad: Array<[string, TransactionOptions, string]> = [
    ['T1 = 0', { reliable: false, T1: 0 }, 'T1'],
    ['T1 < 0', { reliable: false, T1: -5 }, 'T1'],
    ['T1 = NaN', { reliable: false, T1: Number.NaN }, 'T1'],
    ['T1 = Infinity', { reliable: false, T1: Number.POSITIVE_INFINITY }, 'T1'],
    ['T2 < T1', { reliable: false, T1: 500, T2: 400 }, 'T2'],
    ['T2 below the default T1', { reliable: false, T2: 100 }, 'T2'],
    ['T4 = 0', { reliable: false, T4: 0 }, 'T4'],
    ['64·T1 beyond the timer range', { reliable: false, T1: 40_000_000, T2: 40_000_000 }, 'T1'],
    ['T2 beyond the timer range', { reliable: false, T2: 2 ** 31 }, 'T2'],
    ['negative 100 (Trying) delay', { reliable: false, trying100DelayMs: -1 }, 'trying100DelayMs'],
    ['non-numeric T1', { reliable: false, T1: '500' as unknown as number }, 'T1'],
    ['missing reliable flag', {} as TransactionOptions, 'reliable'],
  ];
  for (const [label, options, option] of bad) {
    it(`rejects ${label} with TransactionOptionsError naming ${option}`, () => {
      assert.throws(
        () => resolveTransactionOptions(options),
        (error: unknown) =>
          error instanceof TransactionOptionsError &&
          error.code === 'SIP_TRANSACTION_INVALID_OPTIONS' &&
          error.option === option &&
          error.name === 'TransactionOptionsError',
      );
    });
  }
});
