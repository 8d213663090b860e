/**
 * The application API, in the spirit of drachtio-srf: handlers per method with middleware,
 * `createUAS` / `createUAC` / `createB2BUA` returning dialogs that emit events, and `request` for
 * requests outside dialogs.
 *
 * ```ts
 * const agent = await SipAgent.listen({ listen: { udp: [{ address: '127.0.0.1', port: 5060 }] } });
 * agent.use('invite', digestAuth({ realm, lookup }));
 * agent.invite(async (req, res) => {
 *   const dialog = await agent.createUAS(req, res, { localSdp });
 *   dialog.on('destroy', () => console.log('call ended'));
 * });
 * ```
 *
 * Extensions: reliable provisional responses (RFC 3262: PRACK, RSeq/RAck, the 2xx held until the
 * PRACK, 420 retry), session timers (RFC 4028: 422, refresh, expiry), UPDATE (RFC 3311) and INFO
 * packages (RFC 6086) — see `SipAgentOptions` and {@link Dialog}.
 */
import { SipHeaderError, parseUri, uriToString } from '../grammar/index.js';
import {
  SipHeaders,
  SipRequest,
  type SipResponse,
  createResponse,
  formatWarning,
  generateCallId,
  generateTag,
} from '../messages/index.js';
import {
  type ClientRequest,
  type ServerContext,
  SipStack,
  type SipStackOptions,
  type TransactionUser,
} from '../core/index.js';
import {
  OPTION_TAG_100REL,
  OPTION_TAG_TIMER,
  ReliableProvisionalDriver,
  type RAck,
  type ResolvedSessionTimerOptions,
  type SessionTimerAgreement,
  type SessionTimerOptions,
  type UasSessionTimerDecision,
  acceptReliableProvisional,
  dialogKey,
  formatRAck,
  negotiateAsUac,
  negotiateAsUas,
  parseRAck,
  parseRSeq,
  resolveSessionTimerOptions,
  retryAfter422,
  sessionTimerRequestHeaders,
  uacDialogState,
  uasDialogState,
} from '../dialogs/index.js';
import { DigestClient } from '../auth/index.js';
import { TimerQueue, type TransactionTimers, TRANSACTION_DEFAULTS } from '../transactions/index.js';
import type { MessageSource, TransportProtocol } from '../transport/index.js';
import {
  type AckWaiter,
  Dialog,
  type DialogHost,
  DialogTimer,
  createInvite2xx,
  fireDialogTimer,
} from './dialog.js';
import { IncomingRequest, Responder } from './incoming-request.js';
import { SipError } from './sip-error.js';

export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: IncomingRequest, res: Responder, next: NextFunction) => void | Promise<void>;
export type RequestHandler = (req: IncomingRequest, res: Responder) => void | Promise<void>;

/** RFC 3262 — reliable provisional responses, per role. */
export interface ReliableProvisionalOptions {
  /**
   * As UAC: `'supported'` puts `Supported: 100rel` in our INVITEs and PRACKs reliable
   * provisionals; `'required'` asks with `Require: 100rel` (dropped on a 420 naming it, RFC 3261
   * §8.1.3.5); `'off'` neither, and a reliable provisional is then taken as an ordinary one.
   * @defaultValue 'supported'
   */
  uac?: 'off' | 'supported' | 'required';
  /**
   * As UAS: `'on-request'` sends a provisional reliably when the INVITE requires it or the
   * application's response carries `Require: 100rel` (and the INVITE allows it); `'always'` every
   * non-100 provisional the INVITE allows; `'off'` never (an INVITE requiring 100rel gets 420).
   * @defaultValue 'on-request'
   */
  uas?: 'off' | 'on-request' | 'always';
}

export interface SipAgentOptions extends SipStackOptions {
  /** User part of our Contact URIs. @defaultValue 'svpn' */
  contactUser?: string;
  /** RFC 3262 reliable provisional responses. @defaultValue { uac: 'supported', uas: 'on-request' } */
  reliableProvisionals?: ReliableProvisionalOptions;
  /**
   * RFC 4028 session timers: `Supported: timer`, 422 below `minSE`, refreshes and expiry BYEs;
   * `false` turns the extension off. @defaultValue {} — supported; a timer only when a peer asks
   */
  sessionTimer?: SessionTimerOptions | false;
  /**
   * RFC 6086 — the Info Packages this agent receives, sent in Recv-Info; an INFO for any other
   * package gets 469. @defaultValue none
   */
  recvInfo?: string[];
}

export interface UasOptions {
  localSdp?: string;
  headers?: Record<string, string | string[]>;
}

export interface UacOptions {
  localSdp?: string;
  headers?: Record<string, string | string[]>;
  /** From URI (our identity). @defaultValue sip:<contactUser>@<our address> */
  from?: string;
  /** To URI. @defaultValue the Request-URI */
  to?: string;
  /** Credentials for a 401/407 challenge (RFC 3261 §22.2). */
  auth?: { username: string; password: string };
  /** Transport for the request when the URI names none. */
  transport?: TransportProtocol;
  /** RFC 3262 for this call. @defaultValue the agent's `reliableProvisionals.uac` */
  reliableProvisionals?: 'off' | 'supported' | 'required';
  /** RFC 4028 settings for this call, over the agent's. @defaultValue the agent's `sessionTimer` */
  sessionTimer?: SessionTimerOptions;
}

export interface UacCallbacks {
  /** The INVITE is on its way: keep the handle to `cancel()` it. */
  cbRequest?: (request: ClientRequest) => void;
  /**
   * Every provisional response the UA core processes (a reliable provisional that is a
   * retransmission or out of order is not, RFC 3262 §4).
   */
  cbProvisional?: (response: SipResponse) => void;
  /**
   * RFC 3262 — a reliable provisional created an early dialog (PRACKed already): `update()` and
   * `info()` work in it.
   */
  cbEarlyDialog?: (dialog: Dialog, response: SipResponse) => void;
}

