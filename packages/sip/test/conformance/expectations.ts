// RFC 4475 torture messages: the expected outcome of every one of the 49 messages at our element
// (a UAS / registrar, see fixtures/rfc4475/EXPECTED.md), shared by rfc4475.test.ts and
// rfc4475-report.ts so both check the same things.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type IncomingDecision,
  type IncomingPolicy,
  type ParseResult,
  type SipRequest,
  type SipResponse,
  DEFAULT_ALLOWED_METHODS,
  DEFAULT_ACCEPTED_CONTENT_TYPES,
  classifyIncoming,
  createResponse,
  frameStream,
  generateTag,
  parseMessage,
  parseNameAddr,
} from '@svpn/sip';
import { type Binding, type RegistrarMode, tinyRegistrar } from './registrar.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/rfc4475/', import.meta.url));

/** The policy of the element under test: our UAS defaults, plus MESSAGE (for mpart01). */
export const CONFORMANCE_POLICY: IncomingPolicy = {
  allowedMethods: [...DEFAULT_ALLOWED_METHODS, 'MESSAGE'],
  acceptedContentTypes: DEFAULT_ACCEPTED_CONTENT_TYPES,
  // The suite runs with no client transactions: every response is a stray.
  matchResponse: () => false,
};

export interface CaseOutcome {
  raw: Buffer;
  /** What the receive pipeline decided. */
  decision: IncomingDecision;
  /** The message as parsed (also for requests the pipeline refused). */
  parsed: ParseResult;
  /** The response our element sends, parsed back from the wire form; undefined when none. */
  response: SipResponse | undefined;
  /** Who produced `response`. */
  responder: 'pipeline' | 'endpoint' | 'registrar' | undefined;
  bindings: Binding[];
}

export interface Check {
  what: string;
  expected: unknown;
  got: unknown;
}

export interface Expectation {
  file: string;
  section: string;
  /** One-line summary of the expected handling. */
  expected: string;
  registrar?: RegistrarMode;
  checks(o: CaseOutcome): Check[];
}

export function loadFixture(file: string): Buffer {
  return readFileSync(FIXTURES + file + '.dat');
}

/** The element: pipeline, then the registrar for REGISTER, else a minimal UA core answer. */
export function runCase(e: Expectation): CaseOutcome {
  const raw = loadFixture(e.file);
  const decision = classifyIncoming(raw, 'udp', CONFORMANCE_POLICY);
  const parsed = parseMessage(raw, { datagram: true });
  let response: SipResponse | undefined;
  let responder: CaseOutcome['responder'];
  let bindings: Binding[] = [];
  if (decision.action === 'respond') {
    const back = parseMessage(decision.response, { datagram: true });
    if (!back.ok || back.message.kind !== 'response')
      throw new Error(`${e.file}: our own response does not parse`);
    response = back.message;
    responder = 'pipeline';
  } else if (decision.action === 'deliver' && decision.message.kind === 'request') {
    const request = decision.message;
    let built: SipResponse;
    if (request.method === 'REGISTER') {
      const r = tinyRegistrar(request, e.registrar ?? 'open');
      built = r.response;
      bindings = r.bindings;
      responder = 'registrar';
    } else {
      // RFC 3261 §17.2.1 — an INVITE server transaction answers 100 Trying; others get 200 here.
      built = createResponse(request, request.method === 'INVITE' ? 100 : 200, {
        toTag: request.method === 'INVITE' ? undefined : generateTag(),
      });
      responder = 'endpoint';
    }
    const back = parseMessage(built.toBuffer(), { datagram: true });
    if (!back.ok || back.message.kind !== 'response')
      throw new Error(`${e.file}: our own response does not parse`);
    response = back.message;
  }
  return { raw, decision, parsed, response, responder, bindings };
}

