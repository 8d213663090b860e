import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of the digest-authentication layer (`@svpn/sip` auth). Every error carries a stable
 * `code` (`SIP_AUTH_…`) that callers switch on; messages are for people and may change.
 */

/** Stable error codes of the auth layer. */
export type SipAuthErrorCode =
  | 'SIP_AUTH_MALFORMED'
  | 'SIP_AUTH_DUPLICATE_PARAM'
  | 'SIP_AUTH_UNSUPPORTED_ALGORITHM'
  | 'SIP_AUTH_UNSUPPORTED_QOP'
  | 'SIP_AUTH_NO_USABLE_CHALLENGE'
  | 'SIP_AUTH_INVALID_OPTIONS';

/** Base of every error thrown by the auth layer. */
export class SipAuthError extends SvpnError<SipAuthErrorCode> {}

/**
 * A `WWW-Authenticate` / `Proxy-Authenticate` / `Authorization` / `Proxy-Authorization` value, or a
 * Digest parameter inside one, that does not follow RFC 3261 §25.1 / RFC 7616 §3. `offset` is the
 * character index where parsing gave up (when known).
 */
export class AuthMalformedError extends SipAuthError {
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super('SIP_AUTH_MALFORMED', offset === undefined ? message : `${message} (at offset ${offset})`);
    this.offset = offset;
  }
}

/** RFC 7616 §3.3/§3.4 — each auth-param may appear at most once; this one appeared twice. */
export class AuthDuplicateParamError extends SipAuthError {
  readonly param: string;

  constructor(param: string) {
    super('SIP_AUTH_DUPLICATE_PARAM', `auth-param "${param}" appears more than once`);
    this.param = param;
  }
}

/** A Digest `algorithm` this implementation does not compute (or that the caller did not allow). */
export class AuthUnsupportedAlgorithmError extends SipAuthError {
  readonly algorithm: string;

  constructor(algorithm: string) {
    super('SIP_AUTH_UNSUPPORTED_ALGORITHM', `unsupported digest algorithm "${algorithm}"`);
    this.algorithm = algorithm;
  }
}

/** A challenge whose `qop` options contain neither `auth` nor `auth-int`. */
export class AuthUnsupportedQopError extends SipAuthError {
  readonly qop: readonly string[];

  constructor(qop: readonly string[]) {
    super('SIP_AUTH_UNSUPPORTED_QOP', `no supported qop among "${qop.join(',')}"`);
    this.qop = qop;
  }
}

/** None of the challenges offered is a Digest challenge this client can answer. */
export class AuthNoUsableChallengeError extends SipAuthError {
  constructor(message = 'no usable Digest challenge') {
    super('SIP_AUTH_NO_USABLE_CHALLENGE', message);
  }
}

/** Options given to `DigestServer` / `DigestClient` / the helpers are inconsistent. */
export class AuthInvalidOptionsError extends SipAuthError {
  constructor(message: string) {
    super('SIP_AUTH_INVALID_OPTIONS', message);
  }
}
