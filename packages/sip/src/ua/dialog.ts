/**
 * A live dialog (RFC 3261 §12–§15): sends requests inside it, answers the peer's, keeps the UAS's
 * 2xx retransmitting until the ACK arrives (§13.3.1.4), re-ACKs retransmitted 2xx (§13.2.2.4),
 * refuses an offer that crosses our own with 491 (§14.2, RFC 3311 §5.2) and retries ours after the
 * random back-off of §14.1, and ends with BYE (§15). Extensions: UPDATE (RFC 3311) in early and
 * confirmed dialogs, INFO with Info Packages (RFC 6086), PRACK routing for reliable provisional
 * responses (RFC 3262) and session timers (RFC 4028).
 *
 * Events: `destroy` (the dialog ended: BYE received, ACK never came, session expired, or destroyed
 * locally), `modify` (re-INVITE or UPDATE with a new offer; answer with `res.send(200, {body})`;
 * without a listener the current local SDP is answered), `refresh` (a session timer was agreed,
 * renewed or dropped), `info` (RFC 6086), `ack`, and one event per other in-dialog method,
 * lower-cased (`message`, `notify`, `refer`, `options`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3311
 * @see https://www.rfc-editor.org/rfc/rfc4028
 * @see https://www.rfc-editor.org/rfc/rfc6086
 */
import { EventEmitter } from 'node:events';
import { SipHeaderError } from '../grammar/index.js';
import { type SipRequest, type SipResponse, createResponse } from '../messages/index.js';
import type { ServerContext } from '../core/index.js';
import {
  type ActiveSessionTimer,
  type DialogState,
  type InDialogRequestOptions,
  type Refresher,
  type ResolvedSessionTimerOptions,
  type SessionTimerAgreement,
  SessionTimerDriver,
  type UasSessionTimerDecision,
  checkInfoPackage,
  confirmDialog,
  createInDialogRequest,
  dialogKey,
  negotiateAsUac,
  negotiateAsUas,
  receiveInDialogRequest,
  receiveTargetRefreshResponse,
  retryAfter422,
  sessionTimerRequestHeaders,
} from '../dialogs/index.js';
import { TimerQueue, type TimerQueueEntry, type TransactionTimers } from '../transactions/index.js';
import type { SipStack } from '../core/index.js';
import { IncomingRequest, Responder } from './incoming-request.js';
import { SipError } from './sip-error.js';

/** What a dialog needs from the agent that owns it. */
export interface DialogHost {
  readonly stack: SipStack;
  readonly timers: TransactionTimers;
  readonly T1: number;
  readonly T2: number;
  /** Removes the dialog from the agent's table. */
  forget(dialog: Dialog): void;
  /** RFC 4028 session timer settings; `false` or absent: the extension is off. */
  readonly sessionTimer?: ResolvedSessionTimerOptions | false;
  /** RFC 6086 — the Info Packages this UA receives (its Recv-Info). @defaultValue none */
  readonly recvInfo?: readonly string[] | undefined;
  /** Option tags put in `Supported` of the re-INVITEs and UPDATEs the dialog sends. */
  readonly supportedTags?: readonly string[];
  /**
   * @internal The agent's queue for its dialogs' 2xx retransmission timers (one platform timer
   * per interval). @defaultValue a timer per retransmission on `timers`
   */
  readonly timerQueue?: TimerQueue<DialogTimer> | undefined;
}

/** @internal A timer of a dialog on a {@link TimerQueue}: tells its owner when it falls due. */
export class DialogTimer implements TimerQueueEntry {
  timerDueAt = 0;
  timerLane: unknown = undefined;
  timerSlot = 0;
  timerHandle: unknown = undefined;

  constructor(readonly owner: { onTimer(timer: DialogTimer): void }) {}
}

/** The expiry callback of a queue of dialog timers. */
export function fireDialogTimer(timer: DialogTimer): void {
  timer.owner.onTimer(timer);
}

