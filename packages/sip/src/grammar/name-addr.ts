import { TOKEN, isWsp, trimWsp } from './char-classes.js';
import { SipHeaderError, SipSyntaxError } from './errors.js';
import { type Parameter, Parameters, parseHeaderParams } from './parameters.js';
import { Scanner, quoteString, unquoteString } from './scanner.js';
import { type Uri, parseUri, uriToString } from './uri.js';
import { parseDeltaSeconds, parseQValue } from './scalars.js';

export interface NameAddrInit {
  displayName?: string;
  uri: Uri;
  params?: Parameters | Iterable<Parameter>;
}

/**
 * name-addr / addr-spec with header parameters (From, To, Contact, Route, Record-Route, …),
 * RFC 3261 §20.10 and §25.1. `displayName` is decoded (unquoted); `params` are the header
 * parameters, never the URI's.
 */
export class NameAddr {
  displayName: string | undefined;
  uri: Uri;
  params: Parameters;
  /** The display name exactly as received (quoted-string or token sequence), for re-serializing. */
  rawDisplayName: string | undefined;

  constructor(init: NameAddrInit) {
    this.displayName = init.displayName;
    this.rawDisplayName = undefined;
    this.uri = init.uri;
    this.params =
      init.params instanceof Parameters ? init.params : new Parameters('header', init.params ?? []);
  }

  /** The `tag` parameter (From/To, RFC 3261 §19.3). */
  get tag(): string | undefined {
    return this.params.get('tag');
  }

  set tag(value: string | undefined) {
    if (value === undefined) this.params.delete('tag');
    else this.params.set('tag', value);
  }

  /** Always uses the name-addr form (`<…>`), which is valid whatever the URI contains. */
  toString(): string {
    let display = '';
    if (this.rawDisplayName !== undefined) display = this.rawDisplayName + ' ';
    else if (this.displayName !== undefined && this.displayName !== '')
      display = quoteString(this.displayName) + ' ';
    return `${display}<${uriToString(this.uri)}>${this.params.toString()}`;
  }
}

/** A Contact value (RFC 3261 §20.10): a NameAddr with `expires`/`q`, or the `*` wildcard. */
export class Contact extends NameAddr {
  /** `Contact: *` (REGISTER removal of all bindings, RFC 3261 §10.2.2). */
  readonly star: boolean;

  constructor(init: NameAddrInit & { star?: boolean }) {
    super(init);
    this.star = init.star ?? false;
  }

  /** `expires` contact parameter in seconds (delta-seconds ≤ 2^32-1); throws SipHeaderError if bad. */
  get expires(): number | undefined {
    const raw = this.params.get('expires');
    if (raw === undefined) return undefined;
    return wrap('Contact', () => parseDeltaSeconds(raw, 'Contact expires'));
  }

  /** `q` contact parameter (qvalue 0..1), throws SipHeaderError if bad. */
  get q(): number | undefined {
    const raw = this.params.get('q');
    if (raw === undefined) return undefined;
    return wrap('Contact', () => parseQValue(raw));
  }

  override toString(): string {
    return this.star ? '*' : super.toString();
  }
}

/** Placeholder URI of a `Contact: *`. */
const STAR_URI = parseUri('x-star:*');

function wrap<T>(header: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SipHeaderError) throw e;
    if (e instanceof SipSyntaxError)
      throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** One error factory per header name, made once (no closure per parsed value). */
const ERROR_FACTORIES = new Map<string, (message: string) => SipHeaderError>();

function headerScanner(value: string, header: string): Scanner {
  let factory = ERROR_FACTORIES.get(header);
  if (factory === undefined) {
    factory = (m: string): SipHeaderError => new SipHeaderError('SIP_HEADER_SYNTAX', header, m);
    if (ERROR_FACTORIES.size < 64) ERROR_FACTORIES.set(header, factory);
  }
  return new Scanner(value, header, factory);
}

