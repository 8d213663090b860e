import {
  absorb,
  dispatchRow,
  fx,
  illegal,
  statusClass,
  unknownState,
  type TransactionReceivedResponseEvent,
  type TransactionSendEvent,
  type TransactionTimerEvent,
  type TransactionEffect,
  type TransactionMachine,
  type TransactionStateBase,
  type TransactionStep,
  type TransitionRow,
  type TransactionTransportErrorEvent,
} from './transaction-machine.js';
import { resolveTransactionOptions, type TransactionOptions } from './transaction-options.js';

/** The states of the INVITE client transaction, named as in RFC 3261 Figure 5 and RFC 6026 §7.2. */
export type InviteClientStateName = 'Calling' | 'Proceeding' | 'Completed' | 'Accepted' | 'Terminated';

/** JSON-serialisable state of an INVITE client transaction. */
export interface InviteClientTransactionState extends TransactionStateBase {
  readonly kind: 'inviteClient';
  readonly name: InviteClientStateName;
  /** The interval Timer A was last started with; it doubles on every firing (§17.1.1.2). */
  readonly timerAMs: number;
}

/** Events an INVITE client transaction takes. */
export type InviteClientTransactionEvent =
  | TransactionSendEvent
  | TransactionReceivedResponseEvent
  | TransactionTransportErrorEvent
  | TransactionTimerEvent<'A' | 'B' | 'D' | 'M'>;

type State = InviteClientTransactionState;
type Step = TransactionStep<State>;
type Row = TransitionRow<State, InviteClientTransactionEvent>;

function enter(state: State, name: InviteClientStateName, effects: TransactionEffect[]): Step {
  return { state: { ...state, name }, effects };
}

/** Effects that stop the Calling-state timers (A runs only on unreliable transports). */
function stopCallingTimers(state: State): TransactionEffect[] {
  return state.config.reliable ? [fx.cancel('B')] : [fx.cancel('A'), fx.cancel('B')];
}

/**
 * RFC 3261 §17.1.1.2 — in Calling or Proceeding, a 300-699 moves to Completed: the transaction
 * MUST generate and send an ACK, MUST pass the response up, and SHOULD start Timer D (at least
 * 32 s on unreliable transports, zero on reliable ones).
 */
function onNon2xxFinal(state: State, stopTimers: TransactionEffect[]): Step {
  // DEVIATION(RFC 3261 §17.1.1.2): "at least 32 s" is taken as max(32 s, 64·T1) so that a larger T1
  // still covers the peer's Timer H window; with the default T1 it is exactly 32 s.
  const timerD = state.config.reliable ? 0 : Math.max(32_000, 64 * state.config.T1);
  return enter(state, 'Completed', [
    ...stopTimers,
    fx.transmit('ack'),
    fx.deliver('response'),
    fx.start('D', timerD),
  ]);
}

/**
 * RFC 6026 §7.2 — a 2xx in Calling or Proceeding moves to Accepted: the response MUST be passed
 * up and Timer M MUST be started with 64·T1. The transaction never ACKs a 2xx itself.
 */
function on2xx(state: State, stopTimers: TransactionEffect[]): Step {
  return enter(state, 'Accepted', [
    ...stopTimers,
    fx.deliver('response'),
    fx.start('M', 64 * state.config.T1),
  ]);
}

const CALLING: Row = {
  receivedResponse: (state, event) => {
    switch (statusClass(event.status)) {
      case 1:
        // RFC 3261 §17.1.1.2 — a provisional response in Calling moves to Proceeding and MUST be
        // passed up; the request SHOULD NOT be retransmitted any longer (Timer A stops, and Timer B
        // only guards the Calling state).
        return enter(state, 'Proceeding', [...stopCallingTimers(state), fx.deliver('response')]);
      case 2:
        return on2xx(state, stopCallingTimers(state));
      default:
        return onNon2xxFinal(state, stopCallingTimers(state));
    }
  },
  // RFC 3261 §17.1.1.2 — when Timer A fires the client transaction MUST retransmit the request and
  // reset the timer with twice its last value (no cap for INVITE: Timer B ends it).
  'timer:A': (state) => {
    const timerAMs = state.timerAMs * 2;
    return {
      state: { ...state, timerAMs },
      effects: [fx.transmit('request'), fx.start('A', timerAMs)],
    };
  },
  // RFC 3261 §17.1.1.2 — Timer B firing in Calling MUST inform the TU of the timeout and the
  // transaction MUST NOT generate an ACK; it moves to Terminated.
  'timer:B': (state) =>
    enter(state, 'Terminated', [
      ...(state.config.reliable ? [] : [fx.cancel('A')]),
      fx.timeout,
      fx.terminated,
    ]),
  // RFC 3261 §17.1.4 — a transport failure while sending SHOULD be reported to the TU and the
  // transaction SHOULD move straight to Terminated.
  transportError: (state) =>
    enter(state, 'Terminated', [...stopCallingTimers(state), fx.transportError, fx.terminated]),
};

const PROCEEDING: Row = {
  receivedResponse: (state, event) => {
    switch (statusClass(event.status)) {
      case 1:
        // RFC 3261 §17.1.1.2 — further provisional responses in Proceeding MUST be passed up.
        return { state, effects: [fx.deliver('response')] };
      case 2:
        return on2xx(state, []);
      default:
        return onNon2xxFinal(state, []);
    }
  },
  // Nothing is sent in Proceeding, so a transport error cannot concern this transaction: absorb.
  transportError: absorb,
};

