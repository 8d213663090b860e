/**
 * Session timers (RFC 4028), sans-IO: the Session-Expires / Min-SE header fields, the negotiation
 * a UAC and a UAS run on each session refresh request and its 2xx, and the small machine that
 * turns an agreed interval into "send a refresh" and "give up with BYE".
 *
 * `uac` / `uas` in the headers name the roles in the refresh transaction at hand; once agreed,
 * the machine speaks of the `local` or `remote` side, which stays meaningful across re-INVITEs
 * sent by either side.
 *
 * ```
 *             negotiated(local)                       refresh timer (interval/2): sendRefresh
 *  ┌──────────┐ ─────────────────► ┌────────────┐ ◄─┐
 *  │ Inactive │                    │ Refreshing │ ──┘
 *  └──────────┘ ─────────────────► ├────────────┤      expiry timer (interval − min(32, interval/3))
 *     ▲       negotiated(remote)   │ Watching   │ ───────────────────────────────────────┐
 *     │                            └────────────┘   refreshFailed(408 / 481)             ▼
 *     └──────── disabled ──────────────┘  negotiated: restart both timers          ┌─────────┐
 *                                                                     sendBye ───► │ Expired │
 *   stop (dialog ended) from any state ──► Stopped                                 └─────────┘
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc4028
 */
import { SipHeaderError, parseDeltaSeconds, parseHeaderParams, trimWsp } from '../grammar/index.js';
import { Scanner } from '../grammar/scanner.js';
import type { SipHeaders } from '../messages/index.js';
import { DialogOptionsError, DialogStateTransitionError } from './errors.js';

/** The option tag of RFC 4028 (Supported / Require). */
export const OPTION_TAG_TIMER = 'timer';

/** Who refreshes, in the roles of one refresh transaction (RFC 4028 §4 refresher-param). */
export type Refresher = 'uac' | 'uas';
/** Who refreshes, seen from this UA. */
export type RefresherSide = 'local' | 'remote';

/** RFC 4028 §4 — `Session-Expires: delta-seconds [;refresher=uac|uas]`. */
export interface SessionExpires {
  /** The session interval in seconds. */
  interval: number;
  refresher: Refresher | undefined;
}

function syntax(header: string, message: string): never {
  throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: ${message}`);
}

/**
 * RFC 4028 §4 — `Session-Expires = ("Session-Expires" / "x") HCOLON delta-seconds *(SEMI se-params)`,
 * `se-params = refresher-param / generic-param`, `refresher-param = "refresher" EQUAL ("uas" / "uac")`.
 */
export function parseSessionExpires(value: string): SessionExpires {
  const { seconds, params } = secondsWithParams(value, 'Session-Expires');
  let refresher: Refresher | undefined;
  if (params.has('refresher')) {
    const r = (params.get('refresher') ?? '').toLowerCase();
    if (r !== 'uac' && r !== 'uas') syntax('Session-Expires', `refresher must be uac or uas, not '${r}'`);
    refresher = r;
  }
  return { interval: seconds, refresher };
}

export function formatSessionExpires(se: SessionExpires): string {
  return se.refresher === undefined ? String(se.interval) : `${se.interval};refresher=${se.refresher}`;
}

/** RFC 4028 §5 — `Min-SE = "Min-SE" HCOLON delta-seconds *(SEMI generic-param)`. */
export function parseMinSE(value: string): number {
  return secondsWithParams(value, 'Min-SE').seconds;
}

function secondsWithParams(value: string, header: string) {
  const text = trimWsp(value);
  const semi = text.indexOf(';');
  const seconds = parseDeltaSeconds(semi < 0 ? text : text.slice(0, semi), header);
  const sc = new Scanner(
    semi < 0 ? '' : text.slice(semi),
    header,
    (m) => new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: ${m}`),
  );
  const params = parseHeaderParams(sc);
  sc.skipWs();
  if (!sc.eof) sc.fail('unexpected text after the parameters');
  return { seconds, params };
}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

