import {
  HNVCHAR,
  HOSTNAME,
  PARAMCHAR,
  PASSWORD,
  SCHEME,
  UNRESERVED,
  USER,
  inClass,
  isAlpha,
  isDigit,
  isHexDigit,
} from './char-classes.js';
import { SipUriError } from './errors.js';
import { escapeChars, unescape } from './escape.js';
import { type HostType, hostType, normalizeHost } from './host.js';
import { type Parameter, Parameters } from './parameters.js';

/** One `?name=value` header of a SIP URI, raw (escaped) as on the wire. */
export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

export interface SipUriInit {
  scheme?: 'sip' | 'sips';
  /** Raw (escaped) user part. */
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params?: Parameters | Iterable<Parameter>;
  headers?: UriHeader[];
}

/**
 * SIP-URI / SIPS-URI (RFC 3261 §19.1.1, IPv6 references per RFC 5118). `user` keeps its `%HH`
 * escapes; `userDecoded` unescapes exactly once (RFC 4475 §3.1.1.3).
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-19.1.1
 */
export class SipUri {
  readonly kind = 'sip' as const;
  scheme: 'sip' | 'sips';
  user: string | undefined;
  password: string | undefined;
  /** Host as written: hostname, IPv4, or IPv6 reference in brackets (`[2001:db8::1]`). */
  host: string;
  port: number | undefined;
  params: Parameters;
  headers: UriHeader[];

  constructor(init: SipUriInit) {
    this.scheme = init.scheme ?? 'sip';
    this.user = init.user;
    this.password = init.password;
    this.host = init.host;
    this.port = init.port;
    this.params = init.params instanceof Parameters ? init.params : new Parameters('uri', init.params ?? []);
    this.headers = init.headers ?? [];
  }

  get hostType(): HostType | undefined {
    return hostType(this.host);
  }

  /** The user part with `%HH` escapes decoded once (may contain U+0000, RFC 4475 §3.1.1.4). */
  get userDecoded(): string | undefined {
    return this.user === undefined ? undefined : unescape(this.user);
  }

  /** Host without IPv6 brackets, as a socket API wants it. */
  get hostname(): string {
    return this.host.startsWith('[') ? this.host.slice(1, -1) : this.host;
  }

  /** Lower-cased `transport` URI parameter, if any. */
  get transport(): string | undefined {
    return this.params.get('transport')?.toLowerCase();
  }

  /** `lr` URI parameter present (loose routing, RFC 3261 §19.1.1). */
  get lr(): boolean {
    return this.params.has('lr');
  }

  clone(): SipUri {
    return new SipUri({ ...this, params: this.params.clone(), headers: [...this.headers] });
  }

  toString(): string {
    return uriToString(this);
  }
}

/** tel URI (RFC 3966), minimal: the number as written and its parameters. */
export class TelUri {
  readonly kind = 'tel' as const;
  readonly scheme = 'tel' as const;
  number: string;
  params: Parameters;

  constructor(number: string, params?: Parameters | Iterable<Parameter>) {
    this.number = number;
    this.params = params instanceof Parameters ? params : new Parameters('uri', params ?? []);
  }

  /** global-number (starts with "+"), RFC 3966 §3. */
  get global(): boolean {
    return this.number.startsWith('+');
  }

  clone(): TelUri {
    return new TelUri(this.number, this.params.clone());
  }

  toString(): string {
    return uriToString(this);
  }
}

/** Any other absoluteURI (RFC 3261 §25.1): the scheme and the opaque rest. */
export class AbsoluteUri {
  readonly kind = 'absolute' as const;

  constructor(
    readonly scheme: string,
    readonly opaque: string,
  ) {}

  clone(): AbsoluteUri {
    return new AbsoluteUri(this.scheme, this.opaque);
  }

  toString(): string {
    return uriToString(this);
  }
}

export type Uri = SipUri | TelUri | AbsoluteUri;

const ESC_OR = (cls: Uint8Array): Uint8Array => {
  const t = cls.slice();
  t[0x25] = 1; // '%', validated as an escape by scanEscaped
  return t;
};
const PASSWORD_ESC = ESC_OR(PASSWORD);
const PARAM_ESC = ESC_OR(PARAMCHAR);
const HNV_ESC = ESC_OR(HNVCHAR);
const USERINFO_SCAN = (() => {
  const t = ESC_OR(USER);
  for (let i = 0; i < 128; i++) if (PASSWORD[i]) t[i] = 1;
  t[0x3a] = 1; // ':'
  return t;
})();