const COMPLETED: Row = {
  receivedResponse: (state, event) =>
    // RFC 3261 §17.1.1.2 — retransmissions of the final response in Completed MUST cause the ACK
    // to be re-passed to the transport, and MUST NOT be passed up. Anything else is absorbed.
    statusClass(event.status) >= 3 ? { state, effects: [fx.transmit('ack')] } : absorb(state),
  // RFC 3261 §17.1.1.2 — if Timer D fires in Completed, the transaction MUST move to Terminated.
  'timer:D': (state) => enter(state, 'Terminated', [fx.terminated]),
  // RFC 3261 §17.1.4 / Figure 5 — a transport error sending the ACK: inform the TU, terminate.
  transportError: (state) => enter(state, 'Terminated', [fx.cancel('D'), fx.transportError, fx.terminated]),
};

const ACCEPTED: Row = {
  receivedResponse: (state, event) =>
    // RFC 6026 §7.2 — any 2xx that matches the transaction in Accepted MUST be passed up to the TU
    // (retransmissions and 2xx from other forks); the transaction MUST NOT ACK it. Others are absorbed.
    statusClass(event.status) === 2 ? { state, effects: [fx.deliver('response')] } : absorb(state),
  // RFC 6026 §7.2 — when Timer M fires in Accepted, the transaction MUST move to Terminated.
  'timer:M': (state) => enter(state, 'Terminated', [fx.terminated]),
  // The ACK for a 2xx belongs to the TU, so nothing of this transaction is in flight: absorb.
  transportError: absorb,
};

const TERMINATED: Row = {};

function row(state: State, event: InviteClientTransactionEvent): Row {
  switch (state.name) {
    case 'Calling':
      return CALLING;
    case 'Proceeding':
      return PROCEEDING;
    case 'Completed':
      return COMPLETED;
    case 'Accepted':
      return ACCEPTED;
    case 'Terminated':
      return TERMINATED;
    default:
      return unknownState(state, state.name, event);
  }
}

/**
 * The INVITE client transaction of RFC 3261 §17.1.1 as amended by RFC 6026 §7.2, as a pure
 * `step(state, event) → { state, effects }` machine.
 *
 * ```text
 *                       | send / request; start A (unreliable), start B
 *                       V
 *                 +-------------+  timer A / request; A = 2·A
 *    +------------|   Calling   |  timer B / timeout ---------------------+
 *    |            +-------------+  transport error / inform TU -----------+
 *    |              |         |                                           |
 *    | 300-699 /    | 1xx /   | 2xx / deliver; start M                    |
 *    | ACK;         | deliver |                                           |
 *    | deliver;     V         +---------------------+                     |
 *    | start D    +-------------+  2xx / deliver;   |                     |
 *    |            | Proceeding  |-----------------+ |                     |
 *    |            +-------------+  start M        | |                     |
 *    |              |  1xx / deliver              V V                     |
 *    |              |                       +-------------+               |
 *    |              | 300-699 / ACK;        |  Accepted   |               |
 *    |              | deliver; start D      +-------------+               |
 *    V              V                         2xx / deliver               |
 *  +-------------------+                        |                         |
 *  |     Completed     |                        | timer M                 |
 *  +-------------------+                        |                         |
 *    300-699 / ACK again                        |                         |
 *    | timer D; transport error / inform TU     |                         |
 *    V                                          V                         |
 *  +---------------------------------------------------------------+      |
 *  |                          Terminated                           |<-----+
 *  +---------------------------------------------------------------+
 * ```
 *
 * Reliable transports start no Timer A and use Timer D = 0. Timer B guards Calling only and is
 * cancelled on the first response. In Proceeding and Accepted the transaction sends nothing, so
 * a transport error there is absorbed. `Terminated` takes no events.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.2
 * @see https://www.rfc-editor.org/rfc/rfc6026#section-7.2
 */
export const InviteClientTransaction: TransactionMachine<
  InviteClientTransactionState,
  InviteClientTransactionEvent
> = {
  kind: 'inviteClient',

  initial(options: TransactionOptions): InviteClientTransactionState {
    const config = resolveTransactionOptions(options);
    return { kind: 'inviteClient', name: 'Calling', started: false, config, timerAMs: config.T1 };
  },

  step(state: InviteClientTransactionState, event: InviteClientTransactionEvent): Step {
    if (!state.started) {
      if (event.type !== 'send' || state.name !== 'Calling') throw illegal(state, event);
      // RFC 3261 §17.1.1.2 — on entering Calling the transaction MUST pass the request to the
      // transport, MUST start Timer A = T1 on an unreliable transport (SHOULD NOT on a reliable
      // one) and MUST start Timer B = 64·T1 for any transport.
      const { config } = state;
      return {
        state: { ...state, started: true, timerAMs: config.T1 },
        effects: [
          fx.transmit('request'),
          ...(config.reliable ? [] : [fx.start('A', config.T1)]),
          fx.start('B', 64 * config.T1),
        ],
      };
    }
    return dispatchRow(row(state, event), state, event);
  },
};
