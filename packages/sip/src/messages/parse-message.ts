import {
  type Uri,
  TOKEN_CHARS,
  isSipToken,
  parseContentLength,
  parseStatusCode,
  parseUri,
  trimWsp,
} from '../grammar/index.js';
import { headerKey } from './header-names.js';
import { type HeaderField, SipHeaders } from './sip-headers.js';
import { SipParseError, type SipParseErrorCode } from './sip-parse-error.js';
import { SipRequest, SipResponse } from './sip-message.js';

export interface ParseOptions {
  /**
   * The buffer is one UDP datagram (RFC 3261 §18.3): without Content-Length the body runs to the
   * end of the datagram. Otherwise (a message cut from a stream by `frameStream`) a missing
   * Content-Length means an empty body.
   * @defaultValue `false`
   */
  datagram?: boolean;
}

export type ParseResult =
  | {
      ok: true;
      message: SipRequest | SipResponse;
      /** Octets ignored after the body (UDP, RFC 3261 §18.3), when there were any. */
      trailing?: number;
    }
  | { ok: false; error: SipParseError };

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** The decoding method `Buffer#toString('utf8', …)` ends in (present on every Node Buffer). */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
}

/**
 * `data.toString('utf8', start, end)` without the argument normalisation and encoding lookup in
 * front of it (measured at ~3 % of a parse): the header section is decoded once per message.
 */
function utf8Slice(data: Buffer, start: number, end: number): string {
  return (data as unknown as Utf8Slicing).utf8Slice(start, end);
}

interface StartLine {
  isRequest: boolean | undefined;
  method?: string;
  uri?: Uri;
  status?: number;
  reason?: string;
  version?: string;
  error?: { code: SipParseErrorCode; reason: string; cause?: unknown };
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT — case-insensitive (RFC 3261 §7.1). */
function isSipVersion(text: string): boolean {
  if (text.length < 7 || !startsWithSipSlash(text)) return false;
  let i = 4;
  const major = i;
  while (i < text.length && isDigitCode(text.charCodeAt(i))) i++;
  if (i === major || text.charCodeAt(i) !== 0x2e) return false;
  const minor = ++i;
  while (i < text.length && isDigitCode(text.charCodeAt(i))) i++;
  return i > minor && i === text.length;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `SIP/` in any case, without slicing and upper-casing the line. */
function startsWithSipSlash(line: string): boolean {
  return (
    (line.charCodeAt(0) | 0x20) === 0x73 &&
    (line.charCodeAt(1) | 0x20) === 0x69 &&
    (line.charCodeAt(2) | 0x20) === 0x70 &&
    line.charCodeAt(3) === 0x2f
  );
}

function parseStartLine(line: string): StartLine {
  if (line.length > 4 && startsWithSipSlash(line)) {
    // RFC 3261 §7.2 — Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
    const sp1 = line.indexOf(' ');
    const version = sp1 < 0 ? line : line.slice(0, sp1);
    if (sp1 < 0 || !isSipVersion(version)) {
      return { isRequest: false, error: { code: 'SIP_PARSE_START_LINE', reason: 'Malformed Status-Line' } };
    }
    const sp2 = line.indexOf(' ', sp1 + 1);
    const codeText = sp2 < 0 ? line.slice(sp1 + 1) : line.slice(sp1 + 1, sp2);
    const status = parseStatusCode(codeText);
    if (status === undefined) {
      return {
        isRequest: false,
        error: { code: 'SIP_PARSE_STATUS_CODE', reason: `Bad status code '${codeText.slice(0, 20)}'` },
      };
    }
    // A missing SP before an empty Reason-Phrase is tolerated (RFC 4475 §3.1.1.13 liberal reading).
    return { isRequest: false, version, status, reason: sp2 < 0 ? '' : line.slice(sp2 + 1) };
  }
  // RFC 3261 §7.1 — Request-Line = Method SP Request-URI SP SIP-Version CRLF: single SPs, no LWS
  // (RFC 4475 §3.1.2.8–§3.1.2.10 are rejected rather than repaired).
  const sp1 = line.indexOf(' ');
  const method = sp1 < 0 ? line : line.slice(0, sp1);
  if (!isSipToken(method)) {
    return {
      isRequest: undefined,
      error: { code: 'SIP_PARSE_START_LINE', reason: 'Malformed Request-Line' },
    };
  }
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0 || line.indexOf('\t') >= 0) {
    return {
      isRequest: true,
      method,
      error: { code: 'SIP_PARSE_START_LINE', reason: 'Malformed Request-Line (extra or missing SP)' },
    };
  }
  const version = line.slice(sp2 + 1);
  if (!isSipVersion(version)) {
    return {
      isRequest: true,
      method,
      error: { code: 'SIP_PARSE_START_LINE', reason: 'Malformed SIP-Version' },
    };
  }
  const uriText = line.slice(sp1 + 1, sp2);
  try {
    return { isRequest: true, method, uri: parseUri(uriText), version };
  } catch (e) {
    return {
      isRequest: true,
      method,
      error: { code: 'SIP_PARSE_REQUEST_URI', reason: 'Malformed Request-URI', cause: e },
    };
  }
}

/**
 * Parses one SIP message from a datagram or a stream-framed buffer. Never throws: malformed
 * input gives `{ ok: false, error }` with whatever headers could be read. Header values are
 * unfolded here; typed header views are parsed lazily by the message.
 *
 * Framing (RFC 3261 §18.3): a Content-Length larger than the available octets is an error
 * (400 for a request, discard a response); octets beyond it are ignored and counted in
 * `trailing`; a negative, non-numeric or conflicting Content-Length is an error.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.3
 */
export function parseMessage(data: Buffer, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnsafe(data, options.datagram ?? false);
  } catch (e) {
    if (e instanceof SipParseError) return { ok: false, error: e };
    return {
      ok: false,
      error: new SipParseError('SIP_PARSE_INTERNAL', 'Unparseable message', { cause: e }),
    };
  }
}

