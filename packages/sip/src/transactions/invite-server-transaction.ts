import {
  absorb,
  dispatchRow,
  fx,
  illegal,
  statusClass,
  unknownState,
  type TransactionReceivedAckEvent,
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

/** The states of the INVITE server transaction, named as in RFC 3261 Figure 7 and RFC 6026 §7.1. */
export type InviteServerStateName = 'Proceeding' | 'Completed' | 'Confirmed' | 'Accepted' | 'Terminated';

/** JSON-serialisable state of an INVITE server transaction. */
export interface InviteServerTransactionState extends TransactionStateBase {
  readonly kind: 'inviteServer';
  readonly name: InviteServerStateName;
  /** The interval Timer G was last started with: T1, doubling up to T2 (§17.2.1). */
  readonly timerGMs: number;
  /** Status of the last response sent (ours or the TU's), or null before any. */
  readonly lastResponseStatus: number | null;
  /** True while the 100 (Trying) timer runs: the TU has not answered yet. */
  readonly trying100Pending: boolean;
}

/** Events an INVITE server transaction takes. */
export type InviteServerTransactionEvent =
  | TransactionStartEvent
  | TransactionReceivedRequestEvent
  | TransactionReceivedAckEvent
  | TransactionTuSendEvent
  | TransactionTransportErrorEvent
  | TransactionTimerEvent<'G' | 'H' | 'I' | 'L' | 'Trying100'>;

type State = InviteServerTransactionState;
type Step = TransactionStep<State>;
type Row = TransitionRow<State, InviteServerTransactionEvent>;

function enter(state: State, name: InviteServerStateName, effects: TransactionEffect[]): Step {
  return { state: { ...state, name }, effects };
}

/** Retransmits the last response when there is one; absorbs the event otherwise. */
function resendLastResponse(state: State): Step {
  return state.lastResponseStatus === null
    ? absorb(state)
    : { state, effects: [fx.transmit('lastResponse')] };
}

/** RFC 6026 Figure 7 — in Proceeding, Completed and Accepted a transport error informs the TU only. */
function informTransportError(state: State): Step {
  return { state, effects: [fx.transportError] };
}

const PROCEEDING: Row = {
  // RFC 3261 §17.2.1 — the server transaction MUST send 100 (Trying) unless the TU answers within
  // 200 ms; the TU stayed silent, so send it now. It counts as the last provisional response.
  'timer:Trying100': (state) => ({
    state: { ...state, trying100Pending: false, lastResponseStatus: 100 },
    effects: [fx.transmit('trying')],
  }),
  // RFC 3261 §17.2.1 — a request retransmission in Proceeding MUST cause the most recent provisional
  // response to be passed to the transport again (absorbed while nothing has been sent yet).
  receivedRequest: resendLastResponse,
  // An ACK before any final response acknowledges nothing: absorb it.
  receivedAck: absorb,
  tuSend: (state, event) => {
    const cls = statusClass(event.status);
    const quiet: State = { ...state, trying100Pending: false, lastResponseStatus: event.status };
    const stopTrying = state.trying100Pending ? [fx.cancel('Trying100')] : [];
    if (cls === 1) {
      // RFC 3261 §17.2.1 — every provisional response from the TU in Proceeding MUST be passed to
      // the transport; it does not change the state and is not retransmitted by the transaction.
      return { state: quiet, effects: [...stopTrying, fx.transmit('response')] };
    }
    if (cls === 2) {
      // RFC 6026 §7.1 — a 2xx from the TU in Proceeding MUST be passed to the transport (the TU, not
      // the transaction, retransmits it) and the transaction moves to Accepted, where Timer L MUST
      // be set to 64·T1 for all transports.
      return enter(quiet, 'Accepted', [
        ...stopTrying,
        fx.transmit('response'),
        fx.start('L', 64 * state.config.T1),
      ]);
    }
    // RFC 3261 §17.2.1 — a 300-699 from the TU moves to Completed and is passed to the transport;
    // Timer G MUST be set to T1 on unreliable transports, and Timer H to 64·T1 on all.
    const { config } = state;
    return enter({ ...quiet, timerGMs: config.T1 }, 'Completed', [
      ...stopTrying,
      fx.transmit('response'),
      ...(config.reliable ? [] : [fx.start('G', config.T1)]),
      fx.start('H', 64 * config.T1),
    ]);
  },
  transportError: informTransportError,
};

const COMPLETED: Row = {
  // RFC 3261 §17.2.1 — a request retransmission in Completed MUST cause the final response to be
  // passed to the transport again.
  receivedRequest: resendLastResponse,
  // RFC 3261 §17.2.1 — if Timer G fires, the response is passed to the transport again and Timer G
  // is reset to MIN(2·G, T2).
  'timer:G': (state) => {
    const timerGMs = Math.min(2 * state.timerGMs, state.config.T2);
    return {
      state: { ...state, timerGMs },
      effects: [fx.transmit('lastResponse'), fx.start('G', timerGMs)],
    };
  },
  // RFC 3261 §17.2.1 — an ACK in Completed MUST move the transaction to Confirmed, which stops
  // Timer G; Timer I is set to T4 on unreliable transports and to zero on reliable ones.
  receivedAck: (state) => {
    const { config } = state;
    return enter(state, 'Confirmed', [
      ...(config.reliable ? [] : [fx.cancel('G')]),
      fx.cancel('H'),
      fx.start('I', config.reliable ? 0 : config.T4),
    ]);
  },
  // RFC 3261 §17.2.1 — if Timer H fires in Completed, the ACK never came: the transaction MUST move
  // to Terminated and MUST tell the TU that a transaction failure occurred.
  'timer:H': (state) =>
    enter(state, 'Terminated', [
      ...(state.config.reliable ? [] : [fx.cancel('G')]),
      fx.timeout,
      fx.terminated,
    ]),
  transportError: informTransportError,
};

const CONFIRMED: Row = {
  // RFC 3261 §17.2.1 — Confirmed exists to absorb further ACKs (and the request retransmissions
  // still in flight) without passing them up.
  receivedAck: absorb,
  receivedRequest: absorb,
  // RFC 3261 §17.2.1 — when Timer I fires, the transaction moves to Terminated.
  'timer:I': (state) => enter(state, 'Terminated', [fx.terminated]),
  // Nothing is sent in Confirmed, so a transport error cannot concern this transaction: absorb.
  transportError: absorb,
};

const ACCEPTED: Row = {
  // RFC 6026 §7.1 — INVITE retransmissions in Accepted are absorbed, not passed to the TU.
  receivedRequest: absorb,
  // RFC 6026 §7.1 — ACKs received in Accepted MUST be passed directly to the TU, not absorbed.
  receivedAck: (state) => ({ state, effects: [fx.deliver('ack')] }),
  // RFC 6026 §7.1 — a 2xx retransmission from the TU in Accepted MUST be passed to the transport.
  // Anything other than a 2xx cannot follow a 2xx.
  tuSend: (state, event) => {
    if (statusClass(event.status) !== 2) throw illegal(state, event);
    return { state: { ...state, lastResponseStatus: event.status }, effects: [fx.transmit('response')] };
  },
  // RFC 6026 §7.1 — when Timer L fires in Accepted, the transaction MUST move to Terminated.
  'timer:L': (state) => enter(state, 'Terminated', [fx.terminated]),
  transportError: informTransportError,
};

const TERMINATED: Row = {};

function row(state: State, event: InviteServerTransactionEvent): Row {
  switch (state.name) {
    case 'Proceeding':
      return PROCEEDING;
    case 'Completed':
      return COMPLETED;
    case 'Confirmed':
      return CONFIRMED;
    case 'Accepted':
      return ACCEPTED;
    case 'Terminated':
      return TERMINATED;
    default:
      return unknownState(state, state.name, event);
  }
}

/**
 * The INVITE server transaction of RFC 3261 §17.2.1 as amended by RFC 6026 §7.1, as a pure
 * `step(state, event) → { state, effects }` machine.
 *
 * ```text
 *                       | start / start Trying100 (or send 100 at once); request to TU
 *                       V
 *                 +-------------+  timer Trying100 / send 100 (Trying)
 *                 | Proceeding  |  1xx from TU / send
 *                 |             |  INVITE / resend last provisional
 *                 +-------------+  transport error / inform TU
 *                   |         |
 *   300-699 from TU |         | 2xx from TU / send; start L
 *   / send; start G |         |
 *   (unreliable), H V         V
 *  +-------------------+    +-------------------+  INVITE / absorbed
 *  |     Completed     |    |     Accepted      |  ACK / to TU
 *  +-------------------+    +-------------------+  2xx from TU / send
 *    INVITE or timer G /              |            transport error / inform TU
 *    resend; G = min(2·G, T2)         |
 *    transport error / inform TU      |
 *    |             |                  |
 *    | ACK / stop  | timer H /        | timer L
 *    | G, H;       | timeout          |
 *    | start I     |                  |
 *    V             |                  |
 *  +-------------+ |                  |
 *  |  Confirmed  | |                  |
 *  +-------------+ |                  |
 *    ACK, INVITE / absorbed           |
 *    | timer I     |                  |
 *    V             V                  V
 *  +--------------------------------------------+
 *  |                 Terminated                 |
 *  +--------------------------------------------+
 * ```
 *
 * Transport errors in Proceeding, Completed and Accepted inform the TU without leaving the state
 * (RFC 6026 Figure 7). Reliable transports start no Timer G and use Timer I = 0. With
 * `trying100DelayMs: 0` the 100 (Trying) goes out at once instead of after a timer. `Terminated`
 * takes no events.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2.1
 * @see https://www.rfc-editor.org/rfc/rfc6026#section-7.1
 */
export const InviteServerTransaction: TransactionMachine<
  InviteServerTransactionState,
  InviteServerTransactionEvent
> = {
  kind: 'inviteServer',

  initial(options: TransactionOptions): InviteServerTransactionState {
    const config = resolveTransactionOptions(options);
    return {
      kind: 'inviteServer',
      name: 'Proceeding',
      started: false,
      config,
      timerGMs: config.T1,
      lastResponseStatus: null,
      trying100Pending: false,
    };
  },

  step(state: InviteServerTransactionState, event: InviteServerTransactionEvent): Step {
    if (!state.started) {
      if (event.type !== 'start' || state.name !== 'Proceeding') throw illegal(state, event);
      // RFC 3261 §17.2.1 — the server transaction MUST generate a 100 (Trying) unless it knows the
      // TU will answer within 200 ms, and the request MUST be passed to the TU. The timer is started
      // before the TU sees the request, so an answer given synchronously cancels it.
      const started: State = { ...state, started: true };
      if (state.config.trying100DelayMs === 0) {
        return {
          state: { ...started, lastResponseStatus: 100 },
          effects: [fx.transmit('trying'), fx.deliver('request')],
        };
      }
      return {
        state: { ...started, trying100Pending: true },
        effects: [fx.start('Trying100', state.config.trying100DelayMs), fx.deliver('request')],
      };
    }
    return dispatchRow(row(state, event), state, event);
  },
};
