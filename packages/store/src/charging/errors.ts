import { SvpnError } from '@svpn/errors';

/** Stable codes of the charge store's errors. */
export type ChargeStoreErrorCode =
  | 'STORE_CHARGE_CONFLICT'
  | 'STORE_CHARGE_CURSOR_INVALID'
  | 'STORE_CHARGE_QUERY_INVALID'
  | 'STORE_CHARGE_CORRUPT';

/** Base of every error the charge store throws. */
export class ChargeStoreError extends SvpnError<ChargeStoreErrorCode> {}

/**
 * Another writer changed the session's record since it was read (optimistic concurrency): re-read,
 * fold the event again and retry. Nothing was written.
 */
export class ChargeVersionConflictError extends ChargeStoreError {
  constructor(
    readonly sessionId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      'STORE_CHARGE_CONFLICT',
      `charge record ${sessionId} is at version ${actualVersion}, not ${expectedVersion}`,
    );
  }
}

/** A paging cursor that this store did not hand out. */
export class ChargeCursorInvalidError extends ChargeStoreError {
  constructor(readonly cursor: string) {
    super('STORE_CHARGE_CURSOR_INVALID', 'invalid paging cursor');
  }
}

/** A query with impossible bounds (negative limit, `from` after `to`, …). */
export class ChargeQueryInvalidError extends ChargeStoreError {
  constructor(detail: string) {
    super('STORE_CHARGE_QUERY_INVALID', detail);
  }
}

/** Data under the charging keys that this store did not write. */
export class ChargeStoreCorruptError extends ChargeStoreError {
  constructor(detail: string) {
    super('STORE_CHARGE_CORRUPT', detail);
  }
}
