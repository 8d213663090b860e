import { trimWsp } from './char-classes.js';

/**
 * Splits a list header value at top-level commas (RFC 3261 §7.3.1), ignoring commas inside
 * quoted strings (with quoted-pairs), `<…>` and comments `(…)`. Elements are trimmed; empty
 * elements are kept so callers can reject `a,,b` where the grammar forbids it.
 */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) return [trimWsp(value)];
  const out: string[] = [];
  let start = 0;
  let inQuote = false;
  let angle = 0;
  let paren = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (inQuote) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inQuote = false;
      continue;
    }
    if (c === 0x22) inQuote = true;
    else if (c === 0x3c) angle++;
    else if (c === 0x3e && angle > 0) angle--;
    else if (c === 0x28) paren++;
    else if (c === 0x29 && paren > 0) paren--;
    else if (c === 0x2c && angle === 0 && paren === 0) {
      out.push(trimWsp(value.slice(start, i)));
      start = i + 1;
    }
  }
  out.push(trimWsp(value.slice(start)));
  return out;
}
