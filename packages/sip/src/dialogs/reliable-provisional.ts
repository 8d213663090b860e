/**
 * Reliable provisional responses (RFC 3262), sans-IO: the RSeq / RAck header fields, the UAS
 * machine that numbers, retransmits and retires reliable provisionals, and the UAC rule that
 * decides which of them to PRACK.
 *
 * The UAS machine lives beside one INVITE server transaction:
 * ```
 *            provisional: send(RSeq), start retransmit (T1) + giveUp (64·T1)
 *   ┌──────┐ ───────────────────────────────────────────► ┌───────────────┐ ◄─┐ provisional: queue
 *   │ Idle │                                              │ AwaitingPrack │ ──┘ retransmit: resend, 2·interval
 *   └──────┘ ◄─────── PRACK (nothing queued or held) ──── └───────────────┘     2xx final: hold
 *      │                                                   │   │  PRACK: 200, send next queued one
 *      │ final: send                PRACK + held 2xx: send │   │ non-2xx final: send; giveUp: 5xx
 *      ▼                                                   ▼   ▼
 *   ┌────────────┐ ◄────────────────────────────────────────────┘
 *   │ Terminated │  a PRACK for a provisional left unacknowledged by a non-2xx final still gets 200
 *   └────────────┘
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc3262
 */
import { SipHeaderError, parseBoundedInteger, parseCSeq, trimWsp } from '../grammar/index.js';
import { DialogStateTransitionError } from './errors.js';

/** The option tag of RFC 3262 (Supported / Require). */
export const OPTION_TAG_100REL = '100rel';

/** RFC 3262 §7.1 — response-num: 1*DIGIT, 1 … 2^32 − 1. */
const MAX_RSEQ = 2 ** 32 - 1;

/** RFC 3262 §7.1 — `RSeq: response-num`. */
export function parseRSeq(value: string): number {
  const n = parseBoundedInteger(value, MAX_RSEQ, 'RSeq');
  if (n === 0) throw new SipHeaderError('SIP_HEADER_SYNTAX', 'RSeq', 'RSeq: 0 is not a response number');
  return n;
}

/** RFC 3262 §7.2 — `RAck: response-num LWS CSeq-num LWS Method`. */
export interface RAck {
  /** The RSeq of the provisional response being acknowledged. */
  rseq: number;
  /** The CSeq number of the request it answered. */
  cseq: number;
  /** The method of that request (INVITE). */
  method: string;
}

export function parseRAck(value: string): RAck {
  const text = trimWsp(value);
  const gap = text.search(/[ \t]/);
  if (gap < 0) throw new SipHeaderError('SIP_HEADER_SYNTAX', 'RAck', `RAck: '${text}' lacks a CSeq`);
  const rseq = parseRSeq(text.slice(0, gap));
  let cseq: { seq: number; method: string };
  try {
    cseq = parseCSeq(text.slice(gap));
  } catch (error) {
    if (error instanceof SipHeaderError) {
      throw new SipHeaderError('SIP_HEADER_SYNTAX', 'RAck', `RAck: ${error.message}`);
    }
    throw error;
  }
  return { rseq, cseq: cseq.seq, method: cseq.method };
}

export function formatRAck(rack: RAck): string {
  return `${rack.rseq} ${rack.cseq} ${rack.method}`;
}

/**
 * RFC 3262 §3 — the first RSeq of a transaction SHOULD be chosen uniformly between 1 and 2^31 − 1
 * (leaving room to count up without reaching 2^32 − 1).
 */
export function initialRSeq(random: () => number = Math.random): number {
  return 1 + Math.floor(random() * (2 ** 31 - 1));
}

/**
 * RFC 3262 §4 — the UAC keeps, per early dialog, the RSeq of the last in-order reliable provisional.
 * The first one is taken whatever its number; after that only the next number is. A response
 * with any other RSeq (a retransmission, or one that overtook a lost predecessor) MUST NOT be
 * PRACKed nor processed further.
 */
export function acceptReliableProvisional(lastRSeq: number | undefined, rseq: number): boolean {
  return lastRSeq === undefined || rseq === lastRSeq + 1;
}

// ---------------------------------------------------------------------------------------------
// UAS machine
// ---------------------------------------------------------------------------------------------

export type ReliableProvisionalStateName = 'Idle' | 'AwaitingPrack' | 'Terminated';
export type ReliableProvisionalTimer = 'retransmit' | 'giveUp';