/** Evaluates the checks; a check that throws is a failure that names the exception. */
export function evaluate(e: Expectation, o: CaseOutcome): Check[] {
  try {
    return e.checks(o).filter((c) => !same(c.expected, c.got));
  } catch (err) {
    return [
      { what: 'checks', expected: 'no exception', got: err instanceof Error ? err.message : String(err) },
    ];
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const check = (what: string, expected: unknown, got: unknown): Check => ({ what, expected, got });

function req(o: CaseOutcome): SipRequest {
  if (!o.parsed.ok || o.parsed.message.kind !== 'request') throw new Error('no parsed request');
  return o.parsed.message;
}

function res(o: CaseOutcome): SipResponse {
  if (!o.parsed.ok || o.parsed.message.kind !== 'response') throw new Error('no parsed response');
  return o.parsed.message;
}

function outcome(o: CaseOutcome): string {
  const d = o.decision;
  if (d.action === 'drop') return 'drop';
  if (d.action === 'deliver') return 'deliver';
  return `respond ${d.status}`;
}

/**
 * Common checks on any refusal we send: the status, a Warning 399 with text, the request's Via
 * values copied in order, and a To tag (RFC 3261 §8.2.6.2).
 */
function refused(o: CaseOutcome, status: number): Check[] {
  const r = o.response;
  const viaIn = o.parsed.ok ? o.parsed.message.headers.getAll('Via') : [];
  return [
    check('outcome', `respond ${status}`, outcome(o)),
    check('response status', status, r?.status),
    check('Warning 399 with text', true, /^399 svpn ".+"$/.test(r?.headers.get('Warning') ?? '')),
    // The To may be the broken field itself (quotbal, baddn): look for the tag in the raw value.
    check(
      'To tag added',
      true,
      r !== undefined && (!r.headers.has('To') || /;tag=[^;]+$/.test(r.headers.get('To') ?? '')),
    ),
    ...(o.parsed.ok ? [check('Via copied', viaIn, r?.headers.getAll('Via'))] : []),
  ];
}

/** Accepted: delivered to the UA core, which answered `status` (by endpoint or registrar). */
function delivered(o: CaseOutcome, status: number): Check[] {
  return [check('outcome', 'deliver', outcome(o)), check('answer status', status, o.response?.status)];
}

function dropped(o: CaseOutcome, reasonPart: string): Check[] {
  const reason = o.decision.action === 'drop' ? o.decision.reason : undefined;
  return [
    check('outcome', 'drop', outcome(o)),
    check(`drop reason mentions '${reasonPart}'`, true, reason?.includes(reasonPart) ?? false),
    check('no response sent', undefined, o.response?.status),
  ];
}

function warningMentions(o: CaseOutcome, text: string): Check {
  return check(
    `Warning mentions '${text}'`,
    true,
    o.response?.headers.get('Warning')?.includes(text) ?? false,
  );
}

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

function bodyAfterHeaders(raw: Buffer): Buffer {
  return raw.subarray(raw.indexOf('\r\n\r\n') + 4);
}

export const EXPECTATIONS: Expectation[] = [
  // §3.1.1 Valid messages
  {
    file: 'wsinv',
    section: '3.1.1.1',
    expected: 'deliver INVITE: CSeq 9, Max-Forwards 68, 3 Via, Contact q=0.33',
    checks: (o) => {
      const m = req(o);
      return [
        ...delivered(o, 100),
        check('CSeq', { seq: 9, method: 'INVITE' }, m.cseq),
        check('Max-Forwards', 68, m.maxForwards),
        check('Via count', 3, m.via.length),
        check(
          'Via transports',
          ['UDP', 'TCP', 'UDP'],
          m.via.map((v) => v.transport),
        ),
        check('second Via', ['spindle.example.com', 'z9hG4bK9ikj8'], [m.via[1]?.host, m.via[1]?.branch]),
        check('third Via branch (folded after =)', 'z9hG4bK30239', m.via[2]?.branch),
        check('Contact q', 0.33, m.contact[0]?.q),
        check('Contact display name', 'Quoted string ""', m.contact[0]?.displayName),
        check(
          'Contact params',
          ['newparam', 'secondparam', 'q'],
          [...(m.contact[0]?.params ?? [])].map((p) => p.name),
        ),
        check('From display name', 'J Rosenberg \\"', m.from.displayName),
        check('From tag', '98asjd8', m.from.tag),
        check('To tag', '1918181833n', m.to.tag),
        check('empty Subject', '', m.headers.get('Subject')),
        check(
          'folded unknown header',
          'newfangled value continued newfangled value',
          m.headers.get('NewFangledHeader'),
        ),
        check('opaque unknown header', ';;,,;;,;', m.headers.get('UnknownHeaderWithUnusualValue')),
        check('Request-URI param', true, m.uri.kind === 'sip' && m.uri.params.has('unknownparam')),
        check(
          'Route value-less param',
          true,
          m.routes[0]?.uri.kind === 'sip' && m.routes[0].uri.params.has('unknown-no-value'),
        ),
        check('body length', 150, m.body.length),
      ];
    },
  },
  {
    file: 'intmeth',
    section: '3.1.1.2',
    expected: '501 with Allow (unknown method parsed exactly)',
    checks: (o) => {
      const m = req(o);
      const method = "!interesting-Method0123456789_*+`.%indeed'~";
      return [
        ...refused(o, 501),
        check('Allow lists INVITE', true, o.response?.headers.getAll('Allow').includes('INVITE')),
        check('method', method, m.method),
        check('CSeq method', method, m.cseq.method),
        check('To display name (BEL NUL DEL)', 'BEL:\x07 NUL:\x00 DEL:\x7f', m.to.displayName),
        check('From display name', "token1~` token2'+_ token3*%!.-", m.from.displayName),
        check("From fromParam''~+*_!.-% (UTF-8)", 'работающий', m.from.params.get("fromParam''~+*_!.-%")),
        check('From tag', "_token~1'+`*%!-.", m.from.tag),
        check('Call-ID', 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{', m.callId),
        check(
          'R-URI password',
          "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
          m.uri.kind === 'sip' ? m.uri.password : undefined,
        ),
        check(
          'extension header (UTF-8 with BOM)',
          '\ufeff',
          m.headers.get("extensionHeader-!.%*+_`'~")?.slice(0, 1),
        ),
        check('Max-Forwards', 255, m.maxForwards),
      ];
    },
  },
  {
    file: 'esc01',
    section: '3.1.1.3',
    expected: 'deliver INVITE; %HH unescaped exactly once',
    checks: (o) => {
      const m = req(o);
      const contact = m.contact[0]?.uri;
      return [
        ...delivered(o, 100),
        check(
          'R-URI user decoded',
          'sips:user@example.com',
          m.uri.kind === 'sip' ? m.uri.userDecoded : undefined,
        ),
        check('R-URI host', 'example.net', m.uri.kind === 'sip' ? m.uri.host : undefined),
        check('To user decoded', 'user', m.to.uri.kind === 'sip' ? m.to.uri.userDecoded : undefined),
        check(
          'From user decoded',
          'I have spaces',
          m.from.uri.kind === 'sip' ? m.from.uri.userDecoded : undefined,
        ),
        check('Contact user decoded', 'caller', contact?.kind === 'sip' ? contact.userDecoded : undefined),
        check('Contact has lr (escaped name)', true, contact?.kind === 'sip' && contact.lr),
        check(
          'Contact name param decoded once',
          'value%41',
          contact?.kind === 'sip' ? contact.params.get('name') : undefined,
        ),
      ];
    },
  },
  {
    file: 'escnull',
    section: '3.1.1.4',
    expected: 'registrar 200 with two distinct bindings (%00 and %00%00)',
    checks: (o) => {
      const m = req(o);
      const users = o.bindings.map((b) => (b.uri.kind === 'sip' ? b.uri.userDecoded : undefined));
      return [
        ...delivered(o, 200),
        check(
          'AOR user decoded keeps NUL',
          'null-\0-null',
          m.to.uri.kind === 'sip' ? m.to.uri.userDecoded : undefined,
        ),
        check('binding count', 2, o.bindings.length),
        check('binding users', ['\0', '\0\0'], users),
        check('bindings distinct', true, new Set(o.bindings.map((b) => b.contact)).size === 2),
        check('200 lists both contacts', 2, o.response?.contact.length),
      ];
    },
  },
  {
    file: 'esc02',
    section: '3.1.1.5',
    expected: '501 with Allow (RE%47IST%45R is not REGISTER)',
    checks: (o) => {
      const m = req(o);
      return [
        ...refused(o, 501),
        check('method literal', 'RE%47IST%45R', m.method),
        check('display names literal', ['%Z%45', '%Z%45'], [m.from.displayName, m.to.displayName]),
        check('two Contact values', 2, m.contact.length),
        check('C%6Fntact is another header', '<sip:alias2@host2.example.com>', m.headers.get('C%6Fntact')),
      ];
    },
  },
  {
    file: 'lwsdisp',
    section: '3.1.1.6',
    expected: 'deliver OPTIONS → 200; From display name "caller"',
    checks: (o) => [...delivered(o, 200), check('From display name', 'caller', req(o).from.displayName)],
  },
  {
    file: 'longreq',
    section: '3.1.1.7',
    expected: 'deliver INVITE; 34 Via values echoed in the response',
    checks: (o) => {
      const m = req(o);
      return [
        ...delivered(o, 100),
        check('Via count', 34, m.via.length),
        check('response echoes 34 Via', 34, o.response?.via.length),
        check('Via order kept', m.headers.getAll('Via'), o.response?.headers.getAll('Via')),
        check('last Via received', '192.0.2.5', m.via[33]?.received),
        check('From tag (long)', ['1298298', '2424'], [m.from.tag?.slice(0, 7), m.from.tag?.slice(-4)]),
        check('From tag length', 155, m.from.tag?.length),
        check('To port', 6000, m.to.uri.kind === 'sip' ? m.to.uri.port : undefined),
        check('body length', 150, m.body.length),
      ];
    },
  },
  {
    file: 'dblreq',
    section: '3.1.1.8',
    expected: 'deliver REGISTER → 200; 450 trailing octets ignored',
    checks: (o) => [
      ...delivered(o, 200),
      check('trailing octets', 450, o.decision.action === 'deliver' ? o.decision.trailing : undefined),
      check('method', 'REGISTER', req(o).method),
      check('empty body', 0, req(o).body.length),
      check(
        'binding',
        ['sip:j.user@host.example.com'],
        o.bindings.map((b) => b.contact),
      ),
    ],
  },
  {
    file: 'semiuri',
    section: '3.1.1.9',
    expected: 'deliver OPTIONS; R-URI user "user;par=u@example.net", host example.com',
    checks: (o) => {
      const u = req(o).uri;
      return [
        ...delivered(o, 200),
        check('R-URI user raw', 'user;par=u%40example.net', u.kind === 'sip' ? u.user : undefined),
        check('R-URI user decoded', 'user;par=u@example.net', u.kind === 'sip' ? u.userDecoded : undefined),
        check('R-URI host', 'example.com', u.kind === 'sip' ? u.host : undefined),
        check('no URI params', 0, u.kind === 'sip' ? u.params.size : undefined),
        check('folded Accept values', 6, req(o).headers.count('Accept')),
      ];
    },
  },
  {
    file: 'transports',
    section: '3.1.1.10',
    expected: 'deliver OPTIONS → 200 echoing 5 Via values',
    checks: (o) => [
      ...delivered(o, 200),
      check(
        'transports',
        ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
        req(o).via.map((v) => v.transport),
      ),
      check('response Via values', req(o).headers.getAll('Via'), o.response?.headers.getAll('Via')),
      check('top Via host', 't1.example.com', o.response?.topVia?.host),
    ],
  },
  {
    file: 'mpart01',
    section: '3.1.1.11',
    expected: 'deliver MESSAGE; body 553 octets byte-exact',
    checks: (o) => {
      const m = req(o);
      const expectedBody = bodyAfterHeaders(o.raw).subarray(0, 553);
      return [
        ...delivered(o, 200),
        check('body length', 553, m.body.length),
        check('body byte-exact', true, m.body.equals(expectedBody)),
        check('body holds NUL octets', true, m.body.includes(0)),
        check(
          'Content-Type',
          'multipart/mixed',
          m.contentType && `${m.contentType.type}/${m.contentType.subtype}`,
        ),
        check('boundary', '7a9cbec02ceef655', m.contentType?.params.get('boundary')),
        check('Via rport value-less', true, m.topVia?.rport),
      ];
    },
  },
  {
    file: 'unreason',
    section: '3.1.1.12',
    expected: 'parse OK (UTF-8 reason phrase), then drop as a stray response',
    checks: (o) => [
      ...dropped(o, 'stray'),
      check('status', 200, res(o).status),
      check('reason phrase', '= 2**3 * 5**2 но сто девяносто девять - простое', res(o).reason),
    ],
  },
  {
    file: 'noreason',
    section: '3.1.1.13',
    expected: 'parse OK (empty reason phrase), then drop as a stray response',
    checks: (o) => [
      ...dropped(o, 'stray'),
      check('status', 100, res(o).status),
      check('reason phrase', '', res(o).reason),
    ],
  },
  // §3.1.2 Invalid messages
  {
    file: 'badinv01',
    section: '3.1.2.1',
    expected: '400 (empty Via / Contact parameters)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Via')],
  },
  {
    file: 'clerr',
    section: '3.1.2.2',
    expected: '400 over UDP (Content-Length 9999 > datagram); TCP waits for more',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'Content-Length'),
      check('TCP framing', 'incomplete', frameStream(o.raw).kind),
      check('TCP pipeline', 'drop', classifyIncoming(o.raw, 'tcp', CONFORMANCE_POLICY).action),
    ],
  },
  {
    file: 'ncl',
    section: '3.1.2.3',
    expected: '400 (negative Content-Length); TCP framing error',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'Content-Length'),
      check('TCP framing', 'error', frameStream(o.raw).kind),
    ],
  },
  {
    file: 'scalar02',
    section: '3.1.2.4',
    expected: '400 because of the CSeq (2^65), no wrap-around',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'CSeq')],
  },
  {
    file: 'scalarlg',
    section: '3.1.2.5',
    expected: 'drop the response (overlarge CSeq)',
    checks: (o) => [...dropped(o, 'CSeq')],
  },
  {
    file: 'quotbal',
    section: '3.1.2.6',
    expected: '400 (unterminated quoted display name in To)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'To')],
  },
  {
    file: 'ltgtruri',
    section: '3.1.2.7',
    expected: '400 (<> around the Request-URI)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Request-URI')],
  },
  {
    file: 'lwsruri',
    section: '3.1.2.8',
    expected: '400 (LWS inside the Request-URI)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Request-Line')],
  },
  {
    file: 'lwsstart',
    section: '3.1.2.9',
    expected: '400 (several SP in the Request-Line)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Request-Line')],
  },
  {
    file: 'trws',
    section: '3.1.2.10',
    expected: '400 (SP after the SIP-Version)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Request-Line')],
  },
  {
    file: 'escruri',
    section: '3.1.2.11',
    expected: '400 (escaped headers in the Request-URI), never a Route',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'Request-URI'),
      check('no Route header made', false, req(o).headers.has('Route')),
    ],
  },
  {
    file: 'baddate',
    section: '3.1.2.12',
    expected: 'deliver INVITE (Date is not used)',
    checks: (o) => [
      ...delivered(o, 100),
      check('Date kept raw', 'Fri, 01 Jan 2010 16:00:00 EST', req(o).headers.get('Date')),
    ],
  },
  {
    file: 'regbadct',
    section: '3.1.2.13',
    expected: '400 (Contact with URI headers outside <>)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Contact')],
  },
  {
    file: 'badaspec',
    section: '3.1.2.14',
    expected: '400 (spaces inside the To addr-spec)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'To')],
  },
  {
    file: 'baddn',
    section: '3.1.2.15',
    expected: '400 (no header terminator; unquoted display names with commas)',
    checks: (o) => [
      ...refused(o, 400),
      check(
        'header section unterminated',
        'SIP_PARSE_NO_HEADER_END',
        o.parsed.ok ? 'parsed' : o.parsed.error.code,
      ),
      check(
        'From display name rejected',
        true,
        throws(() => parseNameAddr(o.parsed.ok ? '' : (o.parsed.error.partial?.get('From') ?? ''), 'From')),
      ),
    ],
  },
  {
    file: 'badvers',
    section: '3.1.2.16',
    expected: '505 Version Not Supported',
    checks: (o) => [
      ...refused(o, 505),
      check(
        'Via copied with SIP/7.0',
        'SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw',
        o.response?.headers.get('Via'),
      ),
    ],
  },
  {
    file: 'mismatch01',
    section: '3.1.2.17',
    expected: '400 (CSeq method ≠ request method)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'CSeq method')],
  },
  {
    file: 'mismatch02',
    section: '3.1.2.18',
    expected: '501 with Allow (unknown method first)',
    checks: (o) => [...refused(o, 501), check('Allow present', true, o.response?.headers.has('Allow'))],
  },
  {
    file: 'bigcode',
    section: '3.1.2.19',
    expected: 'drop (status code 4294967301, no 32-bit wrap)',
    checks: (o) => [...dropped(o, 'status code'), check('parse fails', false, o.parsed.ok)],
  },
  // §3.2 Transaction layer
  {
    file: 'badbranch',
    section: '3.2.1',
    expected: 'stateless 400 (branch is only the magic cookie)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'magic cookie')],
  },
  // §3.3 Application layer
  {
    file: 'insuf',
    section: '3.3.1',
    expected: '400 built from Via and CSeq (Call-ID, From, To missing)',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'Call-ID'),
      check('CSeq copied', '193942 INVITE', o.response?.headers.get('CSeq')),
      check(
        'no From/To/Call-ID invented',
        [false, false, false],
        ['From', 'To', 'Call-ID'].map((n) => o.response?.headers.has(n)),
      ),
    ],
  },
  {
    file: 'unkscm',
    section: '3.3.2',
    expected: '416 Unsupported URI Scheme',
    checks: (o) => [
      ...refused(o, 416),
      check(
        'R-URI parsed opaque',
        'totallyopaquecontent',
        req(o).uri.kind === 'absolute' ? req(o).uri.toString().split(':')[1] : undefined,
      ),
    ],
  },
  {
    file: 'novelsc',
    section: '3.3.3',
    expected: '416 Unsupported URI Scheme',
    checks: (o) => [...refused(o, 416), check('scheme', 'soap.beep', req(o).uri.scheme)],
  },
  {
    file: 'unksm2',
    section: '3.3.4',
    expected: '400 at the registrar (To is not a SIP URI)',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'To of a REGISTER'),
      check(
        'schemes parsed',
        ['isbn', 'http', 'name'],
        [req(o).to.uri.scheme, req(o).from.uri.scheme, req(o).contact[0]?.uri.scheme],
      ),
    ],
  },
  {
    file: 'bext01',
    section: '3.3.5',
    expected: '420 with Unsupported listing the Require option tags',
    checks: (o) => [
      ...refused(o, 420),
      check(
        'Unsupported',
        'nothingSupportsThis, nothingSupportsThisEither',
        o.response?.headers.get('Unsupported'),
      ),
    ],
  },
  {
    file: 'invut',
    section: '3.3.6',
    expected: '415 with Accept',
    checks: (o) => [
      ...refused(o, 415),
      check(
        'Accept lists application/sdp',
        true,
        o.response?.headers.getAll('Accept').includes('application/sdp'),
      ),
    ],
  },
  {
    file: 'regaut01',
    section: '3.3.7',
    expected: '401 Digest challenge at an authenticating registrar',
    registrar: 'authenticating',
    checks: (o) => [
      ...delivered(o, 401),
      check('answered by', 'registrar', o.responder),
      check(
        'WWW-Authenticate',
        true,
        /^Digest realm="[^"]+", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/.test(
          o.response?.headers.get('WWW-Authenticate') ?? '',
        ),
      ),
      check(
        'unknown Authorization kept',
        'NoOneKnowsThisScheme opaque-data=here',
        req(o).headers.get('Authorization'),
      ),
    ],
  },
  {
    file: 'multi01',
    section: '3.3.8',
    expected: '400 (multiple values in single-value fields)',
    checks: (o) => [...refused(o, 400), warningMentions(o, 'Call-ID, CSeq, From, To, Max-Forwards')],
  },
  {
    file: 'mcl01',
    section: '3.3.9',
    expected: '400 (conflicting Content-Length); TCP framing error',
    checks: (o) => [
      ...refused(o, 400),
      warningMentions(o, 'Content-Length'),
      check('TCP framing', 'error', frameStream(o.raw).kind),
    ],
  },
  {
    file: 'bcast',
    section: '3.3.10',
    expected: 'drop (response with two Via values)',
    checks: (o) => [...dropped(o, '2 Via'), check('parsed', true, o.parsed.ok)],
  },
  {
    file: 'zeromf',
    section: '3.3.11',
    expected: 'deliver OPTIONS → 200 (Max-Forwards 0 is a proxy matter)',
    checks: (o) => [...delivered(o, 200), check('Max-Forwards', 0, req(o).maxForwards)],
  },
  {
    file: 'cparam01',
    section: '3.3.12',
    expected: 'registrar 200; unknownparam is a contact parameter, not in the bound URI',
    checks: (o) => [
      ...delivered(o, 200),
      check(
        'bound URI',
        ['sip:+19725552222@gw1.example.net'],
        o.bindings.map((b) => b.contact),
      ),
      check('contact params', ['unknownparam'], o.bindings[0]?.contactParams),
      check(
        '200 Contact URI has no unknownparam',
        false,
        o.response?.contact[0]?.uri.toString().includes('unknownparam'),
      ),
    ],
  },
  {
    file: 'cparam02',
    section: '3.3.13',
    expected: 'registrar 200; bound URI keeps ;unknownparam',
    checks: (o) => [
      ...delivered(o, 200),
      check(
        'bound URI',
        ['sip:+19725552222@gw1.example.net;unknownparam'],
        o.bindings.map((b) => b.contact),
      ),
      check(
        '200 Contact URI keeps it',
        'sip:+19725552222@gw1.example.net;unknownparam',
        o.response?.contact[0]?.uri.toString(),
      ),
    ],
  },
  {
    file: 'regescrt',
    section: '3.3.14',
    expected: 'registrar 200; bound URI keeps ?Route=%3Csip:sip.example.com%3E',
    checks: (o) => [
      ...delivered(o, 200),
      check(
        'bound URI',
        ['sip:user@example.com?Route=%3Csip:sip.example.com%3E'],
        o.bindings.map((b) => b.contact),
      ),
      check(
        '200 Contact URI',
        'sip:user@example.com?Route=%3Csip:sip.example.com%3E',
        o.response?.contact[0]?.uri.toString(),
      ),
    ],
  },
  {
    file: 'sdp01',
    section: '3.3.15',
    expected: '406 with Warning (Accept excludes application/sdp)',
    checks: (o) => [...refused(o, 406), warningMentions(o, 'application/sdp')],
  },
  // §3.4 Backward compatibility
  {
    file: 'inv2543',
    section: '3.4.1',
    expected: 'deliver INVITE (RFC 2543: no branch, no From tag, body = rest of datagram)',
    checks: (o) => {
      const m = req(o);
      return [
        ...delivered(o, 100),
        check('body = rest of datagram', 105, m.body.length),
        check('no branch', undefined, m.topVia?.branch),
        check('no From tag', undefined, m.from.tag),
        check('no Max-Forwards', undefined, m.maxForwards),
        check('To user param is a header param', 'phone', m.to.params.get('user')),
      ];
    },
  },
];

/** One line per case, as printed by the report. */
export function describeFailure(failures: Check[]): string {
  return failures
    .map((f) => `${f.what}: expected ${JSON.stringify(f.expected)} got ${JSON.stringify(f.got)}`)
    .join('; ');
}
