import { SvpnError } from '@svpn/errors';
import type { TransactionEvent } from './transaction-machine.js';

/**
 * Typed errors of the SIP transaction layer. Every error carries a stable `code`
 * (`SIP_TRANSACTION_…`) that callers switch on; messages are for people and may change.
 */

/** Stable error codes of the transaction layer. */
export type TransactionErrorCode =
  | 'SIP_TRANSACTION_INVALID_OPTIONS'
  | 'SIP_TRANSACTION_INVALID_EVENT'
  | 'SIP_TRANSACTION_STATE_TRANSITION'
  | 'SIP_TRANSACTION_TERMINATED'
  | 'SIP_TRANSACTION_INVALID_KEY'
  | 'SIP_TRANSACTION_DUPLICATE'
  | 'SIP_TRANSACTION_NOT_FOUND'
  | 'SIP_TRANSACTION_KIND_MISMATCH';

/** Base of every error raised by the SIP transaction layer. */
export class TransactionError extends SvpnError<TransactionErrorCode> {}

/** Transaction options failed validation (non-positive timer base, `T2 < T1`, …). */
export class TransactionOptionsError extends TransactionError {
  /** The offending option. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('SIP_TRANSACTION_INVALID_OPTIONS', message);
    this.option = option;
  }
}

/** An event carried a value no state machine can act on (a status code outside 100–699, …). */
export class TransactionEventError extends TransactionError {
  constructor(message: string) {
    super('SIP_TRANSACTION_INVALID_EVENT', message);
  }
}

/**
 * An event is illegal in the machine's current state (the TU sent a second final response, a timer
 * fired that the state never starts, a state record read back from storage names no known state).
 * This is a bug in the caller or the driver, not a network condition: the machines absorb the
 * network input the RFC tells them to absorb and throw only for the rest.
 */
export class StateTransitionError extends TransactionError {
  /** The machine that refused the event (`inviteClient`, `nonInviteServer`, …). */
  readonly machine: string;
  /** The state the machine was in. */
  readonly from: string;
  /** The refused event, as given. */
  readonly event: TransactionEvent;

  constructor(machine: string, from: string, event: TransactionEvent) {
    super(
      'SIP_TRANSACTION_STATE_TRANSITION',
      `${machine} transaction: event ${describeEvent(event)} is illegal in state ${from}`,
    );
    this.machine = machine;
    this.from = from;
    this.event = event;
  }
}

/** The TU used a transaction that has already reached `Terminated`. */
export class TransactionTerminatedError extends TransactionError {
  constructor(operation: string) {
    super('SIP_TRANSACTION_TERMINATED', `cannot ${operation}: the transaction is terminated`);
  }
}

/** The input to a transaction-key function lacks what the matching rule needs. */
export class TransactionKeyError extends TransactionError {
  /** The missing or invalid field. */
  readonly field: string;

  constructor(field: string, message: string) {
    super('SIP_TRANSACTION_INVALID_KEY', message);
    this.field = field;
  }
}

/** A transaction with the same key is already in the table. */
export class DuplicateTransactionError extends TransactionError {
  readonly key: string;

  constructor(key: string) {
    super('SIP_TRANSACTION_DUPLICATE', `a transaction with key ${key} already exists`);
    this.key = key;
  }
}

/** A lookup that must succeed found no transaction. */
export class TransactionNotFoundError extends TransactionError {
  readonly key: string;

  constructor(key: string) {
    super('SIP_TRANSACTION_NOT_FOUND', `no transaction with key ${key}`);
    this.key = key;
  }
}

/** A client transaction was filed under a server key or the other way round. */
export class TransactionKindMismatchError extends TransactionError {
  constructor(message: string) {
    super('SIP_TRANSACTION_KIND_MISMATCH', message);
  }
}

/** A short, log-safe description of an event: `timer:A`, `receivedResponse(180)`, `tuSend(200)`. */
export function describeEvent(event: TransactionEvent): string {
  // Events may come from storage or a caller's cast, so read them defensively.
  const fields = event as unknown as Readonly<Record<string, unknown>>;
  const type = typeof fields['type'] === 'string' ? fields['type'] : '?';
  if (type === 'timer') return `timer:${String(fields['timer'])}`;
  if (typeof fields['status'] === 'number') return `${type}(${fields['status']})`;
  return type;
}
