import { HOSTNAME, isDigit } from './char-classes.js';
import { SipHeaderError } from './errors.js';
import { hostType } from './host.js';
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
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-20.42
 */
export class Via {
  protocolName: string;
  protocolVersion: string;
  /** Transport as written (`UDP`, `tcp`, `SCTP`, `UNKNOWN`, …). */
  transport: string;
  /** sent-by host; IPv6 references keep their brackets. */
  host: string;
  port: number | undefined;
  params: Parameters;

  constructor(init: ViaInit) {
    this.protocolName = init.protocolName ?? 'SIP';
    this.protocolVersion = init.protocolVersion ?? '2.0';
    this.transport = init.transport;
    this.host = init.host;
    this.port = init.port;
    this.params =
      init.params instanceof Parameters ? init.params : new Parameters('header', init.params ?? []);
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
    const port = this.port === undefined ? '' : `:${this.port}`;
    return `${this.protocolName}/${this.protocolVersion}/${this.transport} ${this.host}${port}${this.params.toString()}`;
  }
}

/**
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ) (RFC 3261 §25.1), one element (split
 * the header at top-level commas first). LWS is allowed around "/" and ":" as the ABNF's SLASH and
 * COLON allow (RFC 4475 §3.1.1.1).
 */
export function parseVia(value: string): Via {
  const sc = new Scanner(value, 'Via', (m) => new SipHeaderError('SIP_HEADER_SYNTAX', 'Via', m));
  sc.skipWs();
  const protocolName = sc.token();
  sc.expect(0x2f, true);
  const protocolVersion = sc.token();
  sc.expect(0x2f, true);
  const transport = sc.token();
  if (!sc.skipWs()) sc.fail('expected LWS before sent-by');
  let host: string;
  if (sc.peek() === 0x5b) {
    const close = value.indexOf(']', sc.pos);
    if (close < 0) sc.fail('unterminated IPv6 reference');
    host = value.slice(sc.pos, close + 1);
    sc.pos = close + 1;
  } else host = sc.run(HOSTNAME);
  if (hostType(host) === undefined) sc.fail(`bad sent-by host '${host}'`);
  let port: number | undefined;
  if (sc.accept(0x3a, true)) {
    const start = sc.pos;
    while (isDigit(sc.peek())) sc.pos++;
    if (sc.pos === start || sc.pos - start > 5) sc.fail('bad port');
    port = Number(value.slice(start, sc.pos));
    if (port > 65535) sc.fail('port out of range');
  }
  const params = parseHeaderParams(sc);
  sc.end();
  const via = new Via({ protocolName, protocolVersion, transport, host, port, params });
  checkViaParams(via);
  return via;
}

function checkViaParams(via: Via): void {
  const fail = (m: string): never => {
    throw new SipHeaderError('SIP_HEADER_SYNTAX', 'Via', `Via: ${m}`);
  };
  const ttl = via.params.get('ttl');
  if (ttl !== undefined && !/^\d{1,3}$/.test(ttl)) fail(`bad ttl '${ttl}'`);
  if (ttl !== undefined && Number(ttl) > 255) fail(`ttl ${ttl} out of range`);
  if (via.params.has('rport')) {
    const r = via.params.get('rport');
    if (r !== undefined && (!/^\d{1,5}$/.test(r) || Number(r) > 65535)) fail(`bad rport '${r}'`);
  }
  if (via.params.has('branch') && via.params.get('branch') === undefined) fail('branch without a value');
  const received = via.params.get('received');
  // received = IPv4address / IPv6address (RFC 3261 §20.42, RFC 5118 §4.5: no brackets).
  if (received !== undefined && hostType(received) !== 'ipv4' && hostType(`[${received}]`) !== 'ipv6') {
    fail(`received '${received}' is not an IP address`);
  }
}

/** true when the branch is an RFC 3261 branch: magic cookie plus at least one more character. */
export function isRfc3261Branch(branch: string | undefined): boolean {
  return branch !== undefined && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}