export interface RequestOptions {
  method: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  contentType?: string;
  from?: string;
  to?: string;
  auth?: { username: string; password: string };
}

/** Methods an agent always handles itself (RFC 3261 §8.2.1 — a UA must support these). */
const CORE_METHODS = ['ACK', 'BYE', 'CANCEL', 'OPTIONS'];
/** Methods its dialogs handle: RFC 3262 PRACK, RFC 3311 UPDATE, RFC 6086 INFO. */
const DIALOG_METHODS = ['PRACK', 'UPDATE', 'INFO'];

export class SipAgent implements TransactionUser, DialogHost {
  readonly stack: SipStack;
  readonly timers: TransactionTimers;
  readonly T1: number;
  readonly T2: number;
  readonly dialogs = new Map<string, Dialog>();
  /** @internal The dialogs' 2xx retransmission timers (DialogHost), on the stack's clock. */
  readonly timerQueue: TimerQueue<DialogTimer>;
  private readonly middleware: { method: string | undefined; fn: Middleware }[] = [];
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly digest = new DigestClient();
  private readonly contactUser: string;
  /** RFC 4028 settings (DialogHost); `false`: the extension is off. */
  readonly sessionTimer: ResolvedSessionTimerOptions | false;
  /** RFC 6086 Recv-Info (DialogHost). */
  readonly recvInfo: readonly string[] | undefined;
  /** Option tags in the Supported of the requests our dialogs send (DialogHost). */
  readonly supportedTags: readonly string[];
  /** @internal RFC 3262 behaviour per role. */
  readonly reliableProvisionals: Required<ReliableProvisionalOptions>;
  /**
   * The INVITEs we are answering, with their RFC 3262 / RFC 4028 state, until their final response
   * goes out. A Map emptied then rather than a WeakMap: every scavenge walks a WeakMap.
   */
  private readonly uasInvites = new Map<ServerContext, UasInvite>();

  private constructor(stack: SipStack, options: SipAgentOptions) {
    this.stack = stack;
    // The stack's clock: closing the agent cancels the dialogs' timers with the transactions'.
    this.timers = stack.timers;
    this.timerQueue = new TimerQueue<DialogTimer>(stack.timers, stack.timers.nowMs, fireDialogTimer);
    this.T1 = options.T1 ?? TRANSACTION_DEFAULTS.T1;
    this.T2 = options.T2 ?? TRANSACTION_DEFAULTS.T2;
    this.contactUser = options.contactUser ?? 'svpn';
    this.reliableProvisionals = { uac: 'supported', uas: 'on-request', ...options.reliableProvisionals };
    this.sessionTimer =
      options.sessionTimer === false ? false : resolveSessionTimerOptions(options.sessionTimer);
    this.recvInfo = options.recvInfo === undefined ? undefined : [...options.recvInfo];
    this.supportedTags = [
      ...(this.reliableProvisionals.uac === 'off' ? [] : [OPTION_TAG_100REL]),
      ...(this.sessionTimer === false ? [] : [OPTION_TAG_TIMER]),
    ];
    stack.setTransactionUser(this);
  }

  /**
   * Binds the transports and returns a running agent.
   * @throws DialogOptionsError when `sessionTimer` is invalid (nothing is bound then).
   */
  static async listen(options: SipAgentOptions): Promise<SipAgent> {
    const validation = options.validation ?? {};
    // Bad extension options fail here, before any socket is bound.
    if (options.sessionTimer !== false) resolveSessionTimerOptions(options.sessionTimer);
    // The Allow list follows the handlers registered later: keep one array and mutate it.
    // INVITE is always let through: a re-INVITE inside a dialog needs no handler (RFC 3261 §14.2).
    const allowedMethods = [...CORE_METHODS, 'INVITE', ...DIALOG_METHODS];
    for (const m of validation.allowedMethods ?? []) if (!allowedMethods.includes(m)) allowedMethods.push(m);
    // RFC 3261 §8.2.2.3 — the extensions we implement are not refused with 420.
    const supportedExtensions = [...(validation.supportedExtensions ?? [])];
    const ours = [
      ...(options.reliableProvisionals?.uas === 'off' ? [] : [OPTION_TAG_100REL]),
      ...(options.sessionTimer === false ? [] : [OPTION_TAG_TIMER]),
    ];
    for (const tag of ours) if (!supportedExtensions.includes(tag)) supportedExtensions.push(tag);
    const stack = await SipStack.create({
      ...options,
      validation: { ...validation, allowedMethods, supportedExtensions },
    });
    const agent = new SipAgent(stack, options);
    agent.allowed = allowedMethods;
    return agent;
  }

  private allowed: string[] = [...CORE_METHODS];

  async close(): Promise<void> {
    for (const dialog of [...this.dialogs.values()]) dialog.terminate({ reason: 'local' });
    this.uasInvites.clear();
    this.timerQueue.clear();
    await this.stack.close();
  }

  // ------------------------------------------------------------------------------------------
  // Handlers and middleware
  // ------------------------------------------------------------------------------------------

  /** Adds middleware for every request (`use(fn)`) or one method (`use('invite', fn)`). */
  use(methodOrFn: string | Middleware, fn?: Middleware): this {
    if (typeof methodOrFn === 'function') this.middleware.push({ method: undefined, fn: methodOrFn });
    else if (fn !== undefined) this.middleware.push({ method: methodOrFn.toUpperCase(), fn });
    return this;
  }

  /** Handles new requests of `method` (outside dialogs). */
  handle(method: string, handler: RequestHandler): this {
    const m = method.toUpperCase();
    this.handlers.set(m, handler);
    if (!this.allowed.includes(m)) this.allowed.push(m);
    return this;
  }

