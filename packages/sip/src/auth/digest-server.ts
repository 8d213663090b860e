/**
 * The server (UAS / registrar / proxy) side of SIP Digest authentication: builds challenges and
 * verifies credentials. Pure logic: no sockets, no timers; time comes from an injected clock and
 * credentials from an injected lookup that returns H(A1), never a password.
 *
 * ```
 *  request ──► verify ──┬─ no Authorization ─────────────► missing        ─┐
 *                       ├─ not Digest ─────────────────────► unknown-scheme │
 *                       ├─ bad syntax / params / qop ──────► malformed      │
 *                       ├─ algorithm not offered ──────────► algorithm      │ 401/407 with
 *                       ├─ realm ≠ ours ───────────────────► realm-mismatch │ `challenge`
 *                       ├─ uri ≠ Request-URI ──────────────► uri-mismatch   │
 *                       ├─ lookup → undefined ─────────────► unknown-user   │
 *                       ├─ digest ≠ expected ──────────────► bad-response   │
 *                       ├─ nonce expired / not ours ───────► stale (stale=true)
 *                       ├─ nc not increasing ──────────────► replay (stale=true)
 *                       └─ ok ─────────────────────────────► { ok: true, username }
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-22.4
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc8760#section-2.4
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

import { isDigestScheme, parseCredentials, quoteAuthParam, type AuthHeader } from './auth-header.js';
import {
  computeResponse,
  DIGEST_ALGORITHMS,
  digestHashOf,
  digestHexLength,
  parseDigestAlgorithm,
  type DigestAlgorithm,
  type DigestHashName,
  type DigestQop,
} from './digest-algorithm.js';
import { readDigestCredentials, type DigestCredentials } from './digest-params.js';
import { AuthInvalidOptionsError, SipAuthError } from './errors.js';
import { NonceCountTracker } from './nonce-count-tracker.js';
import { NonceIssuer } from './nonce-issuer.js';

/**
 * Returns the stored H(A1) (hex) of `username` in `realm` for the hash function `algorithm`
 * (`MD5`, `SHA-256` or `SHA-512-256`; `-sess` algorithms ask for their hash function, since the
 * stored part of their H(A1) is the same), or `undefined` for an unknown user.
 */
export type CredentialLookup = (
  username: string,
  realm: string,
  algorithm: DigestHashName,
) => Promise<string | undefined>;

/** Options of `DigestServer`. */
export interface DigestServerOptions {
  /** The protection space named in challenges (RFC 3261 §22.1: often the host or domain). */
  realm: string;
  /**
   * Algorithms offered, most preferred first; one challenge per algorithm (RFC 8760 §2.4).
   * @defaultValue `['SHA-256', 'MD5']`
   */
  algorithms?: readonly DigestAlgorithm[];
  /**
   * qop options offered in each challenge.
   * @defaultValue `['auth']`
   */
  qop?: readonly DigestQop[];
  /**
   * How long a nonce is accepted, in milliseconds.
   * @defaultValue `300_000` (300 s)
   */
  nonceLifetimeMs?: number;
  /**
   * HMAC key for nonces (≥ 16 bytes). Servers sharing nonces (a cluster) must share it.
   * @defaultValue 32 random bytes, so nonces do not survive a restart
   */
  secret?: Uint8Array | string;
  /**
   * Clock in milliseconds.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * How many used nonces to remember for nc replay detection (LRU).
   * @defaultValue `10_000`
   */
  maxTrackedNonces?: number;
  /**
   * Accept RFC 2069 style credentials without qop (RFC 3261 §22.4 asks for this backwards
   * compatibility). Without an nc such a nonce is accepted once, then answered stale.
   * @defaultValue `true`
   */
  acceptRfc2069?: boolean;
}

