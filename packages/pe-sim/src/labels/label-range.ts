import { InvalidArgumentError } from '../errors.js';

/** RFC 3032 §2.1 — label values 0–15 are reserved; 16 is the lowest a router may bind. */
export const MIN_UNRESERVED_LABEL = 16;

/** RFC 3032 §2.1 — the label field is 20 bits wide. */
export const MAX_LABEL = 1_048_575;

/** RFC 3032 §2.1 — Implicit NULL (3): advertised by an egress that wants its upstream to pop (PHP). */
export const IMPLICIT_NULL_LABEL = 3;

/** The platform-wide label space a node allocates from (RFC 3031 §3.14 per-platform label space). */
export interface LabelRange {
  /** @defaultValue 16 */
  readonly min: number;
  /** @defaultValue 1 048 575 */
  readonly max: number;
}

/** The whole unreserved 20-bit space. */
export const DEFAULT_LABEL_RANGE: LabelRange = { min: MIN_UNRESERVED_LABEL, max: MAX_LABEL };

/** Validates a configured label range (a sub-range of 16 … 1 048 575, as routers allow configuring). */
export function checkLabelRange(range: LabelRange): LabelRange {
  const { min, max } = range;
  if (
    !Number.isInteger(min) ||
    !Number.isInteger(max) ||
    min < MIN_UNRESERVED_LABEL ||
    max > MAX_LABEL ||
    min > max
  ) {
    throw new InvalidArgumentError(
      'labelRange',
      `must be integers with ${MIN_UNRESERVED_LABEL} ≤ min ≤ max ≤ ${MAX_LABEL} (labels 0–15 are reserved, RFC 3032 §2.1)`,
    );
  }
  return { min, max };
}