export interface SessionTimerOptions {
  /**
   * Session interval (s) this UA asks for in its INVITEs, and inserts in a 2xx when the peer asks
   * for none. @defaultValue undefined — no timer is asked for; a peer's request is honoured.
   */
  sessionExpires?: number;
  /**
   * The smallest session interval (s) this UA accepts; a request asking less gets 422.
   * @defaultValue 90 (RFC 4028 §4)
   */
  minSE?: number;
  /**
   * Who should refresh when this UA gets to choose (a UAS answering a request without a refresher
   * parameter) or to ask (a UAC's initial INVITE). @defaultValue undefined — as UAC, leave it to
   * the UAS; as UAS, refresh ourselves
   */
  refresher?: RefresherSide;
  /**
   * Method of the refreshes this UA sends. @defaultValue UPDATE when the peer lists it in Allow,
   * else re-INVITE (RFC 4028 §7.4 prefers UPDATE)
   */
  refreshMethod?: 'UPDATE' | 'INVITE';
}

export interface ResolvedSessionTimerOptions {
  sessionExpires: number | undefined;
  minSE: number;
  refresher: RefresherSide | undefined;
  refreshMethod: 'UPDATE' | 'INVITE' | undefined;
}

export const SESSION_TIMER_DEFAULTS = Object.freeze({
  /** RFC 4028 §4 — the RECOMMENDED session interval when a UA asks for one. */
  sessionExpires: 1800,
  /** RFC 4028 §4 — Min-SE MUST NOT be less than 90 seconds. */
  minSE: 90,
});

function wholeSeconds(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > 2 ** 32 - 1) {
    throw new DialogOptionsError(option, `${option} must be a whole number of seconds ≥ 1, not ${value}`);
  }
}

/**
 * Fills the defaults and validates.
 * DEVIATION(RFC 4028 §4): a Min-SE below 90 s is accepted, so lab setups and tests can run
 * sessions of a few seconds; production configurations should keep the default.
 */
export function resolveSessionTimerOptions(options: SessionTimerOptions = {}): ResolvedSessionTimerOptions {
  const minSE = options.minSE ?? SESSION_TIMER_DEFAULTS.minSE;
  wholeSeconds('minSE', minSE);
  if (options.sessionExpires !== undefined) {
    wholeSeconds('sessionExpires', options.sessionExpires);
    if (options.sessionExpires < minSE) {
      throw new DialogOptionsError(
        'sessionExpires',
        `sessionExpires (${options.sessionExpires}) must not be below minSE (${minSE})`,
      );
    }
  }
  return {
    sessionExpires: options.sessionExpires,
    minSE,
    refresher: options.refresher,
    refreshMethod: options.refreshMethod,
  };
}

// ---------------------------------------------------------------------------------------------
// Negotiation
// ---------------------------------------------------------------------------------------------

/** What the negotiation reads from a message: its headers and option tags. */
export interface SessionTimerMessage {
  readonly headers: SipHeaders;
  readonly supported: string[];
  readonly require: string[];
}

/** An agreed session timer in the roles of the transaction that agreed it. */
export interface SessionTimerAgreement {
  interval: number;
  refresher: Refresher;
}

/** An agreed session timer as this UA sees it. */
export interface ActiveSessionTimer {
  interval: number;
  refresher: RefresherSide;
}

/** `uac`/`uas` of a transaction in which this UA plays `role`, seen from this UA. */
export function refresherSide(refresher: Refresher, role: Refresher): RefresherSide {
  return refresher === role ? 'local' : 'remote';
}

function sessionExpiresOf(message: SessionTimerMessage): SessionExpires | undefined {
  const value = message.headers.get('Session-Expires');
  return value === undefined ? undefined : parseSessionExpires(value);
}

function minSEOf(message: SessionTimerMessage): number | undefined {
  const value = message.headers.get('Min-SE');
  return value === undefined ? undefined : parseMinSE(value);
}

