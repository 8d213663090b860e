import type { TimerQueueEntry } from './timer-queue.js';
import { type TransactionTimerName, statusClass } from './transaction-machine.js';

/**
 * The states in which a client transaction has its final response and nothing left to do but
 * deal with retransmissions of it until one timer ends it: INVITE `Accepted` (Timer M, RFC 6026
 * §7.2), INVITE `Completed` (Timer D, RFC 3261 §17.1.1.2) and non-INVITE `Completed` (Timer K,
 * §17.1.2.2).
 */
export type LingeringClientState = 'Accepted' | 'Completed';

/** What a client transaction driver hands over when it reaches a lingering state. */
export interface ClientTransactionHandOff<Req> {
  readonly kind: 'inviteClient' | 'nonInviteClient';
  readonly state: LingeringClientState;
  /** The timer that ends the state and its full length (it was started by the same event). */
  readonly timer: TransactionTimerName;
  readonly delayMs: number;
  /** INVITE `Completed` only: the ACK sent for the non-2xx final, sent again for its retransmissions. */
  readonly ack: Req | undefined;
}

/**
 * A client transaction past its final response, reduced to its key and what its remaining duty
 * needs — in place of the state machine, its driver, the request, the TU's callbacks and whatever
 * they hold (a B2BUA's whole call) — so that the transactions a busy UA has lingering (64·T1 for
 * an answered INVITE) cost little memory. It stays in the transaction table under its key;
 * `ack` is whatever its owner needs to send the ACK again (bytes and a target, in the UA core).
 *
 * The rules are those of the machines' lingering states:
 *
 * | state | 2xx | 300-699 | 1xx | transport error | timer |
 * |---|---|---|---|---|---|
 * | INVITE Accepted | to the TU (RFC 6026 §7.2), which ACKs it | absorbed | absorbed | absorbed | M |
 * | INVITE Completed | absorbed | ACK again, not passed up (§17.1.1.2) | absorbed | Terminated (§17.1.4) | D |
 * | non-INVITE Completed | absorbed (§17.1.2.2) | absorbed | absorbed | absorbed | K |
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1
 * @see https://www.rfc-editor.org/rfc/rfc6026#section-7.2
 */
export class LingeringClientTransaction<Key, Ack> implements TimerQueueEntry {
  timerDueAt = 0;
  timerLane: unknown = undefined;
  timerSlot = 0;
  timerHandle: unknown = undefined;

  constructor(
    readonly kind: 'inviteClient' | 'nonInviteClient',
    readonly state: LingeringClientState,
    /** The key it is filed under in the transaction table. */
    readonly key: Key,
    /** INVITE `Completed` only: what sends the ACK again. */
    readonly ack: Ack,
  ) {}

  /**
   * A response that matched it (§17.1.3).
   * @throws TransactionEventError when `status` is not from 100 to 699.
   */
  onResponse(status: number): 'deliver' | 'ack' | 'absorb' {
    const cls = statusClass(status);
    if (this.kind === 'nonInviteClient') {
      // RFC 3261 §17.1.2.2 — Completed absorbs every further response.
      return 'absorb';
    }
    if (this.state === 'Accepted') {
      // RFC 6026 §7.2 — a 2xx matching the transaction in Accepted MUST be passed up (the TU's core
      // ACKs it, RFC 3261 §13.2.2.4); the transaction never ACKs a 2xx itself. Others are absorbed.
      return cls === 2 ? 'deliver' : 'absorb';
    }
    // RFC 3261 §17.1.1.2 — a retransmitted final in Completed MUST make the ACK go out again and
    // MUST NOT be passed up.
    return cls >= 3 ? 'ack' : 'absorb';
  }

  /** Sending the ACK again failed (or the connection dropped). */
  onTransportError(): 'terminate' | 'absorb' {
    // RFC 3261 §17.1.4 / Figure 5 — a transport error in INVITE Completed ends the transaction;
    // in Accepted and non-INVITE Completed nothing of the transaction is in flight.
    return this.kind === 'inviteClient' && this.state === 'Completed' ? 'terminate' : 'absorb';
  }
}

/** Whether a client machine state is one a driver may hand over (see {@link LingeringClientState}). */
export function isLingeringClientState(
  kind: 'inviteClient' | 'nonInviteClient',
  state: string,
): state is LingeringClientState {
  return kind === 'nonInviteClient' ? state === 'Completed' : state === 'Accepted' || state === 'Completed';
}
