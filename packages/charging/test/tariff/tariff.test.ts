import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTariff, TariffBook, TariffInvalidError, TariffNotFoundError } from '../../src/index.js';

describe('parseTariff', () => {
  test('fills in the defaults: 60 s increment, round up, no fees, list price at every precedence', () => {
    const t = parseTariff({ id: 'standard', currency: 'EUR', pricePerMbpsMinute: 3 });
    assert.deepEqual(t, {
      id: 'standard',
      currency: 'EUR',
      pricePerMbpsMinute: 3,
      pricePerGigabyte: 0,
      incrementS: 60,
      minimumCharge: 0,
      setupFee: 0,
      precedenceSurchargePerMille: {
        routine: 1000,
        priority: 1000,
        immediate: 1000,
        flash: 1000,
        'flash-override': 1000,
      },
      rounding: 'up',
    });
  });

  test('keeps a partial surcharge table over the defaults', () => {
    const t = parseTariff({ id: 'x', currency: 'USD', precedenceSurchargePerMille: { flash: 2000 } });
    assert.equal(t.precedenceSurchargePerMille.flash, 2000);
    assert.equal(t.precedenceSurchargePerMille.routine, 1000);
  });

  const invalid: [string, unknown][] = [
    ['lower-case currency', { id: 'x', currency: 'eur' }],
    ['four-letter currency', { id: 'x', currency: 'EURO' }],
    ['fractional price', { id: 'x', currency: 'EUR', pricePerMbpsMinute: 1.5 }],
    ['negative fee', { id: 'x', currency: 'EUR', setupFee: -1 }],
    ['zero increment', { id: 'x', currency: 'EUR', incrementS: 0 }],
    ['unknown precedence', { id: 'x', currency: 'EUR', precedenceSurchargePerMille: { urgent: 1500 } }],
    ['unknown field', { id: 'x', currency: 'EUR', pricePerMinute: 1 }],
    ['unknown rounding', { id: 'x', currency: 'EUR', rounding: 'bankers' }],
    ['not an object', 'standard'],
  ];
  for (const [name, value] of invalid) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => parseTariff(value),
        (e: unknown) =>
          e instanceof TariffInvalidError && e.code === 'CHARGING_TARIFF_INVALID' && e.problems.length > 0,
      );
    });
  }
});

describe('TariffBook', () => {
  const json = JSON.stringify({
    default: 'standard',
    tariffs: [
      { id: 'standard', currency: 'EUR', pricePerMbpsMinute: 2 },
      { id: 'gold', currency: 'EUR', pricePerMbpsMinute: 5, setupFee: 100 },
    ],
  });

  test('picks a profile its own tariff, and the default (flagged) for an unknown profile', () => {
    const book = TariffBook.parse(json);
    assert.deepEqual(
      book.tariffs.map((t) => t.id),
      ['standard', 'gold'],
    );
    assert.equal(book.tariffFor('gold').tariff.pricePerMbpsMinute, 5);
    assert.equal(book.tariffFor('gold').fallback, false);
    const fallback = book.tariffFor('platinum');
    assert.equal(fallback.tariff.id, 'standard');
    assert.equal(fallback.fallback, true);
  });

  test('without a default, an unknown profile is TariffNotFoundError', () => {
    const book = TariffBook.parse({ tariffs: [{ id: 'standard', currency: 'EUR' }] });
    assert.throws(() => book.tariffFor('gold'), TariffNotFoundError);
  });

  const invalid: [string, unknown][] = [
    ['not JSON', '{'],
    ['no tariffs', { tariffs: [] }],
    ['a default that is not a tariff', { default: 'gold', tariffs: [{ id: 'standard', currency: 'EUR' }] }],
    [
      'a duplicated id',
      {
        tariffs: [
          { id: 'a', currency: 'EUR' },
          { id: 'a', currency: 'USD' },
        ],
      },
    ],
  ];
  for (const [name, value] of invalid) {
    test(`refuses ${name}`, () => assert.throws(() => TariffBook.parse(value), TariffInvalidError));
  }
});
