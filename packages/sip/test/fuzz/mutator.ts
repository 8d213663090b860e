/**
 * A deterministic, seeded mutation engine over SIP messages (bytes). Every case is derived from
 * `(seed, index)` alone, so any case reproduces without running the ones before it:
 *
 * ```
 *   caseSeed(seed, index) ──► Prng ──► pick a corpus message ──► apply 0–5 mutation operators ──► bytes
 * ```
 *
 * Operators work on latin1 strings (one char per octet), so every byte value survives untouched.
 * No `Math.random`: the generator is sfc32 seeded through splitmix32.
 */

/** A corpus message the mutator starts from. */
export interface CorpusEntry {
  /** e.g. `rfc4475/wsinv` or `realistic/invite-sdp`. */
  readonly name: string;
  readonly data: Buffer;
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, 32-bit outputs. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads a 32-bit seed over the four state words.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Next 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform integer in [0, n); 0 when n ≤ 0. */
  below(n: number): number {
    if (n <= 0) return 0;
    return Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(list: readonly T[]): T {
    if (list.length === 0) throw new RangeError('pick from an empty list');
    return list[this.below(list.length)] as T;
  }

  /** Log-uniform integer in [1, max]: short runs often, very long ones sometimes. */
  logInt(max: number): number {
    return Math.max(
      1,
      Math.min(max, Math.floor(Math.exp((this.next() / 0x1_0000_0000) * Math.log(max + 1)))),
    );
  }
}

/** The seed of case `index` of a run seeded with `seed` (a hash: neighbouring cases are unrelated). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Single octets that have a meaning somewhere in the SIP grammar (or must never appear). */
export const INTERESTING_BYTES: readonly string[] = [
  '\r',
  '\n',
  ' ',
  '\t',
  '\0',
  ':',
  ';',
  ',',
  '"',
  '\\',
  '<',
  '>',
  '%',
  '\x7f',
  '\xff',
  '=',
  '@',
  '/',
  '[',
  ']',
  '?',
  '&',
  '(',
  ')',
  '*',
  '.',
];

/** UTF-8 fragments (as latin1 chars): truncated sequences, overlong forms, BOM, surrogates, 4-byte. */
export const UTF8_FRAGMENTS: readonly string[] = [
  '\xc3',
  '\xe2\x82',
  '\xf0\x9f\x98',
  '\xc3\xa9',
  '\xe2\x82\xac',
  '\xf0\x9f\x98\x80',
  '\xc0\xaf',
  '\xc0\x80',
  '\xef\xbb\xbf',
  '\xed\xa0\x80',
  '\xfe',
  '\xe2\x80\xa8',
  '\xf4\x90\x80\x80',
  '\x80',
];

/** Numbers that sit on a boundary of some field (CSeq < 2^31, delta-seconds < 2^32, ports, …). */
const INTERESTING_NUMBERS: readonly string[] = [
  '0',
  '00',
  '-1',
  '+1',
  '1.5',
  '1e3',
  '255',
  '256',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '9007199254740991',
  '9007199254740992',
  '18446744073709551616',
  '0000000000000000000000000000001',
  '99999999999999999999999999999999999999',
  '0x10',
  '',
];

const COMPACT: Readonly<Record<string, string>> = {
  via: 'v',
  from: 'f',
  to: 't',
  'call-id': 'i',
  contact: 'm',
  'content-length': 'l',
  'content-type': 'c',
  'content-encoding': 'e',
  supported: 'k',
  subject: 's',
};
const FULL: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(COMPACT).map(([full, compact]) => [compact, full]),
);

