/**
 * The client (UAC) side of SIP Digest authentication: picks the challenge to answer and builds
 * the `Authorization` / `Proxy-Authorization` value, keeping a nonce-count per nonce so requests
 * reusing a nonce carry increasing `nc` values (RFC 7616 §3.4).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-22.2
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.4
 * @see https://www.rfc-editor.org/rfc/rfc8760#section-2.4
 */
import { randomBytes } from 'node:crypto';

import { parseChallenge, serializeCredentials } from './auth-header.js';
import {
  computeHa1,
  computeResponse,
  DIGEST_ALGORITHMS,
  digestHashOf,
  digestHexLength,
  isSessionAlgorithm,
  parseDigestAlgorithm,
  type DigestAlgorithm,
  type DigestHashName,
  type DigestQop,
} from './digest-algorithm.js';
import { readDigestChallenge, type DigestChallenge } from './digest-params.js';
import {
  AuthInvalidOptionsError,
  AuthNoUsableChallengeError,
  AuthUnsupportedAlgorithmError,
  AuthUnsupportedQopError,
  SipAuthError,
} from './errors.js';

/** Options of `DigestClient`. */
export interface DigestClientOptions {
  /**
   * Algorithms this client is willing to use; `pickChallenge` prefers the strongest.
   * @defaultValue every supported algorithm
   */
  algorithms?: readonly DigestAlgorithm[];
  /**
   * Source of client nonces.
   * @defaultValue 16 random bytes in hex
   */
  cnonce?: () => string;
  /**
   * How many nonces to keep an nc counter for (oldest forgotten first).
   * @defaultValue `64`
   */
  maxTrackedNonces?: number;
}

/** Input of `DigestClient.authorize`. */
export interface DigestAuthorizeOptions {
  /** One `WWW-Authenticate` / `Proxy-Authenticate` value (see `pickChallenge` for several). */
  challenge: string;
  method: string;
  /** The Request-URI, copied verbatim into `uri` (RFC 3261 §22.4). */
  uri: string;
  username: string;
  /** The password; give this or `ha1`. */
  password?: string;
  /** Stored H(A1) instead of a password: one hex value for the challenge's hash, or one per hash. */
  ha1?: string | Readonly<Partial<Record<DigestHashName, string>>>;
  /** Client nonce; generated when absent (only used with qop or a `-sess` algorithm). */
  cnonce?: string;
  /** Nonce-count to send; by default one more than the last sent for this nonce (1 first). */
  nc?: number;
  /** Message body, for qop=auth-int; absent means empty. */
  body?: string | Uint8Array;
}

const MAX_NC = 0xffffffff;

/**
 * Picks, among several challenge values (a 401/407 may carry one per algorithm, RFC 8760 §2.4),
 * the Digest challenge with the strongest algorithm the client supports; among equals, the first
 * offered. Values that are malformed, not Digest, or that offer no usable qop are skipped.
 * Returns the chosen value unchanged, or `undefined` when none is usable.
 */
export function pickChallenge(
  values: readonly string[],
  algorithms: readonly DigestAlgorithm[] = DIGEST_ALGORITHMS,
): string | undefined {
  let best: { value: string; rank: number } | undefined;
  for (const value of values) {
    const usable = usableChallenge(value, algorithms);
    if (usable === undefined) continue;
    const rank = DIGEST_ALGORITHMS.indexOf(usable.algorithm);
    if (best === undefined || rank < best.rank) best = { value, rank };
  }
  return best?.value;
}

function usableChallenge(
  value: string,
  algorithms: readonly DigestAlgorithm[],
): { challenge: DigestChallenge; algorithm: DigestAlgorithm } | undefined {
  let challenge: DigestChallenge;
  try {
    challenge = readDigestChallenge(parseChallenge(value));
  } catch (error) {
    if (error instanceof SipAuthError) return undefined;
    throw error;
  }
  // RFC 7616 §3.3 — a challenge with an algorithm the client does not understand is ignored.
  const algorithm = parseDigestAlgorithm(challenge.params['algorithm']);
  if (algorithm === undefined || !algorithms.includes(algorithm)) return undefined;
  if (challenge.qop.length > 0 && !challenge.qop.includes('auth') && !challenge.qop.includes('auth-int')) {
    return undefined;
  }
  if (challenge.qop.length === 0 && isSessionAlgorithm(algorithm)) return undefined;
  return { challenge, algorithm };
}

/** Builds Digest credentials for challenges; keeps per-nonce nc counters (not shared between instances). */
export class DigestClient {
  readonly algorithms: readonly DigestAlgorithm[];
  readonly #cnonce: () => string;
  readonly #maxTracked: number;
  readonly #counters = new Map<string, number>();

  constructor(options: DigestClientOptions = {}) {
    const algorithms = options.algorithms ?? DIGEST_ALGORITHMS;
    if (algorithms.length === 0 || algorithms.some((a) => !DIGEST_ALGORITHMS.includes(a))) {
      throw new AuthInvalidOptionsError('algorithms must be a non-empty list of supported algorithms');
    }
    const maxTracked = options.maxTrackedNonces ?? 64;
    if (!Number.isInteger(maxTracked) || maxTracked < 1) {
      throw new AuthInvalidOptionsError('maxTrackedNonces must be a positive integer');
    }
    this.algorithms = [...algorithms];
    this.#cnonce = options.cnonce ?? (() => randomBytes(16).toString('hex'));
    this.#maxTracked = maxTracked;
  }

