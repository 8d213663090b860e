/**
 * The invariants one fuzz case must keep, checked without IO:
 *
 * ```
 *  bytes ──► classifyIncoming(udp) ──► decision ──► checkDecision ──► deliver? touch accessors,
 *    │                                                                serialize, re-parse
 *    └──► StreamFramer (random chunks) ──► message ──► classifyIncoming(tcp) ──► checkDecision …
 *                                     └──► error   ──► classifyUnframeable ──► checkDecision
 * ```
 *
 * The oracles that judge a decision (does the start line look like a request, is there a usable
 * top Via) read the raw bytes themselves rather than trusting the parser under test.
 */
import {
  type IncomingDecision,
  type IncomingPolicy,
  type IncomingTransport,
  type NameAddr,
  type SipRequest,
  type SipResponse,
  type Uri,
  DEFAULT_ACCEPTED_CONTENT_TYPES,
  DEFAULT_ALLOWED_METHODS,
  MAX_UDP_PAYLOAD_IPV4,
  MAX_UDP_PAYLOAD_IPV6,
  SipAuthError,
  SipHeaderError,
  SipSyntaxError,
  StreamFramer,
  type StreamFramerOutput,
  classifyIncoming,
  classifyUnframeable,
  isSipToken,
  mediaTypeName,
  parseChallenge,
  parseCredentials,
  parseInfoPackage,
  parseMediaType,
  parseMinSE,
  parseRAck,
  parseRSeq,
  parseRecvInfo,
  parseSessionExpires,
  parseMessage,
  parseRetryAfter,
  parseUri,
  parseVia,
  readDigestChallenge,
  readDigestCredentials,
  splitList,
  trimWsp,
  uriEquals,
  uriToString,
} from '@svpn/sip';
import { Prng } from './mutator.js';

/**
 * The element under test: our UAS defaults plus MESSAGE and PRACK, the gateway's own
 * application/svpn-qos+json INFO bodies (DESIGN.md §4), every response delivered.
 */
export const FUZZ_POLICY: IncomingPolicy = {
  allowedMethods: [...DEFAULT_ALLOWED_METHODS, 'MESSAGE', 'PRACK'],
  acceptedContentTypes: [...DEFAULT_ACCEPTED_CONTENT_TYPES, 'application/svpn-qos+json'],
};

/**
 * Statuses the receive pipeline may answer a request with instead of delivering it, and why each
 * is legitimate. Anything else from the pipeline is a failure.
 */
export const ACCEPTED_REJECTIONS: ReadonlyMap<number, string> = new Map([
  [400, 'RFC 3261 §8.2 / §18.3 / §21.4.1: malformed request, missing mandatory field, unframeable'],
  [405, 'RFC 3261 §8.2.1: method known but not allowed here (with Allow)'],
  [406, 'RFC 3261 §8.2.3 / RFC 4475 §3.3.15: Accept excludes application/sdp for an SDP offer'],
  [415, 'RFC 3261 §8.2.3: Content-Type or Content-Encoding not understood (with Accept / Accept-Encoding)'],
  [416, 'RFC 3261 §8.2.2.1: Request-URI scheme not understood'],
  [420, 'RFC 3261 §8.2.2.3: Require names an extension we do not support (with Unsupported)'],
  [501, 'RFC 3261 §8.2.1: method not implemented (with Allow)'],
  [505, 'RFC 3261 §8.1.1 / §21.5.6: SIP-Version other than SIP/2.0'],
  [513, 'RFC 3261 §21.4.11: on a stream, a header section or body larger than the framer accepts'],
]);