function supportsTimer(message: SessionTimerMessage): boolean {
  return message.supported.includes(OPTION_TAG_TIMER) || message.require.includes(OPTION_TAG_TIMER);
}

/**
 * RFC 4028 §7.1, §7.4 — the Session-Expires and Min-SE of a session refresh request this UA sends
 * (the caller adds `Supported: timer`). Inside a session with a running timer the request carries
 * the current interval and says who refreshes (`uac` when that is us). `minSE` raises our floor
 * after a 422 (§7.4: the largest Min-SE seen).
 */
export function sessionTimerRequestHeaders(
  options: ResolvedSessionTimerOptions,
  active: ActiveSessionTimer | undefined,
  minSE: number = options.minSE,
): Record<string, string> {
  let se: SessionExpires;
  if (active !== undefined) {
    se = {
      interval: Math.max(active.interval, minSE),
      refresher: active.refresher === 'local' ? 'uac' : 'uas',
    };
  } else if (options.sessionExpires !== undefined) {
    const refresher =
      options.refresher === undefined ? undefined : options.refresher === 'local' ? 'uac' : 'uas';
    se = { interval: Math.max(options.sessionExpires, minSE), refresher };
  } else {
    return {};
  }
  return { 'Session-Expires': formatSessionExpires(se), 'Min-SE': String(minSE) };
}

export type UasSessionTimerDecision =
  | {
      /** RFC 4028 §9 — the interval asked for is below our minimum: answer 422 with these headers. */
      readonly action: 'reject';
      readonly status: 422;
      readonly minSE: number;
      readonly headers: Record<string, string>;
    }
  | {
      readonly action: 'accept';
      /** The timer the 2xx sets up, or none (no Session-Expires goes in the 2xx). */
      readonly agreement: SessionTimerAgreement | undefined;
      /** Session-Expires and Require for the 2xx. */
      readonly headers: Record<string, string>;
    };

/**
 * RFC 4028 §9 — the UAS side of a session refresh request (the initial INVITE, a re-INVITE or an
 * UPDATE). `active` is the timer already running in the dialog, if any: when the request asks for
 * none, the UAS keeps it going by inserting it in the 2xx.
 *
 * @throws SipHeaderError when Session-Expires or Min-SE does not parse (answer 400).
 */
/** The decision for most calls: no timer asked for, none wanted (shared: nobody changes it). */
const NO_SESSION_TIMER: UasSessionTimerDecision = Object.freeze({
  action: 'accept',
  agreement: undefined,
  headers: Object.freeze({}),
});

/** Who refreshes when the UAS chooses (RFC 4028 §9): us, unless configured to leave it to the peer. */
function chosenRefresher(options: ResolvedSessionTimerOptions): Refresher {
  return options.refresher === 'remote' ? 'uac' : 'uas';
}

