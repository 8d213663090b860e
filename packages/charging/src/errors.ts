import { SvpnError } from '@svpn/errors';

/** Stable codes of the charging package's errors. */
export type ChargingErrorCode =
  | 'CHARGING_TARIFF_INVALID'
  | 'CHARGING_TARIFF_NOT_FOUND'
  | 'CHARGING_EVENT_MISMATCH'
  | 'CHARGING_RECORD_OPEN'
  | 'CHARGING_OVERFLOW';

/** Base of every error `@svpn/charging` throws. */
export class ChargingError extends SvpnError<ChargingErrorCode> {}

/** A tariff (or tariff book) that does not follow the schema; `problems` lists where. */
export class TariffInvalidError extends ChargingError {
  constructor(readonly problems: string[]) {
    super('CHARGING_TARIFF_INVALID', `invalid tariff: ${problems.join('; ')}`);
  }
}

/** No tariff for a charging profile, and no default one either. */
export class TariffNotFoundError extends ChargingError {
  constructor(readonly profile: string) {
    super('CHARGING_TARIFF_NOT_FOUND', `no tariff for charging profile "${profile}" and no default tariff`);
  }
}

/** An event of another session was applied to a record. */
export class ChargeEventMismatchError extends ChargingError {
  constructor(
    readonly recordSessionId: string,
    readonly eventSessionId: string,
  ) {
    super(
      'CHARGING_EVENT_MISMATCH',
      `event of session ${eventSessionId} applied to the record of session ${recordSessionId}`,
    );
  }
}

/** Rating an open record needs the instant to rate it up to (`asOf`). */
export class ChargeRecordOpenError extends ChargingError {
  constructor(readonly sessionId: string) {
    super('CHARGING_RECORD_OPEN', `charge record ${sessionId} is open: rate it with an asOf instant`);
  }
}

/** A cost beyond 2^53 − 1 minor units cannot be represented exactly as a JSON number. */
export class ChargeOverflowError extends ChargingError {
  constructor(
    readonly sessionId: string,
    readonly cost: bigint,
  ) {
    super('CHARGING_OVERFLOW', `charge of session ${sessionId} (${cost} minor units) exceeds 2^53 − 1`);
  }
}
