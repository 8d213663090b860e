import { SipHeaderError, isSipToken, splitList, trimWsp } from '../grammar/index.js';
import { canonicalHeaderName, canonicalNameOfKey, headerKey, isListHeader } from './header-names.js';

/** One header field as received or added: its name as written and its unfolded value. */
export interface HeaderField {
  /** Lookup key: lower case, compact form expanded (`v` → `via`). */
  readonly key: string;
  /** Name as written on the wire or by the caller (`v`, `VIA`, `X-Foo`). */
  readonly name: string;
  /** Value with LWS folding replaced by a single SP and outer whitespace trimmed; otherwise raw. */
  readonly value: string;
}

export type HeaderValue = string | readonly string[];

/** What `SipHeaders` and the message constructors accept. */
export type HeadersInit =
  SipHeaders | Iterable<readonly [string, string]> | Readonly<Record<string, HeaderValue>>;

function checkName(name: string): void {
  if (!isSipToken(name)) throw new SipHeaderError('SIP_HEADER_NAME', name, `'${name}' is not a header name`);
}

function checkValue(name: string, value: string): string {
  if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
    throw new SipHeaderError('SIP_HEADER_VALUE', name, `${name}: CR/LF is not allowed in a header value`);
  }
  return trimWsp(value);
}

/**
 * The ordered header fields of a message. Lookups are case-insensitive and treat compact forms as
 * their full names (RFC 3261 §7.3.3). `getAll` splits list headers at top-level commas.
 * Every mutation bumps `version`, which `SipMessage` uses to drop its parsed-header cache.
 */
export class SipHeaders implements Iterable<[string, string]> {
  private list: HeaderField[] = [];
  /** Mutation counter (starts at 0). */
  version = 0;

  constructor(init?: HeadersInit) {
    if (init === undefined) return;
    if (init instanceof SipHeaders) {
      this.list = [...init.list];
    } else if (Symbol.iterator in init) {
      for (const [name, value] of init as Iterable<readonly [string, string]>) this.append(name, value);
    } else {
      for (const [name, value] of Object.entries(init as Readonly<Record<string, HeaderValue>>)) {
        this.append(name, value);
      }
    }
    this.version = 0;
  }

  /** @internal Builds headers from already-validated parser output without copying. */
  static fromFields(fields: HeaderField[]): SipHeaders {
    const h = new SipHeaders();
    h.list = fields;
    return h;
  }

  /** Value of the first field with this name. */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const f of this.list) if (f.key === key) return f.value;
    return undefined;
  }

  /** Every value: one per field, and for list headers one per comma-separated element. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const list = isListHeader(key);
    const out: string[] = [];
    for (const f of this.list) {
      if (f.key !== key) continue;
      if (!list) out.push(f.value);
      else for (const v of splitList(f.value)) if (v !== '') out.push(v);
    }
    return out;
  }

  /** The fields with this name, in order (no list splitting). */
  fields(name?: string): HeaderField[] {
    if (name === undefined) return [...this.list];
    const key = headerKey(name);
    return this.list.filter((f) => f.key === key);
  }

  /** @internal The first field with this name (field objects are immutable: safe to share). */
  firstField(name: string): HeaderField | undefined {
    const key = headerKey(name);
    const list = this.list;
    for (let i = 0; i < list.length; i++) if ((list[i] as HeaderField).key === key) return list[i];
    return undefined;
  }

  /** The values of the fields with this name, in order (no list splitting, no copies of fields). */
  fieldValues(name: string): string[] {
    const key = headerKey(name);
    const out: string[] = [];
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as HeaderField;
      if (f.key === key) out.push(f.value);
    }
    return out;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    const list = this.list;
    for (let i = 0; i < list.length; i++) if ((list[i] as HeaderField).key === key) return true;
    return false;
  }

  /** Number of values, counted as `getAll` does. */
  count(name: string): number {
    return this.getAll(name).length;
  }

  /** Number of fields (header lines) with this name. */
  fieldCount(name: string): number {
    const key = headerKey(name);
    let n = 0;
    for (const f of this.list) if (f.key === key) n++;
    return n;
  }

  /** Replaces every field with this name by the given value(s), at the position of the first one. */
  set(name: string, value: HeaderValue): this {
    checkName(name);
    const key = headerKey(name);
    const values = (typeof value === 'string' ? [value] : value).map((v) => checkValue(name, v));
    const first = this.list.findIndex((f) => f.key === key);
    const rest = this.list.filter((f) => f.key !== key);
    const at = first < 0 ? rest.length : this.list.slice(0, first).filter((f) => f.key !== key).length;
    rest.splice(at, 0, ...values.map((v) => ({ key, name, value: v })));
    this.list = rest;
    this.version++;
    return this;
  }

  /** Adds field(s) after every existing field. */
  append(name: string, value: HeaderValue): this {
    checkName(name);
    const key = headerKey(name);
    for (const v of typeof value === 'string' ? [value] : value) {
      this.list.push({ key, name, value: checkValue(name, v) });
    }
    this.version++;
    return this;
  }

  /** Adds field(s) before the first field with this name (or first of all), e.g. a new top Via. */
  prepend(name: string, value: HeaderValue): this {
    checkName(name);
    const key = headerKey(name);
    const values = (typeof value === 'string' ? [value] : value).map((v) => ({
      key,
      name,
      value: checkValue(name, v),
    }));
    const first = this.list.findIndex((f) => f.key === key);
    this.list.splice(first < 0 ? 0 : first, 0, ...values);
    this.version++;
    return this;
  }

  /** Removes every field with this name; returns how many were removed. */
  delete(name: string): number {
    const key = headerKey(name);
    const before = this.list.length;
    this.list = this.list.filter((f) => f.key !== key);
    const removed = before - this.list.length;
    if (removed > 0) this.version++;
    return removed;
  }

  /** Removes the first value of a list header (e.g. the top Via or Route), splitting a combined field. */
  shift(name: string): string | undefined {
    const key = headerKey(name);
    const i = this.list.findIndex((f) => f.key === key);
    if (i < 0) return undefined;
    const f = this.list[i] as HeaderField;
    const parts = isListHeader(key) ? splitList(f.value) : [f.value];
    const head = parts.shift();
    if (parts.length === 0) this.list.splice(i, 1);
    else this.list[i] = { key, name: f.name, value: parts.join(', ') };
    this.version++;
    return head;
  }

  /**
   * @internal The header lines of a message as serialized (`Name: value` CRLF each, canonical names
   * for known headers), leaving out the fields under `skipKey`. A plain loop: this runs for every
   * message sent.
   */
  wireLines(skipKey: string): string {
    // Pieces joined once (no chain of partial strings per field), in an array made to size.
    const list = this.list;
    const parts = new Array<string>(list.length * 4);
    let n = 0;
    for (let i = 0; i < list.length; i++) {
      const f = list[i] as HeaderField;
      if (f.key === skipKey) continue;
      parts[n++] = canonicalNameOfKey(f.key) ?? f.name;
      parts[n++] = ': ';
      parts[n++] = f.value;
      parts[n++] = '\r\n';
    }
    parts.length = n;
    return parts.join('');
  }

  get size(): number {
    return this.list.length;
  }

  /** `[name, value]` per field; known headers get their canonical full name. */
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (const f of this.list) yield [canonicalHeaderName(f.key) ?? f.name, f.value];
  }

  entries(): IterableIterator<[string, string]> {
    return this[Symbol.iterator]() as IterableIterator<[string, string]>;
  }

  clone(): SipHeaders {
    return new SipHeaders(this);
  }
}