  invite(handler: RequestHandler): this {
    return this.handle('INVITE', handler);
  }
  register(handler: RequestHandler): this {
    return this.handle('REGISTER', handler);
  }
  options(handler: RequestHandler): this {
    return this.handle('OPTIONS', handler);
  }
  message(handler: RequestHandler): this {
    return this.handle('MESSAGE', handler);
  }
  subscribe(handler: RequestHandler): this {
    return this.handle('SUBSCRIBE', handler);
  }
  publish(handler: RequestHandler): this {
    return this.handle('PUBLISH', handler);
  }

  // ------------------------------------------------------------------------------------------
  // TransactionUser (called by the stack)
  // ------------------------------------------------------------------------------------------

  onRequest(context: ServerContext): void {
    const request = context.request;
    const toTag = request.to.tag;
    if (toTag !== undefined) {
      // RFC 3261 §12.2.2 — a request with a To tag belongs to a dialog; without one, 481.
      const dialog = this.dialogs.get(
        dialogKey({ callId: request.callId, localTag: toTag, remoteTag: request.from.tag ?? '' }),
      );
      if (dialog === undefined) {
        context.respond(481, { warning: 'no dialog matches the Call-ID and tags' });
        return;
      }
      dialog.receive(context);
      return;
    }
    if (DIALOG_METHODS.includes(request.method) && !this.handlers.has(request.method)) {
      // RFC 3262 §3, RFC 3311 §5.2, RFC 6086 §4.2.2 — these only make sense inside a dialog.
      context.respond(481, { warning: `${request.method} outside a dialog` });
      return;
    }
    if (request.method === 'INVITE' && !this.prepareInvite(context)) return;
    this.dispatch(context);
  }

  /**
   * An INVITE that starts a dialog: RFC 4028 §9 runs first (422 when the interval is too small),
   * then its responses go through a {@link UasInvite} (reliable provisionals, the held 2xx).
   * Returns false when it was answered here.
   */
  private prepareInvite(context: ServerContext): boolean {
    let sessionTimer: UasSessionTimerDecision | undefined;
    if (this.sessionTimer !== false) {
      try {
        sessionTimer = negotiateAsUas(context.request, this.sessionTimer);
      } catch (error) {
        if (!(error instanceof SipHeaderError)) throw error;
        context.respond(400, { warning: error.message });
        return false;
      }
      if (sessionTimer.action === 'reject') {
        // RFC 4028 §9 — 422 (Session Interval Too Small) with our Min-SE.
        context.respond(422, {
          headers: sessionTimer.headers,
          warning: `session interval below our minimum of ${sessionTimer.minSE} s`,
        });
        return false;
      }
    }
    this.uasInvites.set(
      context,
      new UasInvite(this, context, sessionTimer, () => this.uasInvites.delete(context)),
    );
    return true;
  }

  onAck(ack: SipRequest): void {
    const dialog = this.dialogs.get(
      dialogKey({ callId: ack.callId, localTag: ack.to.tag ?? '', remoteTag: ack.from.tag ?? '' }),
    );
    if (dialog !== undefined) dialog.receiveAck(ack);
    else this.stack.counters.strayAcks++;
  }

  onStray2xx(response: SipResponse, _source: MessageSource): void {
    const dialog = this.dialogs.get(
      dialogKey({
        callId: response.callId,
        localTag: response.from.tag ?? '',
        remoteTag: response.to.tag ?? '',
      }),
    );
    dialog?.resendAck(response.cseq.seq);
  }

  private dispatch(context: ServerContext): void {
    const req = new IncomingRequest(context);
    const res = new Responder(context);
    const method = context.request.method;
    for (const m of this.middleware) {
      if (m.method === undefined || m.method === method) {
        void this.dispatchThroughMiddleware(req, res, method);
        return;
      }
    }
    // No middleware: the handler runs at once, with no promise per request.
    try {
      const handler = this.handlers.get(method);
      if (handler === undefined) return this.answerUnhandled(res, method);
      const out = handler(req, res);
      if (out instanceof Promise) out.catch((error: unknown) => this.handlerFailed(error, res, method));
    } catch (error) {
      this.handlerFailed(error, res, method);
    }
  }

  /** A handler threw or rejected: 500 unless it answered already. */
  private handlerFailed(error: unknown, res: Responder, method: string): void {
    this.stack.log?.error({ err: error, method }, 'request handler failed');
    if (!res.finalSent) res.send(500, { warning: 'internal error while handling the request' });
  }

  /** Without a handler: OPTIONS gets what we support (RFC 3261 §11.2), anything else 405. */
  private answerUnhandled(res: Responder, method: string): void {
    if (method === 'OPTIONS') {
      res.send(200, { headers: { Allow: this.allowed.join(', '), Accept: 'application/sdp' } });
      return;
    }
    res.send(405, {
      headers: { Allow: this.allowed.join(', ') },
      warning: `${method} is not handled here`,
    });
  }

  private async dispatchThroughMiddleware(
    req: IncomingRequest,
    res: Responder,
    method: string,
  ): Promise<void> {
    const chain = this.middleware
      .filter((m) => m.method === undefined || m.method === method)
      .map((m) => m.fn);
    const handler = this.handlers.get(method);
    try {
      for (const fn of chain) {
        const proceed = await new Promise<boolean>((resolve, reject) => {
          const out = fn(req, res, (error?: unknown) =>
            error === undefined ? resolve(true) : reject(error),
          );
          // A middleware that answered without calling next() stops the chain.
          Promise.resolve(out).then(() => {
            if (res.finalSent) resolve(false);
          }, reject);
        });
        if (!proceed) return;
      }
      if (handler !== undefined) {
        await handler(req, res);
        return;
      }
      this.answerUnhandled(res, method);
    } catch (error) {
      this.handlerFailed(error, res, method);
    }
  }