/** `parseMessage` for tests and trusted input: returns the message or throws its SipParseError. */
export function parseMessageOrThrow(
  data: Buffer | string,
  options: ParseOptions = {},
): SipRequest | SipResponse {
  const r = parseMessage(typeof data === 'string' ? Buffer.from(data, 'utf8') : data, options);
  if (!r.ok) throw r.error;
  return r.message;
}

/**
 * Finds line ends in the header section and, in the same two searches per line, notes any bare CR
 * or LF (RFC 3261 §7.3.1: header lines end with CRLF; a lone CR or LF is no line end, and no
 * header value may carry one: it could not be copied into a response or forwarded).
 */
class HeaderLines {
  /** A bare CR or LF was seen in a line read so far. */
  bareLineBreak = false;

  constructor(private readonly text: string) {}

  /** Index of the CRLF ending the line that starts at `pos`, or the text's length. */
  end(pos: number): number {
    const text = this.text;
    let cr = text.indexOf('\r', pos);
    if (cr >= 0 && text.charCodeAt(cr + 1) !== 0x0a) {
      this.bareLineBreak = true;
      cr = text.indexOf('\r\n', cr + 1);
    }
    const lineEnd = cr < 0 ? text.length : cr;
    // The first LF from `pos` must be the one of this CRLF (or absent on the last line).
    const lf = text.indexOf('\n', pos);
    if (lf >= 0 && lf !== lineEnd + 1) this.bareLineBreak = true;
    return lineEnd;
  }
}

