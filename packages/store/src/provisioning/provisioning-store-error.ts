import { SvpnError } from '@svpn/errors';

/** Stable codes of the provisioning store. */
export type ProvisioningStoreErrorCode =
  | 'SVPN_STORE_INTENT_CONFLICT'
  | 'SVPN_STORE_INTENT_STALE'
  | 'SVPN_STORE_INTENT_RELEASED'
  | 'SVPN_STORE_FENCED'
  | 'SVPN_STORE_CONTENTION'
  | 'SVPN_STORE_CORRUPT'
  | 'SVPN_STORE_INVALID_ARGUMENT';

/** Base of the provisioning store's errors. */
export class ProvisioningStoreError extends SvpnError<ProvisioningStoreErrorCode> {}

/** The same version with other parameters, or an LSP id in use with another route or priorities. */
export class IntentConflictStoreError extends ProvisioningStoreError {
  constructor(message: string) {
    super('SVPN_STORE_INTENT_CONFLICT', message);
  }
}

/** The stored intent has a higher version than the one submitted. */
export class StaleIntentError extends ProvisioningStoreError {
  readonly storedVersion: number;

  constructor(id: string, storedVersion: number, submitted: number) {
    super('SVPN_STORE_INTENT_STALE', `${id}: version ${submitted} is older than the stored ${storedVersion}`);
    this.storedVersion = storedVersion;
  }
}

/** The session was released; a released session is never made active again. */
export class IntentReleasedError extends ProvisioningStoreError {
  constructor(id: string) {
    super('SVPN_STORE_INTENT_RELEASED', `${id} was released`);
  }
}

/** The lease behind a fenced write is held by someone else now. */
export class FencedError extends ProvisioningStoreError {
  readonly lease: string;
  readonly token: number;

  constructor(lease: string, token: number) {
    super('SVPN_STORE_FENCED', `lease ${lease} is no longer held with token ${token}`);
    this.lease = lease;
    this.token = token;
  }
}

/** A compare-and-set write kept losing to concurrent writers. */
export class ContentionError extends ProvisioningStoreError {
  constructor(what: string) {
    super('SVPN_STORE_CONTENTION', `${what}: too many concurrent writers, gave up`);
  }
}

/** A stored record does not have the expected shape. */
export class ProvisioningStoreCorruptError extends ProvisioningStoreError {
  constructor(message: string) {
    super('SVPN_STORE_CORRUPT', message);
  }
}

/** A caller passed a value the store cannot keep. */
export class ProvisioningStoreArgumentError extends ProvisioningStoreError {
  constructor(message: string) {
    super('SVPN_STORE_INVALID_ARGUMENT', message);
  }
}