  // ------------------------------------------------------------------------------------------
  // DialogHost
  // ------------------------------------------------------------------------------------------

  forget(dialog: Dialog): void {
    this.dialogs.delete(dialog.id);
  }

  /** @internal Files a dialog so in-dialog requests and ACKs find it. */
  addDialog(dialog: Dialog): Dialog {
    this.dialogs.set(dialog.id, dialog);
    return dialog;
  }

  /** @internal Our Contact header value for a transport. */
  contactFor(protocol: TransportProtocol): string {
    return `<${this.stack.contactUri(this.contactUser, protocol)}>`;
  }

  /**
   * What a dialog-creating request or 2xx says about us: Allow (RFC 3311 §5.1 — UPDATE is in it),
   * Supported (100rel when `reliable` for the role at hand, timer) and Recv-Info (RFC 6086 §4.2.1).
   */
  private capabilityHeaders(reliable: boolean): Readonly<Record<string, string>> {
    // The same for every call until a handler is added: made once per role.
    const cached = this.capabilities[reliable ? 1 : 0];
    if (cached !== undefined && cached.list === this.allowed && cached.allowed === this.allowed.length) {
      return cached.headers;
    }
    const headers: Record<string, string> = { Allow: this.allowed.join(', ') };
    const tags = [
      ...(reliable ? [OPTION_TAG_100REL] : []),
      ...(this.sessionTimer === false ? [] : [OPTION_TAG_TIMER]),
    ];
    if (tags.length > 0) headers['Supported'] = tags.join(', ');
    // RFC 6086 §4.2.1 — an empty Recv-Info says we use the framework but take no package.
    if (this.recvInfo !== undefined) headers['Recv-Info'] = this.recvInfo.join(', ');
    this.capabilities[reliable ? 1 : 0] = { list: this.allowed, allowed: this.allowed.length, headers };
    return headers;
  }

  /** capabilityHeaders per `reliable` (0: false, 1: true), with the Allow list length they were made for. */
  private readonly capabilities: (
    { list: string[]; allowed: number; headers: Readonly<Record<string, string>> } | undefined
  )[] = [undefined, undefined];

  /**
   * The early dialog a reliable provisional response to this INVITE created (RFC 3262), for
   * `update()` / `info()` before the call is answered.
   */
  earlyDialog(req: IncomingRequest): Dialog | undefined {
    const early = this.uasInvites.get(req.context)?.early;
    return early === undefined || early.destroyed ? undefined : early;
  }

  // ------------------------------------------------------------------------------------------
  // UAS
  // ------------------------------------------------------------------------------------------

  /**
   * Answers an INVITE with 200 (our SDP, our Contact) and resolves with the dialog once the ACK
   * arrives (RFC 3261 §13.3.1.4). Rejects with SipError 487 if the caller cancelled first or ended
   * the dialog (BYE) before its ACK arrived, or 408 when no ACK came within 64·T1: the promise only
   * ever resolves with a live dialog, so listeners attached to it cannot miss its `destroy`.
   */
  createUAS(req: IncomingRequest, res: Responder, options: UasOptions = {}): Promise<Dialog> {
    const context = req.context;
    if (context.cancelled || res.finalSent) return Promise.reject(new SipError(487, 'Request Terminated'));
    const invite = this.uasInvites.get(context);
    const early = invite?.early !== undefined && !invite.early.destroyed ? invite.early : undefined;
    const contact = early?.state.localContact ?? this.contactFor(context.source.protocol);
    const timer = invite?.sessionTimer;
    const response = createInvite2xx(context.request, context.toTag, contact, options.localSdp, {
      ...this.capabilityHeaders(this.reliableProvisionals.uas !== 'off'),
      // RFC 4028 §9 — the 2xx carries the agreed Session-Expires (and Require: timer).
      ...(timer?.action === 'accept' ? timer.headers : {}),
      ...options.headers,
    });
    let dialog: Dialog;
    if (early !== undefined) {
      dialog = early;
    } else {
      dialog = this.addDialog(
        new Dialog(this, uasDialogState(context.request, response, contact, this.responseToTag(context)), {
          local: options.localSdp ?? '',
          remote: req.body,
        }),
      );
      dialog.notePeer(context.request);
    }
    return new Promise((resolve, reject) => {
      const waiter = new UasAckWaiter(dialog, context, response, resolve, reject);
      context.send(response);
      // RFC 3262 §3 — the 2xx may be held until the reliable provisionals are PRACKed; usually it
      // went out just now, and the ACK wait starts at once.
      const outcome = invite?.outcome(response) ?? 'sent';
      if (outcome === 'sent') waiter.sent(early, options.localSdp, timer);
      else if (outcome === 'pending') {
        invite?.whenSent(response).then(
          () => waiter.sent(early, options.localSdp, timer),
          (error: unknown) => waiter.failed(error),
        );
      } else waiter.failed(outcome);
    });
  }

  /** The To tag of our responses to `context`: ours, unless its To carried one already (§8.2.6.2). */
  private responseToTag(context: ServerContext): string | undefined {
    return context.request.to.tag === undefined ? context.toTag : undefined;
  }

  // ------------------------------------------------------------------------------------------
  // UAC
  // ------------------------------------------------------------------------------------------

  private buildRequest(
    method: string,
    uri: string,
    options: RequestOptions | (UacOptions & { method?: string }),
  ): SipRequest {
    const requestUri = parseUri(uri);
    const headers = new SipHeaders();
    const protocol = 'transport' in options && options.transport ? options.transport : 'udp';
    const fromUri =
      options.from ?? this.stack.contactUri(this.contactUser, protocol).replace(/;transport=\w+$/, '');
    headers.append('From', `<${fromUri}>;tag=${generateTag()}`);
    headers.append('To', `<${options.to ?? uriToString(requestUri)}>`);
    headers.append('Call-ID', generateCallId());
    headers.append('CSeq', `1 ${method}`);
    headers.append('Max-Forwards', '70');
    if (
      method !== 'REGISTER' ||
      !Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === 'contact')
    ) {
      headers.append('Contact', `<${this.stack.contactUri(this.contactUser, protocol)}>`);
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    return new SipRequest({ method, uri: requestUri, headers });
  }