function parseUnsafe(data: Buffer, datagram: boolean): ParseResult {
  // RFC 3261 §7.5 — CRLFs before the start-line are ignored.
  let start = 0;
  while (start + 1 < data.length && data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  if (start >= data.length) return fail('SIP_PARSE_EMPTY', 'Empty message', undefined);

  const headerEnd = data.indexOf(CRLFCRLF, start);
  const head = utf8Slice(data, start, headerEnd < 0 ? data.length : headerEnd);
  const lines = new HeaderLines(head);

  let lineEnd = lines.end(0);
  const first = parseStartLine(head.slice(0, lineEnd));
  const isRequest = first.isRequest;

  const fields: HeaderField[] = [];
  let headerError: { reason: string } | undefined;
  let pos = lineEnd + 2;
  let curName: string | undefined;
  let curValue = '';
  while (pos < head.length) {
    lineEnd = lines.end(pos);
    const c = head.charCodeAt(pos);
    if (c === 0x20 || c === 0x09) {
      // RFC 3261 §7.3.1 — a line starting with whitespace continues the previous field value;
      // the folding (and the whitespace around it) is replaced by a single SP.
      if (curName === undefined) headerError ??= { reason: 'Continuation line without a header' };
      else {
        const more = trimWsp(head.slice(pos, lineEnd));
        if (more !== '') curValue = curValue === '' ? more : curValue + ' ' + more;
      }
    } else {
      if (curName !== undefined) {
        fields.push({ key: headerKey(curName), name: curName, value: curValue });
        curName = undefined;
      }
      // header-name HCOLON, HCOLON = *( SP / HTAB ) ":" SWS: the token, blanks, then the colon.
      let nameEnd = pos;
      while (nameEnd < lineEnd) {
        const t = head.charCodeAt(nameEnd);
        if (t >= 128 || TOKEN_CHARS[t] !== 1) break;
        nameEnd++;
      }
      let colon = nameEnd;
      while (colon < lineEnd && (head.charCodeAt(colon) === 0x20 || head.charCodeAt(colon) === 0x09)) colon++;
      if (nameEnd === pos || colon === lineEnd || head.charCodeAt(colon) !== 0x3a) {
        headerError ??= badHeaderLine(head, pos, lineEnd);
      } else {
        let valueStart = colon + 1;
        while (
          valueStart < lineEnd &&
          (head.charCodeAt(valueStart) === 0x20 || head.charCodeAt(valueStart) === 0x09)
        )
          valueStart++;
        let valueEnd = lineEnd;
        while (
          valueEnd > valueStart &&
          (head.charCodeAt(valueEnd - 1) === 0x20 || head.charCodeAt(valueEnd - 1) === 0x09)
        )
          valueEnd--;
        curName = head.slice(pos, nameEnd);
        curValue = head.slice(valueStart, valueEnd);
      }
    }
    pos = lineEnd + 2;
  }
  if (curName !== undefined) fields.push({ key: headerKey(curName), name: curName, value: curValue });
  if (headerError === undefined && lines.bareLineBreak) {
    headerError = { reason: 'Bare CR or LF in the header section' };
  }
  const info = { isRequest, partial: undefined as SipHeaders | undefined, method: first.method };
  if (first.error !== undefined) {
    return fail(first.error.code, first.error.reason, {
      ...info,
      partial: SipHeaders.fromFields(fields),
      cause: first.error.cause,
    });
  }
  if (headerError !== undefined)
    return fail('SIP_PARSE_HEADER_LINE', headerError.reason, {
      ...info,
      partial: SipHeaders.fromFields(fields),
    });
  if (headerEnd < 0) {
    return fail('SIP_PARSE_NO_HEADER_END', 'No empty line after the header fields', {
      ...info,
      partial: SipHeaders.fromFields(fields),
    });
  }

  // RFC 3261 §18.3 / §20.14 — framing by Content-Length.
  let contentLength: number | undefined;
  for (const f of fields) {
    if (f.key !== 'content-length') continue;
    let n: number;
    try {
      n = parseContentLength(f.value);
    } catch {
      return fail('SIP_PARSE_CONTENT_LENGTH', `Bad Content-Length '${f.value.slice(0, 20)}'`, {
        ...info,
        partial: SipHeaders.fromFields(fields),
      });
    }
    if (contentLength !== undefined && contentLength !== n) {
      return fail('SIP_PARSE_CONTENT_LENGTH', 'Conflicting Content-Length values', {
        ...info,
        partial: SipHeaders.fromFields(fields),
      });
    }
    contentLength = n;
  }
  const bodyStart = headerEnd + 4;
  const available = data.length - bodyStart;
  let bodyLength: number;
  if (contentLength === undefined) bodyLength = datagram ? available : 0;
  else {
    if (contentLength > available) {
      return fail(
        'SIP_PARSE_TRUNCATED_BODY',
        datagram ? 'Content-Length larger than the datagram' : 'Content-Length larger than the message',
        { ...info, partial: SipHeaders.fromFields(fields) },
      );
    }
    bodyLength = contentLength;
  }
  // A copy: the caller's buffer (a stream read buffer) may be reused.
  const body = Buffer.from(data.subarray(bodyStart, bodyStart + bodyLength));
  const headers = SipHeaders.fromFields(fields);
  const message = isRequest
    ? new SipRequest({
        method: first.method as string,
        uri: first.uri as Uri,
        version: first.version,
        headers,
        body,
      })
    : new SipResponse({
        status: first.status as number,
        reason: first.reason,
        version: first.version,
        headers,
        body,
      });
  const trailing = available - bodyLength;
  return trailing > 0 ? { ok: true, message, trailing } : { ok: true, message };
}

/** Why a header line that is not `token *WSP ":"…` was refused (the error path only). */
function badHeaderLine(head: string, pos: number, lineEnd: number): { reason: string } {
  // Searched within the line: a search running on to a later line makes a header section of
  // colon-less lines quadratic.
  const inLine = head.slice(pos, lineEnd).indexOf(':');
  if (inLine < 0) {
    return { reason: `Header line without a colon: '${head.slice(pos, Math.min(lineEnd, pos + 40))}'` };
  }
  let nameEnd = pos + inLine;
  while (nameEnd > pos && (head.charCodeAt(nameEnd - 1) === 0x20 || head.charCodeAt(nameEnd - 1) === 0x09))
    nameEnd--;
  return { reason: `Bad header name '${head.slice(pos, Math.min(nameEnd, pos + 40))}'` };
}

function fail(
  code: SipParseErrorCode,
  reason: string,
  info: { isRequest?: boolean; partial?: SipHeaders; method?: string; cause?: unknown } | undefined,
): ParseResult {
  return { ok: false, error: new SipParseError(code, reason, info) };
}
