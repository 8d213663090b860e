/**
 * Digest algorithms and the RFC 7616 §3.4.1–§3.4.3 computations (H, KD, A1, A2, response), as
 * RFC 8760 brings them to SIP: MD5, SHA-256 and SHA-512/256, each with its `-sess` variant.
 *
 * Credentials are stored as H(A1) = H(username ":" realm ":" password) only, never as the clear
 * password; a store keeps one H(A1) per hash function (`computeHa1Set`).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.4.1
 * @see https://www.rfc-editor.org/rfc/rfc8760#section-2
 */
import { createHash } from 'node:crypto';

import { AuthInvalidOptionsError } from './errors.js';

/** The hash functions behind the digest algorithms (RFC 8760 §2.1). */
export type DigestHashName = 'MD5' | 'SHA-256' | 'SHA-512-256';

/** Digest `algorithm` values this implementation computes. */
export type DigestAlgorithm = DigestHashName | 'MD5-sess' | 'SHA-256-sess' | 'SHA-512-256-sess';

/** Every supported algorithm, strongest first (the order `pickChallenge` prefers). */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  'SHA-512-256',
  'SHA-512-256-sess',
  'SHA-256',
  'SHA-256-sess',
  'MD5',
  'MD5-sess',
];

/** Every hash function, strongest first. */
export const DIGEST_HASHES: readonly DigestHashName[] = ['SHA-512-256', 'SHA-256', 'MD5'];

const NODE_HASH: Readonly<Record<DigestHashName, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
};

const HEX_LENGTH: Readonly<Record<DigestHashName, number>> = { MD5: 32, 'SHA-256': 64, 'SHA-512-256': 64 };

/**
 * Reads an `algorithm` token (case-insensitive). `undefined` (parameter absent) means MD5
 * (RFC 7616 §3.3 — "If this parameter is not present, it is assumed to be MD5"). Returns
 * `undefined` for an algorithm this implementation does not know.
 */
export function parseDigestAlgorithm(token: string | undefined): DigestAlgorithm | undefined {
  if (token === undefined) return 'MD5';
  const lower = token.toLowerCase();
  return DIGEST_ALGORITHMS.find((a) => a.toLowerCase() === lower);
}

/** The hash function of an algorithm (`SHA-256-sess` → `SHA-256`). */
export function digestHashOf(algorithm: DigestAlgorithm): DigestHashName {
  return (algorithm.endsWith('-sess') ? algorithm.slice(0, -'-sess'.length) : algorithm) as DigestHashName;
}

/** True for the `-sess` variants, whose H(A1) also covers the nonce and cnonce (RFC 7616 §3.4.2). */
export function isSessionAlgorithm(algorithm: DigestAlgorithm): boolean {
  return algorithm.endsWith('-sess');
}

/** Number of hex digits the hash function produces (32 for MD5, 64 for the SHA-2 family). */
export function digestHexLength(hash: DigestHashName): number {
  return HEX_LENGTH[hash];
}

/** H(data): lower-case hex digest; strings are hashed as UTF-8. */
export function digestHash(hash: DigestHashName, data: string | Uint8Array): string {
  return createHash(NODE_HASH[hash]).update(data).digest('hex');
}

/** Input of `computeHa1`. */
export interface ComputeHa1Options {
  username: string;
  realm: string;
  password: string;
  /** Algorithm (or bare hash name); a `-sess` algorithm yields its hash's session-independent H(A1). */
  algorithm: DigestAlgorithm;
}

/**
 * H(A1) = H(username ":" realm ":" password), the value a credential store keeps instead of the
 * password (RFC 7616 §3.4.2). For `-sess` algorithms this is the stored, session-independent part;
 * `computeResponse` folds in the nonce and cnonce.
 */
export function computeHa1(options: ComputeHa1Options): string {
  const { username, realm, password, algorithm } = options;
  return digestHash(digestHashOf(algorithm), `${username}:${realm}:${password}`);
}

/** H(A1) for every hash function (or the ones listed), to store per user at provisioning time. */
export function computeHa1Set(
  options: Omit<ComputeHa1Options, 'algorithm'> & { hashes?: readonly DigestHashName[] },
): Partial<Record<DigestHashName, string>> {
  const out: Partial<Record<DigestHashName, string>> = {};
  for (const hash of options.hashes ?? DIGEST_HASHES) out[hash] = computeHa1({ ...options, algorithm: hash });
  return out;
}

/** The quality of protection values this implementation computes. */
export type DigestQop = 'auth' | 'auth-int';

/** Input of `computeResponse`. */
export interface ComputeResponseOptions {
  algorithm: DigestAlgorithm;
  /** Stored H(A1) in hex for the algorithm's hash function (from `computeHa1`). */
  ha1: string;
  nonce: string;
  method: string;
  /** The `uri` parameter exactly as sent in the credentials. */
  uri: string;
  /** Absent for the RFC 2069 compatible form (no qop). */
  qop?: DigestQop;
  /** 8 hex digits exactly as sent (`00000001`); required with qop. */
  nc?: string;
  /** Required with qop and with `-sess` algorithms. */
  cnonce?: string;
  /** Message body, hashed for qop=auth-int; absent means empty. */
  body?: string | Uint8Array;
}

/** request-digest of RFC 7616 §3.4.1 (hex). Throws `AuthInvalidOptionsError` if a required input is missing. */
export function computeResponse(options: ComputeResponseOptions): string {
  const { algorithm, ha1, nonce, method, uri, qop, nc, cnonce } = options;
  const hash = digestHashOf(algorithm);
  const h = (data: string | Uint8Array): string => digestHash(hash, data);
  let sessionHa1 = ha1.toLowerCase();
  if (isSessionAlgorithm(algorithm)) {
    // RFC 7616 §3.4.2 — for -sess, A1 = H(username:realm:passwd) ":" nonce ":" cnonce.
    if (cnonce === undefined) throw new AuthInvalidOptionsError(`${algorithm} needs a cnonce`);
    sessionHa1 = h(`${sessionHa1}:${nonce}:${cnonce}`);
  }
  // RFC 7616 §3.4.3 — A2 = Method ":" request-uri, plus ":" H(entity-body) for qop=auth-int.
  const ha2 = qop === 'auth-int' ? h(`${method}:${uri}:${h(options.body ?? '')}`) : h(`${method}:${uri}`);
  if (qop === undefined) {
    // RFC 2617 §3.2.2.1 — RFC 2069 compatibility: KD(H(A1), nonce ":" H(A2)).
    return h(`${sessionHa1}:${nonce}:${ha2}`);
  }
  if (nc === undefined || cnonce === undefined) throw new AuthInvalidOptionsError('qop needs nc and cnonce');
  // RFC 7616 §3.4.1 — response = KD(H(A1), nonce:nc:cnonce:qop:H(A2)), KD(s, d) = H(s ":" d).
  return h(`${sessionHa1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
}