/** The invariants, as counted in the summary. */
export type Invariant =
  /** Nothing but the typed errors (SipHeaderError, SipAuthError) escapes; the pipeline never throws. */
  | 'no-untyped-exception'
  /** A request (not ACK) with a usable top Via is delivered or answered. */
  | 'request-answered'
  /** The pipeline answers only with a status of ACCEPTED_REJECTIONS. */
  | 'accepted-status'
  /** The answer parses as a response with that status, a usable Via and the fields §8.2 asks for. */
  | 'well-formed-rejection'
  /** RFC 3261 §17.2.1 — an ACK is never answered. */
  | 'never-answer-ack'
  /** RFC 3261 §18.3 — a response is never answered. */
  | 'never-answer-response'
  /** A delivered request has readable Via, From, To, Call-ID and CSeq (validation ran). */
  | 'validated-fields-readable'
  /** A delivered message serializes, re-parses with the same identity, and is delivered again. */
  | 'round-trip'
  /** On a stream, the framer and the parser agree on where a message ends. */
  | 'framer-agreement'
  /** The framer's work stays linear in the bytes fed, whatever the chunking. */
  | 'framer-linear'
  /** The same octets framed as one whole message get the same decision over UDP and TCP. */
  | 'transport-agreement'
  /** A case finishes within the time limit. */
  | 'case-time'
  /** Heap after GC at a checkpoint stays within the bound over the baseline. */
  | 'heap-bound';

export const INVARIANTS: readonly Invariant[] = [
  'no-untyped-exception',
  'request-answered',
  'accepted-status',
  'well-formed-rejection',
  'never-answer-ack',
  'never-answer-response',
  'validated-fields-readable',
  'round-trip',
  'framer-agreement',
  'framer-linear',
  'transport-agreement',
  'case-time',
  'heap-bound',
];

export interface Violation {
  readonly invariant: Invariant;
  /** Which path found it: the datagram, a framed stream message, or the case as a whole. */
  readonly path: 'udp' | 'tcp' | 'case';
  readonly detail: string;
}

export interface CaseResult {
  readonly violations: Violation[];
  /** Outcome labels for the summary: `udp:deliver:request`, `udp:respond:400`, `tcp:drop:ack`, … */
  readonly outcomes: string[];
  /**
   * Time spent in the code under test (receive pipeline, framer, typed accessors) on the slower of
   * the two paths, without this checker's own oracles; 0 without a clock.
   */
  readonly pipelineMs: number;
  /** The same, per path. */
  readonly pathMs: { readonly udp: number; readonly tcp: number };
}

export interface CheckOptions {
  /** Seeds the stream chunking. */
  chunkSeed: number;
  /** @defaultValue FUZZ_POLICY */
  policy?: IncomingPolicy;
  /** Milliseconds clock for `pipelineMs` (e.g. `performance.now`); none keeps the check pure. */
  clock?: () => number;
  /** The code under test. @defaultValue the real `classifyIncoming` / `classifyUnframeable` */
  pipeline?: Pipeline;
  /**
   * Called before each timed block (a full GC, when a slow case is timed again: the collection of
   * the checker's own garbage is not the pipeline's cost).
   */
  beforeTimed?: () => void;
}

/** The receive pipeline being judged (replaced by a broken one to show the checker can fail). */
export interface Pipeline {
  classifyIncoming: typeof classifyIncoming;
  classifyUnframeable: typeof classifyUnframeable;
}

const REAL_PIPELINE: Pipeline = { classifyIncoming, classifyUnframeable };

/** The code under test for one case, and the time spent in it. */
class CaseRun {
  readonly ms = { udp: 0, tcp: 0 };
  constructor(
    private readonly clock: (() => number) | undefined,
    readonly pipeline: Pipeline,
    private readonly beforeTimed: (() => void) | undefined,
  ) {}

