import { inClass, isHexDigit } from './char-classes.js';

function hexValue(code: number): number {
  if (code <= 0x39) return code - 0x30;
  return (code | 0x20) - 0x61 + 10;
}

/**
 * Decodes `%HH` escapes exactly once (RFC 3261 §19.1.2, RFC 4475 §3.1.1.3): `%2541` becomes
 * `%41`, never `A`. The octets are read as UTF-8; `%00` yields U+0000 and is kept (§3.1.1.4).
 * A `%` not followed by two hex digits is left as is.
 */
export function unescape(text: string): string {
  if (text.indexOf('%') < 0) return text;
  return unescapeToBuffer(text).toString('utf8');
}

/**
 * Octet-exact decoding for comparisons (RFC 3261 §19.1.4): every `%HH` and every literal character
 * become octets, returned as a latin1 string, so distinct octet sequences never compare equal
 * (unlike UTF-8 decoding, which maps invalid sequences to U+FFFD).
 */
export function unescapeOctets(text: string): string {
  if (text.indexOf('%') < 0) return text;
  return unescapeToBuffer(text).toString('latin1');
}

function unescapeToBuffer(text: string): Buffer {
  const parts: Buffer[] = [];
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    if (
      text.charCodeAt(i) === 0x25 &&
      isHexDigit(text.charCodeAt(i + 1)) &&
      isHexDigit(text.charCodeAt(i + 2))
    ) {
      if (i > runStart) parts.push(Buffer.from(text.slice(runStart, i), 'utf8'));
      parts.push(Buffer.of(hexValue(text.charCodeAt(i + 1)) * 16 + hexValue(text.charCodeAt(i + 2))));
      i += 2;
      runStart = i + 1;
    }
  }
  if (runStart < text.length) parts.push(Buffer.from(text.slice(runStart), 'utf8'));
  return Buffer.concat(parts);
}

/** Escapes every octet of `text` (UTF-8) that is not in `allowed` as `%HH`. */
export function escapeChars(text: string, allowed: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    if (!inClass(allowed, text.charCodeAt(i))) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    out +=
      b < 0x80 && allowed[b] === 1
        ? String.fromCharCode(b)
        : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}
