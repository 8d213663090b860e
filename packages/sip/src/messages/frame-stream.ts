import { headerKey } from './header-names.js';

export interface FrameStreamOptions {
  /** Largest header section (start line + header fields + CRLFCRLF) accepted. @defaultValue 65536 */
  maxHeaderSize?: number;
  /** Largest Content-Length accepted. @defaultValue 1048576 */
  maxBodySize?: number;
}

export type FrameResult =
  /** `length` octets at the start of the buffer are one complete message. */
  | { kind: 'message'; length: number }
  /** `length` octets of CRLF keep-alives (RFC 5626 §3.5.1) to skip. */
  | { kind: 'keepalive'; length: number }
  /** More octets are needed. */
  | { kind: 'incomplete' }
  /** The stream cannot be framed any more: answer if possible, then close the connection. */
  | { kind: 'error'; reason: string };

export const DEFAULT_MAX_HEADER_SIZE = 64 * 1024;
export const DEFAULT_MAX_BODY_SIZE = 1024 * 1024;

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Finds the first message in a stream buffer (TCP/TLS). RFC 3261 §18.3: on stream transports the
 * Content-Length header field gives the body size and MUST be used. A message without one is
 * framed with an empty body (our choice: the header section is still delimited, so it can be parsed
 * and answered; §20.14 says a body-less message carries `Content-Length: 0`). A negative,
 * non-numeric or conflicting Content-Length cannot be recovered from (RFC 4475 §3.1.2.3, §3.3.9).
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.3
 */
export function frameStream(buffer: Buffer, options: FrameStreamOptions = {}): FrameResult {
  const maxHeader = options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
  const maxBody = options.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  // RFC 3261 §7.5 / RFC 5626 §3.5.1 — CRLFs between messages are keep-alives.
  let crlf = 0;
  while (crlf + 1 < buffer.length && buffer[crlf] === 0x0d && buffer[crlf + 1] === 0x0a) crlf += 2;
  if (crlf > 0) return { kind: 'keepalive', length: crlf };
  if (buffer.length === 0 || (buffer.length === 1 && buffer[0] === 0x0d)) return { kind: 'incomplete' };

  const searchEnd = Math.min(buffer.length, maxHeader);
  const headerEnd = buffer.subarray(0, searchEnd).indexOf(CRLFCRLF);
  if (headerEnd < 0) {
    return buffer.length >= maxHeader
      ? { kind: 'error', reason: `header section larger than ${maxHeader} octets` }
      : { kind: 'incomplete' };
  }
  const head = buffer.toString('latin1', 0, headerEnd);
  let contentLength: number | undefined;
  let pos = head.indexOf('\r\n');
  while (pos >= 0 && pos < head.length) {
    const lineStart = pos + 2;
    let lineEnd = head.indexOf('\r\n', lineStart);
    if (lineEnd < 0) lineEnd = head.length;
    const colon = head.indexOf(':', lineStart);
    if (colon > lineStart && colon < lineEnd) {
      const name = head.slice(lineStart, colon).trimEnd();
      if (headerKey(name) === 'content-length') {
        let value = head.slice(colon + 1, lineEnd);
        // folded value: continuation lines start with SP/HTAB
        let next = lineEnd;
        while (next + 2 < head.length && (head[next + 2] === ' ' || head[next + 2] === '\t')) {
          const e = head.indexOf('\r\n', next + 2);
          value += ' ' + head.slice(next + 2, e < 0 ? head.length : e);
          next = e < 0 ? head.length : e;
        }
        const v = value.replace(/^[ \t]+|[ \t]+$/g, '');
        if (!/^\d{1,16}$/.test(v)) return { kind: 'error', reason: `bad Content-Length '${v.slice(0, 20)}'` };
        const n = Number(v);
        if (contentLength !== undefined && contentLength !== n) {
          return { kind: 'error', reason: 'conflicting Content-Length values' };
        }
        contentLength = n;
      }
    }
    pos = lineEnd;
  }
  const length = contentLength ?? 0;
  if (length > maxBody) return { kind: 'error', reason: `body larger than ${maxBody} octets` };
  const total = headerEnd + 4 + length;
  return buffer.length >= total ? { kind: 'message', length: total } : { kind: 'incomplete' };
}
