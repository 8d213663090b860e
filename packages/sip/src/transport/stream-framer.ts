import { TransportOptionsError } from './transport-error.js';

/**
 * Why a stream could not be framed. The connection cannot be resynchronised after any of these
 * (RFC 3261 §18.3), so it is closed once the core has had a chance to answer 400.
 */
export type FramingErrorCode =
  | 'missing-content-length'
  | 'invalid-content-length'
  | 'conflicting-content-length'
  | 'header-too-large'
  | 'body-too-large';

/** Reason phrases a core can put on the 400 it answers a framing error with. */
export const FRAMING_ERROR_REASONS: Readonly<Record<FramingErrorCode, string>> = {
  'missing-content-length': 'Missing Content-Length',
  'invalid-content-length': 'Invalid Content-Length',
  'conflicting-content-length': 'Conflicting Content-Length',
  'header-too-large': 'Header Section Too Large',
  'body-too-large': 'Message Body Too Large',
};

/** Limits of a `StreamFramer`. */
export interface StreamFramerOptions {
  /**
   * Largest header section accepted (start line through the blank line), in bytes.
   * @defaultValue 65536
   */
  maxHeaderBytes?: number;
  /**
   * Largest body accepted, in bytes (a larger `Content-Length` is a framing error).
   * @defaultValue 1048576
   */
  maxBodyBytes?: number;
}

/** The defaults of `StreamFramerOptions`. */
export const STREAM_FRAMER_DEFAULTS: Readonly<Required<StreamFramerOptions>> = {
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
};

/** What one `push` found, in stream order. */
export type StreamFramerOutput =
  | { readonly type: 'message'; readonly data: Buffer }
  /** RFC 5626 §3.5.1 — a CRLFCRLF keep-alive ping; the owner answers it with a single CRLF. */
  | { readonly type: 'ping' }
  | {
      readonly type: 'error';
      readonly code: FramingErrorCode;
      readonly detail: string;
      /** The header section (capped at `maxHeaderBytes`), so a 400 can be built from it. */
      readonly data: Buffer;
    };

type Phase = 'between' | 'header' | 'body' | 'failed';

const CR = 0x0d;
const LF = 0x0a;
const BLANK_LINE = Buffer.from('\r\n\r\n', 'latin1');
const INITIAL_CAPACITY = 4096;
/** Above this, an emptied buffer is given back rather than kept for the next message. */
const RETAINED_CAPACITY = 64 * 1024;
/** More digits than this cannot be a sane length (and would lose precision as a number). */
const MAX_LENGTH_DIGITS = 15;
const DIGITS = /^[0-9]+$/;

type ContentLengthResult =
  | { readonly ok: true; readonly length: number }
  | { readonly ok: false; readonly code: FramingErrorCode; readonly detail: string };

/**
 * Sans-IO framer for SIP over a byte stream (TCP, TLS): feed it chunks as they arrive, get whole
 * messages back.
 *
 * ```
 *   between ──(non-CRLF byte)──▶ header ──(CRLFCRLF, valid Content-Length)──▶ body
 *      ▲  │CRLF: skip, CRLFCRLF: ping           │ too long / bad length            │ Content-Length
 *      │  └──────────┘                           ▼                                   │ bytes buffered
 *      │                                       failed (absorbing)                    │
 *      └─────────────────────────────────(emit message)──────────────────────────────┘
 * ```
 *
 * Linear time: the blank-line search resumes where the previous chunk's search stopped, and the
 * buffer grows geometrically, so a message split into N chunks costs O(message + N).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.3
 * @see https://www.rfc-editor.org/rfc/rfc5626#section-3.5.1
 */
export class StreamFramer {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private buffer: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  /** Offset of the first unconsumed byte (the current message's start once past `between`). */
  private start = 0;
  /** Offset one past the last buffered byte. */
  private end = 0;
  private phase: Phase = 'between';
  /** Where the blank-line search resumes, relative to `start`. */
  private scanFrom = 0;
  /** Length of the whole current message (header section + body), known in phase `body`. */
  private messageLength = 0;
  private workCounter = 0;

