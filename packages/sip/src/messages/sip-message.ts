import {
  type CSeq,
  Contact,
  type MediaType,
  NameAddr,
  SipHeaderError,
  type Uri,
  Via,
  WORD_CHARS,
  parseContact,
  parseCSeq,
  parseDeltaSeconds,
  parseMaxForwards,
  parseMediaType,
  parseNameAddr,
  parseOptionTag,
  parseUri,
  splitList,
  trimWsp,
  uriToString,
} from '../grammar/index.js';
import { reasonPhrase } from './reason-phrase.js';
import { type HeadersInit, SipHeaders } from './sip-headers.js';

export interface SipMessageInit {
  headers?: HeadersInit;
  body?: Buffer | string;
  /** @defaultValue `'SIP/2.0'` */
  version?: string;
}

const parseFrom = (v: string): NameAddr => parseNameAddr(v, 'From');
const parseTo = (v: string): NameAddr => parseNameAddr(v, 'To');
const parseRoute = (v: string): NameAddr => parseNameAddr(v, 'Route');
const parseRecordRoute = (v: string): NameAddr => parseNameAddr(v, 'Record-Route');
const parseContentType = (v: string): MediaType => parseMediaType(v);
const parseRequire = (v: string): string => parseOptionTag(v, 'Require');
const parseSupported = (v: string): string => parseOptionTag(v, 'Supported');
const parseProxyRequire = (v: string): string => parseOptionTag(v, 'Proxy-Require');
const parseAllow = (v: string): string => parseOptionTag(v, 'Allow');
const parseExpires = (v: string): number => parseDeltaSeconds(v, 'Expires');

function missing(header: string): never {
  throw new SipHeaderError('SIP_HEADER_MISSING', header, `${header} header is missing`);
}

/**
 * The typed header views of one message, one slot per accessor (a fixed shape, so reading a slot
 * is a plain property load). `undefined` means not parsed yet, or absent: an absent optional
 * header is simply looked up again.
 */
class HeaderViews {
  via: Via[] | undefined = undefined;
  from: NameAddr | undefined = undefined;
  to: NameAddr | undefined = undefined;
  callId: string | undefined = undefined;
  cseq: CSeq | undefined = undefined;
  contact: Contact[] | undefined = undefined;
  maxForwards: number | undefined = undefined;
  contentType: MediaType | undefined = undefined;
  routes: NameAddr[] | undefined = undefined;
  recordRoutes: NameAddr[] | undefined = undefined;
  require: string[] | undefined = undefined;
  supported: string[] | undefined = undefined;
  proxyRequire: string[] | undefined = undefined;
  allow: string[] | undefined = undefined;
  expires: number | undefined = undefined;
}

/**
 * A SIP message: ordered headers, a body and lazily parsed typed views of the headers. Each typed
 * accessor parses on first use and caches the result until the headers change; a header that does
 * not parse throws `SipHeaderError` (request validation decides what is fatal).
 */
export abstract class SipMessage {
  abstract readonly kind: 'request' | 'response';
  headers: SipHeaders;
  body: Buffer;
  version: string;
  /**
   * @internal The bytes a `SipStack` sent for this message, kept for retransmissions; the stack
   * sets and clears it. A field rather than a WeakMap in the stack: every scavenge walks a WeakMap's
   * entries, and lingering transactions keep tens of thousands of messages alive (64·T1).
   */
  wire: Buffer | undefined = undefined;
  /** Parsed header views; created on first use, dropped by `dropViews`. */
  private cache: HeaderViews | undefined = undefined;
  private cacheHeaders: SipHeaders | undefined;
  private cacheVersion = -1;

  protected constructor(init: SipMessageInit) {
    this.headers = init.headers instanceof SipHeaders ? init.headers : new SipHeaders(init.headers);
    this.body =
      typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : (init.body ?? Buffer.alloc(0));
    this.version = init.version ?? 'SIP/2.0';
  }

  /** The start line without CRLF. */
  abstract startLine(): string;

  /** The parsed-header views, emptied when the headers object or its version changed. */
  private views(): HeaderViews {
    let cache = this.cache;
    if (
      cache === undefined ||
      this.cacheHeaders !== this.headers ||
      this.cacheVersion !== this.headers.version
    ) {
      cache = new HeaderViews();
      this.cache = cache;
      this.cacheHeaders = this.headers;
      this.cacheVersion = this.headers.version;
    }
    return cache;
  }

  /**
   * @internal Forgets the parsed header views; an accessor parses again on demand. The stack calls
   * it once a server transaction has sent its final response: the transaction then lingers for
   * up to 64·T1 (RFC 3261 §17.2.2, RFC 6026 §7.1) and should not keep every parsed view alive.
   */
  dropViews(): void {
    this.cache = undefined;
  }

