import {
  PrecedenceInvalidError,
  QosConfigInvalidError,
  ResourcePriorityInvalidError,
  ResourcePriorityNamespaceUnknownError,
} from '../errors.js';
import {
  isPrecedenceLevel,
  PRECEDENCE_LEVELS,
  precedenceRank,
  type PrecedenceLevel,
} from './precedence-level.js';
import {
  parseResourcePriority,
  parseResourcePriorityValue,
  RFC4412_NAMESPACES,
  type ResourcePriorityValue,
} from './resource-priority.js';

/**
 * One configurable mapping between the four ways svpn speaks of precedence:
 *
 * ```
 *  Resource-Priority (RFC 4412)      MLPP level           RSVP-TE (RFC 3209)     RFC 3181
 *  dsn.flash-override ────────────►  flash-override  ◄──► setup/hold 0       ◄──► 50000 (highest wins)
 *  dsn.flash / q735.1 / ets.1 ────►  flash           ◄──► 1                  ◄──► 40000
 *  dsn.immediate / …2 ────────────►  immediate       ◄──► 2                  ◄──► 30000
 *  dsn.priority / …3 ─────────────►  priority        ◄──► 3                  ◄──► 20000
 *  dsn.routine / …4 ──────────────►  routine         ◄──► 4                  ◄──► 10000
 * ```
 *
 * "Higher precedence" is a *lower* RSVP-TE priority number (0 is the highest, RFC 3209 §4.7) but a
 * *higher* RFC 3181 preemption/defending priority (RFC 3181: the larger value wins).
 *
 * Defaults: all five RFC 4412 namespaces are accepted; dsn and drsn map by name (drsn's sixth level,
 * flash-override-override, folds into flash-override); in q735, ets and wps the value n maps to the
 * level of rank 4 − n (0 → flash-override … 4 → routine). RSVP-TE priorities 5–7 are left to traffic
 * below every svpn level.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4412#section-12.6
 * @see https://www.rfc-editor.org/rfc/rfc3209#section-4.7
 * @see https://www.rfc-editor.org/rfc/rfc3181
 */

/** RSVP-TE SESSION_ATTRIBUTE priorities of a level, 0 (highest) … 7 (lowest). */
export interface RsvpPriorities {
  readonly setupPriority: number;
  readonly holdingPriority: number;
}

/** RFC 3181 preemption-priority policy element values of a level, 0 … 65 535, higher wins. */
export interface Rfc3181Priorities {
  readonly preemptionPriority: number;
  readonly defendingPriority: number;
}

/** Caller input for {@link PrecedenceMap}. */
export interface PrecedenceMapOptions {
  /**
   * Namespaces accepted in `Resource-Priority`; others are refused (417).
   * @defaultValue every namespace in `namespaceLevels` (the five of RFC 4412 §12.6 by default)
   */
  readonly acceptedNamespaces?: readonly string[];
  /**
   * Per namespace, the level each priority value maps to. Entries replace the defaults namespace by
   * namespace; a new namespace (e.g. a national one) can be added here.
   * @defaultValue the RFC 4412 namespaces as described above
   */
  readonly namespaceLevels?: Readonly<Record<string, Readonly<Record<string, PrecedenceLevel>>>>;
  /**
   * RSVP-TE priorities per level; must be strictly lower numbers for higher levels, and holding ≤ setup.
   * @defaultValue flash-override 0/0, flash 1/1, immediate 2/2, priority 3/3, routine 4/4
   */
  readonly rsvp?: Partial<Readonly<Record<PrecedenceLevel, RsvpPriorities>>>;
  /**
   * RFC 3181 priorities per level; must be strictly higher values for higher levels.
   * @defaultValue routine 10 000 … flash-override 50 000 (preemption = defending)
   */
  readonly rfc3181?: Partial<Readonly<Record<PrecedenceLevel, Rfc3181Priorities>>>;
}

