import { SvpnError } from '@svpn/errors';

import type { PolicyKind } from './policy-store.js';

/** Stable codes of the policy store's errors. */
export type PolicyStoreErrorCode =
  | 'STORE_POLICY_NOT_FOUND'
  | 'STORE_POLICY_CONFLICT'
  | 'STORE_POLICY_REFERENCE'
  | 'STORE_POLICY_USAGE_OWNER'
  | 'STORE_POLICY_USAGE_INVALID'
  | 'STORE_POLICY_CONTENTION';

/** Base of every error the policy store throws. */
export class PolicyStoreError extends SvpnError<PolicyStoreErrorCode> {}

/** The entity to update or delete does not exist. */
export class PolicyNotFoundError extends PolicyStoreError {
  constructor(
    readonly kind: PolicyKind,
    readonly id: string,
  ) {
    super('STORE_POLICY_NOT_FOUND', `${kind} ${id} does not exist`);
  }
}

/**
 * The write would duplicate something unique: an id that exists, a VPN name taken by another VPN,
 * a CE that is already another customer's site.
 */
export class PolicyConflictError extends PolicyStoreError {
  constructor(
    readonly kind: PolicyKind,
    readonly id: string,
    message: string,
  ) {
    super('STORE_POLICY_CONFLICT', message);
  }
}

/**
 * The write breaks a reference: it names something that does not exist (a customer's SLA, an
 * application's VPN or CE), or it deletes something still named (an SLA a customer uses).
 */
export class PolicyReferenceError extends PolicyStoreError {
  constructor(
    readonly kind: PolicyKind,
    readonly id: string,
    message: string,
  ) {
    super('STORE_POLICY_REFERENCE', message);
  }
}

/** A usage claim names a session another customer holds. */
export class UsageOwnerError extends PolicyStoreError {
  constructor(
    readonly sessionId: string,
    readonly owner: string,
  ) {
    super('STORE_POLICY_USAGE_OWNER', `session ${sessionId} is held by customer ${owner}`);
  }
}

/** A usage claim is malformed: bit/s or times that are not whole numbers, or a window with no instant left. */
export class UsageClaimInvalidError extends PolicyStoreError {
  constructor(
    readonly sessionId: string,
    readonly why: string,
  ) {
    super('STORE_POLICY_USAGE_INVALID', `usage claim for session ${sessionId}: ${why}`);
  }
}

/** A write lost the race to concurrent writers every time it was tried. */
export class PolicyWriteContentionError extends PolicyStoreError {
  constructor(readonly attempts: number) {
    super(
      'STORE_POLICY_CONTENTION',
      `policy write did not commit after ${attempts} attempts (concurrent writers)`,
    );
  }
}