/** Input of `DigestServer.verify`. */
export interface DigestVerifyRequest {
  /** Request method (`REGISTER`, `INVITE`, …); A2 covers it. */
  method: string;
  /**
   * The Request-URI exactly as it appears on the request line. When given, the credentials'
   * `uri` must be the identical string (see `DigestServer.verify`). Omit to skip the check.
   */
  uri?: string;
  /**
   * The `Authorization` (or `Proxy-Authorization`) value(s); `undefined` or `[]` when absent.
   * With several values, the first Digest one for this realm is verified (RFC 3261 §22.3).
   */
  authorization: string | readonly string[] | undefined;
  lookup: CredentialLookup;
  /** Message body, for qop=auth-int; absent means empty. */
  body?: string | Uint8Array;
}

/** Why `verify` refused; see the diagram on `DigestServer`. */
export type DigestFailureReason =
  | 'missing'
  | 'unknown-scheme'
  | 'malformed'
  | 'unknown-user'
  | 'bad-response'
  | 'stale'
  | 'replay'
  | 'realm-mismatch'
  | 'uri-mismatch'
  | 'algorithm';

/** Accepted credentials. */
export interface DigestVerifySuccess {
  readonly ok: true;
  readonly username: string;
  readonly algorithm: DigestAlgorithm;
  /** Absent for RFC 2069 style credentials. */
  readonly qop?: DigestQop;
  /** The nonce-count accepted (with qop). */
  readonly nc?: number;
}

/** Refused credentials, with the fresh challenge(s) to send in a 401/407. */
export interface DigestVerifyFailure {
  readonly ok: false;
  readonly reason: DigestFailureReason;
  /** `WWW-Authenticate` / `Proxy-Authenticate` values, most preferred first. */
  readonly challenge: string[];
  /** The username claimed, when the credentials got that far (for logs; not authenticated). */
  readonly username?: string;
  /** A short explanation for logs (never contains digests). */
  readonly detail?: string;
}

/** Result of `DigestServer.verify`. */
export type DigestVerifyResult = DigestVerifySuccess | DigestVerifyFailure;

const DEFAULTS = {
  algorithms: ['SHA-256', 'MD5'] as readonly DigestAlgorithm[],
  qop: ['auth'] as readonly DigestQop[],
  nonceLifetimeMs: 300_000,
  maxTrackedNonces: 10_000,
  acceptRfc2069: true,
};

/**
 * SIP Digest server. Nonces are self-validating (time stamp + HMAC), so challenges cost no
 * memory; only nonces actually used are remembered, in an LRU, for nc replay detection.
 *
 * Callers map results to responses: every failure may be answered 401 (UAS, registrar) or 407
 * (proxy) with `challenge` as the `WWW-Authenticate` / `Proxy-Authenticate` values; for
 * `malformed` and `uri-mismatch` a 400 is also acceptable (RFC 7616 §3.4.6). Answer
 * `unknown-user` exactly like `bad-response`, so usernames cannot be probed.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-22.4
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.3
 */
export class DigestServer {
  readonly realm: string;
  readonly algorithms: readonly DigestAlgorithm[];
  readonly qop: readonly DigestQop[];
  readonly #acceptRfc2069: boolean;
  readonly #nonces: NonceIssuer;
  readonly #counts: NonceCountTracker;