export interface DialogEvents {
  destroy: [
    info: {
      /**
       * `bye` the peer ended it; `local` we did; `ack-timeout` no ACK for our 2xx; `transport` a
       * request in it got 408/481; `session-expired` RFC 4028 expiry (we sent BYE); `rejected` an
       * early dialog whose INVITE ended without a 2xx for it.
       */
      reason: 'bye' | 'local' | 'ack-timeout' | 'transport' | 'session-expired' | 'rejected';
      request?: SipRequest;
    },
  ];
  modify: [req: IncomingRequest, res: Responder];
  /** A session timer was agreed or renewed (`undefined`: there is none any more). */
  refresh: [timer: ActiveSessionTimer | undefined];
  info: [req: IncomingRequest, res: Responder];
  ack: [ack: SipRequest];
  message: [req: IncomingRequest, res: Responder];
  notify: [req: IncomingRequest, res: Responder];
  refer: [req: IncomingRequest, res: Responder];
  options: [req: IncomingRequest, res: Responder];
}

/** What `Dialog.info` sends (RFC 6086). */
export interface InfoOptions {
  /** The Info Package; omitted: a legacy INFO without Info-Package (RFC 6086 §2). */
  package?: string;
  contentType?: string;
  body?: string | Buffer;
  headers?: Record<string, string | string[]>;
}

const SDP = 'application/sdp';

export class Dialog extends EventEmitter<DialogEvents> {
  /** Session descriptions: ours and the peer's, as last agreed. */
  readonly local: { sdp: string };
  readonly remote: { sdp: string };
  /** What the peer said it can do, from the Allow and Supported of its INVITE, 2xx or refreshes. */
  readonly peer: { allow: string[]; supported: string[] } = { allow: [], supported: [] };
  #state: DialogState;
  #destroyed = false;
  /** An offer we sent (re-INVITE or UPDATE) that has no answer yet (§14.1, RFC 3311 §5.1). */
  #outgoingOffer: 'INVITE' | 'UPDATE' | undefined;
  /** An UPDATE offer from the peer we have not answered yet (RFC 3311 §5.2). */
  #incomingOffer = false;
  /** An INVITE the peer sent that we have not answered / has not been ACKed (§14.2). */
  #pendingIncomingInvite = false;
  /** The last ACK we sent (for the INVITE with that CSeq), re-sent for retransmitted 2xx (§13.2.2.4). */
  #lastAck:
    { cseq: number; ack: SipRequest; target: Awaited<ReturnType<SipStack['prepareStateless']>> } | undefined =
    undefined;
  /** A 2xx we keep retransmitting until its ACK (§13.3.1.4). */
  #unacked: Unacknowledged2xx | undefined;
  /** RFC 4028 — the session timer, made when one is first agreed (the extension must be on). */
  #sessionTimer: SessionTimerDriver | undefined;
  /** RFC 4028 §7.4 — the Min-SE our refreshes carry (raised by a 422). */
  #minSE: number;
  /** @internal RFC 3262 — answers PRACKs in this early dialog (set by the agent's UAS side). */
  prackHandler: ((context: ServerContext) => void) | undefined;

  constructor(
    readonly host: DialogHost,
    state: DialogState,
    sdp: { local: string; remote: string },
  ) {
    super();
    this.#state = state;
    this.local = { sdp: sdp.local };
    this.remote = { sdp: sdp.remote };
    const timer = host.sessionTimer;
    this.#minSE = timer ? timer.minSE : 0;
  }