  time<T>(path: 'udp' | 'tcp', run: () => T): T {
    if (this.clock === undefined) return run();
    this.beforeTimed?.();
    const t0 = this.clock();
    try {
      return run();
    } finally {
      this.ms[path] += this.clock() - t0;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Oracles over the raw bytes
// ---------------------------------------------------------------------------------------------

/** What the start line looks like, read from the bytes (RFC 3261 §7.1, §7.2). */
export interface StartLineShape {
  readonly kind: 'request' | 'response' | 'other';
  readonly method?: string;
}

/** Trailing SP / HTAB removed (a loop: `/[ \t]+$/` backtracks quadratically on long runs). */
function trimEndWsp(text: string): string {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === 0x20 || text.charCodeAt(end - 1) === 0x09)) end--;
  return text.slice(0, end);
}

function skipLeadingCrlf(data: Buffer): number {
  let start = 0;
  while (start + 1 < data.length && data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  return start;
}

/**
 * `SIP/…` is a Status-Line; a first word that is a token is a Request-Line's Method (whatever
 * follows it); anything else is neither.
 */
export function startLineShape(data: Buffer): StartLineShape {
  const start = skipLeadingCrlf(data);
  let end = data.indexOf('\r\n', start);
  if (end < 0) end = data.length;
  const line = data.toString('utf8', start, end);
  if (line.length > 4 && line.slice(0, 4).toUpperCase() === 'SIP/') return { kind: 'response' };
  const sp = line.indexOf(' ');
  const method = sp < 0 ? line : line.slice(0, sp);
  return isSipToken(method) ? { kind: 'request', method } : { kind: 'other' };
}

/**
 * The unfolded header fields of the header section, as `[lower-case name, value]`. Folding may
 * continue a value only: HCOLON = *( SP / HTAB ) ":" SWS (RFC 3261 §25.1) puts the colon on the
 * field's first line, so a first line without one is no field.
 */
function rawFields(data: Buffer): [string, string][] {
  const start = skipLeadingCrlf(data);
  const blank = data.indexOf('\r\n\r\n', start);
  const head = data.toString('utf8', start, blank < 0 ? data.length : blank);
  const lines = head.split('\r\n');
  const out: [string, string][] = [];
  let current: [string, string] | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // RFC 3261 §7.3.1 — the folding and the whitespace around it become one SP.
      if (current !== undefined) current[1] = trimEndWsp(current[1]) + ' ' + trimWsp(line);
      continue;
    }
    const colon = line.indexOf(':');
    current =
      colon <= 0 ? undefined : [trimEndWsp(line.slice(0, colon)).toLowerCase(), line.slice(colon + 1)];
    if (current !== undefined) out.push(current);
  }
  return out;
}

/**
 * Every Via field value, trimmed, with bare CR / LF (which may not go on the wire again) blanked.
 */
export function viaValues(data: Buffer): string[] {
  return rawFields(data)
    .filter(([name]) => name === 'via' || name === 'v')
    .map(([, value]) => trimWsp(value.replace(/[\r\n]/g, ' ')));
}

const COMPACT_OF: Readonly<Record<string, string>> = { from: 'f', 'call-id': 'i', cseq: 'cseq', to: 't' };

/** The first value of a header field (full or compact name), trimmed, bare CR / LF blanked. */
export function firstValue(data: Buffer, name: 'from' | 'call-id' | 'cseq' | 'to'): string | undefined {
  const field = rawFields(data).find(([n]) => n === name || n === COMPACT_OF[name]);
  return field === undefined ? undefined : trimWsp(field[1].replace(/[\r\n]/g, ' '));
}

/**
 * Whether the first Via field's first (non-empty) value parses: then there is somewhere to send a
 * response (RFC 3261 §18.2.2), so the request must not be dropped silently.
 */
export function hasUsableTopVia(data: Buffer): boolean {
  const via = rawFields(data).find(([name]) => name === 'via' || name === 'v');
  if (via === undefined) return false;
  const first = splitList(via[1]).find((v) => v !== '');
  if (first === undefined) return false;
  try {
    parseVia(first);
    return true;
  } catch (e) {
    if (e instanceof SipSyntaxError) return false;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Touching a delivered message
// ---------------------------------------------------------------------------------------------

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e);
}

