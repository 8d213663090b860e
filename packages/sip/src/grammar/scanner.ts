import { TOKEN, inClass, isWsp } from './char-classes.js';
import { SipSyntaxError } from './errors.js';

/**
 * A cursor over an unfolded header value (or a start-line element). Every method advances
 * monotonically, so each scan is linear in the input length: no backtracking regexes.
 */
export class Scanner {
  pos = 0;

  constructor(
    readonly text: string,
    /** What is being scanned, for error messages, e.g. `Via`. */
    readonly what: string,
    /** Error factory so callers get their own typed error (header vs URI errors). */
    private readonly makeError: (message: string) => SipSyntaxError = (m) =>
      new SipSyntaxError('SIP_SYNTAX', m),
  ) {}

  get eof(): boolean {
    return this.pos >= this.text.length;
  }

  /** Char code at the cursor, or -1 at the end. */
  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /** LWS / SWS: skips SP and HTAB; returns whether anything was skipped. */
  skipWs(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length && isWsp(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  /** Consumes `code` (after optional SWS on both sides when `sws`); false if absent. */
  accept(code: number, sws = false): boolean {
    const save = this.pos;
    if (sws) this.skipWs();
    if (this.peek() === code) {
      this.pos++;
      if (sws) this.skipWs();
      return true;
    }
    this.pos = save;
    return false;
  }

  expect(code: number, sws = false): void {
    if (!this.accept(code, sws)) this.fail(`expected '${String.fromCharCode(code)}'`);
  }

  /** token (RFC 3261 §25.1); throws when empty. */
  token(): string {
    const start = this.pos;
    while (this.pos < this.text.length && inClass(TOKEN, this.text.charCodeAt(this.pos))) this.pos++;
    if (this.pos === start) this.fail('expected a token');
    return this.text.slice(start, this.pos);
  }

  /** Consumes a run of characters of `cls` (possibly empty). */
  run(cls: Uint8Array): string {
    const start = this.pos;
    while (this.pos < this.text.length && inClass(cls, this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /**
   * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (RFC 3261 §25.1).
   * Returns the raw text including the quotes; use `unquote` for the value.
   */
  quotedString(): string {
    const start = this.pos;
    if (this.peek() !== 0x22) this.fail('expected a quoted string');
    this.pos++;
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        this.pos++;
        return text.slice(start, this.pos);
      }
      if (c === 0x5c) {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        const next = text.charCodeAt(this.pos + 1);
        if (Number.isNaN(next) || next === 0x0a || next === 0x0d || next > 0x7f) {
          this.fail('bad quoted-pair');
        }
        this.pos += 2;
        continue;
      }
      // qdtext excludes CTLs other than LWS; header values are already unfolded.
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) this.fail('control character in quoted string');
      this.pos++;
    }
    return this.fail('unterminated quoted string');
  }

  rest(): string {
    const r = this.text.slice(this.pos);
    this.pos = this.text.length;
    return r;
  }

  /** Requires the end of input (after optional trailing whitespace). */
  end(): void {
    this.skipWs();
    if (!this.eof) this.fail(`unexpected '${this.text[this.pos] ?? ''}'`);
  }

  fail(message: string): never {
    throw this.makeError(`${this.what}: ${message} at offset ${this.pos}`);
  }
}

/** Value of a raw quoted-string: strips the quotes and resolves quoted-pairs. */
export function unquoteString(raw: string): string {
  if (raw.length < 2 || raw.charCodeAt(0) !== 0x22) return raw;
  const inner = raw.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/** Builds a quoted-string for `value`, escaping `"` and `\`. */
export function quoteString(value: string): string {
  return '"' + value.replace(/["\\]/g, (m) => '\\' + m) + '"';
}