  constructor(options: DigestServerOptions) {
    const realm = options.realm;
    const algorithms = options.algorithms ?? DEFAULTS.algorithms;
    const qop = options.qop ?? DEFAULTS.qop;
    if (realm === '' || /[\x00-\x08\x0a-\x1f\x7f]/.test(realm)) {
      throw new AuthInvalidOptionsError('realm must be non-empty text without control characters');
    }
    if (algorithms.length === 0) throw new AuthInvalidOptionsError('at least one algorithm is needed');
    for (const a of algorithms) {
      if (!DIGEST_ALGORITHMS.includes(a)) throw new AuthInvalidOptionsError(`unsupported algorithm "${a}"`);
    }
    if (new Set(algorithms).size !== algorithms.length) {
      throw new AuthInvalidOptionsError('algorithms must not repeat');
    }
    if (qop.length === 0 || qop.some((q) => q !== 'auth' && q !== 'auth-int')) {
      throw new AuthInvalidOptionsError('qop must be a non-empty list of "auth" / "auth-int"');
    }
    const secret =
      options.secret === undefined
        ? randomBytes(32)
        : typeof options.secret === 'string'
          ? Buffer.from(options.secret, 'utf8')
          : options.secret;
    this.realm = realm;
    this.algorithms = [...algorithms];
    this.qop = [...new Set(qop)];
    this.#acceptRfc2069 = options.acceptRfc2069 ?? DEFAULTS.acceptRfc2069;
    this.#nonces = new NonceIssuer({
      secret,
      realm,
      lifetimeMs: options.nonceLifetimeMs ?? DEFAULTS.nonceLifetimeMs,
      now: options.now ?? Date.now,
    });
    this.#counts = new NonceCountTracker(options.maxTrackedNonces ?? DEFAULTS.maxTrackedNonces);
  }

  /** Number of nonces remembered for replay detection (bounded by `maxTrackedNonces`). */
  get trackedNonces(): number {
    return this.#counts.size;
  }

  /**
   * Fresh challenge values, one per offered algorithm, most preferred first (RFC 8760 §2.4), all
   * carrying the same new nonce. `stale: true` tells the client its password was right and only
   * the nonce needs renewing (RFC 7616 §3.3).
   */
  challenge(options: { stale?: boolean } = {}): string[] {
    const nonce = quoteAuthParam(this.#nonces.issue());
    const realm = quoteAuthParam(this.realm);
    const qop = quoteAuthParam(this.qop.join(','));
    return this.algorithms.map(
      (algorithm) =>
        `Digest realm=${realm}, nonce=${nonce}, algorithm=${algorithm}, qop=${qop}` +
        (options.stale === true ? ', stale=true' : ''),
    );
  }

  /**
   * Verifies Digest credentials against the request.
   *
   * URI rule: when `request.uri` is given, the credentials' `uri` parameter must be exactly the
   * same string (RFC 7616 §3.4.6 — the server MUST check that `uri` names the resource of the
   * request; RFC 3261 §22.4 has the UAC copy the Request-URI into it verbatim). No RFC 3261
   * §19.1.4 URI-equivalence normalisation is applied.
   *
   * Order of checks: syntax and parameters, algorithm, realm, uri, qop, then the digest itself
   * (using H(A1) from `lookup`), then nonce freshness and nc — so `stale` and `replay` are only
   * reported for a correct digest, and forged requests can neither advance nc nor learn anything
   * from the stale flag. Rejects only if `lookup` rejects.
   */
  async verify(request: DigestVerifyRequest): Promise<DigestVerifyResult> {
    const values = request.authorization === undefined ? [] : [request.authorization].flat();
    if (values.length === 0 || values.every((v) => v.trim() === '')) return this.#fail('missing');

    const parsed = this.#choose(values);
    if (parsed instanceof SipAuthError) return this.#fail('malformed', { detail: parsed.message });
    if (!isDigestScheme(parsed.scheme)) return this.#fail('unknown-scheme', { detail: parsed.scheme });

    let credentials: DigestCredentials;
    try {
      credentials = readDigestCredentials(parsed);
    } catch (error) {
      if (error instanceof SipAuthError) return this.#fail('malformed', { detail: error.message });
      throw error;
    }
    const username = credentials.username;

    // RFC 7616 §3.4 — algorithm absent means MD5; RFC 8760 §2.4 — only an offered one is accepted.
    const algorithm = parseDigestAlgorithm(credentials.algorithm);
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) {
      return this.#fail('algorithm', { username, detail: credentials.algorithm ?? 'MD5' });
    }
    if (credentials.realm !== this.realm) return this.#fail('realm-mismatch', { username });
    // RFC 7616 §3.4.6 — the uri parameter must designate the resource of the request line.
    if (request.uri !== undefined && credentials.uri !== request.uri) {
      return this.#fail('uri-mismatch', { username });
    }

    let qop: DigestQop | undefined;
    if (credentials.qop === undefined) {
      // RFC 3261 §22.4 — servers MUST stay backwards compatible with RFC 2069 (no qop).
      if (!this.#acceptRfc2069) return this.#fail('malformed', { username, detail: 'qop required' });
    } else if (credentials.qop === 'auth' || credentials.qop === 'auth-int') {
      qop = credentials.qop;
      if (!this.qop.includes(qop))
        return this.#fail('malformed', { username, detail: `qop ${qop} not offered` });
    } else {
      return this.#fail('malformed', { username, detail: `unknown qop ${credentials.qop}` });
    }
    // RFC 7616 §3.4.2 — -sess needs the cnonce, which only exists with qop.
    if (algorithm.endsWith('-sess') && credentials.cnonce === undefined) {
      return this.#fail('malformed', { username, detail: 'session algorithm without qop' });
    }

    const hash = digestHashOf(algorithm);
    const ha1 = await request.lookup(username, this.realm, hash);
    if (ha1 === undefined) return this.#fail('unknown-user', { username });
    if (ha1.length !== digestHexLength(hash) || !/^[0-9a-fA-F]+$/.test(ha1)) {
      throw new AuthInvalidOptionsError(`lookup returned an H(A1) that is not ${hash} hex`);
    }

    const expected = computeResponse({
      algorithm,
      ha1,
      nonce: credentials.nonce,
      method: request.method,
      uri: credentials.uri,
      ...(qop !== undefined && { qop, nc: credentials.nc, cnonce: credentials.cnonce }),
      ...(request.body !== undefined && { body: request.body }),
    });
    if (!hexEqual(expected, credentials.response)) return this.#fail('bad-response', { username });

    // RFC 7616 §3.3 — stale=true only for a request whose digest is valid but whose nonce is not:
    // expired, or not issued by us (forged, or from before a restart with a new secret).
    const nonce = this.#nonces.check(credentials.nonce);
    if (nonce.status !== 'valid') return this.#fail('stale', { username, stale: true, detail: nonce.status });

    // RFC 7616 §5.5 — a nonce-count seen before for this nonce is a replay.
    const verdict = this.#counts.advance(credentials.nonce, nonce.issuedAt, credentials.ncValue ?? 'once');
    if (verdict === 'evicted')
      return this.#fail('stale', { username, stale: true, detail: 'nonce forgotten' });
    if (verdict === 'replay') return this.#fail('replay', { username, stale: true });

    return {
      ok: true,
      username,
      algorithm,
      ...(qop !== undefined && { qop }),
      ...(credentials.ncValue !== undefined && { nc: credentials.ncValue }),
    };
  }

  /** Picks the value to verify: the first Digest one naming our realm, else the first one. */
  #choose(values: readonly string[]): AuthHeader | SipAuthError {
    let first: AuthHeader | SipAuthError | undefined;
    for (const value of values) {
      let parsed: AuthHeader | SipAuthError;
      try {
        parsed = parseCredentials(value);
      } catch (error) {
        if (!(error instanceof SipAuthError)) throw error;
        parsed = error;
      }
      first ??= parsed;
      if (!(parsed instanceof SipAuthError) && isDigestScheme(parsed.scheme)) {
        if (parsed.params['realm'] === this.realm) return parsed;
      }
    }
    return first as AuthHeader | SipAuthError;
  }

  #fail(
    reason: DigestFailureReason,
    extra: { username?: string; detail?: string; stale?: boolean } = {},
  ): DigestVerifyFailure {
    return {
      ok: false,
      reason,
      challenge: this.challenge({ stale: extra.stale === true }),
      ...(extra.username !== undefined && { username: extra.username }),
      ...(extra.detail !== undefined && { detail: extra.detail }),
    };
  }
}

/** Constant-time comparison of two hex digests (case-insensitive). */
function hexEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'latin1');
  const b = Buffer.from(received.toLowerCase(), 'latin1');
  if (a.length !== b.length) {
    timingSafeEqual(a, a); // spend the same time as a real comparison
    return false;
  }
  return timingSafeEqual(a, b);
}
