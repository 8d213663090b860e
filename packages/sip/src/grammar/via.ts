import { HOSTNAME, TOKEN, isDigit } from './char-classes.js';
import { SipHeaderError } from './errors.js';
import { hostType, isIPv4, isIPv6 } from './host.js';
import { type Parameter, Parameters, parseHeaderParams } from './parameters.js';
import { Scanner } from './scanner.js';

/** RFC 3261 §8.1.1.7 — branch IDs of RFC 3261 elements start with this magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

export interface ViaInit {
  protocolName?: string;
  protocolVersion?: string;
  transport: string;
  host: string;
  port?: number;
  params?: Parameters | Iterable<Parameter>;
}

/**
 * One via-parm (RFC 3261 §20.42): sent-protocol, sent-by and parameters. The well-known
 * parameters (branch, received, rport per RFC 3581, maddr, ttl) are read from `params`, so editing
 * `params` is reflected at once.
 *
 * A Via made by `Via.lazy(text)` (as the message accessors do) parses its text on first use of any
 * property; a malformed value then throws `SipHeaderError`. `parseVia` parses at once.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-20.42
 */
export class Via {
  private _protocolName = 'SIP';
  private _protocolVersion = '2.0';
  private _transport = '';
  private _host = '';
  private _port: number | undefined;
  private _params: Parameters | undefined;
  /** Text not parsed yet (lazy Via). */
  private pending: string | undefined;

  /** From parts, or (a string) from text parsed on first access. */
  constructor(init: ViaInit | string) {
    if (typeof init === 'string') {
      this.pending = init;
      return;
    }
    this._protocolName = init.protocolName ?? 'SIP';
    this._protocolVersion = init.protocolVersion ?? '2.0';
    this._transport = init.transport;
    this._host = init.host;
    this._port = init.port;
    this._params =
      init.params instanceof Parameters ? init.params : new Parameters('header', init.params ?? []);
  }

  /** A Via whose text is parsed on first access. */
  static lazy(text: string): Via {
    return new Via(text);
  }

  /** Parses a pending text; throws SipHeaderError when it is malformed. */
  load(): this {
    const text = this.pending;
    if (text !== undefined) {
      this.parse(text);
      this.pending = undefined;
    }
    return this;
  }

  /**
   * via-parm = sent-protocol LWS sent-by *( SEMI via-params ) (RFC 3261 §25.1), one element (split
   * the header at top-level commas first), parsed into this Via's fields. LWS is allowed around
   * "/" and ":" as the ABNF's SLASH and COLON allow (RFC 4475 §3.1.1.1). Hand-inlined, and no
   * intermediate objects: every response and request carries Vias.
   */
  private parse(text: string): void {
    const len = text.length;
    let p = skipWsp(text, 0);
    // sent-protocol = protocol-name SLASH protocol-version SLASH transport
    let start = p;
    p = skipToken(text, p);
    if (p === start) fail(`expected a token at offset ${p}`);
    const protocolName = text.slice(start, p);
    p = skipSlash(text, p);
    start = p;
    p = skipToken(text, p);
    if (p === start) fail(`expected a token at offset ${p}`);
    const protocolVersion = text.slice(start, p);
    p = skipSlash(text, p);
    start = p;
    p = skipToken(text, p);
    if (p === start) fail(`expected a token at offset ${p}`);
    const transport = text.slice(start, p);
    const afterTransport = p;
    p = skipWsp(text, p);
    if (p === afterTransport) fail(`expected LWS before sent-by at offset ${p}`);
    let host: string;
    if (text.charCodeAt(p) === 0x5b) {
      const close = text.indexOf(']', p);
      if (close < 0) fail('unterminated IPv6 reference');
      host = text.slice(p, close + 1);
      p = close + 1;
    } else {
      start = p;
      while (p < len) {
        const c = text.charCodeAt(p);
        if (c >= 128 || HOSTNAME[c] !== 1) break;
        p++;
      }
      host = text.slice(start, p);
    }
    if (hostType(host) === undefined) fail(`bad sent-by host '${host}'`);
    let port: number | undefined;
    let q = skipWsp(text, p);
    if (text.charCodeAt(q) === 0x3a) {
      q = skipWsp(text, q + 1);
      start = q;
      let n = 0;
      while (q < len && isDigit(text.charCodeAt(q)) && q - start < 6)
        n = n * 10 + text.charCodeAt(q++) - 0x30;
      if (q === start || q - start > 5 || n > 65535) fail(`bad port at offset ${start}`);
      port = n;
      p = q;
    }
    const sc = new Scanner(text, 'Via', viaError);
    sc.pos = p;
    const params = parseHeaderParams(sc);
    if (skipWsp(text, sc.pos) !== len) fail(`unexpected '${text[sc.pos] ?? ''}' at offset ${sc.pos}`);
    checkViaParams(params);
    this._protocolName = protocolName;
    this._protocolVersion = protocolVersion;
    this._transport = transport;
    this._host = host;
    this._port = port;
    this._params = params;
  }