function uriProbe(uri: Uri): unknown[] {
  const out: unknown[] = [uriToString(uri), uri.toString()];
  if (uri.kind === 'sip')
    out.push(uri.hostType, uri.userDecoded, uri.hostname, uri.transport, uri.lr, [...uri.params]);
  else if (uri.kind === 'tel') out.push(uri.global, [...uri.params]);
  return out;
}

function nameAddrProbe(na: NameAddr): unknown[] {
  return [na.displayName, na.rawDisplayName, na.tag, na.toString(), [...na.params], ...uriProbe(na.uri)];
}

/** URIs must survive their own serialization and equal their clone (RFC 3261 §19.1.4 is reflexive). */
function uriRoundTrip(uri: Uri, what: string, out: Violation[], path: 'udp' | 'tcp'): void {
  const text = uriToString(uri);
  let again: Uri;
  try {
    again = parseUri(text);
  } catch (e) {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `${what} URI '${text.slice(0, 80)}' does not re-parse: ${describe(e)}`,
    });
    return;
  }
  if (uriToString(again) !== text) {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `${what} URI changes on re-parse: '${text.slice(0, 80)}'`,
    });
  }
  if (!uriEquals(uri, uri.clone()) || !uriEquals(uri, again)) {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `${what} URI '${text.slice(0, 80)}' is not equal to itself`,
    });
  }
}

type Probe = readonly [name: string, read: () => unknown];

function probes(m: SipRequest | SipResponse): Probe[] {
  const list: Probe[] = [
    [
      'via',
      () =>
        m.via.map((v) => [
          v.protocolName,
          v.protocolVersion,
          v.transport,
          v.host,
          v.port,
          v.branch,
          v.received,
          v.maddr,
          v.ttl,
          v.rport,
          v.transportUpper,
          [...v.params],
          v.toString(),
        ]),
    ],
    ['topVia', () => m.topVia?.branch],
    ['from', () => nameAddrProbe(m.from)],
    ['to', () => nameAddrProbe(m.to)],
    ['callId', () => m.callId],
    ['cseq', () => [m.cseq.seq, m.cseq.method]],
    ['contact', () => m.contact.map((c) => [c.star, c.expires, c.q, c.star ? [] : nameAddrProbe(c)])],
    ['maxForwards', () => m.maxForwards],
    [
      'contentType',
      () => {
        const ct = m.contentType;
        return ct === undefined ? undefined : [mediaTypeName(ct), [...ct.params], ct.params.get('boundary')];
      },
    ],
    ['contentLength', () => m.contentLength],
    ['routes', () => m.routes.map(nameAddrProbe)],
    ['recordRoutes', () => m.recordRoutes.map(nameAddrProbe)],
    ['require', () => m.require],
    ['supported', () => m.supported],
    ['proxyRequire', () => m.proxyRequire],
    ['allow', () => m.allow],
    ['expires', () => m.expires],
    ['startLine', () => m.startLine()],
    ['Retry-After', () => m.headers.getAll('Retry-After').map((v) => parseRetryAfter(v))],
    ['Accept', () => m.headers.getAll('Accept').map((v) => parseMediaType(v, 'Accept'))],
    // Extension headers the UA reads (RFC 3262, RFC 4028, RFC 6086).
    ['RSeq', () => m.headers.getAll('RSeq').map(parseRSeq)],
    ['RAck', () => m.headers.getAll('RAck').map(parseRAck)],
    ['Session-Expires', () => m.headers.getAll('Session-Expires').map(parseSessionExpires)],
    ['Min-SE', () => m.headers.getAll('Min-SE').map(parseMinSE)],
    ['Info-Package', () => m.headers.getAll('Info-Package').map(parseInfoPackage)],
    ['Recv-Info', () => parseRecvInfo(m.headers)],
  ];
  for (const name of ['Authorization', 'Proxy-Authorization'] as const) {
    list.push([
      name,
      () =>
        m.headers.fields(name).map((f) => {
          const c = parseCredentials(f.value);
          return c.scheme.toLowerCase() === 'digest' ? readDigestCredentials(c) : c;
        }),
    ]);
  }
  for (const name of ['WWW-Authenticate', 'Proxy-Authenticate'] as const) {
    list.push([
      name,
      () =>
        m.headers.fields(name).map((f) => {
          const c = parseChallenge(f.value);
          return c.scheme.toLowerCase() === 'digest' ? readDigestChallenge(c) : c;
        }),
    ]);
  }
  if (m.kind === 'request') list.push(['uri', () => uriProbe(m.uri)]);
  return list;
}