  /**
   * Sends the request and, when challenged (401/407) and credentials are given, once more with
   * Authorization (RFC 3261 §22.2): same Call-ID and From tag, CSeq + 1, a new branch.
   */
  private async sendWithAuth(
    request: SipRequest,
    auth: { username: string; password: string } | undefined,
    callbacks: UacCallbacks = {},
  ): Promise<{ request: SipRequest; client: ClientRequest; response: SipResponse }> {
    let current = request;
    for (let attempt = 0; ; attempt++) {
      const template = current.clone();
      const client = await this.stack.sendRequest(current, {
        onResponse: (r) => {
          if (r.status < 200) callbacks.cbProvisional?.(r);
        },
      });
      callbacks.cbRequest?.(client);
      const response = await client.final;
      const challengeHeader =
        response.status === 401
          ? 'WWW-Authenticate'
          : response.status === 407
            ? 'Proxy-Authenticate'
            : undefined;
      if (challengeHeader === undefined || auth === undefined || attempt > 0) {
        return { request: current, client, response };
      }
      const challenge = this.digest.pickChallenge(response.headers.getAll(challengeHeader));
      if (challenge === undefined) return { request: current, client, response };
      const next = template;
      next.headers.set('CSeq', `${current.cseq.seq + 1} ${current.method}`);
      const authorization = this.digest.authorize({
        challenge,
        method: current.method,
        uri: uriToString(current.uri),
        username: auth.username,
        password: auth.password,
      });
      next.headers.set(response.status === 401 ? 'Authorization' : 'Proxy-Authorization', authorization);
      current = next;
    }
  }

  /**
   * Places a call: INVITE with our SDP; resolves with the dialog after the 2xx is ACKed, rejects
   * with SipError for a failure response (including the synthetic 408 / 503 of §8.1.3.1).
   * Reliable provisionals are PRACKed in their early dialog (RFC 3262 §4). A 420 naming an option
   * tag we required (RFC 3261 §8.1.3.5) or a 422 (RFC 4028 §7.4) is retried with the next CSeq.
   */
  async createUAC(uri: string, options: UacOptions = {}, callbacks: UacCallbacks = {}): Promise<Dialog> {
    const rel = options.reliableProvisionals ?? this.reliableProvisionals.uac;
    const timer = this.sessionTimer;
    let minSE = timer === false ? 0 : timer.minSE;
    let sessionExpires = timer === false ? undefined : timer.sessionExpires;
    let required = rel === 'required' ? [OPTION_TAG_100REL] : [];
    const own = new Set(Object.keys(options.headers ?? {}).map((h) => h.toLowerCase()));
    const template = this.buildRequest('INVITE', uri, options);
    if (options.localSdp !== undefined && options.localSdp !== '') {
      template.body = Buffer.from(options.localSdp);
      template.headers.set('Content-Type', 'application/sdp');
    }
    for (const [name, value] of Object.entries(this.capabilityHeaders(rel !== 'off'))) {
      if (!own.has(name.toLowerCase())) template.headers.set(name, value);
    }
    let next = template;
    for (let attempt = 0; ; attempt++) {
      const invite = next.clone();
      if (!own.has('require')) {
        if (required.length > 0) invite.headers.set('Require', required.join(', '));
        else invite.headers.delete('Require');
      }
      if (timer !== false && !own.has('session-expires')) {
        // RFC 4028 §7.1 — the interval we ask for, with our Min-SE (raised by a 422, §7.4).
        const headers = sessionTimerRequestHeaders({ ...timer, sessionExpires }, undefined, minSE);
        for (const [name, value] of Object.entries(headers)) invite.headers.set(name, value);
      }
      const early = new Map<string, EarlyUacDialog>();
      let sent = invite;
      const { request, response } = await this.sendWithAuth(invite, options.auth, {
        cbRequest: (client) => {
          sent = client.request;
          callbacks.cbRequest?.(client);
        },
        cbProvisional: (provisional) => {
          if (this.receiveProvisional(sent, provisional, rel, early, callbacks)) {
            callbacks.cbProvisional?.(provisional);
          }
        },
      });
      if (response.status >= 200 && response.status < 300) {
        return this.answered(request, response, early, options.localSdp ?? '');
      }
      for (const e of early.values()) e.dialog.terminate({ reason: 'rejected' });
      if (attempt < 2 && response.status === 420 && required.length > 0) {
        // RFC 3261 §8.1.3.5 — retry without the extensions the 420 lists in Unsupported.
        const unsupported = optionTags(response, 'Unsupported');
        const kept = required.filter((tag) => !unsupported.includes(tag));
        if (kept.length < required.length) {
          required = kept;
          next = nextAttempt(template, request);
          continue;
        }
      }
      if (attempt < 2 && response.status === 422 && sessionExpires !== undefined) {
        // RFC 4028 §7.4 — retry with the 422's Min-SE and an interval at least that.
        const retry = retryAfter422(response, { sessionExpires, minSE });
        if (retry !== undefined) {
          ({ sessionExpires, minSE } = retry);
          next = nextAttempt(template, request);
          continue;
        }
      }
      throw new SipError(response.status, response.reason, response);
    }
  }