/**
 * Parses one name-addr or addr-spec followed by header parameters. The value must hold exactly one
 * element (split list headers first). A display name of tokens may touch the `<` (RFC 4475
 * §3.1.1.6). An addr-spec without `<>` ends at the first `;` or whitespace and may not contain
 * `,` `?` or `;` (RFC 3261 §20): the parameters that follow belong to the header.
 */
export function parseNameAddr(value: string, header = 'name-addr'): NameAddr {
  const parsed = parseNameAddrParts(value, header);
  const na = new NameAddr({ displayName: parsed.displayName, uri: parsed.uri, params: parsed.params });
  na.rawDisplayName = parsed.rawDisplayName;
  return na;
}

/** Parses one Contact value (`*` or a name-addr/addr-spec with contact-params). */
export function parseContact(value: string): Contact {
  if (trimWsp(value) === '*') return new Contact({ uri: STAR_URI, star: true });
  const parsed = parseNameAddrParts(value, 'Contact');
  const c = new Contact({ displayName: parsed.displayName, uri: parsed.uri, params: parsed.params });
  c.rawDisplayName = parsed.rawDisplayName;
  return c;
}

interface NameAddrParts {
  displayName: string | undefined;
  rawDisplayName: string | undefined;
  uri: Uri;
  params: Parameters;
}

function parseNameAddrParts(value: string, header: string): NameAddrParts {
  const sc = headerScanner(value, header);
  sc.skipWs();
  if (sc.eof) sc.fail('empty value');
  let rawDisplayName: string | undefined;
  let bracketed = false;
  if (sc.peek() === 0x22) {
    rawDisplayName = sc.quotedString();
    sc.skipWs();
    if (sc.peek() !== 0x3c) sc.fail("expected '<' after the display name");
    bracketed = true;
  } else if (sc.peek() === 0x3c) {
    bracketed = true;
  } else {
    // display-name = *(token LWS): try it; if no '<' follows, it was an addr-spec.
    const start = sc.pos;
    const len = value.length;
    let p = start;
    for (;;) {
      const tokenStart = p;
      while (p < len) {
        const c = value.charCodeAt(p);
        if (c >= 128 || TOKEN[c] !== 1) break;
        p++;
      }
      if (p === tokenStart) break;
      while (p < len && isWsp(value.charCodeAt(p))) p++;
    }
    sc.pos = p;
    if (sc.peek() === 0x3c && sc.pos > start) {
      rawDisplayName = trimWsp(value.slice(start, sc.pos));
      bracketed = true;
    } else sc.pos = start;
  }
  let uri: Uri;
  if (bracketed) {
    sc.expect(0x3c);
    const close = value.indexOf('>', sc.pos);
    if (close < 0) sc.fail("missing '>'");
    uri = uriOf(value.slice(sc.pos, close), header);
    sc.pos = close + 1;
  } else {
    const start = sc.pos;
    while (!sc.eof && sc.peek() !== 0x3b && !isWsp(sc.peek())) sc.pos++;
    const text = value.slice(start, sc.pos);
    if (text.indexOf('?') >= 0 || text.indexOf(',') >= 0)
      sc.fail('a URI with headers or commas must be enclosed in <>');
    uri = uriOf(text, header);
  }
  const params = parseHeaderParams(sc);
  sc.end();
  const displayName =
    rawDisplayName === undefined
      ? undefined
      : rawDisplayName.startsWith('"')
        ? unquoteString(rawDisplayName)
        : rawDisplayName.indexOf('\t') >= 0 || rawDisplayName.indexOf('  ') >= 0
          ? rawDisplayName.replace(/[ \t]+/g, ' ')
          : rawDisplayName;
  return { displayName, rawDisplayName, uri, params };
}

function uriOf(text: string, header: string): Uri {
  try {
    return parseUri(text);
  } catch (e) {
    if (e instanceof SipSyntaxError)
      throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: ${e.message}`, { cause: e });
    throw e;
  }
}
