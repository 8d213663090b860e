import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { PrecedenceLevel } from '@svpn/qos';
import { TariffInvalidError, TariffNotFoundError } from '../errors.js';

/** A whole amount of minor currency units (cents, …), 0 … 2^53 − 1. */
const Minor = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

const Level = Type.Union([
  Type.Literal('routine'),
  Type.Literal('priority'),
  Type.Literal('immediate'),
  Type.Literal('flash'),
  Type.Literal('flash-override'),
]);

/** How a fractional amount of minor units becomes whole (the time is always rounded up per increment). */
export type ChargeRounding = 'up' | 'half-up' | 'down';

/** The TypeBox schema of a {@link Tariff}. */
export const TariffSchema = Type.Object(
  {
    /** The charging profile this tariff rates (the policy decision's `chargingProfile`). */
    id: Type.String({ minLength: 1, maxLength: 64 }),
    /** ISO 4217 alphabetic code, e.g. `EUR`. */
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
    /** Minor units per Mbit/s (10^6 bit/s) of granted bandwidth per minute. @defaultValue 0 */
    pricePerMbpsMinute: Type.Optional(Minor),
    /** Minor units per gigabyte (10^9 bytes) metered. @defaultValue 0 */
    pricePerGigabyte: Type.Optional(Minor),
    /** Billing increment in seconds; a started increment is charged in full. @defaultValue 60 */
    incrementS: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    /** The least an answered session's usage is charged (before the setup fee). @defaultValue 0 */
    minimumCharge: Type.Optional(Minor),
    /** Charged once per answered session. @defaultValue 0 */
    setupFee: Type.Optional(Minor),
    /**
     * Usage multiplier per precedence level in per-mille: 1000 = list price, 1500 = +50 %.
     * @defaultValue 1000 for every level
     */
    precedenceSurchargePerMille: Type.Optional(
      Type.Partial(Type.Record(Level, Type.Integer({ minimum: 0, maximum: 1_000_000 })), {
        additionalProperties: false,
      }),
    ),
    /** @defaultValue 'up' */
    rounding: Type.Optional(Type.Union([Type.Literal('up'), Type.Literal('half-up'), Type.Literal('down')])),
  },
  { additionalProperties: false },
);

/** A tariff as configured (optional fields take their defaults in {@link parseTariff}). */
export type TariffSpec = Static<typeof TariffSchema>;

/** A tariff with every field present. Prices are integers of minor units. */
export interface Tariff {
  readonly id: string;
  readonly currency: string;
  readonly pricePerMbpsMinute: number;
  readonly pricePerGigabyte: number;
  readonly incrementS: number;
  readonly minimumCharge: number;
  readonly setupFee: number;
  readonly precedenceSurchargePerMille: Readonly<Record<PrecedenceLevel, number>>;
  readonly rounding: ChargeRounding;
}

/** The TypeBox schema of a tariff book: every tariff, and the one rating profiles without their own. */
export const TariffBookSchema = Type.Object(
  {
    /** Id of the tariff used for a charging profile that has none. */
    default: Type.Optional(Type.String({ minLength: 1 })),
    tariffs: Type.Array(TariffSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type TariffBookSpec = Static<typeof TariffBookSchema>;

const NO_SURCHARGE: Record<PrecedenceLevel, number> = {
  routine: 1000,
  priority: 1000,
  immediate: 1000,
  flash: 1000,
  'flash-override': 1000,
};

function problemsOf(schema: typeof TariffSchema | typeof TariffBookSchema, value: unknown): string[] {
  return [...Value.Errors(schema, value)].slice(0, 8).map((e) => `${e.path || '/'}: ${e.message}`);
}

/** Validates a tariff and fills in its defaults. @throws {@link TariffInvalidError} */
export function parseTariff(value: unknown): Tariff {
  if (!Value.Check(TariffSchema, value)) throw new TariffInvalidError(problemsOf(TariffSchema, value));
  return {
    id: value.id,
    currency: value.currency,
    pricePerMbpsMinute: value.pricePerMbpsMinute ?? 0,
    pricePerGigabyte: value.pricePerGigabyte ?? 0,
    incrementS: value.incrementS ?? 60,
    minimumCharge: value.minimumCharge ?? 0,
    setupFee: value.setupFee ?? 0,
    precedenceSurchargePerMille: { ...NO_SURCHARGE, ...(value.precedenceSurchargePerMille ?? {}) },
    rounding: value.rounding ?? 'up',
  };
}

/** The tariff chosen for a record: `fallback` when the profile had none and the default applied. */
export interface TariffChoice {
  readonly tariff: Tariff;
  readonly fallback: boolean;
}

/**
 * Every configured tariff by charging profile. A profile without a tariff is rated with the
 * default one (and the choice says so), so no ended session goes unrated for a configuration gap.
 */
export class TariffBook {
  readonly #byId: ReadonlyMap<string, Tariff>;
  readonly defaultId: string | undefined;

  constructor(tariffs: readonly Tariff[], defaultId?: string) {
    const byId = new Map<string, Tariff>();
    for (const t of tariffs) {
      if (byId.has(t.id)) throw new TariffInvalidError([`/tariffs: id "${t.id}" appears twice`]);
      byId.set(t.id, t);
    }
    if (defaultId !== undefined && !byId.has(defaultId))
      throw new TariffInvalidError([`/default: no tariff with id "${defaultId}"`]);
    this.#byId = byId;
    this.defaultId = defaultId;
  }

  /** Parses a book (`{ default?, tariffs: [...] }`, as an object or JSON text). @throws {@link TariffInvalidError} */
  static parse(value: unknown): TariffBook {
    let spec = value;
    if (typeof value === 'string') {
      try {
        spec = JSON.parse(value);
      } catch {
        throw new TariffInvalidError(['/: not JSON']);
      }
    }
    if (!Value.Check(TariffBookSchema, spec))
      throw new TariffInvalidError(problemsOf(TariffBookSchema, spec));
    return new TariffBook(spec.tariffs.map(parseTariff), spec.default);
  }

  get tariffs(): Tariff[] {
    return [...this.#byId.values()];
  }

  /** The profile's tariff, else the default. @throws {@link TariffNotFoundError} */
  tariffFor(profile: string): TariffChoice {
    const own = this.#byId.get(profile);
    if (own !== undefined) return { tariff: own, fallback: false };
    const fallback = this.defaultId === undefined ? undefined : this.#byId.get(this.defaultId);
    if (fallback === undefined) throw new TariffNotFoundError(profile);
    return { tariff: fallback, fallback: true };
  }
}