  /**
   * RFC 3262 §4 — a provisional response to our INVITE. A reliable one (Require: 100rel with an
   * RSeq) opens or continues its early dialog and, with the next RSeq of that dialog, is PRACKed
   * there; a reliable one with any other RSeq (a retransmission, or one that overtook a lost
   * predecessor) MUST NOT be PRACKed nor processed further. Returns whether the application
   * should see the response.
   *
   * With `rel` 'off' we never offered 100rel, so a UAS MUST NOT have sent it reliably (RFC 3262
   * §3); should one do so, the response is handled as an ordinary provisional.
   */
  private receiveProvisional(
    request: SipRequest,
    response: SipResponse,
    rel: 'off' | 'supported' | 'required',
    early: Map<string, EarlyUacDialog>,
    callbacks: UacCallbacks,
  ): boolean {
    const toTag = response.to.tag;
    if (rel === 'off' || response.status === 100 || toTag === undefined) return true;
    if (!optionTags(response, 'Require').includes(OPTION_TAG_100REL)) return true;
    let rseq: number;
    try {
      rseq = parseRSeq(response.headers.get('RSeq') ?? '');
    } catch (error) {
      if (!(error instanceof SipHeaderError)) throw error;
      this.stack.log?.info(
        { err: error, callId: response.callId },
        'reliable provisional without a usable RSeq',
      );
      return false;
    }
    let entry = early.get(toTag);
    const created = entry === undefined;
    if (entry === undefined) {
      const state = uacDialogState(request, response, request.headers.get('Contact') ?? '');
      const dialog = this.addDialog(
        new Dialog(this, state, { local: request.body.toString('utf8'), remote: '' }),
      );
      dialog.notePeer(response);
      entry = { dialog, lastRSeq: undefined };
      early.set(toTag, entry);
    }
    if (!acceptReliableProvisional(entry.lastRSeq, rseq)) return false;
    entry.lastRSeq = rseq;
    const dialog = entry.dialog;
    if (response.body.length > 0) dialog.remote.sdp = response.body.toString('utf8');
    // RFC 3262 §4 — PRACK inside the early dialog, its RAck naming the RSeq and the INVITE's CSeq.
    const rack = formatRAck({ rseq, cseq: response.cseq.seq, method: response.cseq.method });
    dialog.request('PRACK', { headers: { RAck: rack } }).then(
      (answer) => {
        if (answer.status >= 300) this.stack.log?.info({ status: answer.status, rack }, 'PRACK refused');
      },
      (error: unknown) => this.stack.log?.info({ err: error, rack }, 'PRACK not sent'),
    );
    if (created) callbacks.cbEarlyDialog?.(dialog, response);
    return true;
  }

  /**
   * The 2xx to our INVITE: RFC 3261 §13.2.2.4 — an early dialog with its To tag is confirmed (route
   * set recomputed), otherwise a new dialog is made; the other early dialogs end. Then the ACK,
   * and the session timer the 2xx sets (RFC 4028 §7.2).
   */
  private async answered(
    request: SipRequest,
    response: SipResponse,
    early: Map<string, EarlyUacDialog>,
    localSdp: string,
  ): Promise<Dialog> {
    const toTag = response.to.tag ?? '';
    for (const [tag, e] of early) if (tag !== toTag) e.dialog.terminate({ reason: 'rejected' });
    let dialog = early.get(toTag)?.dialog;
    if (dialog !== undefined && !dialog.destroyed) {
      dialog.confirm(response);
    } else {
      const state = uacDialogState(request, response, request.headers.get('Contact') ?? '');
      dialog = this.addDialog(new Dialog(this, state, { local: localSdp, remote: '' }));
    }
    if (response.body.length > 0) dialog.remote.sdp = response.body.toString('utf8');
    dialog.notePeer(response);
    await dialog.sendAck(request.cseq.seq);
    if (this.sessionTimer !== false) {
      let agreement: SessionTimerAgreement | undefined;
      try {
        agreement = negotiateAsUac(response);
      } catch (error) {
        if (!(error instanceof SipHeaderError)) throw error;
        this.stack.log?.warn({ err: error, callId: response.callId }, 'unreadable Session-Expires in a 2xx');
      }
      dialog.startSessionTimer(agreement, 'uac');
    }
    return dialog;
  }

  /** A request outside any dialog (OPTIONS, REGISTER, MESSAGE, …); resolves with the final response. */
  async request(uri: string, options: RequestOptions): Promise<SipResponse> {
    const request = this.buildRequest(options.method.toUpperCase(), uri, options);
    if (options.body !== undefined) {
      request.body = Buffer.from(options.body);
      if (options.contentType !== undefined) request.headers.set('Content-Type', options.contentType);
    }
    const { response } = await this.sendWithAuth(request, options.auth);
    return response;
  }

  // ------------------------------------------------------------------------------------------
  // B2BUA
  // ------------------------------------------------------------------------------------------

