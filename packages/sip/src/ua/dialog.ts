/**
 * A live dialog (RFC 3261 §12–§15): sends requests inside it, answers the peer's, keeps the UAS's
 * 2xx retransmitting until the ACK arrives (§13.3.1.4), re-ACKs retransmitted 2xx (§13.2.2.4),
 * refuses a re-INVITE that crosses our own with 491 (§14.2) and retries ours after the random
 * back-off of §14.1, and ends with BYE (§15).
 *
 * Events: `destroy` (the dialog ended: BYE received, ACK never came, or destroyed locally),
 * `modify` (re-INVITE or UPDATE with a new offer; answer with `res.send(200, {body})`; without a
 * listener the current local SDP is answered), `info` (RFC 6086), `ack`, and one event per other
 * in-dialog method, lower-cased (`message`, `notify`, `refer`, `options`).
 */
import { EventEmitter } from 'node:events';
import { type SipRequest, type SipResponse, createResponse } from '../messages/index.js';
import type { ServerContext } from '../core/index.js';
import {
  type DialogState,
  type InDialogRequestOptions,
  createInDialogRequest,
  dialogKey,
  receiveInDialogRequest,
  receiveTargetRefreshResponse,
} from '../dialogs/index.js';
import type { TransactionTimers } from '../transactions/index.js';
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
}

export interface DialogEvents {
  destroy: [info: { reason: 'bye' | 'local' | 'ack-timeout' | 'transport'; request?: SipRequest }];
  modify: [req: IncomingRequest, res: Responder];
  info: [req: IncomingRequest, res: Responder];
  ack: [ack: SipRequest];
  message: [req: IncomingRequest, res: Responder];
  notify: [req: IncomingRequest, res: Responder];
  refer: [req: IncomingRequest, res: Responder];
  options: [req: IncomingRequest, res: Responder];
}

const SDP = 'application/sdp';

export class Dialog extends EventEmitter<DialogEvents> {
  /** Session descriptions: ours and the peer's, as last agreed. */
  readonly local: { sdp: string };
  readonly remote: { sdp: string };
  #state: DialogState;
  #destroyed = false;
  /** An INVITE transaction we sent and that has not completed (glare detection, §14.1). */
  #pendingOutgoingInvite = false;
  /** An INVITE the peer sent that we have not answered / has not been ACKed (§14.2). */
  #pendingIncomingInvite = false;
  /** The last ACK we sent per INVITE CSeq, re-sent for retransmitted 2xx (§13.2.2.4). */
  readonly #acks = new Map<
    number,
    { ack: SipRequest; target: Awaited<ReturnType<SipStack['prepareStateless']>> }
  >();
  /** A 2xx we keep retransmitting until its ACK (§13.3.1.4); `abandon` when the dialog ends first. */
  #unacked: { cseq: number; acked: () => void; abandon: () => void } | undefined;

  constructor(
    readonly host: DialogHost,
    state: DialogState,
    sdp: { local: string; remote: string },
  ) {
    super();
    this.#state = state;
    this.local = { sdp: sdp.local };
    this.remote = { sdp: sdp.remote };
  }