function defaultNamespaceLevels(): Record<string, Record<string, PrecedenceLevel>> {
  const out: Record<string, Record<string, PrecedenceLevel>> = {};
  for (const ns of RFC4412_NAMESPACES) {
    const levels: Record<string, PrecedenceLevel> = {};
    ns.values.forEach((value, i) => {
      levels[value] = PRECEDENCE_LEVELS[Math.min(i, PRECEDENCE_LEVELS.length - 1)] as PrecedenceLevel;
    });
    out[ns.namespace] = levels;
  }
  return out;
}

function defaultRsvp(level: PrecedenceLevel): RsvpPriorities {
  const p = PRECEDENCE_LEVELS.length - 1 - precedenceRank(level);
  return { setupPriority: p, holdingPriority: p };
}

function defaultRfc3181(level: PrecedenceLevel): Rfc3181Priorities {
  const p = (precedenceRank(level) + 1) * 10_000;
  return { preemptionPriority: p, defendingPriority: p };
}

/**
 * Orders a namespace's values deterministically: a registered namespace in its RFC 4412 order (lowest
 * first), anything else sorted; so the first value of a level is the least important one mapping to it.
 */
function orderValues(
  namespace: string,
  levels: Map<string, PrecedenceLevel>,
): ReadonlyMap<string, PrecedenceLevel> {
  const registered = RFC4412_NAMESPACES.find((ns) => ns.namespace === namespace)?.values ?? [];
  const rank = (value: string): number => {
    const i = registered.indexOf(value);
    return i < 0 ? registered.length : i;
  };
  const ordered = [...levels.entries()].sort(
    (a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  return new Map(ordered);
}

function isIntIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The precedence mapping (immutable; build once from configuration). */
export class PrecedenceMap {
  private readonly namespaceLevels: ReadonlyMap<string, ReadonlyMap<string, PrecedenceLevel>>;
  private readonly rsvp: ReadonlyMap<PrecedenceLevel, RsvpPriorities>;
  private readonly rfc3181: ReadonlyMap<PrecedenceLevel, Rfc3181Priorities>;
  /** Namespaces accepted in `Resource-Priority`, in configuration order. */
  readonly acceptedNamespaces: readonly string[];

  /** @throws {@link QosConfigInvalidError} if the options are inconsistent. */
  constructor(options: PrecedenceMapOptions = {}) {
    const merged = { ...defaultNamespaceLevels(), ...(options.namespaceLevels ?? {}) };
    const nsMap = new Map<string, ReadonlyMap<string, PrecedenceLevel>>();
    for (const [namespace, values] of Object.entries(merged)) {
      const ns = namespace.toLowerCase();
      const levels = new Map<string, PrecedenceLevel>();
      for (const [value, level] of Object.entries(values)) {
        if (!isPrecedenceLevel(level)) {
          throw new QosConfigInvalidError(
            `namespaceLevels.${namespace}.${value}: unknown level "${String(level)}"`,
          );
        }
        try {
          parseResourcePriorityValue(`${ns}.${value}`);
        } catch {
          throw new QosConfigInvalidError(
            `namespaceLevels: "${namespace}.${value}" is not a Resource-Priority value`,
          );
        }
        levels.set(value.toLowerCase(), level);
      }
      if (levels.size === 0) throw new QosConfigInvalidError(`namespaceLevels.${namespace} has no values`);
      nsMap.set(ns, orderValues(ns, levels));
    }
    this.namespaceLevels = nsMap;

    const accepted = (options.acceptedNamespaces ?? [...nsMap.keys()]).map((ns) => ns.toLowerCase());
    for (const ns of accepted) {
      if (!nsMap.has(ns))
        throw new QosConfigInvalidError(`acceptedNamespaces: "${ns}" has no namespaceLevels`);
    }
    if (accepted.length === 0) throw new QosConfigInvalidError('acceptedNamespaces is empty');
    this.acceptedNamespaces = Object.freeze([...new Set(accepted)]);

    const rsvp = new Map<PrecedenceLevel, RsvpPriorities>();
    const rfc3181 = new Map<PrecedenceLevel, Rfc3181Priorities>();
    let previousRsvp: RsvpPriorities | undefined;
    let previous3181: Rfc3181Priorities | undefined;
    for (const level of PRECEDENCE_LEVELS) {
      const r = options.rsvp?.[level] ?? defaultRsvp(level);
      if (!isIntIn(r.setupPriority, 0, 7) || !isIntIn(r.holdingPriority, 0, 7)) {
        throw new QosConfigInvalidError(`rsvp.${level}: priorities must be integers 0..7`);
      }
      // RFC 3209 §4.7 — the holding priority SHOULD NOT be lower (numerically greater) than the setup
      // priority, or a session could preempt and then be preempted by its own kind.
      if (r.holdingPriority > r.setupPriority) {
        throw new QosConfigInvalidError(
          `rsvp.${level}: holding priority ${r.holdingPriority} > setup ${r.setupPriority}`,
        );
      }
      if (
        previousRsvp !== undefined &&
        !(r.setupPriority < previousRsvp.setupPriority && r.holdingPriority < previousRsvp.holdingPriority)
      ) {
        throw new QosConfigInvalidError(
          `rsvp.${level}: a higher level needs strictly lower priority numbers`,
        );
      }
      const p = options.rfc3181?.[level] ?? defaultRfc3181(level);
      if (!isIntIn(p.preemptionPriority, 0, 0xffff) || !isIntIn(p.defendingPriority, 0, 0xffff)) {
        throw new QosConfigInvalidError(`rfc3181.${level}: priorities must be integers 0..65535`);
      }
      if (
        previous3181 !== undefined &&
        !(
          p.preemptionPriority > previous3181.preemptionPriority &&
          p.defendingPriority > previous3181.defendingPriority
        )
      ) {
        throw new QosConfigInvalidError(
          `rfc3181.${level}: a higher level needs strictly higher priority values`,
        );
      }
      rsvp.set(level, Object.freeze({ ...r }));
      rfc3181.set(level, Object.freeze({ ...p }));
      previousRsvp = r;
      previous3181 = p;
    }
    this.rsvp = rsvp;
    this.rfc3181 = rfc3181;
  }

  /** Every accepted `namespace.priority`, lowest first per namespace — for `Accept-Resource-Priority` (RFC 4412 §3.2). */
  acceptResourcePriority(): ResourcePriorityValue[] {
    return this.acceptedNamespaces.flatMap((namespace) =>
      [...(this.namespaceLevels.get(namespace)?.entries() ?? [])]
        .sort((a, b) => precedenceRank(a[1]) - precedenceRank(b[1]))
        .map(([priority]) => ({ namespace, priority })),
    );
  }

  /**
   * The level of one `Resource-Priority` value.
   * @throws {@link ResourcePriorityNamespaceUnknownError} (417) for a namespace not accepted;
   *   {@link ResourcePriorityInvalidError} (417) for a malformed value or an unknown priority in it
   */
  levelOf(value: ResourcePriorityValue | string): PrecedenceLevel {
    const v =
      typeof value === 'string'
        ? parseResourcePriorityValue(value)
        : parseResourcePriorityValue(`${value.namespace}.${value.priority}`);
    // RFC 4412 — a namespace this element does not support is refused with 417 Unknown Resource-Priority.
    if (!this.acceptedNamespaces.includes(v.namespace))
      throw new ResourcePriorityNamespaceUnknownError(v.namespace);
    const level = this.namespaceLevels.get(v.namespace)?.get(v.priority);
    if (level === undefined) {
      throw new ResourcePriorityInvalidError(
        `${v.namespace}.${v.priority}`,
        `unknown priority "${v.priority}" in Resource-Priority namespace "${v.namespace}"`,
      );
    }
    return level;
  }

  /**
   * The level a whole `Resource-Priority` header grants: the highest among the values in accepted
   * namespaces; values in other namespaces are ignored as long as one is accepted.
   * @throws {@link ResourcePriorityNamespaceUnknownError} if no value is in an accepted namespace
   */
  levelFromHeader(header: string): { level: PrecedenceLevel; value: ResourcePriorityValue } {
    const values = parseResourcePriority(header);
    let best: { level: PrecedenceLevel; value: ResourcePriorityValue } | undefined;
    for (const value of values) {
      if (!this.acceptedNamespaces.includes(value.namespace)) continue;
      const level = this.levelOf(value);
      if (best === undefined || precedenceRank(level) > precedenceRank(best.level)) best = { level, value };
    }
    if (best === undefined) throw new ResourcePriorityNamespaceUnknownError(values[0]?.namespace ?? '');
    return best;
  }

  /**
   * The `Resource-Priority` value for a level in a namespace: the least important value mapping to it
   * (RFC 4412 order for registered namespaces, e.g. `drsn.flash-override` rather than
   * `drsn.flash-override-override`; sorted order for others).
   * @throws {@link ResourcePriorityNamespaceUnknownError}, {@link PrecedenceInvalidError}
   */
  toResourcePriority(level: PrecedenceLevel, namespace = 'dsn'): ResourcePriorityValue {
    const ns = namespace.toLowerCase();
    const values = this.namespaceLevels.get(ns);
    if (values === undefined || !this.acceptedNamespaces.includes(ns)) {
      throw new ResourcePriorityNamespaceUnknownError(namespace);
    }
    for (const [priority, l] of values) if (l === level) return { namespace: ns, priority };
    throw new PrecedenceInvalidError(`no "${ns}" priority maps to level ${level}`);
  }

  /** RSVP-TE setup and holding priorities of a level. */
  toRsvp(level: PrecedenceLevel): RsvpPriorities {
    const r = this.rsvp.get(level);
    if (r === undefined) throw new PrecedenceInvalidError(`unknown precedence level "${String(level)}"`);
    return r;
  }

  /**
   * The level of an RSVP-TE priority: the highest level whose priority is not more important than the
   * one given (so a session never gains precedence by the round trip). A priority less important than
   * every level maps to the lowest level.
   * @throws {@link PrecedenceInvalidError} unless 0..7
   */
  levelFromRsvp(priority: number, which: 'setup' | 'holding' = 'setup'): PrecedenceLevel {
    if (!isIntIn(priority, 0, 7))
      throw new PrecedenceInvalidError(`RSVP-TE priority must be 0..7, got ${priority}`);
    const key = which === 'setup' ? 'setupPriority' : 'holdingPriority';
    for (let i = PRECEDENCE_LEVELS.length - 1; i >= 0; i--) {
      const level = PRECEDENCE_LEVELS[i] as PrecedenceLevel;
      if (this.toRsvp(level)[key] >= priority) return level;
    }
    return PRECEDENCE_LEVELS[0] as PrecedenceLevel;
  }

  /** RFC 3181 preemption and defending priorities of a level. */
  toRfc3181(level: PrecedenceLevel): Rfc3181Priorities {
    const p = this.rfc3181.get(level);
    if (p === undefined) throw new PrecedenceInvalidError(`unknown precedence level "${String(level)}"`);
    return p;
  }

  /**
   * The level of an RFC 3181 priority: the highest level whose value does not exceed the one given.
   * A value below every level maps to the lowest level.
   * @throws {@link PrecedenceInvalidError} unless 0..65535
   */
  levelFromRfc3181(priority: number, which: 'preemption' | 'defending' = 'preemption'): PrecedenceLevel {
    if (!isIntIn(priority, 0, 0xffff)) {
      throw new PrecedenceInvalidError(`RFC 3181 priority must be 0..65535, got ${priority}`);
    }
    const key = which === 'preemption' ? 'preemptionPriority' : 'defendingPriority';
    for (let i = PRECEDENCE_LEVELS.length - 1; i >= 0; i--) {
      const level = PRECEDENCE_LEVELS[i] as PrecedenceLevel;
      if (this.toRfc3181(level)[key] <= priority) return level;
    }
    return PRECEDENCE_LEVELS[0] as PrecedenceLevel;
  }
}

/** The default mapping. */
export const DEFAULT_PRECEDENCE_MAP: PrecedenceMap = new PrecedenceMap();
