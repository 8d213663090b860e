/**
 * Parsing and serialising the values of the four authentication header fields:
 * `WWW-Authenticate` / `Proxy-Authenticate` (a challenge) and `Authorization` /
 * `Proxy-Authorization` (credentials).
 *
 * Grammar (RFC 3261 §25.1, RFC 7616 §3.3/§3.4, RFC 7235 §2.1 for token68):
 * ```
 * value        = scheme [ LWS ( token68 / auth-param *( COMMA auth-param ) ) ]
 * auth-param   = token EQUAL ( token / quoted-string )
 * quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
 * quoted-pair  = "\" ( %x00-09 / %x0B-0C / %x0E-7F )
 * ```
 * Parameter names are case-insensitive and returned lower-cased; a name given twice is an error;
 * unknown names are kept. Values are returned unquoted and unescaped. Any scheme parses, so a
 * server can answer `NoOneKnowsThisScheme …` with a fresh Digest challenge.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-25.1
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc7235#section-2.1
 */
import { AuthDuplicateParamError, AuthMalformedError } from './errors.js';

/** One parsed authentication header value (a challenge or a set of credentials). */
export interface AuthHeader {
  /** The auth-scheme as written (`Digest`, `Basic`, …); compare case-insensitively. */
  readonly scheme: string;
  /** auth-params by lower-cased name, values unquoted; a null-prototype record in insertion order. */
  readonly params: Readonly<Record<string, string>>;
  /** RFC 7235 §2.1 token68 form (`Basic QWxh…==`), when the value used it instead of auth-params. */
  readonly token68?: string;
}

/** A `WWW-Authenticate` / `Proxy-Authenticate` value. */
export type AuthChallenge = AuthHeader;
/** An `Authorization` / `Proxy-Authorization` value. */
export type AuthCredentials = AuthHeader;

