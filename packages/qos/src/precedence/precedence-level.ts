import { PrecedenceInvalidError } from '../errors.js';

/**
 * MLPP precedence levels (ITU-T I.255.3; the `dsn` namespace of RFC 4412), lowest first.
 * "Precedence" is what a session is entitled to; the priority numbers of RSVP-TE and RFC 3181 are how
 * routers compare sessions to implement it (seed 003 §1).
 */
export type PrecedenceLevel = 'routine' | 'priority' | 'immediate' | 'flash' | 'flash-override';

/** The levels from lowest to highest precedence. */
export const PRECEDENCE_LEVELS: readonly PrecedenceLevel[] = Object.freeze([
  'routine',
  'priority',
  'immediate',
  'flash',
  'flash-override',
]);

/** True if `value` is a precedence level. */
export function isPrecedenceLevel(value: unknown): value is PrecedenceLevel {
  return typeof value === 'string' && (PRECEDENCE_LEVELS as readonly string[]).includes(value);
}

/** 0 for routine … 4 for flash-override. @throws {@link PrecedenceInvalidError} */
export function precedenceRank(level: PrecedenceLevel): number {
  const rank = PRECEDENCE_LEVELS.indexOf(level);
  if (rank < 0) throw new PrecedenceInvalidError(`unknown precedence level "${String(level)}"`);
  return rank;
}

/** Positive if `a` takes precedence over `b`, negative if `b` does, 0 if equal (a sort comparator). */
export function comparePrecedence(a: PrecedenceLevel, b: PrecedenceLevel): number {
  return precedenceRank(a) - precedenceRank(b);
}

/** True if `a` has strictly higher precedence than `b`. */
export function isHigherPrecedence(a: PrecedenceLevel, b: PrecedenceLevel): boolean {
  return comparePrecedence(a, b) > 0;
}