  /** The key the agent files this dialog under. */
  get id(): string {
    // The key is asked for when the dialog is filed and forgotten: made once per identity.
    const id = this.#state.id;
    if (this.#key?.of !== id) this.#key = { of: id, key: dialogKey(id) };
    return this.#key.key;
  }

  #key: { of: DialogState['id']; key: string } | undefined = undefined;

  get state(): DialogState {
    return this.#state;
  }

  get callId(): string {
    return this.#state.id.callId;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** The session timer in force (RFC 4028), if any. */
  get sessionTimer(): ActiveSessionTimer | undefined {
    return this.#sessionTimer?.active;
  }

  // ------------------------------------------------------------------------------------------
  // Requests we send
  // ------------------------------------------------------------------------------------------

  /**
   * Sends a request inside the dialog and resolves with its final response (a failure response
   * resolves too; only a 2xx to INVITE is ACKed here).
   */
  async request(method: string, options: InDialogRequestOptions = {}): Promise<SipResponse> {
    if (this.#destroyed) throw new SipError(481, 'Call/Transaction Does Not Exist');
    const built = createInDialogRequest(this.#state, method, options);
    this.#state = built.state;
    const client = await this.host.stack.sendRequest(built.request);
    const response = await client.final;
    if (response.status >= 200 && response.status < 300 && (method === 'INVITE' || method === 'UPDATE')) {
      this.#state = receiveTargetRefreshResponse(this.#state, response);
    }
    if (method === 'INVITE' && response.status >= 200 && response.status < 300) {
      await this.sendAck(built.request.cseq.seq);
    }
    if (response.status === 481 || (response.status === 408 && method !== 'BYE')) {
      // RFC 4028 §10 — a session refresh request that times out or gets 408 / 481: send BYE.
      if (method === 'INVITE' || method === 'UPDATE') this.#sessionTimer?.refreshFailed(response.status);
      // RFC 3261 §12.2.1.2 — a 481 or 408 to a request inside the dialog ends the dialog.
      this.terminate({ reason: 'transport' });
    }
    return response;
  }

  /**
   * RFC 3261 §14.1 — a re-INVITE with a new offer; resolves with the peer's answer. Glare: a 491
   * is retried once after 2.1–4 s if we own the Call-ID (we were the UAC), else after 0–2 s.
   */
  modify(sdp: string, options: { headers?: Record<string, string | string[]> } = {}): Promise<string> {
    return this.#offer('INVITE', sdp, options);
  }

  /**
   * RFC 3311 — an UPDATE with a new offer, in an early or a confirmed dialog; resolves with the
   * peer's answer. A 491 is retried once after the same back-off as a re-INVITE (RFC 3311 §5.1).
   */
  update(sdp: string, options: { headers?: Record<string, string | string[]> } = {}): Promise<string> {
    return this.#offer('UPDATE', sdp, options);
  }

  /**
   * RFC 6086 — an INFO, for an Info Package (`Info-Package` plus `Content-Disposition:
   * info-package`, §4.2.1) or legacy. Resolves with the 2xx; rejects with SipError otherwise (469
   * when the peer does not take the package).
   */
  async info(options: InfoOptions = {}): Promise<SipResponse> {
    const headers: Record<string, string | string[]> = {};
    if (options.package !== undefined) {
      headers['Info-Package'] = options.package;
      if (options.body !== undefined && options.body.length > 0)
        headers['Content-Disposition'] = 'info-package';
    }
    const response = await this.request('INFO', {
      headers: { ...headers, ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
    });
    if (response.status >= 300) throw new SipError(response.status, response.reason, response);
    return response;
  }

  /** Sends an offer (re-INVITE or UPDATE), with the session timer headers; see `modify` / `update`. */
  async #offer(
    method: 'INVITE' | 'UPDATE',
    sdp: string,
    options: { headers?: Record<string, string | string[]> },
  ): Promise<string> {
    let glareRetried = false;
    let minSERetried = false;
    for (;;) {
      // RFC 3261 §14.1 — no re-INVITE while another INVITE transaction is in progress in either
      // direction (the dialog's own INVITE, while early); RFC 3311 §5.1 — no new offer while one
      // is unanswered.
      const inviteBusy =
        method === 'INVITE' && (this.#pendingIncomingInvite || this.#state.phase !== 'confirmed');
      if (this.#outgoingOffer !== undefined || this.#incomingOffer || inviteBusy) {
        throw new SipError(491, 'Request Pending');
      }
      this.#outgoingOffer = method;
      let response: SipResponse;
      try {
        response = await this.request(method, {
          ...(sdp === '' ? {} : { body: sdp, contentType: SDP }),
          headers: { ...this.#extensionHeaders(), ...options.headers },
        });
      } finally {
        this.#outgoingOffer = undefined;
      }
      if (response.status >= 200 && response.status < 300) {
        this.local.sdp = sdp;
        if (response.body.length > 0) this.remote.sdp = response.body.toString('utf8');
        this.notePeer(response);
        this.#negotiatedAsUac(response);
        return this.remote.sdp;
      }
      if (response.status === 491 && !glareRetried) {
        glareRetried = true;
        const ms = this.#state.role === 'uac' ? 2100 + Math.random() * 1900 : Math.random() * 2000;
        await new Promise((resolve) => this.host.timers.setTimeout(() => resolve(undefined), ms));
        if (this.#destroyed) throw new SipError(481, 'Call/Transaction Does Not Exist');
        continue;
      }
      const timer = this.host.sessionTimer;
      if (response.status === 422 && timer && !minSERetried) {
        // RFC 4028 §7.4 — retry with the Min-SE of the 422 and an interval at least that.
        const current = this.#sessionTimer?.active?.interval ?? timer.sessionExpires ?? this.#minSE;
        const next = retryAfter422(response, { sessionExpires: current, minSE: this.#minSE });
        if (next !== undefined) {
          minSERetried = true;
          this.#minSE = next.minSE;
          continue;
        }
      }
      throw new SipError(response.status, response.reason, response);
    }
  }

  /** Supported, Session-Expires and Min-SE for a re-INVITE or UPDATE we send. */
  #extensionHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    const tags = this.host.supportedTags ?? [];
    if (tags.length > 0) headers['Supported'] = tags.join(', ');
    const timer = this.host.sessionTimer;
    if (timer)
      Object.assign(headers, sessionTimerRequestHeaders(timer, this.#sessionTimer?.active, this.#minSE));
    return headers;
  }

  /** RFC 4028 §7.2 — the 2xx to our session refresh request sets, renews or removes the timer. */
  #negotiatedAsUac(response: SipResponse): void {
    if (!this.host.sessionTimer) return;
    let agreement: SessionTimerAgreement | undefined;
    try {
      agreement = negotiateAsUac(response);
    } catch (error) {
      if (!(error instanceof SipHeaderError)) throw error;
      this.host.stack.log?.warn({ err: error, callId: this.callId }, 'unreadable Session-Expires in a 2xx');
      return;
    }
    this.startSessionTimer(agreement, 'uac');
  }

  /** @internal A 2xx to a session refresh request was sent (`uas`) or received (`uac`). */
  startSessionTimer(agreement: SessionTimerAgreement | undefined, role: Refresher): void {
    if (!this.host.sessionTimer || this.#destroyed) return;
    // Most calls never agree on a timer: its driver is made the first time one is.
    if (this.#sessionTimer === undefined && agreement !== undefined) {
      this.#sessionTimer = new SessionTimerDriver({
        timers: this.host.timers,
        delegate: {
          onRefresh: () => void this.#refreshSession(),
          onExpire: () => void this.#end('session-expired'),
        },
      });
    }
    this.#sessionTimer?.negotiated(agreement, role);
    this.emit('refresh', this.#sessionTimer?.active);
  }

  /**
   * RFC 4028 §10 — we are the refresher and half the interval has gone: the same session
   * description again, by UPDATE when the peer allows it (RFC 4028 §7.4 prefers it), else re-INVITE.
   */
  async #refreshSession(): Promise<void> {
    const timer = this.host.sessionTimer;
    const method =
      (timer ? timer.refreshMethod : undefined) ?? (this.peer.allow.includes('UPDATE') ? 'UPDATE' : 'INVITE');
    try {
      await this.#offer(method, this.local.sdp, {});
    } catch (error) {
      // The expiry timer still runs: if no refresh succeeds the session ends with BYE.
      this.host.stack.log?.info({ err: error, callId: this.callId, method }, 'session refresh failed');
    }
  }

  /** RFC 3261 §15.1.1 — ends the dialog with BYE. Resolves when the BYE is answered (or times out). */
  destroy(options: { headers?: Record<string, string | string[]> } = {}): Promise<void> {
    return this.#end('local', options.headers);
  }

  async #end(
    reason: DialogEvents['destroy'][0]['reason'],
    headers: Record<string, string | string[]> = {},
  ): Promise<void> {
    if (this.#destroyed) return;
    const built = createInDialogRequest(this.#state, 'BYE', { headers });
    this.#state = built.state;
    this.terminate({ reason });
    try {
      const client = await this.host.stack.sendRequest(built.request);
      await client.final;
    } catch {
      // The dialog is gone either way; a BYE that cannot be sent has nothing left to clean up.
    }
  }

  /** @internal RFC 3261 §13.2.2.4 — ACK a 2xx to our INVITE: a new transaction-less request. */
  async sendAck(cseq: number): Promise<void> {
    const { request: ack } = createInDialogRequest(this.#state, 'ACK', { cseq });
    const target = await this.host.stack.prepareStateless(ack);
    this.#lastAck = { cseq, ack, target };
    await this.host.stack.sendStateless(ack, target);
  }

  /** @internal A retransmitted 2xx reached us: send the same ACK again (§13.2.2.4). */
  resendAck(cseq: number): void {
    const sent = this.#lastAck?.cseq === cseq ? this.#lastAck : undefined;
    if (sent !== undefined) void this.host.stack.sendStateless(sent.ack, sent.target);
  }

  /** @internal The early dialog is confirmed by the 2xx to its INVITE (RFC 3261 §13.2.2.4). */
  confirm(response: SipResponse): void {
    this.#state = confirmDialog(this.#state, response);
    this.prackHandler = undefined;
  }

  /** @internal Remembers the Allow and Supported the peer sent (unparseable values are ignored). */
  notePeer(message: SipRequest | SipResponse): void {
    try {
      if (message.headers.has('Allow')) this.peer.allow = message.allow;
      if (message.headers.has('Supported')) this.peer.supported = message.supported;
    } catch (error) {
      if (!(error instanceof SipHeaderError)) throw error;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Requests we receive
  // ------------------------------------------------------------------------------------------

  /** @internal A request from the peer inside this dialog (never ACK or CANCEL). */
  receive(context: ServerContext): void {
    const request = context.request;
    const check = receiveInDialogRequest(this.#state, request);
    if (!check.ok) {
      context.respond(check.status, { warning: check.warning });
      return;
    }
    this.#state = check.state;
    if (request.method === 'BYE') {
      // RFC 3261 §15.1.2 — answer 200 and end the dialog.
      context.respond(200);
      this.terminate({ reason: 'bye', request });
      return;
    }
    const req = new IncomingRequest(context);
    const res = new Responder(context);
    switch (request.method) {
      case 'INVITE':
        return this.receiveReinvite(context, req, res);
      case 'UPDATE':
        return this.receiveOffer(context, req, res, 'UPDATE');
      case 'PRACK':
        // RFC 3262 §3 — a PRACK matching no unacknowledged reliable provisional response gets 481.
        if (this.prackHandler !== undefined) this.prackHandler(context);
        else context.respond(481, { warning: 'no reliable provisional response awaits a PRACK' });
        return;
      case 'INFO': {
        const info = checkInfoPackage(request.headers, this.host.recvInfo ?? []);
        if (!info.ok) {
          // RFC 6086 §4.2.2 — an Info Package we did not list in Recv-Info gets 469.
          context.respond(info.status, { headers: info.headers, warning: info.warning });
          return;
        }
        if (this.listenerCount('info') > 0) this.emit('info', req, res);
        else context.respond(200);
        return;
      }
      case 'MESSAGE':
      case 'NOTIFY':
      case 'REFER':
      case 'OPTIONS': {
        const event = request.method.toLowerCase() as 'message' | 'notify' | 'refer' | 'options';
        if (this.listenerCount(event) > 0) this.emit(event, req, res);
        else if (request.method === 'OPTIONS' || request.method === 'MESSAGE') context.respond(200);
        else context.respond(501, { warning: `${request.method} is not handled in this dialog` });
        return;
      }
      default:
        context.respond(501, { warning: `${request.method} is not supported inside a dialog` });
    }
  }

  private receiveReinvite(context: ServerContext, req: IncomingRequest, res: Responder): void {
    // RFC 3261 §14.2 — an INVITE while our own offer is pending gets 491 (RFC 3311 §5.2: so does
    // one crossing our UPDATE); one while the peer's previous INVITE or UPDATE offer is still
    // unanswered gets 500 with Retry-After. In an early dialog the dialog's own INVITE is pending.
    const early = this.#state.phase === 'early';
    if (this.#outgoingOffer !== undefined || (early && this.#state.role === 'uac')) {
      context.respond(491, { warning: 'an offer of ours is in progress' });
      return;
    }
    if (this.#pendingIncomingInvite || this.#incomingOffer || early) {
      context.respond(500, { headers: { 'Retry-After': '1' }, warning: 'previous offer still pending' });
      return;
    }
    this.#pendingIncomingInvite = true;
    context.once('terminated', () => (this.#pendingIncomingInvite = false));
    this.receiveOffer(context, req, res, 'INVITE');
  }

  /** A re-INVITE or UPDATE: the application answers via `modify`, or we answer with our SDP. */
  private receiveOffer(
    context: ServerContext,
    req: IncomingRequest,
    res: Responder,
    method: 'INVITE' | 'UPDATE',
  ): void {
    const request = context.request;
    const offer = request.body.toString('utf8');
    const hasOffer = offer !== '';
    const fail = (status: number, options: { headers?: Record<string, string>; warning: string }): void => {
      if (method === 'INVITE') this.#pendingIncomingInvite = false;
      context.respond(status, options);
    };
    if (method === 'UPDATE' && hasOffer) {
      // RFC 3311 §5.2 — an UPDATE offer while ours is unanswered gets 491; one while the peer's
      // previous offer is unanswered gets 500 with a Retry-After between 0 and 10 s.
      if (this.#outgoingOffer !== undefined) {
        fail(491, { warning: 'an offer of ours is in progress' });
        return;
      }
      if (this.#incomingOffer) {
        const retry = String(Math.floor(Math.random() * 11));
        fail(500, { headers: { 'Retry-After': retry }, warning: 'previous offer still pending' });
        return;
      }
    }
    let timer: UasSessionTimerDecision | undefined;
    if (this.host.sessionTimer) {
      try {
        timer = negotiateAsUas(request, this.host.sessionTimer, this.#sessionTimer?.active);
      } catch (error) {
        if (!(error instanceof SipHeaderError)) throw error;
        fail(400, { warning: error.message });
        return;
      }
      if (timer.action === 'reject') {
        // RFC 4028 §9 — 422 (Session Interval Too Small) with our Min-SE.
        fail(422, {
          headers: timer.headers,
          warning: `session interval below our minimum of ${timer.minSE} s`,
        });
        return;
      }
    }
    this.notePeer(request);
    if (hasOffer) this.#incomingOffer = true;
    const originalSend = context.send.bind(context);
    // Intercept the final response the application sends: a 2xx must carry our Contact and the
    // session timer, start the 2xx retransmission (INVITE only: UPDATE has no ACK) and update the
    // session descriptions.
    context.send = (response: SipResponse) => {
      if (response.status < 200) {
        originalSend(response);
        return;
      }
      if (hasOffer) this.#incomingOffer = false;
      if (response.status >= 300) {
        if (method === 'INVITE') this.#pendingIncomingInvite = false;
        originalSend(response);
        return;
      }
      if (!response.headers.has('Contact')) response.headers.append('Contact', this.#state.localContact);
      if (timer?.action === 'accept' && !response.headers.has('Session-Expires')) {
        for (const [name, value] of Object.entries(timer.headers)) {
          if (!response.headers.has(name)) response.headers.append(name, value);
        }
      }
      if (hasOffer) this.remote.sdp = offer;
      if (response.body.length > 0) this.local.sdp = response.body.toString('utf8');
      originalSend(response);
      if (method === 'INVITE') this.retransmit2xx(context, response);
      if (timer?.action === 'accept') this.startSessionTimer(timer.agreement, 'uas');
    };
    if (hasOffer && offer === this.remote.sdp && this.remote.sdp !== '') {
      // RFC 3264 §8 — an offer identical to the description in force changes nothing (a session
      // refresh, RFC 4028): answer with the description in force, without troubling the application.
      context.respond(200, { body: this.local.sdp, contentType: SDP });
      return;
    }
    if (!hasOffer && method === 'UPDATE') {
      // RFC 3311 §5.2 — an UPDATE without an offer (a bare refresh) gets a 2xx without an answer.
      context.respond(200);
      return;
    }
    if (this.listenerCount('modify') > 0) {
      this.emit('modify', req, res);
      return;
    }
    context.respond(200, { body: this.local.sdp, contentType: SDP });
  }

  /**
   * RFC 3261 §13.3.1.4 — the UAS core retransmits the 2xx (T1, doubling up to T2) until the ACK;
   * after 64·T1 without one, the session SHOULD end (BYE). Over reliable transports only the
   * 64·T1 guard runs. `waiter.onEnded` runs instead of `onAck` when the dialog ends before the
   * ACK (a BYE can overtake a lost ACK on UDP); without `waiter.onTimeout` the dialog ends with BYE.
   */
  retransmit2xx(context: ServerContext, response: SipResponse, waiter?: AckWaiter): void {
    this.#unacked?.acked();
    this.#unacked = new Unacknowledged2xx(this, context, response, waiter);
  }

  /** @internal The 2xx's retransmission ended (ACK, timeout or the dialog's end). */
  unackedDone(unacked: Unacknowledged2xx, timedOut: boolean): void {
    if (this.#unacked === unacked) this.#unacked = undefined;
    if (!timedOut) return;
    this.#pendingIncomingInvite = false;
    if (unacked.waiter?.onTimeout === undefined) void this.destroy();
  }

  /** @internal The ACK for a 2xx we sent (matched by the agent on Call-ID and tags). */
  receiveAck(ack: SipRequest): void {
    if (this.#unacked !== undefined && this.#unacked.cseq === ack.cseq.seq) {
      this.#unacked.acked();
      this.#pendingIncomingInvite = false;
      // RFC 3264 §4 — an INVITE without an offer got ours in the 2xx: the answer is in the ACK.
      if (ack.body.length > 0) this.remote.sdp = ack.body.toString('utf8');
    }
    this.emit('ack', ack);
  }

  /** @internal Ends the dialog locally: timers stop, the agent forgets it, `destroy` fires once. */
  terminate(info: DialogEvents['destroy'][0]): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#unacked?.abandon();
    this.#sessionTimer?.stop();
    this.prackHandler = undefined;
    this.#state = { ...this.#state, phase: 'terminated' };
    this.host.forget(this);
    this.emit('destroy', info);
  }
}

/** Who waits for the ACK of a 2xx (see `Dialog.retransmit2xx`). */
export interface AckWaiter {
  onAck?(): void;
  onTimeout?(): void;
  onEnded?(): void;
}

/**
 * RFC 3261 §13.3.1.4 — a 2xx the UAS core keeps sending (T1, doubling up to T2; UDP only) until
 * its ACK, for at most 64·T1. One object with methods per call, rather than a closure per timer.
 */
class Unacknowledged2xx {
  readonly cseq: number;
  #interval: number;
  readonly #queue: TimerQueue<DialogTimer>;
  readonly #retransmit = new DialogTimer(this);
  readonly #giveUp = new DialogTimer(this);
  #done = false;

  constructor(
    readonly dialog: Dialog,
    readonly context: ServerContext,
    readonly response: SipResponse,
    readonly waiter: AckWaiter | undefined,
  ) {
    const { T1 } = dialog.host;
    // Two timers per call, stopped within a round trip as a rule: on a queue they cost a slot each.
    this.#queue =
      dialog.host.timerQueue ?? new TimerQueue<DialogTimer>(dialog.host.timers, undefined, fireDialogTimer);
    this.cseq = context.request.cseq.seq;
    this.#interval = T1;
    if (context.source.protocol === 'udp') this.#queue.add(this.#retransmit, this.#interval);
    this.#queue.add(this.#giveUp, 64 * T1);
  }

  onTimer(timer: DialogTimer): void {
    if (timer === this.#giveUp) this.#timedOut();
    else this.#resend();
  }

  #resend(): void {
    if (this.#done) return;
    this.context.stack.resendResponse(this.context, this.response);
    this.#interval = Math.min(this.#interval * 2, this.dialog.host.T2);
    this.#queue.add(this.#retransmit, this.#interval);
  }

  #stop(): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.#queue.remove(this.#retransmit);
    this.#queue.remove(this.#giveUp);
    return true;
  }

  #timedOut(): void {
    if (!this.#stop()) return;
    this.dialog.unackedDone(this, true);
    this.waiter?.onTimeout?.();
  }

  /** The ACK came. */
  acked(): void {
    if (!this.#stop()) return;
    this.dialog.unackedDone(this, false);
    this.waiter?.onAck?.();
  }

  /** The dialog ended before the ACK. */
  abandon(): void {
    if (!this.#stop()) return;
    this.dialog.unackedDone(this, false);
    this.waiter?.onEnded?.();
  }
}

/** Builds a 2xx to a dialog-creating INVITE with our Contact and SDP (RFC 3261 §13.3.1.4). */
export function createInvite2xx(
  request: SipRequest,
  toTag: string,
  contact: string,
  sdp: string | undefined,
  headers: Record<string, string | string[]> = {},
): SipResponse {
  return createResponse(request, 200, {
    toTag,
    headers: { Contact: contact, ...headers },
    ...(sdp === undefined || sdp === '' ? {} : { body: Buffer.from(sdp), contentType: SDP }),
  });
}
