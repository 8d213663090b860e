import { InvalidFaultError } from '../errors.js';
import { ID_PATTERN } from '../limits.js';
import { isOperationKind, type OperationKind } from '../operation-kind.js';

/**
 * How an injected fault disturbs an operation:
 * - `refuse`: the PE answers with an error ({@link PeRefusedError}); nothing changes.
 * - `timeout`: the PE never answers within the caller's deadline ({@link PeTimeoutError}); with
 *   `applied: true` the change is made all the same (the answer is what got lost).
 * - `half-way`: `rsvp-te.signal` / `rsvp-te.resize` stop after `afterHops` hops, leaving that state behind.
 * - `reboot`: the PE forgets all its state (as {@link PeSimulator.rebootNode}) and the operation fails.
 */
export type FaultMode = 'refuse' | 'timeout' | 'half-way' | 'reboot';

const MODES: readonly FaultMode[] = ['refuse', 'timeout', 'half-way', 'reboot'];

/** Operations a `half-way` fault can interrupt (the ones that signal hop by hop). */
export const HALF_WAY_OPERATIONS: readonly OperationKind[] = ['rsvp-te.signal', 'rsvp-te.resize'];

/** A fault to inject, matched on the addressed PE (the ingress for `rsvp-te.*`) and the operation kind. */
export interface FaultSpec {
  /** Caller-chosen id; injecting the same id again replaces that fault. @defaultValue `fault-<n>` */
  id?: string;
  /** PE id, or `'*'` for every PE. */
  pe: string;
  /** Operation kind, or `'*'` for every kind. */
  op: OperationKind | '*';
  mode: FaultMode;
  /** Chance that a matching operation is hit, drawn from a seeded RNG kept in Redis. @defaultValue 1 */
  probability?: number;
  /** The fault disarms after hitting this many operations. @defaultValue unlimited */
  count?: number;
  /** `half-way` only: hops set up before the failure (clamped to hops − 1). @defaultValue half the hops, rounded down */
  afterHops?: number;
  /** `timeout` only: whether the operation still takes effect. @defaultValue false */
  applied?: boolean;
  /** Seed of this fault's RNG. @defaultValue the simulator's `seed` */
  seed?: number;
}

/** A fault as stored: its spec with defaults applied, creation order and what is left of `count`. */
export interface Fault {
  readonly id: string;
  readonly seq: number;
  readonly pe: string;
  readonly op: OperationKind | '*';
  readonly mode: FaultMode;
  readonly probability: number;
  readonly count: number | null;
  /** Hits left before it disarms (`null` = unlimited). */
  readonly remaining: number | null;
  readonly afterHops: number | null;
  readonly applied: boolean;
  readonly seed: number;
}

/** The stored part of a fault, as the Lua scripts read it. @internal */
export interface StoredFaultSpec {
  id: string;
  pe: string;
  op: string;
  mode: FaultMode;
  probability: number;
  count: number | null;
  afterHops: number | null;
  applied: boolean;
  seed: number;
}

/** Validates a fault spec; `isPe(id)` says whether an id names a PE. */
export function checkFaultSpec(
  spec: FaultSpec,
  isPe: (id: string) => boolean,
  defaultSeed: number,
): StoredFaultSpec {
  if (!spec || typeof spec !== 'object') throw new InvalidFaultError('a fault must be an object');
  if (spec.id !== undefined && (typeof spec.id !== 'string' || !ID_PATTERN.test(spec.id))) {
    throw new InvalidFaultError('fault id must be 1–200 characters without whitespace, "{", "}" or "|"');
  }
  if (spec.pe !== '*' && (typeof spec.pe !== 'string' || !isPe(spec.pe))) {
    throw new InvalidFaultError(`fault pe "${String(spec.pe)}" is neither a PE of the topology nor "*"`);
  }
  if (spec.op !== '*' && !isOperationKind(spec.op)) {
    throw new InvalidFaultError(`fault op "${String(spec.op)}" is not an operation kind or "*"`);
  }
  if (!MODES.includes(spec.mode))
    throw new InvalidFaultError(`fault mode must be one of ${MODES.join(', ')}`);
  const probability = spec.probability ?? 1;
  if (typeof probability !== 'number' || !(probability > 0 && probability <= 1)) {
    throw new InvalidFaultError('fault probability must be in (0, 1]');
  }
  const count = spec.count ?? null;
  if (count !== null && (!Number.isInteger(count) || count < 1 || count > 1e9)) {
    throw new InvalidFaultError('fault count must be a positive integer');
  }
  const afterHops = spec.afterHops ?? null;
  if (afterHops !== null) {
    if (spec.mode !== 'half-way') throw new InvalidFaultError('afterHops applies to half-way faults only');
    if (!Number.isInteger(afterHops) || afterHops < 0 || afterHops > 1000) {
      throw new InvalidFaultError('afterHops must be an integer ≥ 0');
    }
  }
  if (spec.mode === 'half-way' && spec.op !== '*' && !HALF_WAY_OPERATIONS.includes(spec.op)) {
    throw new InvalidFaultError(`half-way faults apply to ${HALF_WAY_OPERATIONS.join(' and ')} only`);
  }
  if (spec.applied !== undefined && (typeof spec.applied !== 'boolean' || spec.mode !== 'timeout')) {
    throw new InvalidFaultError('applied is a boolean for timeout faults only');
  }
  const seed = spec.seed ?? defaultSeed;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0x7fffffff) {
    throw new InvalidFaultError('fault seed must be an integer in 0…2147483647');
  }
  return {
    id: spec.id ?? '',
    pe: spec.pe,
    op: spec.op,
    mode: spec.mode,
    probability,
    count,
    afterHops,
    applied: spec.applied ?? false,
    seed,
  };
}