const MANDATORY_NAMES = ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Type', 'Contact'];
const STRUCTURAL = ':;,<>@=" /?&';
const METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
  'MESSAGE',
  'PRACK',
  'SUBSCRIBE',
  'NOTIFY',
  'REFER',
  'PUBLISH',
  'invite',
  'Invite',
  'NEWMETHOD',
  'I',
  "!interesting-Method0123456789_*+`.%indeed'~",
  'INV ITE',
  'INVITE\0',
  '',
  'SIP/2.0',
];
const URIS = [
  'sip:a@b',
  'sips:x@[::1]:5061',
  'tel:+1-201-555-0123',
  'mailto:a@b',
  'http://example.com/',
  'urn:service:sos',
  '<sip:a@b>',
  'sip:a@b c',
  'sip:',
  'sip:@',
  'sip:user@host:99999',
  'sip:user@host;transport=',
  'sip:user@host?',
  'sip:user@host?subject=x&priority=urgent',
  'sip:%61lice@example.com',
  'sip:a%ZZ@b',
  'sip:[2001:db8::1',
  'sip:host;;;',
  '*',
  'x:',
];
const VERSIONS = [
  'SIP/2.0',
  'sip/2.0',
  'SIP/2.1',
  'SIP/1.0',
  'SIP/20.0',
  'SIP/2',
  'SIP/2.0.0',
  'SIP/ 2.0',
  'HTTP/1.1',
  '',
];
const STATUS_CODES = [
  '000',
  '099',
  '100',
  '199',
  '200',
  '299',
  '699',
  '700',
  '1000',
  '2OO',
  '-200',
  '20',
  '',
];
const HOSTS_V6 = [
  '[::1]',
  '[2001:db8::10]',
  '[2001:db8::10',
  '2001:db8::10',
  '[:::]',
  '[1:2:3:4:5:6:7:8:9]',
  '[::ffff:192.0.2.1]',
  '[::ffff:192.0.2.256]',
  '[fe80::1%25eth0]',
  '[]',
  '[[::1]]',
];
const ESCAPES = ['%', '%4', '%G1', '%00', '%25', '%2525', '%FF', '%C3%A9', '%0D%0A', '%3B', '%40', '%%'];

/** Splits at the first blank line; `sep` is empty when there is none. */
function split(msg: string): { head: string; sep: string; body: string } {
  const i = msg.indexOf('\r\n\r\n');
  if (i < 0) return { head: msg, sep: '', body: '' };
  return { head: msg.slice(0, i), sep: '\r\n\r\n', body: msg.slice(i + 4) };
}

function join(head: string, sep: string, body: string): string {
  return head + sep + body;
}

function lines(head: string): string[] {
  return head.split('\r\n');
}

/** Index of a header line whose name (lower case) is one of `names`, or -1. */
function findHeader(ls: readonly string[], rng: Prng, names?: readonly string[]): number {
  const candidates: number[] = [];
  for (let i = 1; i < ls.length; i++) {
    const line = ls[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (names === undefined || names.includes(name)) candidates.push(i);
  }
  return candidates.length === 0 ? -1 : rng.pick(candidates);
}

/** Positions of structural characters (`:`, `;`, `<`, …) in `text`. */
function structuralPositions(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) if (STRUCTURAL.includes(text[i] as string)) out.push(i);
  return out;
}

/** A position in `text`: near a structural character half the time, else anywhere. */
function position(text: string, rng: Prng): number {
  if (text.length === 0) return 0;
  if (rng.chance(0.5)) {
    const s = structuralPositions(text);
    if (s.length > 0) return Math.min(text.length, rng.pick(s) + rng.range(0, 1));
  }
  return rng.below(text.length + 1);
}

function insertAt(text: string, at: number, piece: string): string {
  return text.slice(0, at) + piece + text.slice(at);
}

function interesting(rng: Prng): string {
  return rng.chance(0.8) ? rng.pick(INTERESTING_BYTES) : rng.pick(UTF8_FRAGMENTS);
}

function tokenRun(rng: Prng, n: number): string {
  const alphabet = rng.chance(0.5) ? 'a' : rng.pick(['x', '9', '-', '.', '%', '!', 'Z', 'ab', 'z9hG4bK']);
  return alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n);
}

function withLines(msg: string, edit: (ls: string[]) => void): string {
  const { head, sep, body } = split(msg);
  const ls = lines(head);
  edit(ls);
  return join(ls.join('\r\n'), sep, body);
}

