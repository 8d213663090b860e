import { ChargeOverflowError, ChargeRecordOpenError, ChargingError } from '../errors.js';
import { applyEvent, segmentsOf } from '../record/apply-event.js';
import type { ChargeRating, ChargeRecord, ChargingEvent } from '../record/charge-record.js';
import type { ChargeRounding, Tariff, TariffBook } from '../tariff/tariff.js';

/** A record's cost under a tariff. */
export interface RatedCharge {
  /** Minor units. */
  readonly cost: number;
  readonly currency: string;
  readonly rating: ChargeRating;
}

/** Options of {@link rate}. */
export interface RateOptions {
  /** Rate an open record as if it ended at this instant (ms epoch). Ignored for closed records. */
  asOf?: number;
  /** Recorded in the rating. @defaultValue false */
  fallbackTariff?: boolean;
}

/** bit·ms per Mbit/s·minute: 10^6 bit/s × 60 000 ms. */
const BIT_MS_PER_MBPS_MINUTE = 60_000_000_000n;
const BYTES_PER_GIGABYTE = 1_000_000_000n;
/** Common denominator of both price components: usage = N / (6·10^10 · 10^9). */
const DENOMINATOR = BIT_MS_PER_MBPS_MINUTE * BYTES_PER_GIGABYTE;
const PER_MILLE = 1000n;

/**
 * Prices a charge record under a tariff, in exact integer arithmetic (BigInt: bandwidth × time ×
 * price passes 2^53 long before any real bill does):
 *
 * 1. The answered time is rounded **up** to whole billing increments (60 s: 59 s → 60, 60 s → 60,
 *    61 s → 120); the rounded-up remainder is charged at the last segment's bandwidth.
 * 2. usage = Σ segments bps × ms × pricePerMbpsMinute / (10^6 · 60 000)
 *           + bytes × pricePerGigabyte / 10^9, times the precedence multiplier (per-mille),
 *    rounded once to whole minor units (`tariff.rounding`, up by default). Without metered bytes,
 *    the volume is the granted bandwidth × answered (unrounded) time / 8.
 * 3. cost = setupFee + max(minimumCharge, usage) for an answered session; 0 for an unanswered one.
 *
 * @throws {@link ChargeRecordOpenError} for an open record without `asOf`
 * @throws {@link ChargeOverflowError} when the cost exceeds 2^53 − 1 minor units
 */
export function rate(record: ChargeRecord, tariff: Tariff, options: RateOptions = {}): RatedCharge {
  const surchargePerMille = tariff.precedenceSurchargePerMille[record.precedence];
  const base = {
    tariffId: tariff.id,
    fallbackTariff: options.fallbackTariff ?? false,
    setupFee: 0,
    surchargePerMille,
  };
  let end = record.endAt;
  if (record.status === 'open') {
    if (options.asOf === undefined) throw new ChargeRecordOpenError(record.sessionId);
    end = Math.max(options.asOf, record.answerAt ?? options.asOf);
  }
  if (record.answerAt === null || end === null) {
    return {
      cost: 0,
      currency: tariff.currency,
      rating: { ...base, billedS: 0, usage: 0, minimumApplied: false, volumeBytes: 0, bytesEstimated: false },
    };
  }
  const segments = segmentsOf(record.changes, record.answerAt, end);
  let actualBitMs = 0n;
  let totalMs = 0;
  for (const s of segments) {
    const ms = (s.toAt ?? end) - s.fromAt;
    totalMs += ms;
    actualBitMs += BigInt(s.bps) * BigInt(ms);
  }
  const incrementMs = tariff.incrementS * 1000;
  // Exact: totalMs and incrementMs are integers well below 2^53.
  const billedMs = Math.ceil(totalMs / incrementMs) * incrementMs;
  const lastBps = BigInt(segments[segments.length - 1]?.bps ?? 0);
  const billedBitMs = actualBitMs + lastBps * BigInt(billedMs - totalMs);

  const bytesEstimated = record.bytes === null;
  const volumeBytes = record.bytes === null ? actualBitMs / 8000n : BigInt(record.bytes);
  const numerator =
    (billedBitMs * BigInt(tariff.pricePerMbpsMinute) * BYTES_PER_GIGABYTE +
      volumeBytes * BigInt(tariff.pricePerGigabyte) * BIT_MS_PER_MBPS_MINUTE) *
    BigInt(surchargePerMille);
  const usage = divide(numerator, DENOMINATOR * PER_MILLE, tariff.rounding);
  const minimum = BigInt(tariff.minimumCharge);
  const minimumApplied = usage < minimum;
  const cost = BigInt(tariff.setupFee) + (minimumApplied ? minimum : usage);
  if (cost > BigInt(Number.MAX_SAFE_INTEGER)) throw new ChargeOverflowError(record.sessionId, cost);
  return {
    cost: Number(cost),
    currency: tariff.currency,
    rating: {
      ...base,
      setupFee: tariff.setupFee,
      billedS: billedMs / 1000,
      usage: Number(usage),
      minimumApplied,
      // Exact below 2^53 bytes (9 PB); only the report rounds beyond, never the cost.
      volumeBytes: Number(volumeBytes),
      bytesEstimated,
    },
  };
}

/** n / d rounded as asked (n, d ≥ 0). */
function divide(n: bigint, d: bigint, rounding: ChargeRounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  switch (rounding) {
    case 'up':
      return q + 1n;
    case 'down':
      return q;
    case 'half-up':
      return 2n * r >= d ? q + 1n : q;
    default: {
      const never: never = rounding;
      throw new Error(`unknown rounding ${String(never)}`);
    }
  }
}

/**
 * Rates a closed record with its charging profile's tariff (the book's default when the profile
 * has none) and returns it with `cost`, `currency` and `rating` set. An open record is returned as
 * is. When rating fails (no tariff at all, overflow) the record stays closed with `cost` `null` and
 * `ratingError` saying why: an ended session is always recorded, even when it cannot be priced.
 */
export function rateRecord(record: ChargeRecord, book: TariffBook): ChargeRecord {
  if (record.status !== 'closed') return record;
  try {
    const { tariff, fallback } = book.tariffFor(record.chargingProfile);
    const rated = rate(record, tariff, { fallbackTariff: fallback });
    return { ...record, cost: rated.cost, currency: rated.currency, rating: rated.rating, ratingError: null };
  } catch (error) {
    if (!(error instanceof ChargingError)) throw error;
    return {
      ...record,
      cost: null,
      currency: null,
      rating: null,
      ratingError: `${error.code}: ${error.message}`,
    };
  }
}

/**
 * {@link applyEvent} then {@link rateRecord}: the whole of what a charging consumer does with one
 * event. Returns `record` itself (same object) when the event was already applied.
 */
export function foldEvent(
  record: ChargeRecord | undefined,
  event: ChargingEvent,
  book: TariffBook,
): ChargeRecord {
  const next = applyEvent(record, event);
  return next === record ? record : rateRecord(next, book);
}