function fail(text: string, why: string): never {
  throw new SipUriError(
    'SIP_URI_SYNTAX',
    `bad URI '${text.length > 80 ? text.slice(0, 80) + '…' : text}': ${why}`,
  );
}

/**
 * Checks that every `%` in text[start,end) starts a valid escape; returns the slice. `escaped` is
 * false when the URI holds no `%` at all (the usual case): one search per URI instead of per part.
 */
function checked(text: string, start: number, end: number, what: string, escaped: boolean): string {
  if (!escaped) return text.slice(start, end);
  for (let i = text.indexOf('%', start); i >= 0 && i < end; i = text.indexOf('%', i + 1)) {
    if (i + 2 >= end || !isHexDigit(text.charCodeAt(i + 1)) || !isHexDigit(text.charCodeAt(i + 2))) {
      fail(text, `bad escape in ${what}`);
    }
  }
  return text.slice(start, end);
}

function runOf(text: string, pos: number, cls: Uint8Array): number {
  while (pos < text.length && inClass(cls, text.charCodeAt(pos))) pos++;
  return pos;
}

/**
 * Parses a URI: `sip:`/`sips:` → SipUri, `tel:` → TelUri, any other scheme → AbsoluteUri.
 * The whole text must be the URI (no surrounding whitespace or brackets). Throws SipUriError.
 */
export function parseUri(text: string): Uri {
  const colon = text.indexOf(':');
  if (colon <= 0) fail(text, 'no scheme');
  if (!isAlpha(text.charCodeAt(0))) fail(text, 'scheme must start with a letter');
  if (runOf(text, 1, SCHEME) !== colon) fail(text, 'bad scheme');
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, scheme, colon + 1);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  const opaque = text.slice(colon + 1);
  if (opaque.length === 0) fail(text, 'empty URI');
  for (let i = 0; i < opaque.length; i++) {
    const c = opaque.charCodeAt(i);
    // RFC 3261 §25.1 absoluteURI: uric characters only, never whitespace, quotes or angle brackets.
    if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x3c || c === 0x3e) fail(text, 'illegal character');
  }
  return new AbsoluteUri(text.slice(0, colon), opaque);
}

function parseSipUri(text: string, scheme: 'sip' | 'sips', start: number): SipUri {
  const escaped = text.indexOf('%', start) >= 0;
  let pos = start;
  let user: string | undefined;
  let password: string | undefined;
  // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@" — present iff the run of
  // userinfo characters ends in "@" (neither host, params nor headers may contain "@").
  const infoEnd = runOf(text, pos, USERINFO_SCAN);
  if (text.charCodeAt(infoEnd) === 0x40) {
    const sep = text.indexOf(':', pos);
    const userEnd = sep >= 0 && sep < infoEnd ? sep : infoEnd;
    // [pos, userEnd) holds only USER characters and '%': the scan class is USER ∪ ':' ∪ '%'.
    user = checked(text, pos, userEnd, 'user', escaped);
    if (user.length === 0) fail(text, 'empty user');
    if (userEnd < infoEnd) {
      if (runOf(text, userEnd + 1, PASSWORD_ESC) !== infoEnd) fail(text, 'illegal character in password');
      password = checked(text, userEnd + 1, infoEnd, 'password', escaped);
    }
    pos = infoEnd + 1;
  }
  // hostport = host [ ":" port ]
  let hostEnd: number;
  if (text.charCodeAt(pos) === 0x5b) {
    hostEnd = text.indexOf(']', pos);
    if (hostEnd < 0) fail(text, 'unterminated IPv6 reference');
    hostEnd++;
  } else hostEnd = runOf(text, pos, HOSTNAME);
  const host = text.slice(pos, hostEnd);
  if (hostType(host) === undefined) fail(text, `bad host '${host}'`);
  pos = hostEnd;
  let port: number | undefined;
  if (text.charCodeAt(pos) === 0x3a) {
    let p = pos + 1;
    let value = 0;
    while (p < text.length && isDigit(text.charCodeAt(p))) {
      value = value * 10 + text.charCodeAt(p) - 0x30;
      p++;
      if (value > 65535) fail(text, 'port out of range');
    }
    if (p === pos + 1) fail(text, 'empty port');
    port = value;
    pos = p;
  }
  // uri-parameters = *( ";" uri-parameter ), uri-parameter = pname [ "=" pvalue ]
  const params: Parameter[] = [];
  while (text.charCodeAt(pos) === 0x3b) {
    const nameEnd = runOf(text, pos + 1, PARAM_ESC);
    if (nameEnd === pos + 1) fail(text, 'empty URI parameter');
    const name = checked(text, pos + 1, nameEnd, 'parameter', escaped);
    pos = nameEnd;
    let value: string | undefined;
    if (text.charCodeAt(pos) === 0x3d) {
      const valueEnd = runOf(text, pos + 1, PARAM_ESC);
      if (valueEnd === pos + 1) fail(text, `empty value for URI parameter '${name}'`);
      value = checked(text, pos + 1, valueEnd, 'parameter', escaped);
      pos = valueEnd;
    }
    params.push({ name, value });
  }
  // headers = "?" header *( "&" header ), header = hname "=" hvalue
  const headers: UriHeader[] = [];
  if (text.charCodeAt(pos) === 0x3f) {
    do {
      const nameEnd = runOf(text, pos + 1, HNV_ESC);
      if (nameEnd === pos + 1) fail(text, 'empty URI header name');
      const name = checked(text, pos + 1, nameEnd, 'header', escaped);
      if (text.charCodeAt(nameEnd) !== 0x3d) fail(text, `URI header '${name}' has no '='`);
      const valueEnd = runOf(text, nameEnd + 1, HNV_ESC);
      headers.push({ name, value: checked(text, nameEnd + 1, valueEnd, 'header', escaped) });
      pos = valueEnd;
    } while (text.charCodeAt(pos) === 0x26);
  }
  if (pos !== text.length) fail(text, `unexpected '${text[pos] ?? ''}'`);
  return new SipUri({ scheme, user, password, host, port, params: Parameters.adopt('uri', params), headers });
}

