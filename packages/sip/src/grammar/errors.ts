import { SvpnError } from '@svpn/errors';
/**
 * Typed errors of the SIP grammar layer. Every error carries a stable `code` (STYLE.md "Errors");
 * callers catch these, bugs stay assertions.
 */
export class SipSyntaxError extends SvpnError {}

/** A URI does not match RFC 3261 §19.1 / RFC 3966 / RFC 3986 (as far as we check it). */
export class SipUriError extends SipSyntaxError {}

/**
 * A header field value does not match its RFC 3261 §25 grammar (or is missing when required).
 * Thrown by the lazy typed accessors of `SipMessage`; request validation decides what is fatal.
 */
export class SipHeaderError extends SipSyntaxError {
  /** Canonical header name, e.g. `Via`. */
  readonly header: string;

  constructor(code: string, header: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.header = header;
  }
}