/** JSON-serialisable state of the UAS side of RFC 3262 for one INVITE transaction. */
export interface ReliableProvisionalState {
  readonly name: ReliableProvisionalStateName;
  /** CSeq number of the INVITE: a PRACK's RAck must name it. */
  readonly inviteCseq: number;
  /** RSeq the next reliable provisional gets (RFC 3262 §3: one more than the previous). */
  readonly nextRSeq: number;
  /** The reliable provisional sent and not yet PRACKed, with its current retransmit interval. */
  readonly unacknowledged: { readonly rseq: number; readonly intervalMs: number } | undefined;
  /** Reliable provisionals waiting for the previous one's PRACK, oldest first. */
  readonly queued: number;
  /** A 2xx held back until the outstanding provisional is PRACKed. */
  readonly finalHeld: boolean;
  /** Timer base T1 (ms). */
  readonly T1: number;
}

export type ReliableProvisionalEvent =
  /** The TU passes a provisional response (101–199) to be sent reliably. */
  | { readonly type: 'provisional' }
  /** The TU passes the final response. */
  | { readonly type: 'final'; readonly status: number }
  /** A PRACK arrived in the dialog of these provisionals. */
  | { readonly type: 'prack'; readonly rack: RAck }
  | { readonly type: 'timer'; readonly timer: ReliableProvisionalTimer };

export type ReliableProvisionalEffect =
  /** Transmit the oldest not-yet-sent reliable provisional for the first time, stamped with `rseq`. */
  | { readonly type: 'send'; readonly rseq: number }
  /** Transmit the unacknowledged reliable provisional again. */
  | { readonly type: 'retransmit' }
  | { readonly type: 'startTimer'; readonly timer: ReliableProvisionalTimer; readonly delayMs: number }
  | { readonly type: 'cancelTimer'; readonly timer: ReliableProvisionalTimer }
  /** Answer the PRACK with this status. */
  | { readonly type: 'answerPrack'; readonly status: 200 | 481 }
  /** Pass the final response on: the one just given, or the held 2xx. */
  | { readonly type: 'sendFinal' }
  /** Forget the held 2xx: another final response replaces it. */
  | { readonly type: 'discardFinal' }
  /** Forget the reliable provisionals never sent. */
  | { readonly type: 'discardQueued' }
  /** No PRACK within 64·T1: answer the INVITE with a 5xx now. */
  | { readonly type: 'giveUp' };

export interface ReliableProvisionalStep {
  readonly state: ReliableProvisionalState;
  readonly effects: readonly ReliableProvisionalEffect[];
}

export function initialReliableProvisionalState(options: {
  inviteCseq: number;
  T1: number;
  firstRSeq?: number;
}): ReliableProvisionalState {
  return {
    name: 'Idle',
    inviteCseq: options.inviteCseq,
    nextRSeq: options.firstRSeq ?? initialRSeq(),
    unacknowledged: undefined,
    queued: 0,
    finalHeld: false,
    T1: options.T1,
  };
}

const STOP_TIMERS: readonly ReliableProvisionalEffect[] = [
  { type: 'cancelTimer', timer: 'retransmit' },
  { type: 'cancelTimer', timer: 'giveUp' },
];

/** Sends the next reliable provisional and starts its two timers (RFC 3262 §3). */
function sendNext(state: ReliableProvisionalState, queued: number): ReliableProvisionalStep {
  const rseq = state.nextRSeq;
  return {
    state: {
      ...state,
      name: 'AwaitingPrack',
      nextRSeq: rseq + 1,
      unacknowledged: { rseq, intervalMs: state.T1 },
      queued,
    },
    effects: [
      { type: 'send', rseq },
      { type: 'startTimer', timer: 'retransmit', delayMs: state.T1 },
      { type: 'startTimer', timer: 'giveUp', delayMs: 64 * state.T1 },
    ],
  };
}

function matches(state: ReliableProvisionalState, rack: RAck): boolean {
  // RFC 3262 §3 — a matching PRACK is in the same dialog and its RAck's method, CSeq-num and
  // response-num equal the provisional's CSeq method and number and its RSeq.
  return (
    state.unacknowledged !== undefined &&
    rack.rseq === state.unacknowledged.rseq &&
    rack.cseq === state.inviteCseq &&
    rack.method === 'INVITE'
  );
}

/** RFC 3262 §3 — a PRACK matching no unacknowledged reliable provisional gets 481. */
const NO_MATCH: readonly ReliableProvisionalEffect[] = [{ type: 'answerPrack', status: 481 }];

