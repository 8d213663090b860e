import type { TimerQueueEntry } from './timer-queue.js';
import type { TransactionTimerName } from './transaction-machine.js';

/**
 * The states in which a server transaction has nothing left to do but absorb retransmissions
 * until a timer ends it: non-INVITE `Completed` (Timer J, RFC 3261 §17.2.2), INVITE `Accepted`
 * (Timer L, RFC 6026 §7.1) and INVITE `Confirmed` (Timer I, RFC 3261 §17.2.1).
 */
export type LingeringServerState = 'Completed' | 'Accepted' | 'Confirmed';

/** What a server transaction driver hands over when it reaches a lingering state. */
export interface ServerTransactionHandOff<Res> {
  readonly kind: 'inviteServer' | 'nonInviteServer';
  readonly state: LingeringServerState;
  /** The timer that ends the state and its full length (it was started by the same event). */
  readonly timer: TransactionTimerName;
  readonly delayMs: number;
  /** The final response sent, which request retransmissions get again in non-INVITE `Completed`. */
  readonly lastResponse: Res | undefined;
}

/**
 * A server transaction past its final response, reduced to the few fields its remaining duty
 * needs — in place of the state machine, its driver, closures and the messages — so that the
 * tens of thousands of transactions a busy UAS has lingering (64·T1 each) cost little memory.
 * It stays in the transaction table under its key; `reply` is whatever its owner needs to send
 * the final response again (bytes and a target, in the UA core).
 *
 * The rules are those of the machines' lingering states:
 *
 * | state | request retransmission | ACK | transport error | timer |
 * |---|---|---|---|---|
 * | non-INVITE Completed | final response again (§17.2.2) | — | Terminated (§17.2.2, §17.2.4) | J |
 * | INVITE Accepted | absorbed (RFC 6026 §7.1) | to the TU (RFC 6026 §7.1) | TU informed, stays (RFC 6026 Figure 7) | L |
 * | INVITE Confirmed | absorbed (§17.2.1) | absorbed (§17.2.1) | absorbed (nothing is sent) | I |
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2
 * @see https://www.rfc-editor.org/rfc/rfc6026#section-7.1
 */
export class LingeringServerTransaction<Key, Reply> implements TimerQueueEntry {
  timerDueAt = 0;
  timerLane: unknown = undefined;
  timerSlot = 0;
  timerHandle: unknown = undefined;

  constructor(
    readonly kind: 'inviteServer' | 'nonInviteServer',
    readonly state: LingeringServerState,
    /** The key it is filed under in the transaction table. */
    readonly key: Key,
    readonly reply: Reply,
  ) {}

  /** A retransmission of the request that created it (§17.2.3 matching). */
  onRequest(): 'retransmit' | 'absorb' {
    // RFC 3261 §17.2.2 — in Completed a request retransmission MUST get the final response again;
    // RFC 6026 §7.1 / RFC 3261 §17.2.1 — INVITE retransmissions in Accepted and Confirmed are absorbed.
    return this.kind === 'nonInviteServer' ? 'retransmit' : 'absorb';
  }

  /** An ACK that matched it (INVITE only: an ACK never matches a non-INVITE transaction). */
  onAck(): 'deliver' | 'absorb' {
    // RFC 6026 §7.1 — ACKs in Accepted MUST be passed to the TU; RFC 3261 §17.2.1 — Confirmed absorbs them.
    return this.state === 'Accepted' ? 'deliver' : 'absorb';
  }

  /** The transport failed to send the final response again (or for the first time). */
  onTransportError(): 'terminate' | 'absorb' {
    // RFC 3261 §17.2.2, §17.2.4 — a transport failure in non-INVITE Completed ends the transaction;
    // RFC 6026 Figure 7 — Accepted only informs the TU (nothing here listens), Confirmed sends nothing.
    return this.kind === 'nonInviteServer' ? 'terminate' : 'absorb';
  }
}

/** Whether a server machine state is one a driver may hand over (see {@link LingeringServerState}). */
export function isLingeringServerState(
  kind: 'inviteServer' | 'nonInviteServer',
  state: string,
): state is LingeringServerState {
  return kind === 'nonInviteServer' ? state === 'Completed' : state === 'Accepted' || state === 'Confirmed';
}