// RFC 3261 §25.1 — token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
const TOKEN_CHAR = /[A-Za-z0-9\-.!%*_+`'~]/;
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
// RFC 7235 §2.1 — token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** True when `value` is a non-empty RFC 3261 token. */
function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/** True when `scheme` is `Digest` (auth-schemes compare case-insensitively, RFC 7235 §2.1). */
export function isDigestScheme(scheme: string): boolean {
  return scheme.toLowerCase() === 'digest';
}

/** Parses a `WWW-Authenticate` / `Proxy-Authenticate` value. Throws `AuthMalformedError` / `AuthDuplicateParamError`. */
export function parseChallenge(headerValue: string): AuthChallenge {
  return parseAuthHeader(headerValue);
}

/** Parses an `Authorization` / `Proxy-Authorization` value. Throws `AuthMalformedError` / `AuthDuplicateParamError`. */
export function parseCredentials(headerValue: string): AuthCredentials {
  return parseAuthHeader(headerValue);
}

/** A cursor over one header value; `pos` only moves forward. */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  /**
   * Skips linear white space and returns how many characters it skipped.
   * RFC 3261 §25.1 — LWS = [*WSP CRLF] 1*WSP: a CRLF counts only when a WSP follows (folding).
   */
  skipLws(): number {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t') {
        this.pos++;
      } else if (
        c === '\r' &&
        this.text.charAt(this.pos + 1) === '\n' &&
        isWsp(this.text.charAt(this.pos + 2))
      ) {
        this.pos += 3;
      } else {
        return this.pos - start;
      }
    }
  }

  token(what: string): string {
    const start = this.pos;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.pos++;
    if (this.pos === start) throw new AuthMalformedError(`expected ${what}`, start);
    return this.text.slice(start, this.pos);
  }

  /** Reads a quoted-string starting at the opening DQUOTE and returns its unescaped content. */
  quotedString(): string {
    const open = this.pos;
    this.pos++; // opening DQUOTE
    let out = '';
    for (;;) {
      if (this.done) throw new AuthMalformedError('unterminated quoted-string', open);
      const c = this.peek();
      const code = c.charCodeAt(0);
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        // RFC 3261 §25.1 — quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): never CR or LF.
        const next = this.text.charAt(this.pos + 1);
        const nextCode = next.charCodeAt(0);
        if (next === '' || next === '\r' || next === '\n' || nextCode > 0x7f) {
          throw new AuthMalformedError('invalid quoted-pair', this.pos);
        }
        out += next;
        this.pos += 2;
        continue;
      }
      if (c === '\r') {
        // Folded LWS inside qdtext; a bare CR or CRLF without WSP ends the header: malformed.
        if (this.text.charAt(this.pos + 1) === '\n' && isWsp(this.text.charAt(this.pos + 2))) {
          this.pos += 2;
          continue;
        }
        throw new AuthMalformedError('line break inside quoted-string', this.pos);
      }
      // qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII
      if ((code < 0x20 && c !== '\t') || code === 0x7f) {
        throw new AuthMalformedError('control character inside quoted-string', this.pos);
      }
      out += c;
      this.pos++;
    }
  }
}

function isWsp(c: string): boolean {
  return c === ' ' || c === '\t';
}

function parseAuthHeader(headerValue: string): AuthHeader {
  const s = new Scanner(headerValue);
  s.skipLws();
  const scheme = s.token('auth-scheme');
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const gap = s.skipLws();
  if (s.done) return { scheme, params };
  if (gap === 0) throw new AuthMalformedError('expected white space after the auth-scheme', s.pos);

  // RFC 7235 §2.1 — credentials/challenge may carry a token68 instead of auth-params (e.g. Basic).
  const rest = headerValue.slice(s.pos).replace(/[ \t]+$/, '');
  if (TOKEN68.test(rest)) {
    return { scheme, params, token68: rest };
  }

  for (;;) {
    const name = s.token('auth-param name').toLowerCase();
    s.skipLws();
    if (s.peek() !== '=') throw new AuthMalformedError(`expected "=" after "${name}"`, s.pos);
    s.pos++;
    s.skipLws();
    let value: string;
    if (s.peek() === '"') value = s.quotedString();
    else value = s.token(`value of "${name}"`);
    // RFC 7616 §3.3 / §3.4 — a parameter appears at most once; a repeat would let a proxy and the
    // server read different values, so the whole header value is refused.
    if (Object.prototype.hasOwnProperty.call(params, name)) throw new AuthDuplicateParamError(name);
    params[name] = value;
    s.skipLws();
    if (s.done) return { scheme, params };
    if (s.peek() !== ',') throw new AuthMalformedError('expected "," between auth-params', s.pos);
    s.pos++;
    s.skipLws();
    if (s.done) throw new AuthMalformedError('trailing ","', s.pos);
  }
}

/** Which header a value is serialised for; `qop` is quoted in a challenge and bare in credentials. */
type AuthHeaderKind = 'challenge' | 'credentials';

// RFC 7616 §3.3/§3.4 and RFC 3261 §25.1 — these are quoted-string in the grammar.
const ALWAYS_QUOTED = new Set([
  'realm',
  'domain',
  'nonce',
  'opaque',
  'username',
  'uri',
  'response',
  'cnonce',
  'nextnonce',
  'rspauth',
]);
// RFC 7616 §3.4 — "For historical reasons, a sender MUST NOT generate the quoted string syntax" for
// algorithm, qop (in credentials) and nc; stale and userhash are bare tokens too.
const NEVER_QUOTED = new Set(['algorithm', 'nc', 'stale', 'userhash']);

/** Serialises a challenge; inverse of `parseChallenge` (up to white space and quoting). */
export function serializeChallenge(header: AuthChallenge): string {
  return serializeAuthHeader(header, 'challenge');
}

/** Serialises credentials; inverse of `parseCredentials` (up to white space and quoting). */
export function serializeCredentials(header: AuthCredentials): string {
  return serializeAuthHeader(header, 'credentials');
}

function serializeAuthHeader(header: AuthHeader, kind: AuthHeaderKind): string {
  if (!isToken(header.scheme)) throw new AuthMalformedError(`auth-scheme "${header.scheme}" is not a token`);
  if (header.token68 !== undefined) {
    if (!TOKEN68.test(header.token68)) throw new AuthMalformedError('token68 value is not a token68');
    return `${header.scheme} ${header.token68}`;
  }
  const parts: string[] = [];
  for (const [rawName, value] of Object.entries(header.params)) {
    const name = rawName.toLowerCase();
    if (!isToken(name)) throw new AuthMalformedError(`auth-param name "${rawName}" is not a token`);
    const bare = NEVER_QUOTED.has(name) || (name === 'qop' && kind === 'credentials');
    const quoted = ALWAYS_QUOTED.has(name) || (name === 'qop' && kind === 'challenge');
    if (bare) {
      if (!isToken(value)) throw new AuthMalformedError(`value of "${name}" must be a token, got "${value}"`);
      parts.push(`${name}=${value}`);
    } else if (quoted || !isToken(value)) {
      parts.push(`${name}=${quoteAuthParam(value)}`);
    } else {
      parts.push(`${name}=${value}`);
    }
  }
  return parts.length === 0 ? header.scheme : `${header.scheme} ${parts.join(', ')}`;
}

/**
 * Quotes a value as an RFC 3261 quoted-string, escaping `"` and `\`. A CR, LF or other control
 * character cannot be carried (it would end or split the header field), so it is refused.
 */
export function quoteAuthParam(value: string): string {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) {
    throw new AuthMalformedError('a quoted-string cannot carry control characters or line breaks');
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