/** Replaces one header value (chosen among `names`) by `make(old)`; unchanged when there is none. */
function editValue(msg: string, rng: Prng, names: readonly string[], make: (old: string) => string): string {
  return withLines(msg, (ls) => {
    const i = findHeader(ls, rng, names);
    if (i < 0) return;
    const line = ls[i] as string;
    const colon = line.indexOf(':');
    ls[i] = line.slice(0, colon + 1) + make(line.slice(colon + 1));
  });
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

export interface MutationContext {
  readonly corpus: readonly CorpusEntry[];
}

export interface MutationOperator {
  readonly name: string;
  /** Relative frequency. */
  readonly weight: number;
  apply(msg: string, rng: Prng, ctx: MutationContext): string;
}

/** Longest run a single operator adds (bounded, so every case stays bounded in size and time). */
export const MAX_RUN = 80_000;

const truncateKinds = [
  'offset',
  'before-cr',
  'between-cr-lf',
  'after-lf',
  'in-blank-line',
  'body-start',
  'mid-body',
  'after-structural',
  'start-line',
] as const;

export const MUTATIONS: readonly MutationOperator[] = [
  {
    name: 'bit-flip',
    weight: 6,
    apply(msg, rng) {
      if (msg.length === 0) return msg;
      const bytes = Buffer.from(msg, 'latin1');
      const n = rng.range(1, 8);
      for (let k = 0; k < n; k++) {
        const i = rng.below(bytes.length);
        bytes[i] = (bytes[i] as number) ^ (1 << rng.below(8));
      }
      return bytes.toString('latin1');
    },
  },
  {
    name: 'byte-replace',
    weight: 6,
    apply(msg, rng) {
      let out = msg;
      const n = rng.range(1, 4);
      for (let k = 0; k < n && out.length > 0; k++) {
        const i = Math.min(position(out, rng), out.length - 1);
        out = out.slice(0, i) + interesting(rng) + out.slice(i + 1);
      }
      return out;
    },
  },
  {
    name: 'byte-insert',
    weight: 6,
    apply(msg, rng) {
      let out = msg;
      const n = rng.range(1, 4);
      for (let k = 0; k < n; k++) out = insertAt(out, position(out, rng), interesting(rng));
      return out;
    },
  },
  {
    name: 'byte-delete',
    weight: 5,
    apply(msg, rng) {
      if (msg.length === 0) return msg;
      const at = Math.min(position(msg, rng), msg.length - 1);
      return msg.slice(0, at) + msg.slice(at + rng.range(1, 16));
    },
  },
  {
    name: 'line-duplicate',
    weight: 4,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        const i = rng.below(ls.length);
        const copies = rng.chance(0.9) ? rng.range(1, 3) : rng.logInt(2000);
        ls.splice(i + 1, 0, ...new Array<string>(copies).fill(ls[i] as string));
      });
    },
  },
  {
    name: 'line-delete',
    weight: 4,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        if (ls.length > 1) ls.splice(rng.below(ls.length), 1);
      });
    },
  },
  {
    name: 'line-swap',
    weight: 3,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        const i = rng.below(ls.length);
        const j = rng.below(ls.length);
        [ls[i], ls[j]] = [ls[j] as string, ls[i] as string];
      });
    },
  },
  {
    name: 'header-case',
    weight: 3,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        const i = rng.chance(0.8) ? findHeader(ls, rng) : 0;
        if (i < 0) return;
        const line = ls[i] as string;
        const end = i === 0 ? line.length : line.indexOf(':');
        const name = line.slice(0, end);
        const mode = rng.below(3);
        const changed =
          mode === 0
            ? name.toLowerCase()
            : mode === 1
              ? name.toUpperCase()
              : [...name].map((c) => (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
        ls[i] = changed + line.slice(end);
      });
    },
  },
  {
    name: 'compact-swap',
    weight: 3,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        const i = findHeader(ls, rng, [...Object.keys(COMPACT), ...Object.keys(FULL)]);
        if (i < 0) return;
        const line = ls[i] as string;
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const other = COMPACT[name] ?? FULL[name] ?? name;
        ls[i] = (rng.chance(0.5) ? other.toUpperCase() : other) + line.slice(colon);
      });
    },
  },
  {
    name: 'splice',
    weight: 4,
    apply(msg, rng, ctx) {
      const other = rng.pick(ctx.corpus).data.toString('latin1');
      const o = split(other);
      const m = split(msg);
      switch (rng.below(4)) {
        case 0: {
          // A header line of another message at a random place.
          const ol = lines(o.head);
          const ml = lines(m.head);
          ml.splice(rng.range(1, ml.length), 0, ol[rng.below(ol.length)] as string);
          return join(ml.join('\r\n'), m.sep, m.body);
        }
        case 1:
          // Our headers, their body (the Content-Length now lies).
          return join(m.head, m.sep || '\r\n\r\n', o.body);
        case 2:
          // Two messages in one datagram (RFC 4475 §3.1.2.1 dblreq style).
          return msg + other;
        default: {
          // Their start line on our headers.
          const ml = lines(m.head);
          ml[0] = lines(o.head)[0] ?? '';
          return join(ml.join('\r\n'), m.sep, m.body);
        }
      }
    },
  },
  {
    name: 'content-length',
    weight: 6,
    apply(msg, rng) {
      const { head, sep, body } = split(msg);
      const ls = lines(head);
      const at = ls.findIndex((l, k) => k > 0 && /^\s*(content-length|l)\s*:/i.test(l));
      const values = [
        '-1',
        '-0',
        String(body.length + rng.range(1, 10)),
        String(Math.max(0, body.length - rng.range(1, 10))),
        '99999999999999999999',
        '9007199254740993',
        '4294967296',
        'abc',
        '1 2',
        '0x10',
        '+5',
        ' ',
        '',
        `${body.length};x=1`,
        `0000${body.length}`,
        `${body.length}\r\n ${body.length}`,
        '\xef\xbc\x91\xef\xbc\x92', // fullwidth digits in UTF-8
      ];
      const value = rng.pick(values);
      const variant = rng.below(5);
      if (variant === 0 && at >= 0)
        ls.splice(at, 1); // remove
      else if (variant === 1)
        ls.push(`Content-Length: ${rng.chance(0.5) ? body.length : value}`); // duplicate
      else if (variant === 2) ls.push(`l: ${value}`);
      else if (at >= 0) ls[at] = `Content-Length: ${value}`;
      else ls.push(`Content-Length: ${value}`);
      return join(ls.join('\r\n'), sep || '\r\n\r\n', body);
    },
  },
  {
    name: 'long-token',
    weight: 3,
    apply(msg, rng) {
      const { head, sep, body } = split(msg);
      const n = rng.logInt(MAX_RUN);
      // Inside an alphanumeric run: a method, a host label, a tag, a branch, a header name, …
      const runs: number[] = [];
      for (let i = 1; i < head.length; i++) if (/[A-Za-z0-9]/.test(head[i] as string)) runs.push(i);
      const at = runs.length === 0 ? 0 : rng.pick(runs);
      return join(insertAt(head, at, tokenRun(rng, n)), sep, body);
    },
  },
  {
    name: 'many-vias',
    weight: 2,
    apply(msg, rng) {
      const n = rng.logInt(5000);
      const values: string[] = [];
      for (let k = 0; k < n; k++)
        values.push(`SIP/2.0/UDP h${k}.example.com:${5060 + (k % 100)};branch=z9hG4bK${k}`);
      return withLines(msg, (ls) => {
        const at = Math.max(1, findHeader(ls, rng, ['via', 'v']));
        if (rng.chance(0.5)) ls.splice(at + 1, 0, `Via: ${values.join(rng.chance(0.5) ? ', ' : ',')}`);
        else ls.splice(at + 1, 0, ...values.map((v) => `Via: ${v}`));
      });
    },
  },
  {
    name: 'many-params',
    weight: 2,
    apply(msg, rng) {
      const n = rng.logInt(5000);
      let params = '';
      const style = rng.below(4);
      for (let k = 0; k < n; k++) {
        params +=
          style === 0
            ? `;p${k}=v${k}`
            : style === 1
              ? `;p${k}`
              : style === 2
                ? ` ; p${k} = "v\\"${k}"`
                : `;tag=${k}`;
      }
      if (rng.chance(0.25)) {
        // URI parameters on the Request-URI.
        return withLines(msg, (ls) => {
          const parts = (ls[0] as string).split(' ');
          if (parts.length >= 2) parts[1] = (parts[1] as string) + params.replace(/[ "\\]/g, '');
          ls[0] = parts.join(' ');
        });
      }
      return editValue(
        msg,
        rng,
        ['via', 'v', 'from', 'f', 'to', 't', 'contact', 'm', 'content-type', 'c'],
        (v) => (rng.chance(0.5) ? v + params : v.replace('>', params.replace(/[ "\\]/g, '') + '>')),
      );
    },
  },
  {
    name: 'deep-nesting',
    weight: 2,
    apply(msg, rng) {
      const n = rng.logInt(20_000);
      const shapes = [
        () => ` "${'\\"'.repeat(n)}" <sip:a@b>`,
        () => ` "${'\\\\'.repeat(n)}`,
        () => ` "${'a'.repeat(n)} <sip:a@b>`,
        () => ` ${'<'.repeat(n)}sip:a@b${'>'.repeat(n)}`,
        () => ` ${'('.repeat(n)}x${')'.repeat(rng.below(n + 1))}`,
        () => ` ${'"'.repeat(n)}`,
        () => ` <sip:a@b>;x="${'\\'.repeat(n)}`,
        () => ` ${'a '.repeat(n)}<sip:a@b>`,
      ];
      const value = rng.pick(shapes)();
      return editValue(
        msg,
        rng,
        ['from', 'f', 'to', 't', 'contact', 'm', 'route', 'call-id', 'i', 'via', 'v'],
        () => value,
      );
    },
  },
  {
    name: 'many-headers',
    weight: 2,
    apply(msg, rng) {
      const n = rng.logInt(5000);
      const name = rng.pick([
        'X-Fuzz',
        'Route',
        'Record-Route',
        'Contact',
        'Require',
        'Supported',
        'Accept',
        'Subject',
      ]);
      const value = name.endsWith('Route') || name === 'Contact' ? '<sip:p.example.com;lr>' : 'x';
      return withLines(msg, (ls) => {
        const extra: string[] = [];
        for (let k = 0; k < n; k++) extra.push(`${name}: ${value}`);
        ls.splice(rng.range(1, ls.length), 0, ...extra);
      });
    },
  },
  {
    name: 'truncate',
    weight: 6,
    apply(msg, rng) {
      if (msg.length === 0) return msg;
      const kind = rng.pick(truncateKinds);
      const all = (needle: string): number[] => {
        const out: number[] = [];
        for (let i = msg.indexOf(needle); i >= 0; i = msg.indexOf(needle, i + 1)) out.push(i);
        return out;
      };
      const blank = msg.indexOf('\r\n\r\n');
      let at: number;
      switch (kind) {
        case 'before-cr':
          at = rng.pick([...all('\r\n'), msg.length]);
          break;
        case 'between-cr-lf':
          at = rng.pick([...all('\r\n'), msg.length - 1]) + 1;
          break;
        case 'after-lf':
          at = rng.pick([...all('\r\n'), msg.length - 2]) + 2;
          break;
        case 'in-blank-line':
          at = blank < 0 ? msg.length : blank + rng.range(0, 4);
          break;
        case 'body-start':
          at = blank < 0 ? msg.length : blank + 4 + rng.range(0, 2);
          break;
        case 'mid-body':
          at = blank < 0 ? msg.length : rng.range(blank + 4, msg.length);
          break;
        case 'after-structural': {
          const s = structuralPositions(msg);
          at = s.length === 0 ? rng.below(msg.length) : rng.pick(s) + 1;
          break;
        }
        case 'start-line':
          at = rng.below(Math.max(1, msg.indexOf('\r\n')));
          break;
        default:
          at = rng.below(msg.length);
      }
      return msg.slice(0, Math.max(0, Math.min(at, msg.length)));
    },
  },
  {
    name: 'fold',
    weight: 4,
    apply(msg, rng) {
      const fold = rng.pick(['\r\n ', '\r\n\t', '\r\n  \t ', '\r\n', '\r\n \r\n ']);
      const { head, sep, body } = split(msg);
      switch (rng.below(4)) {
        case 0: {
          // Fold at a space inside the header section.
          const spaces: number[] = [];
          for (let i = 0; i < head.length; i++) if (head[i] === ' ') spaces.push(i);
          if (spaces.length === 0) return msg;
          const i = rng.pick(spaces);
          return join(head.slice(0, i) + fold + head.slice(i + 1), sep, body);
        }
        case 1: {
          // A continuation line right after the start line (no header to continue).
          const nl = head.indexOf('\r\n');
          return nl < 0 ? msg : join(insertAt(head, nl, '\r\n continued'), sep, body);
        }
        case 2:
          // A whitespace-only line just before the blank line.
          return join(head + rng.pick(['\r\n ', '\r\n\t', '\r\n \t ']), sep, body);
        default: {
          const i = position(head, rng);
          return join(insertAt(head, i, fold), sep, body);
        }
      }
    },
  },
  {
    name: 'line-ending',
    weight: 3,
    apply(msg, rng) {
      const { head, sep, body } = split(msg);
      const replacement = rng.pick(['\n', '\r', '\n\r', '\r\r\n', '\r\n\n']);
      if (rng.chance(0.3)) {
        const all = head.split('\r\n').join(replacement);
        return join(all, rng.chance(0.5) ? replacement + replacement : sep, body);
      }
      const ends: number[] = [];
      for (let i = head.indexOf('\r\n'); i >= 0; i = head.indexOf('\r\n', i + 1)) ends.push(i);
      if (ends.length === 0) return msg;
      const i = rng.pick(ends);
      return join(head.slice(0, i) + replacement + head.slice(i + 2), sep, body);
    },
  },
  {
    name: 'utf8',
    weight: 3,
    apply(msg, rng) {
      const piece = rng.pick(UTF8_FRAGMENTS).repeat(rng.chance(0.9) ? 1 : rng.logInt(1000));
      return insertAt(msg, position(msg, rng), piece);
    },
  },
  {
    name: 'start-line',
    weight: 5,
    apply(msg, rng) {
      return withLines(msg, (ls) => {
        const parts = (ls[0] as string).split(' ');
        const isResponse = /^sip\//i.test(ls[0] as string);
        switch (rng.below(isResponse ? 4 : 3)) {
          case 0:
            if (isResponse) parts[0] = rng.pick(VERSIONS);
            else parts[0] = rng.pick(METHODS);
            break;
          case 1:
            if (isResponse) parts[1] = rng.pick(STATUS_CODES);
            else parts[1] = rng.pick(URIS);
            break;
          case 2:
            if (isResponse) parts.splice(2);
            else parts[2] = rng.pick(VERSIONS);
            break;
          default:
            // A request line turned into a status line or the other way round.
            ls[0] = rng.chance(0.5) ? 'SIP/2.0 200 OK' : 'OPTIONS sip:x@y SIP/2.0';
            return;
        }
        ls[0] = parts.join(rng.chance(0.9) ? ' ' : rng.pick(['  ', '\t', ' \t']));
      });
    },
  },
  {
    name: 'whitespace',
    weight: 4,
    apply(msg, rng) {
      const ws = rng.chance(0.9)
        ? rng.pick([' ', '\t', '  ', ' \t ', '\t\t'])
        : ' '.repeat(rng.logInt(MAX_RUN));
      const { head, sep, body } = split(msg);
      switch (rng.below(3)) {
        case 0:
          return join(ws + head, sep, body);
        case 1: {
          // Trailing whitespace on a line.
          const ends: number[] = [head.length];
          for (let i = head.indexOf('\r\n'); i >= 0; i = head.indexOf('\r\n', i + 1)) ends.push(i);
          return join(insertAt(head, rng.pick(ends), ws), sep, body);
        }
        default:
          return join(insertAt(head, position(head, rng), ws), sep, body);
      }
    },
  },
  {
    name: 'empty-value',
    weight: 3,
    apply(msg, rng) {
      return editValue(
        msg,
        rng,
        [...MANDATORY_NAMES.map((n) => n.toLowerCase()), 'v', 'f', 't', 'i', 'm', 'l', 'c'],
        () => rng.pick(['', ' ', '\t', ' ,', ',', ';', '<>', '""']),
      );
    },
  },
  {
    name: 'drop-header',
    weight: 3,
    apply(msg, rng) {
      const name = rng.pick(MANDATORY_NAMES).toLowerCase();
      const compact = COMPACT[name];
      return withLines(msg, (ls) => {
        for (let i = ls.length - 1; i >= 1; i--) {
          const line = ls[i] as string;
          const colon = line.indexOf(':');
          const n = colon < 0 ? '' : line.slice(0, colon).trim().toLowerCase();
          if (n === name || n === compact) ls.splice(i, 1);
        }
      });
    },
  },
  {
    name: 'escapes',
    weight: 3,
    apply(msg, rng) {
      // Inside a URI: after "sip:" / "sips:" / "tel:" or after "@".
      const spots: number[] = [];
      const re = /(sips?:|tel:|@)/gi;
      for (let m = re.exec(msg); m !== null; m = re.exec(msg)) spots.push(m.index + m[0].length);
      const at = spots.length === 0 ? position(msg, rng) : rng.pick(spots) + rng.range(0, 3);
      return insertAt(msg, Math.min(at, msg.length), rng.pick(ESCAPES));
    },
  },
  {
    name: 'ipv6-host',
    weight: 2,
    apply(msg, rng) {
      const host = rng.pick(HOSTS_V6);
      const re = /(@|SIP\/2\.0\/[A-Za-z]+ +)([A-Za-z0-9.-]+)/g;
      const spots: { at: number; len: number }[] = [];
      for (let m = re.exec(msg); m !== null; m = re.exec(msg))
        spots.push({ at: m.index + (m[1] as string).length, len: (m[2] as string).length });
      if (spots.length === 0) return msg;
      const s = rng.pick(spots);
      return msg.slice(0, s.at) + host + msg.slice(s.at + s.len);
    },
  },
  {
    name: 'number',
    weight: 4,
    apply(msg, rng) {
      const { head, sep, body } = split(msg);
      const spots: { at: number; len: number }[] = [];
      const re = /\d+/g;
      for (let m = re.exec(head); m !== null; m = re.exec(head))
        spots.push({ at: m.index, len: m[0].length });
      if (spots.length === 0) return msg;
      const s = rng.pick(spots);
      const n = rng.chance(0.95) ? rng.pick(INTERESTING_NUMBERS) : '9'.repeat(rng.logInt(MAX_RUN));
      return join(head.slice(0, s.at) + n + head.slice(s.at + s.len), sep, body);
    },
  },
];

/** One generated case. */
export interface MutatedCase {
  readonly index: number;
  /** The case's own seed (`caseSeed(runSeed, index)`). */
  readonly seed: number;
  /** Corpus message it started from. */
  readonly base: string;
  /** Operators applied, in order. */
  readonly ops: readonly string[];
  readonly data: Buffer;
}

export interface MutatorOptions {
  /** Most operators stacked on one case. @defaultValue 5 */
  maxOps?: number;
  /**
   * Cases longer than this are cut to it: a little over the largest UDP payload (65 507) and the
   * StreamFramer's header limit (65 536), so both limits are crossed sometimes. @defaultValue 98304
   */
  maxBytes?: number;
}

/**
 * Generates the mutated cases of a run: `mutate(seed, index)` is a pure function of its arguments
 * (and the corpus), so a failing case is reproduced from the two numbers printed with it.
 */
export class Mutator {
  private readonly corpus: readonly CorpusEntry[];
  private readonly maxOps: number;
  private readonly maxBytes: number;
  private readonly totalWeight: number;

  constructor(corpus: readonly CorpusEntry[], options: MutatorOptions = {}) {
    if (corpus.length === 0) throw new RangeError('the mutator needs a non-empty corpus');
    this.corpus = corpus;
    this.maxOps = options.maxOps ?? 5;
    this.maxBytes = options.maxBytes ?? 96 * 1024;
    this.totalWeight = MUTATIONS.reduce((sum, m) => sum + m.weight, 0);
  }

  /** Picks an operator by weight. */
  private operator(rng: Prng): MutationOperator {
    let r = rng.below(this.totalWeight);
    for (const m of MUTATIONS) {
      if (r < m.weight) return m;
      r -= m.weight;
    }
    return MUTATIONS[MUTATIONS.length - 1] as MutationOperator;
  }

  mutate(runSeed: number, index: number): MutatedCase {
    const seed = caseSeed(runSeed, index);
    const rng = new Prng(seed);
    const entry = rng.pick(this.corpus);
    // 0 operators now and then (the corpus itself must pass), mostly 1–2, sometimes a pile-up.
    const count = rng.chance(0.02)
      ? 0
      : Math.min(this.maxOps, 1 + Math.floor(-Math.log2(1 - rng.next() / 0x1_0000_0000 + 1e-12)));
    let msg = entry.data.toString('latin1');
    const ops: string[] = [];
    for (let k = 0; k < count; k++) {
      const op = this.operator(rng);
      msg = op.apply(msg, rng, { corpus: this.corpus });
      if (msg.length > this.maxBytes) msg = msg.slice(0, this.maxBytes);
      ops.push(op.name);
    }
    if (msg.length > this.maxBytes) msg = msg.slice(0, this.maxBytes);
    return { index, seed, base: entry.name, ops, data: Buffer.from(msg, 'latin1') };
  }
}