  get protocolName(): string {
    return this.load()._protocolName;
  }
  set protocolName(v: string) {
    this.load()._protocolName = v;
  }
  get protocolVersion(): string {
    return this.load()._protocolVersion;
  }
  set protocolVersion(v: string) {
    this.load()._protocolVersion = v;
  }
  /** Transport as written (`UDP`, `tcp`, `SCTP`, `UNKNOWN`, …). */
  get transport(): string {
    return this.load()._transport;
  }
  set transport(v: string) {
    this.load()._transport = v;
  }
  /** sent-by host; IPv6 references keep their brackets. */
  get host(): string {
    return this.load()._host;
  }
  set host(v: string) {
    this.load()._host = v;
  }
  get port(): number | undefined {
    return this.load()._port;
  }
  set port(v: number | undefined) {
    this.load()._port = v;
  }
  get params(): Parameters {
    return this.load()._params as Parameters;
  }
  set params(v: Parameters) {
    this.load()._params = v;
  }

  get branch(): string | undefined {
    return this.params.get('branch');
  }

  get received(): string | undefined {
    return this.params.get('received');
  }

  get maddr(): string | undefined {
    return this.params.get('maddr');
  }

  get ttl(): number | undefined {
    const v = this.params.get('ttl');
    return v === undefined ? undefined : Number(v);
  }

  /** RFC 3581 — `true` for a value-less `rport` (a request to fill it in), the port once filled. */
  get rport(): number | true | undefined {
    if (!this.params.has('rport')) return undefined;
    const v = this.params.get('rport');
    return v === undefined ? true : Number(v);
  }

  /** Upper-cased transport, for comparisons. */
  get transportUpper(): string {
    return this.transport.toUpperCase();
  }

  toString(): string {
    if (this.pending !== undefined) return this.pending;
    const port = this.port === undefined ? '' : `:${this.port}`;
    return `${this.protocolName}/${this.protocolVersion}/${this.transport} ${this.host}${port}${this.params.toString()}`;
  }
}

/** Parses one via-parm at once (see `Via.lazy` for the deferred form); throws SipHeaderError. */
export function parseVia(value: string): Via {
  return Via.lazy(value).load();
}

function skipWsp(text: string, p: number): number {
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c !== 0x20 && c !== 0x09) break;
    p++;
  }
  return p;
}

/** Skips a token (RFC 3261 §25.1) from `p`; returns its end. */
function skipToken(text: string, p: number): number {
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c >= 128 || TOKEN[c] !== 1) break;
    p++;
  }
  return p;
}

/** SLASH = SWS "/" SWS; returns the position after it. */
function skipSlash(text: string, p: number): number {
  const q = skipWsp(text, p);
  if (text.charCodeAt(q) !== 0x2f) fail(`expected '/' at offset ${q}`);
  return skipWsp(text, q + 1);
}

function viaError(message: string): SipHeaderError {
  return new SipHeaderError('SIP_HEADER_SYNTAX', 'Via', message);
}

function fail(message: string): never {
  throw viaError(`Via: ${message}`);
}

/** One pass over the parameters: ttl, rport, branch and received must be well-formed. */
function checkViaParams(params: Parameters): void {
  for (const { name, value } of params) {
    switch (name.toLowerCase()) {
      case 'ttl':
        if (value === undefined || !/^\d{1,3}$/.test(value) || Number(value) > 255)
          fail(`bad ttl '${value ?? ''}'`);
        break;
      case 'rport':
        // RFC 3581 §3 — rport may be value-less in a request.
        if (value !== undefined && (!/^\d{1,5}$/.test(value) || Number(value) > 65535))
          fail(`bad rport '${value}'`);
        break;
      case 'branch':
        if (value === undefined) fail('branch without a value');
        break;
      case 'received':
        // received = IPv4address / IPv6address (RFC 3261 §20.42, RFC 5118 §4.5: no brackets).
        if (value === undefined || (!isIPv4(value) && !isIPv6(value)))
          fail(`received '${value ?? ''}' is not an IP address`);
        break;
      default:
    }
  }
}

/** true when the branch is an RFC 3261 branch: magic cookie plus at least one more character. */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}
