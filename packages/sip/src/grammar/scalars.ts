import { TOKEN, isDigit, isWsp, trimWsp } from './char-classes.js';
import { SipHeaderError } from './errors.js';
import { type Parameters, parseHeaderParams } from './parameters.js';
import { Scanner } from './scanner.js';

function bad(header: string, message: string): never {
  throw new SipHeaderError('SIP_HEADER_SYNTAX', header, `${header}: ${message}`);
}

/**
 * 1*DIGIT with an upper bound, read without overflow: leading zeros are skipped and a value with
 * more significant digits than `max` is rejected before any arithmetic (no wrap-around,
 * RFC 4475 §3.1.2.4).
 */
export function parseBoundedInteger(text: string, max: number, header: string): number {
  const t = trimWsp(text);
  if (t.length === 0) bad(header, 'empty value');
  let i = 0;
  for (let k = 0; k < t.length; k++) if (!isDigit(t.charCodeAt(k))) bad(header, `'${t}' is not a number`);
  while (i < t.length - 1 && t.charCodeAt(i) === 0x30) i++;
  const digits = t.slice(i);
  if (digits.length > 16) bad(header, `${t} is out of range (max ${max})`);
  const value = Number(digits);
  if (value > max) bad(header, `${t} is out of range (max ${max})`);
  return value;
}

export interface CSeq {
  /** 32-bit unsigned in the ABNF, but RFC 3261 §8.1.1.5 limits it to < 2^31. */
  seq: number;
  method: string;
}

/** RFC 3261 §8.1.1.5 — the sequence number MUST be expressible as a 32-bit unsigned integer and < 2**31. */
export const MAX_CSEQ = 2 ** 31 - 1;

/** CSeq = "CSeq" HCOLON 1*DIGIT LWS Method (RFC 3261 §20.16). */
export function parseCSeq(value: string): CSeq {
  const len = value.length;
  let p = 0;
  while (p < len && isWsp(value.charCodeAt(p))) p++;
  const digitsStart = p;
  while (p < len && isDigit(value.charCodeAt(p))) p++;
  if (p === digitsStart) bad('CSeq', 'expected a sequence number');
  const seq = parseBoundedInteger(value.slice(digitsStart, p), MAX_CSEQ, 'CSeq');
  const gap = p;
  while (p < len && isWsp(value.charCodeAt(p))) p++;
  if (p === gap) bad('CSeq', 'expected LWS before the method');
  const methodStart = p;
  while (p < len) {
    const c = value.charCodeAt(p);
    if (c >= 128 || TOKEN[c] !== 1) break;
    p++;
  }
  if (p === methodStart) bad('CSeq', 'expected a method token');
  const method = value.slice(methodStart, p);
  while (p < len && isWsp(value.charCodeAt(p))) p++;
  if (p !== len) bad('CSeq', `unexpected '${value[p] ?? ''}' after the method`);
  return { seq, method };
}

/** Max-Forwards = 1*DIGIT, 0..255 (RFC 3261 §20.22). */
export function parseMaxForwards(value: string): number {
  return parseBoundedInteger(value, 255, 'Max-Forwards');
}

/** Content-Length = 1*DIGIT (RFC 3261 §20.14); bounded to 2^53-1 to stay exact. */
export function parseContentLength(value: string): number {
  return parseBoundedInteger(value, Number.MAX_SAFE_INTEGER, 'Content-Length');
}

/** delta-seconds = 1*DIGIT, at most 2^32-1 (RFC 3261 §20.19, §20.33). */
export function parseDeltaSeconds(value: string, header = 'Expires'): number {
  return parseBoundedInteger(value, 2 ** 32 - 1, header);
}

export interface RetryAfter {
  seconds: number;
  comment: string | undefined;
  /** `duration` parameter in seconds, if present. */
  duration: number | undefined;
  params: Parameters;
}

/** Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (RFC 3261 §20.33). */
export function parseRetryAfter(value: string): RetryAfter {
  const sc = new Scanner(
    value,
    'Retry-After',
    (m) => new SipHeaderError('SIP_HEADER_SYNTAX', 'Retry-After', m),
  );
  sc.skipWs();
  const start = sc.pos;
  while (isDigit(sc.peek())) sc.pos++;
  const seconds = parseDeltaSeconds(value.slice(start, sc.pos), 'Retry-After');
  sc.skipWs();
  let comment: string | undefined;
  if (sc.peek() === 0x28) {
    // comment = LPAREN *(ctext / quoted-pair / comment) RPAREN
    let depth = 0;
    const cstart = sc.pos;
    do {
      const c = sc.peek();
      if (c === -1) sc.fail('unterminated comment');
      if (c === 0x5c) sc.pos++;
      else if (c === 0x28) depth++;
      else if (c === 0x29) depth--;
      sc.pos++;
    } while (depth > 0);
    comment = value.slice(cstart + 1, sc.pos - 1);
  }
  const params = parseHeaderParams(sc);
  sc.end();
  const d = params.get('duration');
  const duration = d === undefined ? undefined : parseDeltaSeconds(d, 'Retry-After');
  return { seconds, comment, duration, params };
}

/** Status-Code = 3DIGIT, 100..699 (RFC 3261 §7.2, §21); anything else is not a SIP status. */
export function parseStatusCode(text: string): number | undefined {
  if (text.length !== 3) return undefined;
  for (let i = 0; i < 3; i++) if (!isDigit(text.charCodeAt(i))) return undefined;
  const code = Number(text);
  return code >= 100 && code <= 699 ? code : undefined;
}

/** qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 3261 §25.1). */
export function parseQValue(text: string): number {
  if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(text)) bad('q', `'${text}' is not a qvalue`);
  return Number(text);
}