const TEL_NUMBER = (() => {
  const t = new Uint8Array(128);
  for (const c of '0123456789abcdefABCDEF*#+-.()') t[c.charCodeAt(0)] = 1;
  return t;
})();

function parseTelUri(text: string, start: number): TelUri {
  const escaped = text.indexOf('%', start) >= 0;
  // RFC 3966 §3: telephone-subscriber = global-number / local-number; visual separators - . ( )
  const end = runOf(text, start, TEL_NUMBER);
  const number = text.slice(start, end);
  if (number.length === 0 || !/[0-9a-fA-F*#]/.test(number)) fail(text, 'empty telephone number');
  if (number.lastIndexOf('+') > 0) fail(text, "misplaced '+'");
  const params: Parameter[] = [];
  let pos = end;
  while (text.charCodeAt(pos) === 0x3b) {
    const nameEnd = runOf(text, pos + 1, PARAM_ESC);
    if (nameEnd === pos + 1) fail(text, 'empty parameter');
    const name = checked(text, pos + 1, nameEnd, 'parameter', escaped);
    pos = nameEnd;
    let value: string | undefined;
    if (text.charCodeAt(pos) === 0x3d) {
      const valueEnd = runOf(text, pos + 1, PARAM_ESC);
      value = checked(text, pos + 1, valueEnd, 'parameter', escaped);
      pos = valueEnd;
    }
    params.push({ name, value });
  }
  if (pos !== text.length) fail(text, `unexpected '${text[pos] ?? ''}'`);
  return new TelUri(number, Parameters.adopt('uri', params));
}

/** Serializes a URI exactly from its (raw) parts. */
export function uriToString(uri: Uri): string {
  switch (uri.kind) {
    case 'sip': {
      let out = uri.scheme + ':';
      if (uri.user !== undefined) {
        out += uri.user;
        if (uri.password !== undefined) out += ':' + uri.password;
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += ':' + uri.port;
      out += uri.params.toString();
      for (let i = 0; i < uri.headers.length; i++) {
        const h = uri.headers[i] as UriHeader;
        out += (i === 0 ? '?' : '&') + h.name + '=' + h.value;
      }
      return out;
    }
    case 'tel':
      return 'tel:' + uri.number + uri.params.toString();
    case 'absolute':
      return uri.scheme + ':' + uri.opaque;
    default: {
      const never: never = uri;
      throw new Error(`unknown URI ${String(never)}`);
    }
  }
}

/**
 * Normalizes `%HH` escapes for comparison (RFC 3261 §19.1.4): an escaped unreserved character
 * equals the character itself; other escapes keep their (upper-cased) form, so `%3B` ≠ `;`.
 */
function normalizeEscapes(text: string): string {
  if (text.indexOf('%') < 0) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && isHexDigit(text.charCodeAt(i + 1)) && isHexDigit(text.charCodeAt(i + 2))) {
      const byte = parseInt(text.slice(i + 1, i + 3), 16);
      out += inClass(UNRESERVED, byte)
        ? String.fromCharCode(byte)
        : '%' + text.slice(i + 1, i + 3).toUpperCase();
      i += 2;
    } else out += text[i];
  }
  return out;
}

/** URI parameters that must match when present in either URI (RFC 3261 §19.1.4). */
const SIGNIFICANT_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'];

/** A parameter's lookup key, as `Parameters` computes it for URI parameters. */
function paramKey(name: string): string {
  return (name.includes('%') ? unescape(name) : name).toLowerCase();
}

/**
 * Key → comparable value (`null` when value-less) of the first occurrence of each parameter, built
 * once so a comparison stays linear: a lookup per parameter would make it quadratic in the number
 * of parameters, which the sender controls.
 */
function paramTable(params: Parameters): Map<string, string | null> {
  const table = new Map<string, string | null>();
  for (const p of params) {
    const key = paramKey(p.name);
    if (!table.has(key))
      table.set(key, p.value === undefined ? null : normalizeEscapes(p.value).toLowerCase());
  }
  return table;
}

/** The comparable value of a parameter; undefined when absent or value-less. */
function paramValue(table: Map<string, string | null>, key: string): string | undefined {
  return table.get(key) ?? undefined;
}

/**
 * URI equality per RFC 3261 §19.1.4: SIP vs SIPS never equal; userinfo case-sensitive; host
 * case-insensitive; a default port is not equal to an absent one; user/ttl/method/maddr/transport
 * must match when present in either; other parameters must match only when present in both;
 * URI headers must all match. Escaped unreserved characters equal their unescaped form.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-19.1.4
 */
export function uriEquals(a: Uri, b: Uri): boolean {
  if (a.kind === 'sip' && b.kind === 'sip') {
    if (a.scheme !== b.scheme) return false;
    if ((a.user === undefined) !== (b.user === undefined)) return false;
    if (a.user !== undefined && normalizeEscapes(a.user) !== normalizeEscapes(b.user as string)) return false;
    if ((a.password ?? null) !== (b.password ?? null)) {
      if (a.password === undefined || b.password === undefined) return false;
      if (normalizeEscapes(a.password) !== normalizeEscapes(b.password)) return false;
    }
    if (normalizeHost(a.host) !== normalizeHost(b.host)) return false;
    if (a.port !== b.port) return false;
    const at = paramTable(a.params);
    const bt = paramTable(b.params);
    for (const name of SIGNIFICANT_PARAMS) {
      if (paramValue(at, name) !== paramValue(bt, name)) return false;
    }
    // Parameters in both must match, value-less in both or equal values in both. A repeated name
    // counts once, by its first occurrence, as lookups do (so a URI always equals itself).
    for (const [key, value] of at) {
      if (bt.has(key) && bt.get(key) !== value) return false;
    }
    if (a.headers.length !== b.headers.length) return false;
    const key = (h: UriHeader): string =>
      normalizeEscapes(h.name).toLowerCase() + '=' + normalizeEscapes(h.value).toLowerCase();
    const bh = new Set(b.headers.map(key));
    return a.headers.every((h) => bh.has(key(h)));
  }
  if (a.kind === 'tel' && b.kind === 'tel') {
    // RFC 3966 §4: visual separators are ignored; parameters compare as a set.
    const num = (t: TelUri): string => t.number.replace(/[-.()]/g, '').toLowerCase();
    if (num(a) !== num(b) || a.params.size !== b.params.size) return false;
    const at = paramTable(a.params);
    const bt = paramTable(b.params);
    for (const p of a.params) {
      const key = paramKey(p.name);
      if (paramValue(bt, key) !== paramValue(at, key)) return false;
    }
    return true;
  }
  if (a.kind === 'absolute' && b.kind === 'absolute') {
    return a.scheme.toLowerCase() === b.scheme.toLowerCase() && a.opaque === b.opaque;
  }
  return false;
}

/** Escapes a decoded user part for a SIP URI (RFC 3261 §25.1 user characters). */
export function escapeUser(user: string): string {
  return escapeChars(user, USER);
}
