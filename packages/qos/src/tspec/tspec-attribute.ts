import { RspecInvalidError, TspecInvalidError } from '../errors.js';
import { validateRspec, type Rspec } from './rspec.js';
import { validateTspec, type Tspec, type TspecValidationOptions } from './tspec.js';

/**
 * The SDP attributes of the svpn SIP contract (DESIGN.md §2) that carry RFC 2210/2212 parameters:
 *
 * ```
 * a=svpn-tspec:r=<B/s> b=<B> p=<B/s> m=<B> M=<B>
 * a=svpn-rspec:R=<B/s> S=<µs>
 * ```
 *
 * Keys are case-sensitive (m and M differ), each appears exactly once, in any order, separated by
 * whitespace; values are non-negative decimal numbers.
 */

const NUMBER_RE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function parsePairs(
  text: string,
  keys: readonly string[],
  fail: (field: string, message: string) => Error,
): Record<string, number> {
  const out: Record<string, number> = {};
  const tokens = text
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  for (const token of tokens) {
    const eq = token.indexOf('=');
    const key = eq < 0 ? token : token.slice(0, eq);
    const raw = eq < 0 ? '' : token.slice(eq + 1);
    if (!keys.includes(key)) throw fail(key, `unknown parameter "${key}" in "${text}"`);
    if (key in out) throw fail(key, `parameter "${key}" given twice in "${text}"`);
    if (!NUMBER_RE.test(raw)) throw fail(key, `parameter "${key}" needs a non-negative number, got "${raw}"`);
    out[key] = Number(raw);
  }
  for (const key of keys) {
    if (!(key in out)) throw fail(key, `parameter "${key}" missing in "${text}"`);
  }
  return out;
}

/**
 * Parses the value of `a=svpn-tspec` and validates the Tspec.
 * @throws {@link TspecInvalidError} (`rule: 'syntax'` for a malformed attribute)
 */
export function parseTspecAttribute(value: string, options?: TspecValidationOptions): Tspec {
  const v = parsePairs(
    value,
    ['r', 'b', 'p', 'm', 'M'],
    (field, message) => new TspecInvalidError('syntax', field, message),
  );
  return validateTspec(
    { r: v.r ?? NaN, b: v.b ?? NaN, p: v.p ?? NaN, m: v.m ?? NaN, M: v.M ?? NaN },
    options,
  );
}

/** The value of `a=svpn-tspec` for a Tspec: `r=10000 b=200 p=10000 m=200 M=200`. */
export function formatTspecAttribute(tspec: Tspec): string {
  return `r=${tspec.r} b=${tspec.b} p=${tspec.p} m=${tspec.m} M=${tspec.M}`;
}

/**
 * Parses the value of `a=svpn-rspec` and validates it (against the Tspec when given: R ≥ r).
 * @throws {@link RspecInvalidError} (`rule: 'syntax'` for a malformed attribute)
 */
export function parseRspecAttribute(value: string, tspec?: Tspec): Rspec {
  const v = parsePairs(
    value,
    ['R', 'S'],
    (field, message) => new RspecInvalidError('syntax', field, message),
  );
  return validateRspec({ R: v.R ?? NaN, S: v.S ?? NaN }, tspec);
}

/** The value of `a=svpn-rspec` for an Rspec: `R=10000 S=0`. */
export function formatRspecAttribute(rspec: Rspec): string {
  return `R=${rspec.R} S=${rspec.S}`;
}
