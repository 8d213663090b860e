/**
 * What a request handler gets: the received request (`req`) and the means to answer it (`res`),
 * both thin views over the server transaction's {@link ServerContext} (drachtio-srf style).
 */
import type { SipRequest, SipResponse } from '../messages/index.js';
import type { ServerContext } from '../core/index.js';
import type { MessageSource } from '../transport/index.js';

export interface RespondOptions {
  reason?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  contentType?: string;
  /** Text of a `Warning: 399 svpn "…"` header saying why (DESIGN §7). */
  warning?: string;
}

export class IncomingRequest {
  #locals: Record<string, unknown> | undefined = undefined;

  constructor(readonly context: ServerContext) {}

  /** Per-request scratch space for middleware (e.g. the authenticated user); made on first use. */
  get locals(): Record<string, unknown> {
    return (this.#locals ??= {});
  }

  get message(): SipRequest {
    return this.context.request;
  }

  get method(): string {
    return this.context.request.method;
  }

  get uri(): string {
    return this.context.request.uri.toString();
  }

  get source(): MessageSource {
    return this.context.source;
  }

  /** The body as UTF-8 text (SDP, JSON, …). */
  get body(): string {
    return this.context.request.body.toString('utf8');
  }

  /** First value of a header, or undefined. */
  get(name: string): string | undefined {
    return this.context.request.headers.get(name);
  }

  get cancelled(): boolean {
    return this.context.cancelled;
  }

  /** Called when a CANCEL arrives for this INVITE (the 487 is already sent). */
  onCancel(listener: () => void): void {
    this.context.once('cancel', listener);
  }
}

export class Responder {
  constructor(readonly context: ServerContext) {}

  get finalSent(): boolean {
    return this.context.finalSent;
  }

  /** Sends a response built per RFC 3261 §8.2.6. */
  send(status: number, options: RespondOptions = {}): SipResponse {
    return this.context.respond(status, options);
  }
}
