import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyEvent,
  ChargeOverflowError,
  ChargeRecordOpenError,
  foldEvent,
  parseTariff,
  rate,
  rateRecord,
  TariffBook,
  type ChargeRecord,
  type ChargingEvent,
  type TariffSpec,
} from '../../src/index.js';
import { event, MBPS, session, T0 } from '../support/events.js';

const fold = (events: ChargingEvent[]): ChargeRecord => {
  let record: ChargeRecord | undefined;
  for (const e of events) record = applyEvent(record, e);
  return record!;
};

const tariff = (spec: Partial<TariffSpec> = {}) =>
  parseTariff({ id: 'standard', currency: 'EUR', pricePerMbpsMinute: 10, incrementS: 60, ...spec });

describe('rate', () => {
  // 10 Mbit/s at 10 minor units per Mbit/s·minute = 100 per started minute.
  const rounding: [name: string, durationMs: number, incrementS: number, cost: number, billedS: number][] = [
    ['0 s is no usage', 0, 60, 0, 0],
    ['1 ms is one increment', 1, 60, 100, 60],
    ['59 s rounds up to 60 s', 59_000, 60, 100, 60],
    ['59.999 s rounds up to 60 s', 59_999, 60, 100, 60],
    ['60 s is exactly one increment', 60_000, 60, 100, 60],
    ['60.001 s is two increments', 60_001, 60, 200, 120],
    ['61 s rounds up to 120 s', 61_000, 60, 200, 120],
    ['119 s rounds up to 120 s', 119_000, 60, 200, 120],
    ['1-s increments: 61 s is 61 s', 61_000, 1, 102, 61], // 101.67 → up
    ['30-s increments: 61 s is 90 s', 61_000, 30, 150, 90],
  ];
  for (const [name, ms, incrementS, cost, billedS] of rounding) {
    test(`increment rounding: ${name}`, () => {
      const r = fold([event('start', 0), event('stop', 1, { at: T0 + ms, endAt: T0 + ms })]);
      const rated = rate(r, tariff({ incrementS }));
      assert.equal(rated.cost, cost);
      assert.equal(rated.rating.billedS, billedS);
      assert.equal(rated.currency, 'EUR');
    });
  }

  const moneyRounding: [mode: 'up' | 'half-up' | 'down', durationS: number, cost: number][] = [
    // 10 Mbit/s × 91 s / 60 × 10 = 151.67
    ['up', 91, 152],
    ['half-up', 91, 152],
    ['down', 91, 151],
    // 10 Mbit/s × 93 s / 60 × 10 = 155.0 exactly
    ['up', 93, 155],
    ['down', 93, 155],
    // 10 Mbit/s × 90.3 s … billed 91 s; 10 × 92 s / 60 × 10 = 153.33
    ['half-up', 92, 153],
  ];
  for (const [mode, s, cost] of moneyRounding) {
    test(`money rounding ${mode}: ${s} s at 1-s increments costs ${cost}`, () => {
      const r = fold(session(s));
      assert.equal(rate(r, tariff({ incrementS: 1, rounding: mode })).cost, cost);
    });
  }

  test('1 bit/s for a minute at 1 per Mbit/s·minute is one minor unit rounded up, zero rounded down', () => {
    const r = fold(session(60, [], 1));
    assert.equal(rate(r, tariff({ pricePerMbpsMinute: 1 })).cost, 1);
    assert.equal(rate(r, tariff({ pricePerMbpsMinute: 1, rounding: 'down' })).cost, 0);
  });

  test('modify segments: cost is the sum over segments, the rounded-up rest at the last bandwidth', () => {
    // 10 Mbit/s × 30 s + 20 Mbit/s × 45 s = 75 s → billed 120 s: + 20 Mbit/s × 45 s
    // (300 + 900 + 900) Mbit/s·s = 35 Mbit/s·min × 10 = 350
    const r = fold(session(75, [[30, 20 * MBPS]]));
    const rated = rate(r, tariff());
    assert.equal(rated.cost, 350);
    assert.equal(rated.rating.billedS, 120);
  });

  test('three segments with a reduction', () => {
    // 10 × 60 + 40 × 60 + 1 × 60 = 3060 Mbit/s·s = 51 Mbit/s·min × 10 = 510 (180 s: no rest)
    const r = fold(
      session(180, [
        [60, 40 * MBPS],
        [120, 1 * MBPS],
      ]),
    );
    assert.equal(rate(r, tariff()).cost, 510);
  });

  test('precedence surcharge in per-mille applies to usage', () => {
    const r = fold(session(75, [[30, 20 * MBPS]]).map((e) => ({ ...e, precedence: 'flash' as const })));
    const rated = rate(r, tariff({ precedenceSurchargePerMille: { flash: 1500 } }));
    assert.equal(rated.cost, 525);
    assert.equal(rated.rating.surchargePerMille, 1500);
  });

  test('setup fee and minimum charge: cost = setup + max(minimum, usage)', () => {
    const r = fold(session(75, [[30, 20 * MBPS]]));
    const above = rate(r, tariff({ setupFee: 50, minimumCharge: 100 }));
    assert.equal(above.cost, 400);
    assert.equal(above.rating.minimumApplied, false);
    const below = rate(r, tariff({ setupFee: 50, minimumCharge: 1000 }));
    assert.equal(below.cost, 1050);
    assert.equal(below.rating.minimumApplied, true);
    assert.equal(below.rating.usage, 350);
  });

  test('an answered 0-s session pays the minimum; an unanswered one pays nothing', () => {
    const t = tariff({ setupFee: 50, minimumCharge: 20 });
    assert.equal(rate(fold(session(0)), t).cost, 70);
    const unanswered = fold([
      event('start', 0, { answerAt: null }),
      event('stop', 1, { answerAt: null, endAt: T0 + 9000, reason: 'cancel' }),
    ]);
    assert.equal(rate(unanswered, t).cost, 0);
  });

  test('volume: metered bytes at the price per 10^9 bytes', () => {
    const events = session(75, [[30, 20 * MBPS]]);
    events[2] = { ...events[2]!, bytes: 2_500_000_000 };
    const rated = rate(fold(events), tariff({ pricePerMbpsMinute: 0, pricePerGigabyte: 200 }));
    assert.equal(rated.cost, 500);
    assert.equal(rated.rating.bytesEstimated, false);
    assert.equal(rated.rating.volumeBytes, 2_500_000_000);
  });

  test('volume without metered bytes: granted bandwidth × answered time / 8 (unrounded)', () => {
    // (10 Mbit/s × 30 s + 20 Mbit/s × 45 s) / 8 = 150 000 000 bytes × 200 / 10^9 = 30
    const rated = rate(
      fold(session(75, [[30, 20 * MBPS]])),
      tariff({ pricePerMbpsMinute: 0, pricePerGigabyte: 200 }),
    );
    assert.equal(rated.cost, 30);
    assert.equal(rated.rating.volumeBytes, 150_000_000);
    assert.equal(rated.rating.bytesEstimated, true);
  });

  test('big numbers: 100 Tbit/s + 1 bit/s for 60 s is exact (past 2^53 in bit·ms)', () => {
    // (10^14 + 1) × 60 000 bit·ms / 6·10^10 = 10^8 + 10^-6 Mbit/s·min → rounded up 100 000 001
    const r = fold(session(60, [], 1e14 + 1));
    assert.equal(rate(r, tariff({ pricePerMbpsMinute: 1 })).cost, 100_000_001);
    assert.equal(rate(r, tariff({ pricePerMbpsMinute: 1, rounding: 'down' })).cost, 100_000_000);
  });

  test('big numbers: 10 Tbit/s for a year at 1 per Mbit/s·min is 5 256 000 000 000 (and × 10^6 overflows)', () => {
    const year = 365 * 86_400;
    const r = fold(session(year, [], 1e13));
    assert.equal(rate(r, tariff({ pricePerMbpsMinute: 1 })).cost, 5_256_000_000_000);
    assert.throws(() => rate(r, tariff({ pricePerMbpsMinute: 1_000_000 })), ChargeOverflowError);
  });

  test('property: equals an independent rational computation', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 0, max: 1e13 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        (pieces, price, incrementS, extraMs) => {
          const modifies: [number, number][] = [];
          let t = 0;
          for (const [lenS, bps] of pieces.slice(1)) {
            t += lenS;
            modifies.push([t, bps]);
          }
          const endMs = (t + pieces[0]![0]) * 1000 + extraMs;
          const events = session(0, modifies, pieces[0]![1]);
          events[events.length - 1] = { ...events[events.length - 1]!, at: T0 + endMs, endAt: T0 + endMs };
          const got = rate(fold(events), tariff({ pricePerMbpsMinute: price, incrementS })).cost;
          // Reference: bit·ms per piece (the first lasts until the first modify, the last to the end).
          const bounds = [0, ...modifies.map(([s]) => s * 1000), endMs];
          const rates = [pieces[0]![1], ...modifies.map(([, b]) => b)];
          let bitMs = 0n;
          for (let i = 0; i < rates.length; i++)
            bitMs += BigInt(rates[i]!) * BigInt(bounds[i + 1]! - bounds[i]!);
          const inc = incrementS * 1000;
          const rest = (inc - (endMs % inc)) % inc;
          bitMs += BigInt(rates[rates.length - 1]!) * BigInt(rest);
          const num = bitMs * BigInt(price);
          const den = 60_000_000_000n;
          const want = num / den + (num % den === 0n ? 0n : 1n);
          assert.equal(BigInt(got), want);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  test('an open record is rated only up to an explicit instant', () => {
    const open = fold([event('start', 0)]);
    assert.throws(() => rate(open, tariff()), ChargeRecordOpenError);
    assert.equal(rate(open, tariff(), { asOf: T0 + 61_000 }).cost, 200);
  });
});

describe('rateRecord / foldEvent', () => {
  const book = TariffBook.parse({
    default: 'standard',
    tariffs: [
      { id: 'standard', currency: 'EUR', pricePerMbpsMinute: 10 },
      { id: 'gold', currency: 'USD', pricePerMbpsMinute: 20, setupFee: 5 },
    ],
  });

  test('leaves open records unrated and rates closed ones with their profile', () => {
    const events = session(60).map((e) => ({ ...e, chargingProfile: 'gold' }));
    let r = foldEvent(undefined, events[0]!, book);
    assert.equal(r.cost, null);
    r = foldEvent(r, events[1]!, book);
    assert.equal(r.cost, 205);
    assert.equal(r.currency, 'USD');
    assert.equal(r.rating?.tariffId, 'gold');
    assert.equal(r.rating?.fallbackTariff, false);
    assert.equal(foldEvent(r, events[1]!, book), r, 'a duplicate returns the same object');
  });

  test('an unknown profile is rated with the default tariff, flagged', () => {
    const r = fold(session(60).map((e) => ({ ...e, chargingProfile: 'platinum' })));
    const rated = rateRecord(r, book);
    assert.equal(rated.cost, 100);
    assert.equal(rated.rating?.fallbackTariff, true);
  });

  test('a record that cannot be rated stays closed with the reason, never thrown away', () => {
    const noDefault = TariffBook.parse({ tariffs: [{ id: 'standard', currency: 'EUR' }] });
    const rated = rateRecord(fold(session(60).map((e) => ({ ...e, chargingProfile: 'gold' }))), noDefault);
    assert.equal(rated.status, 'closed');
    assert.equal(rated.cost, null);
    assert.match(rated.ratingError ?? '', /CHARGING_TARIFF_NOT_FOUND/);
  });

  test('a late modify re-rates a closed record', () => {
    const [start, modify, stop] = session(75, [[30, 20 * MBPS]]);
    let r = foldEvent(undefined, start!, book);
    r = foldEvent(r, stop!, book);
    assert.equal(r.cost, 200); // 10 Mbit/s × 120 s
    r = foldEvent(r, modify!, book);
    assert.equal(r.cost, 350);
  });
});