  /** `pickChallenge` limited to this client's algorithms. */
  pickChallenge(values: readonly string[]): string | undefined {
    return pickChallenge(values, this.algorithms);
  }

  /**
   * The `Authorization` / `Proxy-Authorization` value answering `challenge`. Uses qop=auth when
   * offered, else qop=auth-int, else (no qop in the challenge) the RFC 2069 form.
   *
   * Throws `AuthMalformedError` for a challenge that does not parse, `AuthUnsupportedAlgorithmError`
   * / `AuthUnsupportedQopError` for one it cannot answer, `AuthInvalidOptionsError` for bad input.
   */
  authorize(options: DigestAuthorizeOptions): string {
    const challenge = readDigestChallenge(parseChallenge(options.challenge));
    const algorithm = parseDigestAlgorithm(challenge.params['algorithm']);
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) {
      throw new AuthUnsupportedAlgorithmError(challenge.algorithm);
    }
    let qop: DigestQop | undefined;
    if (challenge.qop.length > 0) {
      // RFC 7616 §3.4 — the client picks one of the qop options offered; auth is the one SIP uses.
      if (challenge.qop.includes('auth')) qop = 'auth';
      else if (challenge.qop.includes('auth-int')) qop = 'auth-int';
      else throw new AuthUnsupportedQopError(challenge.qop);
    }
    // RFC 7616 §3.4.2 — a -sess H(A1) covers the cnonce, which may only be sent with qop.
    if (qop === undefined && isSessionAlgorithm(algorithm)) throw new AuthUnsupportedQopError([]);
    const ha1 = this.#ha1(options, challenge.realm, algorithm);
    const cnonce = qop === undefined ? undefined : (options.cnonce ?? this.#cnonce());
    const nc = qop === undefined ? undefined : formatNc(this.#nextNc(challenge.nonce, options.nc));

    const response = computeResponse({
      algorithm,
      ha1,
      nonce: challenge.nonce,
      method: options.method,
      uri: options.uri,
      ...(qop !== undefined && { qop }),
      ...(nc !== undefined && { nc }),
      ...(cnonce !== undefined && { cnonce }),
      ...(options.body !== undefined && { body: options.body }),
    });

    const params: Record<string, string> = {
      username: options.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: options.uri,
      response,
    };
    // Echo the algorithm in its registered spelling when the challenge named one.
    if (challenge.params['algorithm'] !== undefined) params['algorithm'] = algorithm;
    if (cnonce !== undefined) params['cnonce'] = cnonce;
    // RFC 7616 §3.4 — opaque is returned unchanged.
    if (challenge.opaque !== undefined) params['opaque'] = challenge.opaque;
    if (qop !== undefined && nc !== undefined) {
      params['qop'] = qop;
      params['nc'] = nc;
    }
    return serializeCredentials({ scheme: 'Digest', params });
  }

  /**
   * `pickChallenge` then `authorize`: answers the best of several challenge values (all the
   * `WWW-Authenticate` or `Proxy-Authenticate` values of one 401/407). Throws
   * `AuthNoUsableChallengeError` when none can be answered.
   */
  authorizeAny(
    options: Omit<DigestAuthorizeOptions, 'challenge'> & { challenges: readonly string[] },
  ): string {
    const { challenges, ...rest } = options;
    const challenge = this.pickChallenge(challenges);
    if (challenge === undefined) {
      throw new AuthNoUsableChallengeError(`none of ${challenges.length} challenge(s) can be answered`);
    }
    return this.authorize({ ...rest, challenge });
  }

  /** The nc that the next `authorize` for `nonce` would send by default. */
  nextNonceCount(nonce: string): number {
    return (this.#counters.get(nonce) ?? 0) + 1;
  }

  #ha1(options: DigestAuthorizeOptions, realm: string, algorithm: DigestAlgorithm): string {
    const hash = digestHashOf(algorithm);
    if ((options.password === undefined) === (options.ha1 === undefined)) {
      throw new AuthInvalidOptionsError('give exactly one of password and ha1');
    }
    if (options.password !== undefined) {
      return computeHa1({ username: options.username, realm, password: options.password, algorithm });
    }
    const ha1 = typeof options.ha1 === 'string' ? options.ha1 : options.ha1?.[hash];
    if (ha1 === undefined) throw new AuthInvalidOptionsError(`no ${hash} H(A1) given`);
    if (ha1.length !== digestHexLength(hash) || !/^[0-9a-fA-F]+$/.test(ha1)) {
      throw new AuthInvalidOptionsError(`ha1 is not ${hash} hex`);
    }
    return ha1;
  }

  #nextNc(nonce: string, explicit: number | undefined): number {
    const nc = explicit ?? this.nextNonceCount(nonce);
    if (!Number.isInteger(nc) || nc < 1 || nc > MAX_NC) {
      throw new AuthInvalidOptionsError('nc must be an integer in 1..0xffffffff');
    }
    const last = this.#counters.get(nonce) ?? 0;
    this.#counters.delete(nonce); // re-inserted as most recent
    this.#counters.set(nonce, Math.max(last, nc));
    while (this.#counters.size > this.#maxTracked) {
      const oldest = this.#counters.keys().next();
      if (oldest.done === true) break;
      this.#counters.delete(oldest.value);
    }
    return nc;
  }
}

/** RFC 7616 §3.4 — nc is 8 hex digits (lower case). */
function formatNc(nc: number): string {
  return nc.toString(16).padStart(8, '0');
}