export function negotiateAsUas(
  request: SessionTimerMessage,
  options: ResolvedSessionTimerOptions,
  active?: ActiveSessionTimer,
): UasSessionTimerDecision {
  const uacSupports = supportsTimer(request);
  const asked = sessionExpiresOf(request);
  const requestMinSE = minSEOf(request) ?? 0;
  let interval: number;
  let refresher: Refresher;
  if (asked !== undefined) {
    interval = asked.interval;
    if (interval < options.minSE) {
      // RFC 4028 §9 — a request from a UAC that supports the extension, with an interval below
      // the UAS's minimum, MAY be rejected with 422 carrying Min-SE.
      if (uacSupports) {
        return {
          action: 'reject',
          status: 422,
          minSE: options.minSE,
          headers: { 'Min-SE': String(options.minSE) },
        };
      }
      // RFC 4028 errata 1687 (as §8.1 for proxies) — one that does not support it cannot usefully
      // be rejected: the interval is raised to our minimum instead.
      interval = options.minSE;
    } else if (options.sessionExpires !== undefined && options.sessionExpires < interval) {
      // RFC 4028 §9 — the UAS MAY reduce the interval, but not below the request's Min-SE.
      interval = Math.max(options.sessionExpires, requestMinSE, options.minSE);
    }
    // RFC 4028 §9 — a refresher parameter in the request MUST be copied; without one the UAS
    // chooses, and MUST choose itself when the UAC does not support the extension.
    refresher = asked.refresher ?? (uacSupports ? chosenRefresher(options) : 'uas');
  } else {
    // RFC 4028 §9 — no Session-Expires in the request: the UAS MAY still use a session timer by
    // inserting one in the 2xx, not below the request's Min-SE.
    const base = options.sessionExpires ?? active?.interval;
    if (base === undefined) return NO_SESSION_TIMER;
    interval = Math.max(base, requestMinSE, options.minSE);
    const keep = active === undefined ? undefined : active.refresher === 'local' ? 'uas' : 'uac';
    refresher = uacSupports ? (keep ?? chosenRefresher(options)) : 'uas';
  }
  const headers: Record<string, string> = {
    'Session-Expires': formatSessionExpires({ interval, refresher }),
  };
  // RFC 4028 §9 — refresher=uac MUST come with Require: timer (the UAC has to act on it); with
  // refresher=uas the UAS SHOULD add it when the UAC listed timer in Supported.
  if (refresher === 'uac' || uacSupports) headers['Require'] = OPTION_TAG_TIMER;
  return { action: 'accept', agreement: { interval, refresher }, headers };
}

/**
 * RFC 4028 §7.2 — the UAC side of a 2xx to a session refresh request: a Session-Expires in it sets
 * the timer; without one, there is no session expiration any more. A 2xx without the refresher
 * parameter (which the UAS MUST include) leaves the refreshing to the UAC.
 *
 * @throws SipHeaderError when Session-Expires does not parse.
 */
export function negotiateAsUac(response: SessionTimerMessage): SessionTimerAgreement | undefined {
  const se = sessionExpiresOf(response);
  if (se === undefined) return undefined;
  return { interval: se.interval, refresher: se.refresher ?? 'uac' };
}

/**
 * RFC 4028 §7.4 — after a 422 the UAC MAY retry with Min-SE set to the largest Min-SE seen and
 * Session-Expires at least that. Undefined when the 422 carries no usable Min-SE.
 */
export function retryAfter422(
  response: SessionTimerMessage,
  current: { sessionExpires: number; minSE: number },
): { sessionExpires: number; minSE: number } | undefined {
  let asked: number | undefined;
  try {
    asked = minSEOf(response);
  } catch (error) {
    if (error instanceof SipHeaderError) return undefined;
    throw error;
  }
  if (asked === undefined) return undefined;
  const minSE = Math.max(current.minSE, asked);
  return { sessionExpires: Math.max(current.sessionExpires, minSE), minSE };
}

/** RFC 4028 §10 — it is RECOMMENDED that the refresher refresh once half the interval has elapsed. */
export function refreshDelayMs(interval: number): number {
  return interval * 500;
}

/**
 * RFC 4028 §10 — the side not refreshing SHOULD send BYE if no refresh arrived by the session
 * expiration, taken as the interval minus the smaller of 32 s and a third of the interval.
 */
export function expiryDelayMs(interval: number): number {
  return (interval - Math.min(32, interval / 3)) * 1000;
}

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

export type SessionTimerStateName = 'Inactive' | 'Refreshing' | 'Watching' | 'Expired' | 'Stopped';
export type SessionTimerName = 'refresh' | 'expiry';

/** JSON-serialisable state of a dialog's session timer. */
export interface SessionTimerState {
  readonly name: SessionTimerStateName;
  /** The running timer, in Refreshing and Watching. */
  readonly active: ActiveSessionTimer | undefined;
}