  /**
   * Bridges an incoming INVITE to `uri`: a new call on the B side (its own Call-ID, tags, Via and
   * Contact, so neither side sees the other's addresses), provisional responses relayed to A, a
   * CANCEL from A cancels B, a failure on B is relayed to A, and a BYE on either side ends both.
   * A re-INVITE on one leg is offered to the other and its answer returned.
   */
  async createB2BUA(
    req: IncomingRequest,
    res: Responder,
    uri: string,
    options: UacOptions & { localSdpA?: string } = {},
  ): Promise<{ uas: Dialog; uac: Dialog }> {
    let pending: ClientRequest | undefined;
    req.onCancel(() => pending?.cancel());
    let uac: Dialog;
    try {
      uac = await this.createUAC(
        uri,
        { ...options, localSdp: options.localSdp ?? req.body },
        {
          cbRequest: (client) => {
            pending = client;
            if (req.cancelled) client.cancel();
          },
          cbProvisional: (provisional) => {
            if (provisional.status === 100 || res.finalSent) return;
            const body = provisional.body.length > 0 ? provisional.body : undefined;
            res.send(provisional.status, {
              reason: provisional.reason,
              ...(body === undefined ? {} : { body, contentType: 'application/sdp' }),
            });
          },
        },
      );
    } catch (error) {
      if (!res.finalSent) {
        if (error instanceof SipError) res.send(error.status, { reason: error.reason });
        else res.send(500, { warning: 'the far end could not be reached' });
      }
      throw error;
    }
    if (req.cancelled) {
      await uac.destroy();
      throw new SipError(487, 'Request Terminated');
    }
    let uas: Dialog;
    try {
      uas = await this.createUAS(req, res, { localSdp: options.localSdpA ?? uac.remote.sdp });
    } catch (error) {
      await uac.destroy();
      throw error;
    }
    uas.on('destroy', () => void uac.destroy());
    uac.on('destroy', () => void uas.destroy());
    const relay = (from: Dialog, to: Dialog): void => {
      from.on('modify', (mreq, mres) => {
        to.modify(mreq.body).then(
          (answer) => mres.send(200, { body: answer, contentType: 'application/sdp' }),
          (error: unknown) => mres.send(error instanceof SipError ? error.status : 500),
        );
      });
    };
    relay(uas, uac);
    relay(uac, uas);
    return { uas, uac };
  }
}

/** An early dialog of ours as UAC, with the RSeq of its last in-order reliable provisional. */
interface EarlyUacDialog {
  dialog: Dialog;
  lastRSeq: number | undefined;
}

/** The option tags of a Require / Supported / Unsupported header (none when it does not parse). */
function optionTags(
  message: SipRequest | SipResponse,
  header: 'Require' | 'Supported' | 'Unsupported',
): string[] {
  try {
    if (header === 'Require') return message.require.map((t) => t.toLowerCase());
    if (header === 'Supported') return message.supported.map((t) => t.toLowerCase());
    return message.headers.getAll(header).map((t) => t.trim().toLowerCase());
  } catch (error) {
    if (error instanceof SipHeaderError) return [];
    throw error;
  }
}

/** The INVITE again after a 420 / 422: same Call-ID and From tag, the next CSeq (RFC 3261 §8.1.3.5). */
function nextAttempt(template: SipRequest, last: SipRequest): SipRequest {
  const next = template.clone();
  next.headers.set('CSeq', `${last.cseq.seq + 1} INVITE`);
  return next;
}

/** Settles a `createUAS` promise when the ACK for its 2xx comes, or does not (RFC 3261 §13.3.1.4). */
class UasAckWaiter implements AckWaiter {
  constructor(
    readonly dialog: Dialog,
    readonly context: ServerContext,
    readonly response: SipResponse,
    readonly resolve: (dialog: Dialog) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  /** The 2xx went out: confirm the early dialog, start the session timer, wait for the ACK. */
  sent(
    early: Dialog | undefined,
    localSdp: string | undefined,
    timer: UasSessionTimerDecision | undefined,
  ): void {
    const { dialog, response } = this;
    if (early !== undefined) {
      early.confirm(response);
      if (localSdp !== undefined && localSdp !== '') early.local.sdp = localSdp;
    }
    if (timer?.action === 'accept') dialog.startSessionTimer(timer.agreement, 'uas');
    // RFC 3261 §13.3.1.4 — retransmit the 2xx until the ACK, then resolve.
    dialog.retransmit2xx(this.context, response, this);
  }

  /** Another final response went instead (CANCEL → 487, no PRACK → 5xx). */
  failed(error: unknown): void {
    this.dialog.terminate({ reason: 'rejected' });
    this.reject(error);
  }

  onAck(): void {
    this.resolve(this.dialog);
  }

  onTimeout(): void {
    // RFC 3261 §13.3.1.4 — no ACK within 64·T1: confirm, then end the session with BYE.
    void this.dialog.destroy();
    this.reject(new SipError(408, 'ACK Timeout'));
  }

  onEnded(): void {
    // On UDP the caller's BYE can overtake its lost ACK (RFC 3261 §15.1.2 — it ends the dialog).
    this.reject(new SipError(487, 'Session Ended Before ACK'));
  }
}

/**
 * The UAS side of one INVITE until its final response (RFC 3262 §3): sends provisionals reliably
 * when asked to and allowed to (Require: 100rel, an RSeq, retransmitted until the PRACK, a 5xx
 * after 64·T1), keeps the early dialog they create (where PRACK, UPDATE and INFO arrive), and
 * holds a 2xx until the PRACKs are in. It sits between the application and the server
 * transaction as the context's router, so `res.send(180, { headers: { Require: '100rel' } })`
 * is all an application writes.
 */
class UasInvite {
  /** The early dialog the first reliable provisional created. */
  early: Dialog | undefined;
  readonly #agent: SipAgent;
  readonly #context: ServerContext;
  #driver: ReliableProvisionalDriver<SipResponse> | undefined;
  #final: SipResponse | undefined;
  #finalListeners: ((sent: SipResponse) => void)[] | undefined = undefined;
  readonly #onFinal: () => void;

  constructor(
    agent: SipAgent,
    context: ServerContext,
    /** RFC 4028 §9 — what the 2xx will carry. */
    readonly sessionTimer: UasSessionTimerDecision | undefined,
    /** Called once the final response went out: nothing here is needed any more. */
    onFinal: () => void,
  ) {
    this.#onFinal = onFinal;
    this.#agent = agent;
    this.#context = context;
    context.router = this;
  }

  /** Straight to the transaction. */
  #send(response: SipResponse): void {
    this.#context.sendDirect(response);
  }

  /**
   * Whether `response` (a final) went out (`sent`), is held (`pending`: RFC 3262), or another
   * final response went instead (the SipError to reject with).
   */
  outcome(response: SipResponse): 'sent' | 'pending' | SipError {
    const final = this.#final;
    if (final === undefined) return 'pending';
    return final === response ? 'sent' : new SipError(final.status, final.reason, final);
  }