  private list<T>(header: string, parse: (v: string) => T): T[] {
    const out: T[] = [];
    for (const value of this.headers.fieldValues(header)) {
      if (value.indexOf(',') < 0) {
        if (value === '')
          throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: empty list element`);
        out.push(parse(value));
        continue;
      }
      for (const v of splitList(value)) {
        if (v === '') throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: empty list element`);
        out.push(parse(v));
      }
    }
    return out;
  }

  private single<T>(header: string, parse: (v: string) => T): T | undefined {
    const v = this.headers.get(header);
    return v === undefined ? undefined : parse(v);
  }

  /**
   * Every Via value, top first (RFC 3261 §20.42). Each value is parsed on first use of one of its
   * properties (a malformed one throws SipHeaderError then); `validateRequest` parses them all.
   */
  get via(): Via[] {
    const v = this.views();
    return (v.via ??= this.list('Via', Via.lazy));
  }

  get topVia(): Via | undefined {
    return this.via[0];
  }

  get from(): NameAddr {
    const v = this.views();
    return (v.from ??= this.single('From', parseFrom)) ?? missing('From');
  }

  get to(): NameAddr {
    const v = this.views();
    return (v.to ??= this.single('To', parseTo)) ?? missing('To');
  }

  /** Call-ID = word [ "@" word ] (RFC 3261 §20.8). */
  get callId(): string {
    const v = this.views();
    return (v.callId ??= this.single('Call-ID', parseCallId)) ?? missing('Call-ID');
  }

  get cseq(): CSeq {
    const v = this.views();
    return (v.cseq ??= this.single('CSeq', parseCSeq)) ?? missing('CSeq');
  }

  /** Contact values; `Contact: *` yields one Contact with `star` set. */
  get contact(): Contact[] {
    const v = this.views();
    return (v.contact ??= this.list('Contact', parseContact));
  }

  get maxForwards(): number | undefined {
    const v = this.views();
    return (v.maxForwards ??= this.single('Max-Forwards', parseMaxForwards));
  }

  get contentType(): MediaType | undefined {
    const v = this.views();
    return (v.contentType ??= this.single('Content-Type', parseContentType));
  }

  /** Length of the body (framing already applied it; serialization writes this value). */
  get contentLength(): number {
    return this.body.length;
  }

  get routes(): NameAddr[] {
    const v = this.views();
    return (v.routes ??= this.list('Route', parseRoute));
  }

  get recordRoutes(): NameAddr[] {
    const v = this.views();
    return (v.recordRoutes ??= this.list('Record-Route', parseRecordRoute));
  }

  get require(): string[] {
    const v = this.views();
    return (v.require ??= this.list('Require', parseRequire));
  }

  get supported(): string[] {
    const v = this.views();
    return (v.supported ??= this.list('Supported', parseSupported));
  }

  get proxyRequire(): string[] {
    const v = this.views();
    return (v.proxyRequire ??= this.list('Proxy-Require', parseProxyRequire));
  }

  /** Allow: methods (tokens, case-sensitive). */
  get allow(): string[] {
    const v = this.views();
    return (v.allow ??= this.list('Allow', parseAllow));
  }

  /** Expires header in seconds (delta-seconds ≤ 2^32-1, RFC 3261 §20.19). */
  get expires(): number | undefined {
    const v = this.views();
    return (v.expires ??= this.single('Expires', parseExpires));
  }

  /** Serializes: start line, header fields with canonical names, a recomputed Content-Length, body. */
  toBuffer(): Buffer {
    const body = this.body;
    const head =
      this.startLine() +
      '\r\n' +
      this.headers.wireLines('content-length') +
      `Content-Length: ${body.length}\r\n\r\n`;
    if (body.length === 0) return Buffer.from(head, 'utf8');
    // One buffer for head and body (no concat of two).
    const headBytes = Buffer.byteLength(head, 'utf8');
    const out = Buffer.allocUnsafe(headBytes + body.length);
    out.write(head, 0, 'utf8');
    body.copy(out, headBytes);
    return out;
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

export interface SipRequestInit extends SipMessageInit {
  method: string;
  uri: Uri | string;
}

/** A SIP request (RFC 3261 §7.1). */
export class SipRequest extends SipMessage {
  readonly kind = 'request' as const;
  method: string;
  uri: Uri;

  constructor(init: SipRequestInit) {
    super(init);
    this.method = init.method;
    this.uri = typeof init.uri === 'string' ? parseUri(init.uri) : init.uri;
  }

  startLine(): string {
    return `${this.method} ${uriToString(this.uri)} ${this.version}`;
  }

  clone(): SipRequest {
    return new SipRequest({
      method: this.method,
      uri: this.uri.clone(),
      headers: this.headers.clone(),
      body: this.body,
      version: this.version,
    });
  }
}

export interface SipResponseInit extends SipMessageInit {
  status: number;
  /** @defaultValue `reasonPhrase(status)` */
  reason?: string;
}

/** A SIP response (RFC 3261 §7.2). */
export class SipResponse extends SipMessage {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(init: SipResponseInit) {
    super(init);
    this.status = init.status;
    this.reason = init.reason ?? reasonPhrase(init.status);
  }

  startLine(): string {
    return `${this.version} ${this.status} ${this.reason}`;
  }

  clone(): SipResponse {
    return new SipResponse({
      status: this.status,
      reason: this.reason,
      headers: this.headers.clone(),
      body: this.body,
      version: this.version,
    });
  }
}

/** Call-ID = word [ "@" word ] (RFC 3261 §25.1). */
export function parseCallId(value: string): string {
  const v = trimWsp(value);
  let at = -1;
  let ok = v.length > 0;
  for (let i = 0; ok && i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 0x40 && at < 0 && i > 0 && i < v.length - 1) at = i;
    else if (c >= 128 || WORD_CHARS[c] !== 1) ok = false;
  }
  if (!ok) throw new SipHeaderError('SIP_HEADER_SYNTAX', 'Call-ID', `Call-ID: '${v}' is not word ["@" word]`);
  return v;
}
