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
 */
import { parseUri, uriToString } from '../grammar/index.js';
import { SipHeaders, SipRequest, type SipResponse, generateCallId, generateTag } from '../messages/index.js';
import {
  type ClientRequest,
  type ServerContext,
  SipStack,
  type SipStackOptions,
  type TransactionUser,
} from '../core/index.js';
import { uacDialogState, uasDialogState, dialogKey } from '../dialogs/index.js';
import { DigestClient } from '../auth/index.js';
import { type TransactionTimers, TRANSACTION_DEFAULTS } from '../transactions/index.js';
import type { MessageSource, TransportProtocol } from '../transport/index.js';
import { Dialog, type DialogHost, createInvite2xx } from './dialog.js';
import { IncomingRequest, Responder } from './incoming-request.js';
import { SipError } from './sip-error.js';

export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: IncomingRequest, res: Responder, next: NextFunction) => void | Promise<void>;
export type RequestHandler = (req: IncomingRequest, res: Responder) => void | Promise<void>;

export interface SipAgentOptions extends SipStackOptions {
  /** User part of our Contact URIs. @defaultValue 'svpn' */
  contactUser?: string;
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
}

export interface UacCallbacks {
  /** The INVITE is on its way: keep the handle to `cancel()` it. */
  cbRequest?: (request: ClientRequest) => void;
  /** Every provisional response. */
  cbProvisional?: (response: SipResponse) => void;
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

export class SipAgent implements TransactionUser, DialogHost {
  readonly stack: SipStack;
  readonly timers: TransactionTimers;
  readonly T1: number;
  readonly T2: number;
  readonly dialogs = new Map<string, Dialog>();
  private readonly middleware: { method: string | undefined; fn: Middleware }[] = [];
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly digest = new DigestClient();
  private readonly contactUser: string;

  private constructor(stack: SipStack, options: SipAgentOptions) {
    this.stack = stack;
    // The stack's clock: closing the agent cancels the dialogs' timers with the transactions'.
    this.timers = stack.timers;
    this.T1 = options.T1 ?? TRANSACTION_DEFAULTS.T1;
    this.T2 = options.T2 ?? TRANSACTION_DEFAULTS.T2;
    this.contactUser = options.contactUser ?? 'svpn';
    stack.setTransactionUser(this);
  }

  /** Binds the transports and returns a running agent. */
  static async listen(options: SipAgentOptions): Promise<SipAgent> {
    const validation = options.validation ?? {};
    // The Allow list follows the handlers registered later: keep one array and mutate it.
    const allowedMethods = [...CORE_METHODS, ...(validation.allowedMethods ?? [])];
    const stack = await SipStack.create({ ...options, validation: { ...validation, allowedMethods } });
    const agent = new SipAgent(stack, options);
    agent.allowed = allowedMethods;
    return agent;
  }

  private allowed: string[] = [...CORE_METHODS];

  async close(): Promise<void> {
    for (const dialog of [...this.dialogs.values()]) dialog.terminate({ reason: 'local' });
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
    void this.dispatch(context);
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

  private async dispatch(context: ServerContext): Promise<void> {
    const req = new IncomingRequest(context);
    const res = new Responder(context);
    const method = context.request.method;
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
      if (method === 'OPTIONS') {
        // RFC 3261 §11.2 — answer OPTIONS with what we support.
        res.send(200, { headers: { Allow: this.allowed.join(', '), Accept: 'application/sdp' } });
        return;
      }
      res.send(405, {
        headers: { Allow: this.allowed.join(', ') },
        warning: `${method} is not handled here`,
      });
    } catch (error) {
      this.stack.log?.error({ err: error, method }, 'request handler failed');
      if (!res.finalSent) res.send(500, { warning: 'internal error while handling the request' });
    }
  }

  // ------------------------------------------------------------------------------------------
  // DialogHost
  // ------------------------------------------------------------------------------------------

  forget(dialog: Dialog): void {
    this.dialogs.delete(dialog.id);
  }

  private addDialog(dialog: Dialog): Dialog {
    this.dialogs.set(dialog.id, dialog);
    return dialog;
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
    const contact = `<${this.stack.contactUri(this.contactUser, context.source.protocol)}>`;
    const response = createInvite2xx(
      context.request,
      context.toTag,
      contact,
      options.localSdp,
      options.headers,
    );
    const state = uasDialogState(context.request, response, contact);
    const dialog = this.addDialog(
      new Dialog(this, state, { local: options.localSdp ?? '', remote: req.body }),
    );
    return new Promise((resolve, reject) => {
      context.send(response);
      dialog.retransmit2xx(
        context,
        response,
        () => resolve(dialog),
        () => {
          // RFC 3261 §13.3.1.4 — no ACK within 64·T1: confirm, then end the session with BYE.
          void dialog.destroy();
          reject(new SipError(408, 'ACK Timeout'));
        },
        // On UDP the caller's BYE can overtake its lost ACK (RFC 3261 §15.1.2 — it ends the dialog).
        () => reject(new SipError(487, 'Session Ended Before ACK')),
      );
    });
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
   */
  async createUAC(uri: string, options: UacOptions = {}, callbacks: UacCallbacks = {}): Promise<Dialog> {
    const invite = this.buildRequest('INVITE', uri, options);
    if (options.localSdp !== undefined && options.localSdp !== '') {
      invite.body = Buffer.from(options.localSdp);
      invite.headers.set('Content-Type', 'application/sdp');
    }
    const { request, response } = await this.sendWithAuth(invite, options.auth, callbacks);
    if (response.status >= 300 || response.status < 200) {
      throw new SipError(response.status, response.reason, response);
    }
    const contact = request.headers.get('Contact') ?? '';
    const state = uacDialogState(request, response, contact);
    const dialog = this.addDialog(
      new Dialog(this, state, { local: options.localSdp ?? '', remote: response.body.toString('utf8') }),
    );
    await dialog.sendAck(request.cseq.seq);
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