/** Reads every typed view; only the typed errors may come out. Returns the names that threw typed. */
function touch(m: SipRequest | SipResponse, out: Violation[], path: 'udp' | 'tcp'): Set<string> {
  const typed = new Set<string>();
  for (const [name, read] of probes(m)) {
    try {
      read();
    } catch (e) {
      if (e instanceof SipHeaderError || e instanceof SipAuthError) typed.add(name);
      else
        out.push({
          invariant: 'no-untyped-exception',
          path,
          detail: `accessor ${name} threw ${describe(e)}`,
        });
    }
  }
  return typed;
}

/** Identity of a message for the round trip: start line facts, Call-ID, CSeq, Via count, body. */
function identity(m: SipRequest | SipResponse): string {
  const safe = (read: () => unknown): unknown => {
    try {
      return read();
    } catch {
      return '<unreadable>';
    }
  };
  return JSON.stringify([
    m.kind,
    m.kind === 'request' ? [m.method, uriToString(m.uri)] : [m.status, m.reason],
    m.version,
    safe(() => m.callId),
    safe(() => [m.cseq.seq, m.cseq.method]),
    safe(() => m.via.length),
    [...m.headers].filter(([name]) => name !== 'Content-Length'),
    m.body.toString('latin1'),
  ]);
}

function roundTrip(
  pipeline: Pipeline,
  m: SipRequest | SipResponse,
  policy: IncomingPolicy,
  out: Violation[],
  path: 'udp' | 'tcp',
): void {
  let bytes: Buffer;
  try {
    bytes = m.toBuffer();
  } catch (e) {
    out.push({ invariant: 'round-trip', path, detail: `toBuffer threw ${describe(e)}` });
    return;
  }
  const again = parseMessage(bytes, { datagram: true });
  if (!again.ok) {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `serialization does not parse: ${again.error.reason}`,
    });
    return;
  }
  const before = identity(m);
  const after = identity(again.message);
  if (before !== after) {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `identity changed: ${before.slice(0, 200)} → ${after.slice(0, 200)}`,
    });
  }
  if (!again.message.toBuffer().equals(bytes)) {
    out.push({ invariant: 'round-trip', path, detail: 'serialization is not a fixpoint' });
  }
  let decision: IncomingDecision;
  try {
    decision = pipeline.classifyIncoming(bytes, 'udp', policy);
  } catch (e) {
    out.push({
      invariant: 'no-untyped-exception',
      path,
      detail: `classifyIncoming(serialized) threw ${describe(e)}`,
    });
    return;
  }
  if (decision.action !== 'deliver') {
    out.push({
      invariant: 'round-trip',
      path,
      detail: `serialized message is not delivered again: ${decision.action} (${decision.reason})`,
    });
  }
  if (m.kind === 'request') uriRoundTrip(m.uri, 'Request', out, path);
}

// ---------------------------------------------------------------------------------------------
// Judging one decision
// ---------------------------------------------------------------------------------------------

const TOO_LARGE = /^refusal of \d+ bytes does not fit in a datagram: /;

/** warning-value = warn-code SP warn-agent SP warn-text; warn-text = quoted-string (RFC 3261 §25.1). */
const WARNING_VALUE = /^\d{3} [^ ]+ "(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\x00-\x09\x0b\x0c\x0e-\x7f])*"$/;