export type SessionTimerEvent =
  /** A 2xx to a session refresh request was sent or received with this timer in it. */
  | { readonly type: 'negotiated'; readonly timer: ActiveSessionTimer }
  /** A 2xx to a session refresh request carried no Session-Expires: the timer is gone. */
  | { readonly type: 'disabled' }
  /** A session refresh request we sent ended with this failure status (or a synthetic 408). */
  | { readonly type: 'refreshFailed'; readonly status: number }
  | { readonly type: 'timer'; readonly timer: SessionTimerName }
  /** The dialog ended. */
  | { readonly type: 'stop' };

export type SessionTimerEffect =
  | { readonly type: 'startTimer'; readonly timer: SessionTimerName; readonly delayMs: number }
  | { readonly type: 'cancelTimer'; readonly timer: SessionTimerName }
  /** Send a session refresh request (re-INVITE or UPDATE). */
  | { readonly type: 'sendRefresh' }
  /** End the session with BYE. */
  | { readonly type: 'sendBye' };

export interface SessionTimerStep {
  readonly state: SessionTimerState;
  readonly effects: readonly SessionTimerEffect[];
}

export const INITIAL_SESSION_TIMER_STATE: SessionTimerState = Object.freeze({
  name: 'Inactive',
  active: undefined,
});

const CANCEL_BOTH: readonly SessionTimerEffect[] = [
  { type: 'cancelTimer', timer: 'refresh' },
  { type: 'cancelTimer', timer: 'expiry' },
];

function negotiated(timer: ActiveSessionTimer): SessionTimerStep {
  const local = timer.refresher === 'local';
  return {
    state: { name: local ? 'Refreshing' : 'Watching', active: { ...timer } },
    effects: [
      ...CANCEL_BOTH,
      // The refresher keeps the expiry too: should its refreshes keep failing, it ends the
      // session as the other side will.
      { type: 'startTimer', timer: 'expiry', delayMs: expiryDelayMs(timer.interval) },
      ...(local
        ? [{ type: 'startTimer', timer: 'refresh', delayMs: refreshDelayMs(timer.interval) } as const]
        : []),
    ],
  };
}

const EXPIRED: SessionTimerStep = {
  state: { name: 'Expired', active: undefined },
  effects: [...CANCEL_BOTH, { type: 'sendBye' }],
};

/** One step of the session timer: the new state and the effects to carry out, in order. */
export function stepSessionTimer(state: SessionTimerState, event: SessionTimerEvent): SessionTimerStep {
  if (state.name === 'Expired' || state.name === 'Stopped') {
    // The session is over; answers to refreshes still in flight change nothing.
    if (event.type === 'timer') throw new DialogStateTransitionError('sessionTimer', state.name, event);
    return { state, effects: [] };
  }
  switch (event.type) {
    case 'negotiated':
      return negotiated(event.timer);
    case 'disabled':
      // RFC 4028 §7.2 — a 2xx without Session-Expires: there is no session expiration any more.
      return { state: INITIAL_SESSION_TIMER_STATE, effects: CANCEL_BOTH };
    case 'refreshFailed':
      // RFC 4028 §10 — if the refresh times out or gets 408 or 481, the UAC sends BYE. Other
      // failures leave the session to its expiry.
      if (state.name !== 'Inactive' && (event.status === 408 || event.status === 481)) return EXPIRED;
      return { state, effects: [] };
    case 'timer':
      if (event.timer === 'refresh' && state.name === 'Refreshing') {
        return { state, effects: [{ type: 'sendRefresh' }] };
      }
      // RFC 4028 §10 — no refresh by the session expiration: SHOULD send BYE.
      if (event.timer === 'expiry' && state.name !== 'Inactive') return EXPIRED;
      throw new DialogStateTransitionError('sessionTimer', state.name, event);
    case 'stop':
      return { state: { name: 'Stopped', active: undefined }, effects: CANCEL_BOTH };
    default: {
      const never: never = event;
      throw new TypeError(`unknown event ${JSON.stringify(never)}`);
    }
  }
}
