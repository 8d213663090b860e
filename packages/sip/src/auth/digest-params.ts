/**
 * Typed views of Digest challenges and credentials over a parsed `AuthHeader`, with the
 * per-parameter rules of RFC 3261 §25.1 / RFC 7616 §3.3–§3.4 checked.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.4
 */
import { isDigestScheme, type AuthHeader } from './auth-header.js';
import { AuthMalformedError } from './errors.js';

/** A Digest challenge (`WWW-Authenticate` / `Proxy-Authenticate`). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  /** The `algorithm` token as sent, or `MD5` when absent (RFC 7616 §3.3). */
  readonly algorithm: string;
  /** qop options, lower-cased; empty when the challenge has no qop (RFC 2069 style). */
  readonly qop: readonly string[];
  /** RFC 7616 §3.3 — `stale=true` (case-insensitive): retry with the new nonce, do not re-prompt. */
  readonly stale: boolean;
  readonly opaque?: string;
  /** Space-separated URIs of the protection space, split. */
  readonly domain?: readonly string[];
  /** RFC 7616 §3.3 — the server accepts hashed usernames. */
  readonly userhash: boolean;
  /** Every parameter, known or not. */
  readonly params: Readonly<Record<string, string>>;
}

/** Digest credentials (`Authorization` / `Proxy-Authorization`). */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  /** request-digest as sent (hex). */
  readonly response: string;
  /** The `algorithm` token as sent, or `undefined` when absent (meaning MD5). */
  readonly algorithm?: string;
  readonly cnonce?: string;
  /** 8 hex digits as sent; present iff qop is. */
  readonly nc?: string;
  /** The `nc` value as a number. */
  readonly ncValue?: number;
  /** Lower-cased qop, e.g. `auth`. */
  readonly qop?: string;
  readonly opaque?: string;
  /** Every parameter, known or not. */
  readonly params: Readonly<Record<string, string>>;
}

// RFC 3261 §25.1 — nc-value = 8LHEX (upper-case hex accepted on receipt).
const NC_VALUE = /^[0-9a-fA-F]{8}$/;

function required(header: AuthHeader, name: string): string {
  const value = header.params[name];
  if (value === undefined) throw new AuthMalformedError(`Digest "${name}" parameter is missing`);
  return value;
}

function requireDigest(header: AuthHeader): void {
  if (!isDigestScheme(header.scheme)) throw new AuthMalformedError(`scheme "${header.scheme}" is not Digest`);
  if (header.token68 !== undefined) throw new AuthMalformedError('Digest takes auth-params, not a token68');
}

/** Reads a parsed challenge as Digest. Throws `AuthMalformedError` when it is not a usable Digest challenge. */
export function readDigestChallenge(header: AuthHeader): DigestChallenge {
  requireDigest(header);
  const p = header.params;
  const stale = p['stale'];
  // RFC 3261 §25.1 — stale = "stale" EQUAL ( "true" / "false" ); compared case-insensitively.
  if (stale !== undefined && !/^(true|false)$/i.test(stale)) {
    throw new AuthMalformedError(`stale must be true or false, got "${stale}"`);
  }
  const userhash = p['userhash'];
  return {
    realm: required(header, 'realm'),
    nonce: required(header, 'nonce'),
    algorithm: p['algorithm'] ?? 'MD5',
    qop: splitList(p['qop'], ','),
    stale: stale?.toLowerCase() === 'true',
    ...(p['opaque'] !== undefined && { opaque: p['opaque'] }),
    ...(p['domain'] !== undefined && { domain: splitList(p['domain'], ' ') }),
    userhash: userhash?.toLowerCase() === 'true',
    params: p,
  };
}

/** Reads parsed credentials as Digest. Throws `AuthMalformedError` for missing or ill-formed parameters. */
export function readDigestCredentials(header: AuthHeader): DigestCredentials {
  requireDigest(header);
  const p = header.params;
  const qop = p['qop'];
  const nc = p['nc'];
  const cnonce = p['cnonce'];
  if (nc !== undefined && !NC_VALUE.test(nc))
    throw new AuthMalformedError(`nc must be 8 hex digits, got "${nc}"`);
  // RFC 7616 §3.4 — cnonce and nc MUST be sent when qop is, and MUST NOT be sent without it.
  if (qop !== undefined && (nc === undefined || cnonce === undefined)) {
    throw new AuthMalformedError('qop given without nc and cnonce');
  }
  if (qop === undefined && (nc !== undefined || cnonce !== undefined)) {
    throw new AuthMalformedError('nc or cnonce given without qop');
  }
  const response = required(header, 'response');
  if (!/^[0-9a-fA-F]+$/.test(response)) throw new AuthMalformedError('response is not hex');
  return {
    username: required(header, 'username'),
    realm: required(header, 'realm'),
    nonce: required(header, 'nonce'),
    uri: required(header, 'uri'),
    response,
    ...(p['algorithm'] !== undefined && { algorithm: p['algorithm'] }),
    ...(cnonce !== undefined && { cnonce }),
    ...(nc !== undefined && { nc, ncValue: Number.parseInt(nc, 16) }),
    ...(qop !== undefined && { qop: qop.toLowerCase() }),
    ...(p['opaque'] !== undefined && { opaque: p['opaque'] }),
    params: p,
  };
}

function splitList(value: string | undefined, separator: ',' | ' '): string[] {
  if (value === undefined) return [];
  return value
    .split(separator === ',' ? ',' : /\s+/)
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => (separator === ',' ? v.toLowerCase() : v));
}