const REQUIRED_WITH: Readonly<Record<number, readonly string[]>> = {
  405: ['Allow'],
  501: ['Allow'],
  420: ['Unsupported'],
};

function checkRejection(
  request: Buffer,
  decision: Extract<IncomingDecision, { action: 'respond' }>,
  out: Violation[],
  path: 'udp' | 'tcp',
): void {
  if (!ACCEPTED_REJECTIONS.has(decision.status)) {
    out.push({
      invariant: 'accepted-status',
      path,
      detail: `answered ${decision.status} (${decision.reason})`,
    });
  }
  const parsed = parseMessage(decision.response, { datagram: true });
  const bad = (detail: string): void => {
    out.push({ invariant: 'well-formed-rejection', path, detail: `${decision.status}: ${detail}` });
  };
  if (!parsed.ok) return bad(`our response does not parse: ${parsed.error.reason}`);
  const r = parsed.message;
  if (r.kind !== 'response') return bad('our response parses as a request');
  if (r.status !== decision.status) bad(`status line says ${r.status}`);
  if (path === 'udp' && decision.response.length > MAX_UDP_PAYLOAD_IPV6) {
    bad(`${decision.response.length} bytes do not fit in a datagram`);
  }
  // No amplification: the answer copies some fields (Via in its long form) and adds a bounded
  // status line, tag, Warning and Allow / Accept lists. The header section is read as UTF-8, so
  // an invalid octet comes back as U+FFFD (3 octets): the bound is on the decoded size.
  const decoded = Buffer.byteLength(request.toString('utf8'));
  if (decision.response.length > 1.25 * decoded + 1024) {
    bad(`${decision.response.length} bytes answer a request of ${request.length} bytes (${decoded} decoded)`);
  }
  // RFC 3261 §8.2.6.2 — the Via values of the request, in order (the stateless answer goes back to
  // the packet's source, so even a request with a broken Via is answered, RFC 4475 §3.1.2.1).
  const want = viaValues(request).join(' | ');
  const got = viaValues(decision.response).join(' | ');
  if (want !== got)
    bad(`Via values not copied: request '${want.slice(0, 120)}', response '${got.slice(0, 120)}'`);
  // RFC 3261 §8.2.6.2 — From, Call-ID and CSeq equal the request's; To too, plus a tag.
  for (const name of ['from', 'call-id', 'cseq', 'to'] as const) {
    const asked = firstValue(request, name);
    const answered = firstValue(decision.response, name);
    if (asked === undefined) continue;
    const same = name === 'to' ? answered?.startsWith(asked) : answered === asked;
    if (same !== true) {
      bad(
        `${name} not copied: request '${asked.slice(0, 80)}', response '${(answered ?? '-').slice(0, 80)}'`,
      );
    }
  }
  const warning = r.headers.get('Warning');
  if (warning === undefined) bad('no Warning saying why');
  // RFC 3261 §20.43 — warn-text is a quoted-string: no bare CTL, quote or backslash inside.
  else if (!WARNING_VALUE.test(warning))
    bad(`Warning is not a valid warning-value: ${JSON.stringify(warning.slice(0, 120))}`);
  const to = r.headers.get('To');
  if (to !== undefined && !/;\s*tag\s*=/i.test(to)) bad('To without a tag (RFC 3261 §8.2.6.2)');
  for (const name of REQUIRED_WITH[decision.status] ?? []) if (!r.headers.has(name)) bad(`no ${name}`);
  if (decision.status === 415 && !r.headers.has('Accept') && !r.headers.has('Accept-Encoding')) {
    bad('no Accept / Accept-Encoding');
  }
}