  /** The key the agent files this dialog under. */
  get id(): string {
    return dialogKey(this.#state.id);
  }

  get state(): DialogState {
    return this.#state;
  }

  get callId(): string {
    return this.#state.id.callId;
  }

  get destroyed(): boolean {
    return this.#destroyed;
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
    // RFC 3261 §12.2.1.2 — a 481 or 408 to a request inside the dialog ends the dialog.
    if (response.status === 481 || (response.status === 408 && method !== 'BYE')) {
      this.terminate({ reason: 'transport' });
    }
    return response;
  }

  /**
   * RFC 3261 §14.1 — a re-INVITE with a new offer; resolves with the peer's answer. Glare: a 491
   * is retried once after 2.1–4 s if we own the Call-ID (we were the UAC), else after 0–2 s.
   */
  async modify(sdp: string, options: { headers?: Record<string, string | string[]> } = {}): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      if (this.#pendingOutgoingInvite || this.#pendingIncomingInvite) {
        throw new SipError(491, 'Request Pending');
      }
      this.#pendingOutgoingInvite = true;
      let response: SipResponse;
      try {
        response = await this.request('INVITE', { body: sdp, contentType: SDP, ...options });
      } finally {
        this.#pendingOutgoingInvite = false;
      }
      if (response.status >= 200 && response.status < 300) {
        this.local.sdp = sdp;
        this.remote.sdp = response.body.toString('utf8');
        return this.remote.sdp;
      }
      if (response.status === 491 && attempt === 0) {
        const ms = this.#state.role === 'uac' ? 2100 + Math.random() * 1900 : Math.random() * 2000;
        await new Promise((resolve) => this.host.timers.setTimeout(() => resolve(undefined), ms));
        continue;
      }
      throw new SipError(response.status, response.reason, response);
    }
  }

  /** RFC 3261 §15.1.1 — ends the dialog with BYE. Resolves when the BYE is answered (or times out). */
  async destroy(options: { headers?: Record<string, string | string[]> } = {}): Promise<void> {
    if (this.#destroyed) return;
    const built = createInDialogRequest(this.#state, 'BYE', { headers: options.headers ?? {} });
    this.#state = built.state;
    this.terminate({ reason: 'local' });
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
    this.#acks.clear();
    this.#acks.set(cseq, { ack, target });
    await this.host.stack.sendStateless(ack, target);
  }

  /** @internal A retransmitted 2xx reached us: send the same ACK again (§13.2.2.4). */
  resendAck(cseq: number): void {
    const sent = this.#acks.get(cseq);
    if (sent !== undefined) void this.host.stack.sendStateless(sent.ack, sent.target);
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
    const req = new IncomingRequest(context);
    const res = new Responder(context);
    switch (request.method) {
      case 'BYE':
        // RFC 3261 §15.1.2 — answer 200 and end the dialog.
        context.respond(200);
        this.terminate({ reason: 'bye', request });
        return;
      case 'INVITE':
        return this.receiveReinvite(context, req, res);
      case 'UPDATE':
        return this.receiveOffer(context, req, res, 'UPDATE');
      case 'INFO':
        if (this.listenerCount('info') > 0) this.emit('info', req, res);
        else context.respond(200);
        return;
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
    // RFC 3261 §14.2 — an INVITE while our own is pending gets 491; one while the peer's previous
    // INVITE is still unanswered gets 500 with Retry-After.
    if (this.#pendingOutgoingInvite) {
      context.respond(491, { warning: 'a re-INVITE of ours is in progress' });
      return;
    }
    if (this.#pendingIncomingInvite) {
      context.respond(500, { headers: { 'Retry-After': '1' }, warning: 'previous re-INVITE still pending' });
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
    const offer = context.request.body.toString('utf8');
    const originalSend = context.send.bind(context);
    // Intercept the 2xx the application sends: it must carry our Contact, start the 2xx
    // retransmission (INVITE) and update the session descriptions.
    context.send = (response: SipResponse) => {
      if (response.status >= 200 && response.status < 300) {
        if (!response.headers.has('Contact')) response.headers.append('Contact', this.#state.localContact);
        if (offer !== '') this.remote.sdp = offer;
        if (response.body.length > 0) this.local.sdp = response.body.toString('utf8');
        originalSend(response);
        if (method === 'INVITE') this.retransmit2xx(context, response);
        else this.#pendingIncomingInvite = false;
        return;
      }
      this.#pendingIncomingInvite = false;
      originalSend(response);
    };
    if (this.listenerCount('modify') > 0) {
      this.emit('modify', req, res);
      return;
    }
    context.respond(200, { body: this.local.sdp, contentType: SDP });
  }

  /**
   * RFC 3261 §13.3.1.4 — the UAS core retransmits the 2xx (T1, doubling up to T2) until the ACK;
   * after 64·T1 without one, the session SHOULD end (BYE). Over reliable transports only the
   * 64·T1 guard runs. `onEnded` runs instead of `onAck` when the dialog ends before the ACK
   * (a BYE can overtake a lost ACK on UDP).
   */
  retransmit2xx(
    context: ServerContext,
    response: SipResponse,
    onAck?: () => void,
    onTimeout?: () => void,
    onEnded?: () => void,
  ): void {
    this.#unacked?.acked();
    const { timers, T1, T2 } = this.host;
    const reliable = context.source.protocol !== 'udp';
    let interval = T1;
    let retransmitHandle: unknown;
    const cseq = context.request.cseq.seq;
    const schedule = (): void => {
      retransmitHandle = timers.setTimeout(() => {
        context.stack.resendResponse(context, response);
        interval = Math.min(interval * 2, T2);
        schedule();
      }, interval);
    };
    if (!reliable) schedule();
    const giveUp = timers.setTimeout(() => {
      stop();
      this.#pendingIncomingInvite = false;
      onTimeout?.();
      if (onTimeout === undefined) void this.destroy();
    }, 64 * T1);
    const stop = (): void => {
      timers.clearTimeout(retransmitHandle);
      timers.clearTimeout(giveUp);
      if (this.#unacked?.cseq === cseq) this.#unacked = undefined;
    };
    this.#unacked = {
      cseq,
      acked: () => {
        stop();
        onAck?.();
      },
      abandon: () => {
        stop();
        onEnded?.();
      },
    };
  }

  /** @internal The ACK for a 2xx we sent (matched by the agent on Call-ID and tags). */
  receiveAck(ack: SipRequest): void {
    if (this.#unacked !== undefined && this.#unacked.cseq === ack.cseq.seq) {
      this.#unacked.acked();
      this.#pendingIncomingInvite = false;
    }
    this.emit('ack', ack);
  }

  /** @internal Ends the dialog locally: timers stop, the agent forgets it, `destroy` fires once. */
  terminate(info: DialogEvents['destroy'][0]): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#unacked?.abandon();
    this.#state = { ...this.#state, phase: 'terminated' };
    this.host.forget(this);
    this.emit('destroy', info);
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
