// RFC 3261 §25.1 — character classes as 128-entry lookup tables (ASCII only; octets above 0x7F
// never belong to these classes). Lookups are O(1) and keep every scanner linear.

function table(chars: string, alnum: boolean): Uint8Array {
  const t = new Uint8Array(128);
  if (alnum) {
    for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
    for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
    for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", true);
/** unreserved = alphanum / mark; mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
export const UNRESERVED = table("-_.!~*'()", true);
/** user = 1*( unreserved / escaped / user-unreserved ); user-unreserved = & = + $ , ; ? / */
export const USER = table("-_.!~*'()&=+$,;?/", true);
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
export const PASSWORD = table("-_.!~*'()&=+$,", true);
/** paramchar = param-unreserved / unreserved / escaped; param-unreserved = [ ] / : & + $ */
export const PARAMCHAR = table("-_.!~*'()[]/:&+$", true);
/** hname / hvalue = *( hnv-unreserved / unreserved / escaped ); hnv-unreserved = [ ] / ? : + $ */
export const HNVCHAR = table("-_.!~*'()[]/?:+$", true);
/** hostname characters: alphanum / "-" / "." */
export const HOSTNAME = table('-.', true);
/** RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (first char checked separately) */
export const SCHEME = table('+-.', true);
/**
 * word = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" / "(" / ")" /
 * "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}")   (RFC 3261 §25.1, Call-ID)
 */
export const WORD = table('-.!%*_+`\'~()<>:\\"/[]?{}', true);

export function inClass(cls: Uint8Array, code: number): boolean {
  return code < 128 && cls[code] === 1;
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isAlpha(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

/** SP or HTAB (WSP). Header values are unfolded before scanning, so LWS reduces to WSP runs. */
export function isWsp(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** true when `text` is a non-empty RFC 3261 token. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!inClass(TOKEN, text.charCodeAt(i))) return false;
  return true;
}

/**
 * Trims SP / HTAB only. `String.prototype.trim` also strips U+FEFF and other Unicode spaces,
 * which are data in a SIP header value (RFC 4475 §3.1.1.2 starts a value with a UTF-8 BOM).
 */
export function trimWsp(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isWsp(text.charCodeAt(start))) start++;
  while (end > start && isWsp(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