function checkDecision(
  run: CaseRun,
  frame: Buffer,
  decision: IncomingDecision,
  transport: IncomingTransport,
  policy: IncomingPolicy,
  out: Violation[],
  outcomes: string[],
): void {
  const path = transport === 'udp' ? 'udp' : 'tcp';
  const shape = startLineShape(frame);
  const isAck = shape.kind === 'request' && shape.method === 'ACK';
  switch (decision.action) {
    case 'respond':
      outcomes.push(`${path}:respond:${decision.status}`);
      if (shape.kind === 'response') {
        out.push({
          invariant: 'never-answer-response',
          path,
          detail: `a response was answered ${decision.status}`,
        });
      } else if (shape.kind === 'other') {
        out.push({
          invariant: 'never-answer-response',
          path,
          detail: `a non-request was answered ${decision.status}`,
        });
      } else if (isAck) {
        out.push({ invariant: 'never-answer-ack', path, detail: `an ACK was answered ${decision.status}` });
      }
      checkRejection(frame, decision, out, path);
      return;
    case 'drop':
      if (shape.kind !== 'request') {
        outcomes.push(`${path}:drop:${shape.kind}`);
      } else if (isAck) {
        outcomes.push(`${path}:drop:ack`);
      } else if (!hasUsableTopVia(frame)) {
        outcomes.push(`${path}:drop:no-usable-via`);
      } else if (path === 'udp' && TOO_LARGE.test(decision.reason)) {
        // The refusal would not fit in any datagram (incoming.ts `refusal`): nothing can be sent.
        outcomes.push(`${path}:drop:refusal-too-large`);
      } else {
        outcomes.push(`${path}:drop:request`);
        out.push({
          invariant: 'request-answered',
          path,
          detail: `${shape.method ?? '?'} request with a usable Via dropped: ${decision.reason}`,
        });
      }
      return;
    case 'deliver': {
      const m = decision.message;
      outcomes.push(`${path}:deliver:${m.kind}`);
      if (m.kind === 'request') {
        for (const [name, read] of [
          ['Via', () => m.via.map((v) => v.branch)],
          ['From', () => m.from.tag],
          ['To', () => m.to.tag],
          ['Call-ID', () => m.callId],
          ['CSeq', () => m.cseq.seq],
        ] as const) {
          try {
            read();
          } catch (e) {
            out.push({
              invariant: 'validated-fields-readable',
              path,
              detail: `delivered request, ${name} unreadable: ${describe(e)}`,
            });
          }
        }
      }
      run.time(path, () => touch(m, out, path));
      roundTrip(run.pipeline, m, policy, out, path);
      if (transport !== 'udp' && decision.trailing !== undefined) {
        out.push({
          invariant: 'framer-agreement',
          path,
          detail: `framed message has ${decision.trailing} octets after its body`,
        });
      }
      return;
    }
    default: {
      const never: never = decision;
      throw new Error(`unknown decision ${JSON.stringify(never)}`);
    }
  }
}

function classify(
  run: CaseRun,
  frame: Buffer,
  transport: IncomingTransport,
  policy: IncomingPolicy,
  out: Violation[],
): IncomingDecision | undefined {
  try {
    return run.time(transport === 'udp' ? 'udp' : 'tcp', () =>
      run.pipeline.classifyIncoming(frame, transport, policy),
    );
  } catch (e) {
    out.push({
      invariant: 'no-untyped-exception',
      path: transport === 'udp' ? 'udp' : 'tcp',
      detail: `classifyIncoming threw ${describe(e)}`,
    });
    return undefined;
  }
}

/** `deliver`, `drop` or `respond <status>`: what must not depend on the transport. */
function label(d: IncomingDecision): string {
  return d.action === 'respond' ? `respond ${d.status}` : d.action;
}