function awaitingPrack(
  state: ReliableProvisionalState,
  event: ReliableProvisionalEvent,
): ReliableProvisionalStep {
  switch (event.type) {
    case 'provisional':
      // RFC 3262 §3 — the UAS MUST NOT send a second reliable provisional response until the
      // first is acknowledged: it waits in the queue.
      return { state: { ...state, queued: state.queued + 1 }, effects: [] };
    case 'final':
      if (event.status >= 200 && event.status < 300) {
        // RFC 3262 §3 — a 2xx MUST NOT go out before the PRACK of a provisional that carried a
        // session description; we hold every 2xx until the PRACK (the MAY otherwise).
        if (state.finalHeld) return { state, effects: [] };
        return { state: { ...state, finalHeld: true }, effects: [] };
      }
      // RFC 3262 §3 — a final response with reliable provisionals outstanding: they SHOULD NOT be
      // retransmitted any more, but a PRACK for them MUST still be processed.
      return {
        state: { ...state, name: 'Terminated', queued: 0, finalHeld: false },
        effects: [
          ...STOP_TIMERS,
          { type: 'discardQueued' },
          ...(state.finalHeld ? [{ type: 'discardFinal' } as const] : []),
          { type: 'sendFinal' },
        ],
      };
    case 'prack': {
      if (!matches(state, event.rack)) return { state, effects: NO_MATCH };
      // RFC 3262 §3 — a matching PRACK stops the retransmissions and is answered 2xx.
      const done: ReliableProvisionalEffect[] = [...STOP_TIMERS, { type: 'answerPrack', status: 200 }];
      const acked = { ...state, unacknowledged: undefined };
      if (state.queued > 0) {
        const next = sendNext(acked, state.queued - 1);
        return { state: next.state, effects: [...done, ...next.effects] };
      }
      if (state.finalHeld) {
        return {
          state: { ...acked, name: 'Terminated', finalHeld: false },
          effects: [...done, { type: 'sendFinal' }],
        };
      }
      return { state: { ...acked, name: 'Idle' }, effects: done };
    }
    case 'timer': {
      const unacknowledged = state.unacknowledged as { rseq: number; intervalMs: number };
      if (event.timer === 'retransmit') {
        // RFC 3262 §3 — retransmitted with an interval that starts at T1 and doubles each time.
        const intervalMs = unacknowledged.intervalMs * 2;
        return {
          state: { ...state, unacknowledged: { rseq: unacknowledged.rseq, intervalMs } },
          effects: [{ type: 'retransmit' }, { type: 'startTimer', timer: 'retransmit', delayMs: intervalMs }],
        };
      }
      // RFC 3262 §3 — retransmitted for 64·T1 without a PRACK: the UAS SHOULD reject the original
      // request with a 5xx response.
      return {
        state: { ...state, name: 'Terminated', unacknowledged: undefined, queued: 0, finalHeld: false },
        effects: [
          { type: 'cancelTimer', timer: 'retransmit' },
          { type: 'discardQueued' },
          ...(state.finalHeld ? [{ type: 'discardFinal' } as const] : []),
          { type: 'giveUp' },
        ],
      };
    }
    default:
      return unreachable(event);
  }
}

function unreachable(event: never): never {
  throw new TypeError(`unknown event ${JSON.stringify(event)}`);
}

/** One step of the UAS machine: the new state and the effects to carry out, in order. */
export function stepReliableProvisional(
  state: ReliableProvisionalState,
  event: ReliableProvisionalEvent,
): ReliableProvisionalStep {
  switch (state.name) {
    case 'Idle':
      switch (event.type) {
        case 'provisional':
          return sendNext(state, 0);
        case 'final':
          return { state: { ...state, name: 'Terminated' }, effects: [{ type: 'sendFinal' }] };
        case 'prack':
          return { state, effects: NO_MATCH };
        case 'timer':
          throw new DialogStateTransitionError('reliableProvisional', state.name, event);
        default:
          return unreachable(event);
      }
    case 'AwaitingPrack':
      return awaitingPrack(state, event);
    case 'Terminated':
      switch (event.type) {
        case 'provisional':
        case 'final':
          // After the final response nothing more is sent (RFC 3261 §17.2.1); absorbed.
          return { state, effects: [] };
        case 'prack':
          if (!matches(state, event.rack)) return { state, effects: NO_MATCH };
          return {
            state: { ...state, unacknowledged: undefined },
            effects: [{ type: 'answerPrack', status: 200 }],
          };
        case 'timer':
          throw new DialogStateTransitionError('reliableProvisional', state.name, event);
        default:
          return unreachable(event);
      }
    default:
      return unreachable(state.name);
  }
}
