import { PARAMCHAR, TOKEN, inClass } from './char-classes.js';
import { Scanner, quoteString, unquoteString } from './scanner.js';
import { escapeChars, unescape } from './escape.js';

/** One parameter as it appears on the wire: name and raw value (`undefined` when value-less). */
export interface Parameter {
  readonly name: string;
  /** Raw value: a quoted-string keeps its quotes, a URI parameter keeps its `%HH` escapes. */
  readonly value: string | undefined;
}

/**
 * `header` parameters (generic-param, RFC 3261 §25.1) are unquoted on read;
 * `uri` parameters (uri-parameter, §19.1.1) are unescaped on read and compared by unescaped name.
 */
export type ParametersKind = 'header' | 'uri';

const HEADER_VALUE_CHARS = (() => {
  const t = new Uint8Array(128);
  for (let i = 0; i < 128; i++) t[i] = TOKEN[i] ?? 0;
  // gen-value = token / host / quoted-string: a host adds ":" "[" "]" (IPv6, RFC 5118).
  for (const c of ':[]') t[c.charCodeAt(0)] = 1;
  return t;
})();

/**
 * An ordered list of parameters with case-insensitive lookup by name. Keeps the raw text so a
 * message is serialized the way it arrived, and decodes values on read.
 */
export class Parameters implements Iterable<Parameter> {
  private list: Parameter[];

  constructor(
    readonly kind: ParametersKind,
    list?: Iterable<Parameter>,
  ) {
    this.list = list === undefined ? [] : [...list];
  }

  /** @internal Wraps a freshly built list without copying it. */
  static adopt(kind: ParametersKind, list: Parameter[]): Parameters {
    const p = new Parameters(kind);
    p.list = list;
    return p;
  }

  get size(): number {
    return this.list.length;
  }

  private key(name: string): string {
    return (this.kind === 'uri' && name.includes('%') ? unescape(name) : name).toLowerCase();
  }

  /** Lookup keys, computed on first lookup and dropped on mutation. */
  private keys: string[] | undefined;

  private index(name: string): number {
    const k = this.key(name);
    let keys = this.keys;
    if (keys === undefined) {
      const list = this.list;
      keys = new Array<string>(list.length);
      for (let i = 0; i < list.length; i++) keys[i] = this.key((list[i] as Parameter).name);
      this.keys = keys;
    }
    return keys.indexOf(k);
  }

  has(name: string): boolean {
    return this.index(name) >= 0;
  }

  /** Decoded value; `undefined` when absent or value-less (use `has` to tell them apart). */
  get(name: string): string | undefined {
    const raw = this.getRaw(name);
    if (raw === undefined) return undefined;
    return this.kind === 'uri' ? unescape(raw) : unquoteString(raw);
  }

  /** The value exactly as on the wire. */
  getRaw(name: string): string | undefined {
    const i = this.index(name);
    return i < 0 ? undefined : (this.list[i] as Parameter).value;
  }

  /**
   * Sets (replacing in place) or appends a parameter. The value is given decoded and encoded here:
   * header values that are not a token/host are quoted; URI values get `%HH` escapes as needed
   * (an empty URI value makes the parameter value-less).
   */
  set(name: string, value?: string): this {
    let raw: string | undefined;
    if (value === undefined) raw = undefined;
    // pvalue = 1*paramchar (RFC 3261 §25.1): an empty URI parameter value cannot be written.
    else if (this.kind === 'uri') raw = value === '' ? undefined : escapeChars(value, PARAMCHAR);
    else raw = isGenValue(value) ? value : quoteString(value);
    return this.setRaw(name, raw);
  }

  /** Sets a parameter from raw wire text (no encoding). */
  setRaw(name: string, raw: string | undefined): this {
    const i = this.index(name);
    if (i >= 0) this.list[i] = { name: (this.list[i] as Parameter).name, value: raw };
    else this.list.push({ name, value: raw });
    this.keys = undefined;
    return this;
  }

  delete(name: string): boolean {
    const i = this.index(name);
    if (i < 0) return false;
    this.list.splice(i, 1);
    this.keys = undefined;
    return true;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this.list[Symbol.iterator]();
  }

  clone(): Parameters {
    return new Parameters(this.kind, this.list);
  }

  /** `;name=value;flag` (empty string when there are none). */
  toString(): string {
    let out = '';
    for (const p of this.list) out += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`;
    return out;
  }
}

function isGenValue(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) if (!inClass(HEADER_VALUE_CHARS, value.charCodeAt(i))) return false;
  return true;
}

/**
 * *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ] (RFC 3261 §25.1), with the
 * SWS that SEMI and EQUAL allow. An empty parameter (`;;`) is a syntax error. Scans from `sc.pos`
 * and leaves it after the last parameter. Hand-inlined on locals (it runs for every Via, From, To
 * and Contact value); errors go through the scanner, so they get the caller's type.
 */
export function parseHeaderParams(sc: Scanner): Parameters {
  const text = sc.text;
  const len = text.length;
  let list: Parameter[] | undefined;
  let pos = sc.pos;
  for (;;) {
    let p = skipWsp(text, pos);
    if (p >= len || text.charCodeAt(p) !== 0x3b /* ; */) break;
    p = skipWsp(text, p + 1);
    const nameStart = p;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c >= 128 || TOKEN[c] !== 1) break;
      p++;
    }
    if (p === nameStart) {
      sc.pos = p;
      sc.fail('expected a parameter name');
    }
    const name = text.slice(nameStart, p);
    let value: string | undefined;
    let q = skipWsp(text, p);
    if (q < len && text.charCodeAt(q) === 0x3d /* = */) {
      q = skipWsp(text, q + 1);
      if (text.charCodeAt(q) === 0x22) {
        sc.pos = q;
        value = sc.quotedString();
        q = sc.pos;
      } else {
        const valueStart = q;
        while (q < len) {
          const c = text.charCodeAt(q);
          if (c >= 128 || HEADER_VALUE_CHARS[c] !== 1) break;
          q++;
        }
        if (q === valueStart) {
          sc.pos = q;
          sc.fail(`parameter '${name}' has an empty value`);
        }
        value = text.slice(valueStart, q);
      }
      p = q;
    }
    (list ??= []).push({ name, value });
    pos = p;
  }
  sc.pos = pos;
  return Parameters.adopt('header', list ?? []);
}

function skipWsp(text: string, p: number): number {
  while (p < text.length) {
    const c = text.charCodeAt(p);
    if (c !== 0x20 && c !== 0x09) break;
    p++;
  }
  return p;
}