/** Splits `data` the way a TCP peer might: whole, byte by byte, small or MTU-sized pieces. */
export function chunk(data: Buffer, rng: Prng): Buffer[] {
  const mode = rng.below(4);
  if (mode === 0 || data.length === 0) return [data];
  const max = mode === 1 ? (data.length <= 4096 ? 1 : 16) : mode === 2 ? 16 : 2048;
  const out: Buffer[] = [];
  for (let at = 0; at < data.length;) {
    const n = max === 1 ? 1 : rng.range(1, max);
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Runs every invariant of one case over `data`. Pure: no IO, no clock. */
export function checkCase(data: Buffer, options: CheckOptions): CaseResult {
  const policy = options.policy ?? FUZZ_POLICY;
  const run = new CaseRun(options.clock, options.pipeline ?? REAL_PIPELINE, options.beforeTimed);
  const violations: Violation[] = [];
  const outcomes: string[] = [];

  // One datagram (RFC 3261 §18.3: the datagram is the message) — if it can be one: UdpTransport
  // drops anything larger before the pipeline sees it.
  let udp: IncomingDecision | undefined;
  if (data.length > MAX_UDP_PAYLOAD_IPV4) outcomes.push('udp:larger-than-a-datagram');
  else {
    udp = classify(run, data, 'udp', policy, violations);
    if (udp !== undefined) checkDecision(run, data, udp, 'udp', policy, violations, outcomes);
  }

  // The same octets on a stream, in random pieces.
  const rng = new Prng(options.chunkSeed);
  const pieces = chunk(data, rng);
  const framer = new StreamFramer();
  // All pieces first, timed as one block (a clock read per piece would cost more than the framer).
  const outputs: StreamFramerOutput[] = [];
  run.time('tcp', () => {
    try {
      for (const piece of pieces) for (const o of framer.push(piece)) outputs.push(o);
    } catch (e) {
      violations.push({
        invariant: 'no-untyped-exception',
        path: 'tcp',
        detail: `StreamFramer.push threw ${describe(e)}`,
      });
    }
  });
  for (const o of outputs) {
    if (o.type === 'ping') {
      outcomes.push('tcp:ping');
      continue;
    }
    if (o.type === 'error') {
      outcomes.push(`tcp:framing-error:${o.code}`);
      let d: IncomingDecision | undefined;
      try {
        d = run.time('tcp', () => run.pipeline.classifyUnframeable(o.data, o.code, policy));
      } catch (e) {
        violations.push({
          invariant: 'no-untyped-exception',
          path: 'tcp',
          detail: `classifyUnframeable threw ${describe(e)}`,
        });
      }
      if (d !== undefined) checkDecision(run, o.data, d, 'tcp', policy, violations, outcomes);
      continue;
    }
    const d = classify(run, o.data, 'tcp', policy, violations);
    if (d === undefined) continue;
    if (udp !== undefined && outputs.length === 1 && o.data.equals(data) && label(udp) !== label(d)) {
      violations.push({
        invariant: 'transport-agreement',
        path: 'tcp',
        detail: `UDP ${label(udp)} but TCP ${label(d)} for the same whole message`,
      });
    }
    if (d.action === 'drop') {
      const parsed = parseMessage(o.data);
      if (!parsed.ok && parsed.error.code === 'SIP_PARSE_TRUNCATED_BODY') {
        violations.push({
          invariant: 'framer-agreement',
          path: 'tcp',
          detail: `the framer cut a message the parser finds short: ${parsed.error.reason}`,
        });
      }
    }
    checkDecision(run, o.data, d, 'tcp', policy, violations, outcomes);
  }
  if (framer.bufferedBytes > 0 && !framer.failed) outcomes.push('tcp:incomplete');
  // Searching and moving stay proportional to the input: O(bytes + chunks).
  const bound = 4 * data.length + 4 * pieces.length + 1024;
  if (framer.work > bound) {
    violations.push({
      invariant: 'framer-linear',
      path: 'tcp',
      detail: `framer did ${framer.work} units of work for ${data.length} bytes in ${pieces.length} chunks`,
    });
  }
  return { violations, outcomes, pipelineMs: Math.max(run.ms.udp, run.ms.tcp), pathMs: { ...run.ms } };
}
