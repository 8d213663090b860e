import {
  absorb,
  dispatchRow,
  fx,
  illegal,
  statusClass,
  unknownState,
  type TransactionReceivedRequestEvent,
  type TransactionStartEvent,
  type TransactionTimerEvent,
  type TransactionEffect,
  type TransactionMachine,
  type TransactionStateBase,
  type TransactionStep,
  type TransitionRow,
  type TransactionTransportErrorEvent,
  type TransactionTuSendEvent,
} from './transaction-machine.js';
import { resolveTransactionOptions, type TransactionOptions } from './transaction-options.js';

/** The states of the non-INVITE server transaction, named as in RFC 3261 Figure 8. */
export type NonInviteServerStateName = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/** JSON-serialisable state of a non-INVITE server transaction. */
export interface NonInviteServerTransactionState extends TransactionStateBase {
  readonly kind: 'nonInviteServer';
  readonly name: NonInviteServerStateName;
  /** Status of the last response the TU sent, or null before any. */
  readonly lastResponseStatus: number | null;
}

/** Events a non-INVITE server transaction takes. */
export type NonInviteServerTransactionEvent =
  | TransactionStartEvent
  | TransactionReceivedRequestEvent
  | TransactionTuSendEvent
  | TransactionTransportErrorEvent
  | TransactionTimerEvent<'J'>;

type State = NonInviteServerTransactionState;
type Step = TransactionStep<State>;
type Row = TransitionRow<State, NonInviteServerTransactionEvent>;

function enter(state: State, name: NonInviteServerStateName, effects: TransactionEffect[]): Step {
  return { state: { ...state, name }, effects };
}

/** The TU's responses in Trying and Proceeding follow one rule set. */
function onTuSend(state: State, status: number): Step {
  const sent: State = { ...state, lastResponseStatus: status };
  if (statusClass(status) === 1) {
    // RFC 3261 §17.2.2 — a provisional response from the TU moves Trying to Proceeding (Proceeding
    // stays) and MUST be passed to the transport.
    return enter(sent, 'Proceeding', [fx.transmit('response')]);
  }
  // RFC 3261 §17.2.2 — a final response (200-699) from the TU moves to Completed and MUST be passed to
  // the transport; Timer J is set to 64·T1 on unreliable transports and to zero on reliable ones.
  return enter(sent, 'Completed', [
    fx.transmit('response'),
    fx.start('J', state.config.reliable ? 0 : 64 * state.config.T1),
  ]);
}

/**
 * RFC 3261 §17.2.2 / Figure 8 — a transport failure in Proceeding or Completed SHOULD be reported to
 * the TU and the transaction SHOULD move to Terminated (§17.2.4).
 */
function onTransportError(state: State, stopTimers: TransactionEffect[]): Step {
  return enter(state, 'Terminated', [...stopTimers, fx.transportError, fx.terminated]);
}

const TRYING: Row = {
  // RFC 3261 §17.2.2 — request retransmissions in Trying MUST be discarded: the TU has the request
  // and nothing has been sent yet.
  receivedRequest: absorb,
  tuSend: (state, event) => onTuSend(state, event.status),
  // Nothing has been sent in Trying, so a transport error cannot concern this transaction: absorb.
  transportError: absorb,
};

const PROCEEDING: Row = {
  // RFC 3261 §17.2.2 — a request retransmission in Proceeding MUST cause the most recent provisional
  // response to be passed to the transport again.
  receivedRequest: (state) => ({ state, effects: [fx.transmit('lastResponse')] }),
  tuSend: (state, event) => onTuSend(state, event.status),
  transportError: (state) => onTransportError(state, []),
};

const COMPLETED: Row = {
  // RFC 3261 §17.2.2 — a request retransmission in Completed MUST cause the final response to be
  // passed to the transport again.
  receivedRequest: (state) => ({ state, effects: [fx.transmit('lastResponse')] }),
  // RFC 3261 §17.2.2 — any other final response passed by the TU in Completed MUST be discarded.
  // A provisional response after a final one is a TU bug.
  tuSend: (state, event) => {
    if (statusClass(event.status) === 1) throw illegal(state, event);
    return absorb(state);
  },
  // RFC 3261 §17.2.2 — when Timer J fires in Completed, the transaction MUST move to Terminated.
  'timer:J': (state) => enter(state, 'Terminated', [fx.terminated]),
  transportError: (state) => onTransportError(state, [fx.cancel('J')]),
};

const TERMINATED: Row = {};

function row(state: State, event: NonInviteServerTransactionEvent): Row {
  switch (state.name) {
    case 'Trying':
      return TRYING;
    case 'Proceeding':
      return PROCEEDING;
    case 'Completed':
      return COMPLETED;
    case 'Terminated':
      return TERMINATED;
    default:
      return unknownState(state, state.name, event);
  }
}

/**
 * The non-INVITE server transaction of RFC 3261 §17.2.2, as a pure
 * `step(state, event) → { state, effects }` machine.
 *
 * ```text
 *                       | start / request to TU
 *                       V
 *                 +-------------+
 *    +------------|   Trying    |  request / absorbed
 *    |            +-------------+
 *    |              | 1xx from TU / send
 *    | 200-699      V
 *    | from TU /  +-------------+  1xx from TU / send
 *    | send;      | Proceeding  |  request / resend last provisional
 *    | start J    +-------------+  transport error / inform TU -----------+
 *    |              | 200-699 from TU / send; start J                     |
 *    V              V                                                     |
 *  +-------------------+  request / resend final                          |
 *  |     Completed     |  final from TU / discarded                       |
 *  +-------------------+  transport error / inform TU --------------------+
 *    | timer J (64·T1 unreliable, 0 reliable)                             |
 *    V                                                                    |
 *  +---------------------------------------------------------------+      |
 *  |                          Terminated                           |<-----+
 *  +---------------------------------------------------------------+
 * ```
 *
 * `Terminated` takes no events.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2.2
 */
export const NonInviteServerTransaction: TransactionMachine<
  NonInviteServerTransactionState,
  NonInviteServerTransactionEvent
> = {
  kind: 'nonInviteServer',

  initial(options: TransactionOptions): NonInviteServerTransactionState {
    const config = resolveTransactionOptions(options);
    return { kind: 'nonInviteServer', name: 'Trying', started: false, config, lastResponseStatus: null };
  },

  step(state: NonInviteServerTransactionState, event: NonInviteServerTransactionEvent): Step {
    if (!state.started) {
      if (event.type !== 'start' || state.name !== 'Trying') throw illegal(state, event);
      // RFC 3261 §17.2.2 — the state machine is initialised in Trying and the request is passed to
      // the TU.
      return { state: { ...state, started: true }, effects: [fx.deliver('request')] };
    }
    return dispatchRow(row(state, event), state, event);
  },
};