  constructor(options: StreamFramerOptions = {}) {
    const merged = { ...STREAM_FRAMER_DEFAULTS, ...options };
    for (const [name, value] of Object.entries(merged)) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new TransportOptionsError(
          `StreamFramer ${name} must be a positive integer, got ${String(value)}`,
        );
      }
    }
    this.maxHeaderBytes = merged.maxHeaderBytes;
    this.maxBodyBytes = merged.maxBodyBytes;
  }

  /** Bytes held for an incomplete message (bounded by maxHeaderBytes + maxBodyBytes). */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /**
   * Bytes searched or moved so far (diagnostics): stays proportional to the input, whatever the
   * chunking. Not a stable API.
   * @internal
   */
  get work(): number {
    return this.workCounter;
  }

  /** True after a framing error: the stream cannot be resynchronised and further input is ignored. */
  get failed(): boolean {
    return this.phase === 'failed';
  }

  /** Feeds one chunk; returns the messages, pings and (at most one, final) error it completed. */
  push(chunk: Uint8Array): StreamFramerOutput[] {
    const out: StreamFramerOutput[] = [];
    if (this.phase === 'failed' || chunk.length === 0) return out;
    this.append(chunk);
    this.drain(out);
    if (this.start === this.end) this.resetBuffer();
    return out;
  }

  private drain(out: StreamFramerOutput[]): void {
    for (;;) {
      switch (this.phase) {
        case 'between':
          if (!this.skipKeepAlives(out)) return;
          this.phase = 'header';
          this.scanFrom = 0;
          break;
        case 'header':
          if (!this.findHeaderEnd(out)) return;
          break;
        case 'body': {
          if (this.end - this.start < this.messageLength) return;
          const data = Buffer.from(this.buffer.subarray(this.start, this.start + this.messageLength));
          this.start += this.messageLength;
          this.phase = 'between';
          out.push({ type: 'message', data });
          break;
        }
        case 'failed':
          return;
        default: {
          const never: never = this.phase;
          throw new Error(`unreachable framer phase ${String(never)}`);
        }
      }
    }
  }

  /**
   * Consumes CRLFs in front of a message. Returns true when a message's first byte is buffered,
   * false when more input is needed to decide.
   */
  private skipKeepAlives(out: StreamFramerOutput[]): boolean {
    const b = this.buffer;
    while (this.start < this.end) {
      const available = this.end - this.start;
      if (b[this.start] !== CR) return true;
      if (available < 2) return false;
      if (b[this.start + 1] !== LF) return true;
      // A lone CRLF is held until the next byte says whether it starts a CRLFCRLF ping.
      if (available < 3) return false;
      if (b[this.start + 2] === CR) {
        if (available < 4) return false;
        if (b[this.start + 3] === LF) {
          // RFC 5626 §3.5.1 — a double CRLF is a keep-alive "ping"; the answer is a single CRLF "pong".
          this.start += 4;
          out.push({ type: 'ping' });
          continue;
        }
      }
      // RFC 3261 §7.5 — implementations MUST ignore any CRLF appearing before the start-line.
      this.start += 2;
    }
    return false;
  }

  /** Looks for the blank line ending the header section; on success moves to `body`. */
  private findHeaderEnd(out: StreamFramerOutput[]): boolean {
    const view = this.buffer.subarray(this.start, this.end);
    const blank = view.indexOf(BLANK_LINE, this.scanFrom);
    this.workCounter += (blank < 0 ? view.length : blank + BLANK_LINE.length) - this.scanFrom;
    if (blank < 0) {
      if (view.length > this.maxHeaderBytes) {
        this.fail(
          out,
          'header-too-large',
          `no end of header section within ${this.maxHeaderBytes} bytes`,
          this.maxHeaderBytes,
        );
        return false;
      }
      // Resume next time just before the end, in case the blank line straddles two chunks.
      this.scanFrom = Math.max(0, view.length - (BLANK_LINE.length - 1));
      return false;
    }
    const headerLength = blank + BLANK_LINE.length;
    if (headerLength > this.maxHeaderBytes) {
      this.fail(
        out,
        'header-too-large',
        `header section of ${headerLength} bytes exceeds ${this.maxHeaderBytes}`,
        this.maxHeaderBytes,
      );
      return false;
    }
    const result = contentLengthOf(view.toString('latin1', 0, blank));
    if (!result.ok) {
      this.fail(out, result.code, result.detail, headerLength);
      return false;
    }
    if (result.length > this.maxBodyBytes) {
      this.fail(
        out,
        'body-too-large',
        `Content-Length ${result.length} exceeds ${this.maxBodyBytes}`,
        headerLength,
      );
      return false;
    }
    this.messageLength = headerLength + result.length;
    this.phase = 'body';
    return true;
  }

  private fail(out: StreamFramerOutput[], code: FramingErrorCode, detail: string, keepBytes: number): void {
    const data = Buffer.from(this.buffer.subarray(this.start, Math.min(this.end, this.start + keepBytes)));
    this.phase = 'failed';
    this.start = 0;
    this.end = 0;
    this.buffer = Buffer.alloc(0);
    out.push({ type: 'error', code, detail, data });
  }

  private append(chunk: Uint8Array): void {
    const live = this.end - this.start;
    if (this.end + chunk.length > this.buffer.length) {
      if (live + chunk.length <= this.buffer.length >>> 1) {
        // Enough room once compacted, with half the buffer left free: amortised O(1) per byte.
        this.buffer.copy(this.buffer, 0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(
          Math.max(this.buffer.length * 2, live + chunk.length, INITIAL_CAPACITY),
        );
        this.buffer.copy(grown, 0, this.start, this.end);
        this.buffer = grown;
      }
      this.workCounter += live;
      this.start = 0;
      this.end = live;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  private resetBuffer(): void {
    this.start = 0;
    this.end = 0;
    if (this.buffer.length > RETAINED_CAPACITY) this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }
}

/**
 * RFC 3261 §18.3 — on a stream the Content-Length header field MUST be used to find the end of
 * each message. Reads it from the header section text (no trailing blank line): long form or
 * compact `l` (§7.3.3), any case, LWS and line folding (§7.3.1) allowed around the value.
 */
function contentLengthOf(headerSection: string): ContentLengthResult {
  const lines = headerSection.split('\r\n');
  let length: number | undefined;
  let current: string | undefined;
  const consider = (field: string | undefined): ContentLengthResult | undefined => {
    if (field === undefined) return undefined;
    const colon = field.indexOf(':');
    if (colon < 0) return undefined;
    const name = field.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') return undefined;
    const value = field
      .slice(colon + 1)
      .replace(/[ \t\r\n]+/g, ' ')
      .trim();
    if (!DIGITS.test(value)) {
      return {
        ok: false,
        code: 'invalid-content-length',
        detail: `Content-Length "${value}" is not a non-negative integer`,
      };
    }
    const parsed = value.length > MAX_LENGTH_DIGITS ? Number.POSITIVE_INFINITY : Number(value);
    if (length !== undefined && length !== parsed) {
      return {
        ok: false,
        code: 'conflicting-content-length',
        detail: `Content-Length given as both ${length} and ${value}`,
      };
    }
    length = parsed;
    return undefined;
  };
  // lines[0] is the start line; header fields follow, continuation lines start with SP or HTAB.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== undefined) {
      current += ` ${line}`;
      continue;
    }
    const problem = consider(current);
    if (problem) return problem;
    current = line;
  }
  const problem = consider(current);
  if (problem) return problem;
  if (length === undefined) {
    return { ok: false, code: 'missing-content-length', detail: 'no Content-Length on a stream transport' };
  }
  return { ok: true, length };
}
