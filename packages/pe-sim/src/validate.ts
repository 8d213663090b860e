import { InvalidArgumentError } from './errors.js';
import { ID_PATTERN, MAX_BPS } from './limits.js';

/** Checks an id (node, LSP, session, VPN, CE, interface): 1–200 characters, no whitespace, `{`, `}` or `|`. @internal */
export function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(field, 'must be 1–200 characters without whitespace, "{", "}" or "|"');
  }
  return value;
}

/** Checks a bandwidth: an integer bit/s in 0 … 10 Tbit/s. @internal */
export function requireBps(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_BPS) {
    throw new InvalidArgumentError(field, `must be an integer bit/s in 0…${MAX_BPS}`);
  }
  return value;
}

/** RFC 2474 §3 — a DSCP is a 6-bit codepoint, 0 … 63. @internal */
export function requireDscp(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 63) {
    throw new InvalidArgumentError(field, 'must be a DSCP, an integer in 0…63');
  }
  return value;
}

/** RFC 3209 §4.7 — setup and holding priorities are 0 (highest) … 7 (lowest). @internal */
export function requirePriority(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 7) {
    throw new InvalidArgumentError(field, 'must be an RSVP-TE priority, an integer in 0…7');
  }
  return value;
}

/** A non-negative, finite number of milliseconds. @internal */
export function requireMs(value: unknown, field: string, allowZero = true): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new InvalidArgumentError(
      field,
      `must be a finite number of milliseconds ${allowZero ? '≥' : '>'} 0`,
    );
  }
  return value;
}