  /** Resolves once `response` (a final) went out; rejects if another final response went instead. */
  whenSent(response: SipResponse): Promise<void> {
    const outcome = (sent: SipResponse): SipError | undefined =>
      sent === response ? undefined : new SipError(sent.status, sent.reason, sent);
    if (this.#final !== undefined) {
      const error = outcome(this.#final);
      return error === undefined ? Promise.resolve() : Promise.reject(error);
    }
    return new Promise((resolve, reject) =>
      (this.#finalListeners ??= []).push((sent) => {
        const error = outcome(sent);
        if (error === undefined) resolve();
        else reject(error);
      }),
    );
  }

  /** Every response sent for this INVITE comes here first (ServerContext.router). */
  route(response: SipResponse): void {
    // After the final response nothing more goes out (RFC 3261 §17.2.1).
    if (this.#final !== undefined) return;
    if (response.status > 100 && response.status < 200 && this.#reliable(response)) {
      this.#sendReliable(response);
    } else if (response.status < 200) {
      this.#send(response);
    } else if (this.#driver !== undefined) {
      this.#driver.final(response, response.status);
    } else {
      this.#sendFinal(response);
    }
  }

  /** Whether this provisional goes reliably (RFC 3262 §3). */
  #reliable(response: SipResponse): boolean {
    const request = this.#context.request;
    const required = optionTags(request, 'Require').includes(OPTION_TAG_100REL);
    const supported = required || optionTags(request, 'Supported').includes(OPTION_TAG_100REL);
    const asked = optionTags(response, 'Require').includes(OPTION_TAG_100REL);
    const mode = this.#agent.reliableProvisionals.uas;
    if (mode === 'off' || !supported) {
      // RFC 3262 §3 — a provisional MUST NOT be sent reliably to a UAC that did not list 100rel.
      if (asked) {
        const rest = optionTags(response, 'Require').filter((t) => t !== OPTION_TAG_100REL);
        if (rest.length > 0) response.headers.set('Require', rest.join(', '));
        else response.headers.delete('Require');
      }
      return false;
    }
    // RFC 3262 §3 — with Require: 100rel in the INVITE, every non-100 provisional MUST be reliable.
    return required || mode === 'always' || asked;
  }

  #sendReliable(response: SipResponse): void {
    // RFC 3262 §3 — a reliable provisional MUST carry Require: 100rel and an RSeq (stamped when
    // it is first sent); RFC 3261 §12.1.1 — as it creates a dialog, it carries our Contact.
    if (!optionTags(response, 'Require').includes(OPTION_TAG_100REL)) {
      response.headers.append('Require', OPTION_TAG_100REL);
    }
    if (!response.headers.has('Contact')) {
      response.headers.append(
        'Contact',
        this.early?.state.localContact ?? this.#agent.contactFor(this.#context.source.protocol),
      );
    }
    this.#ensureEarlyDialog(response);
    this.#driver ??= new ReliableProvisionalDriver<SipResponse>({
      inviteCseq: this.#context.request.cseq.seq,
      T1: this.#agent.T1,
      timers: this.#agent.timers,
      delegate: {
        transmit: (r, rseq, retransmission) => {
          if (!retransmission) r.headers.set('RSeq', String(rseq));
          this.#send(r);
        },
        sendFinal: (r) => this.#sendFinal(r),
        giveUp: () =>
          this.#sendFinal(
            createResponse(this.#context.request, 500, {
              toTag: this.#context.toTag,
              headers: {
                Warning: formatWarning('no PRACK for a reliable provisional response within 64*T1'),
              },
            }),
          ),
      },
    });
    this.#driver.provisional(response);
  }

  #ensureEarlyDialog(response: SipResponse): void {
    if (this.early !== undefined) {
      if (response.body.length > 0) this.early.local.sdp = response.body.toString('utf8');
      return;
    }
    const request = this.#context.request;
    const state = uasDialogState(request, response, response.headers.get('Contact') ?? '');
    const dialog = new Dialog(this.#agent, state, {
      local: response.body.toString('utf8'),
      remote: request.body.toString('utf8'),
    });
    dialog.notePeer(request);
    dialog.prackHandler = (prack) => this.#receivePrack(prack);
    this.early = this.#agent.addDialog(dialog);
  }

  /** RFC 3262 §3 — a PRACK in the early dialog: 200 when its RAck matches, 481 otherwise. */
  #receivePrack(context: ServerContext): void {
    let rack: RAck;
    try {
      rack = parseRAck(context.request.headers.get('RAck') ?? '');
    } catch (error) {
      if (!(error instanceof SipHeaderError)) throw error;
      context.respond(400, { warning: error.message });
      return;
    }
    if (this.#driver === undefined) {
      context.respond(481, { warning: 'no reliable provisional response awaits a PRACK' });
      return;
    }
    this.#driver.prack(rack, (status) => {
      // RFC 3262 §5 — a PRACK may carry the answer to an offer in the reliable provisional.
      if (status === 200 && context.request.body.length > 0 && this.early !== undefined) {
        this.early.remote.sdp = context.request.body.toString('utf8');
      }
      context.respond(
        status,
        status === 481 ? { warning: 'the RAck matches no unacknowledged reliable provisional response' } : {},
      );
    });
  }

  #sendFinal(response: SipResponse): void {
    if (this.#final !== undefined) return;
    this.#final = response;
    this.#send(response);
    this.#onFinal();
    if (response.status >= 300) this.early?.terminate({ reason: 'rejected' });
    const listeners = this.#finalListeners;
    this.#finalListeners = undefined;
    for (const listener of listeners ?? []) listener(response);
  }
}
