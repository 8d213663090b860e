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

/** The states of the non-INVITE client transaction, named as in RFC 3261 Figure 6. */
export type NonInviteClientStateName = 'Trying' | 'Proceeding' | 'Completed' | 'Terminated';

/** JSON-serialisable state of a non-INVITE client transaction. */
export interface NonInviteClientTransactionState extends TransactionStateBase {
  readonly kind: 'nonInviteClient';
  readonly name: NonInviteClientStateName;
  /** The interval Timer E was last started with: T1, doubling up to T2; T2 once in Proceeding. */
  readonly timerEMs: number;
}

/** Events a non-INVITE client transaction takes. */
export type NonInviteClientTransactionEvent =
  | TransactionSendEvent
  | TransactionReceivedResponseEvent
  | TransactionTransportErrorEvent
  | TransactionTimerEvent<'E' | 'F' | 'K'>;

type State = NonInviteClientTransactionState;
type Step = TransactionStep<State>;
type Row = TransitionRow<State, NonInviteClientTransactionEvent>;

function enter(state: State, name: NonInviteClientStateName, effects: TransactionEffect[]): Step {
  return { state: { ...state, name }, effects };
}

/** Effects that stop Timers E (unreliable transports only) and F. */
function stopRequestTimers(state: State): TransactionEffect[] {
  return state.config.reliable ? [fx.cancel('F')] : [fx.cancel('E'), fx.cancel('F')];
}

/**
 * Responses in Trying and Proceeding share one rule set; only the provisional branch differs in
 * whether the state changes.
 */
function onResponse(state: State, status: number): Step {
  if (statusClass(status) === 1) {
    // RFC 3261 §17.1.2.2 — a provisional response in Trying moves to Proceeding (in Proceeding it
    // stays) and MUST be passed up to the TU.
    return enter(state, 'Proceeding', [fx.deliver('response')]);
  }
  // RFC 3261 §17.1.2.2 — a final response (200-699) in Trying or Proceeding MUST be passed up and
  // moves to Completed, where Timer K MUST be set to T4 on unreliable transports and to zero on
  // reliable ones.
  return enter(state, 'Completed', [
    ...stopRequestTimers(state),
    fx.deliver('response'),
    fx.start('K', state.config.reliable ? 0 : state.config.T4),
  ]);
}

/** Timer F and transport errors end Trying and Proceeding the same way. */
const TIMEOUT_AND_TRANSPORT: Row = {
  // RFC 3261 §17.1.2.2 — if Timer F fires in Trying or Proceeding, the TU MUST be informed of the
  // timeout and the transaction MUST move to Terminated.
  'timer:F': (state) =>
    enter(state, 'Terminated', [
      ...(state.config.reliable ? [] : [fx.cancel('E')]),
      fx.timeout,
      fx.terminated,
    ]),
  // RFC 3261 §17.1.4 — a transport failure SHOULD be reported to the TU and the transaction SHOULD
  // move straight to Terminated.
  transportError: (state) =>
    enter(state, 'Terminated', [...stopRequestTimers(state), fx.transportError, fx.terminated]),
};

const TRYING: Row = {
  ...TIMEOUT_AND_TRANSPORT,
  receivedResponse: (state, event) => onResponse(state, event.status),
  // RFC 3261 §17.1.2.2 — when Timer E fires in Trying, the request MUST be retransmitted and
  // Timer E reset to MIN(2·E, T2).
  'timer:E': (state) => {
    const timerEMs = Math.min(2 * state.timerEMs, state.config.T2);
    return { state: { ...state, timerEMs }, effects: [fx.transmit('request'), fx.start('E', timerEMs)] };
  },
};

const PROCEEDING: Row = {
  ...TIMEOUT_AND_TRANSPORT,
  receivedResponse: (state, event) => onResponse(state, event.status),
  // RFC 3261 §17.1.2.2 — when Timer E fires in Proceeding, the request MUST be retransmitted and
  // Timer E MUST be reset with T2.
  'timer:E': (state) => {
    const timerEMs = state.config.T2;
    return { state: { ...state, timerEMs }, effects: [fx.transmit('request'), fx.start('E', timerEMs)] };
  },
};

const COMPLETED: Row = {
  // RFC 3261 §17.1.2.2 — Completed buffers (absorbs) any further response retransmissions.
  receivedResponse: (state, event) => {
    statusClass(event.status);
    return absorb(state);
  },
  // RFC 3261 §17.1.2.2 — when Timer K fires in Completed, the transaction MUST move to Terminated.
  'timer:K': (state) => enter(state, 'Terminated', [fx.terminated]),
  // Nothing is sent in Completed, so a transport error cannot concern this transaction: absorb.
  transportError: absorb,
};

const TERMINATED: Row = {};

function row(state: State, event: NonInviteClientTransactionEvent): Row {
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
 * The non-INVITE client transaction of RFC 3261 §17.1.2, as a pure
 * `step(state, event) → { state, effects }` machine.
 *
 * ```text
 *                       | send / request; start E (unreliable), start F
 *                       V
 *                 +-------------+  timer E / request; E = min(2·E, T2)
 *    +------------|   Trying    |  timer F / timeout ---------------------+
 *    |            +-------------+  transport error / inform TU -----------+
 *    |              |                                                     |
 *    | 200-699 /    | 1xx / deliver                                       |
 *    | deliver;     V                                                     |
 *    | start K    +-------------+  timer E / request; E = T2              |
 *    |            | Proceeding  |  1xx / deliver                          |
 *    |            +-------------+  timer F / timeout ---------------------+
 *    |              |              transport error / inform TU -----------+
 *    |              | 200-699 / deliver; start K                          |
 *    V              V                                                     |
 *  +-------------------+                                                  |
 *  |     Completed     |  any response / absorbed                         |
 *  +-------------------+                                                  |
 *    | timer K (T4 unreliable, 0 reliable)                                |
 *    V                                                                    |
 *  +---------------------------------------------------------------+      |
 *  |                          Terminated                           |<-----+
 *  +---------------------------------------------------------------+
 * ```
 *
 * Reliable transports start no Timer E and use Timer K = 0. `Terminated` takes no events.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1.2.2
 */
export const NonInviteClientTransaction: TransactionMachine<
  NonInviteClientTransactionState,
  NonInviteClientTransactionEvent
> = {
  kind: 'nonInviteClient',

  initial(options: TransactionOptions): NonInviteClientTransactionState {
    const config = resolveTransactionOptions(options);
    return { kind: 'nonInviteClient', name: 'Trying', started: false, config, timerEMs: config.T1 };
  },

  step(state: NonInviteClientTransactionState, event: NonInviteClientTransactionEvent): Step {
    if (!state.started) {
      if (event.type !== 'send' || state.name !== 'Trying') throw illegal(state, event);
      // RFC 3261 §17.1.2.2 — on entering Trying the request MUST be passed to the transport, Timer F
      // MUST be set to 64·T1, and on an unreliable transport Timer E MUST be set to T1.
      const { config } = state;
      return {
        state: { ...state, started: true, timerEMs: config.T1 },
        effects: [
          fx.transmit('request'),
          ...(config.reliable ? [] : [fx.start('E', config.T1)]),
          fx.start('F', 64 * config.T1),
        ],
      };
    }
    return dispatchRow(row(state, event), state, event);
  },
};
