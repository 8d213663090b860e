import { QosConfigInvalidError } from '../errors.js';
import { isPrecedenceLevel, type PrecedenceLevel } from '../precedence/precedence-level.js';
import { validateRspec, type Rspec } from '../tspec/rspec.js';
import { validateTspec, type Tspec, type TspecValidationOptions } from '../tspec/tspec.js';
import {
  assuredForwarding,
  dscpEntry,
  dscpFromName,
  parseDscp,
  type AfClass,
  type AfDropPrecedence,
  type DscpName,
  type Phb,
} from './dscp.js';
import { serviceClass, type ServiceClass, type ServiceClassName } from './service-class.js';

/**
 * Seed 000 claims 3–5: QoS information from the policy database — a service class and, optionally,
 * the Tspec and Rspec of the flow — is mapped to a QoS marker, a DSCP, that the gateway writes into the
 * headers of the tunnelled traffic.
 *
 * Decision, first match wins:
 *
 * ```
 *  request ──► class override in config? ──yes──► that DSCP                       (class-override)
 *                 │ no
 *                 ▼
 *              (class, precedence) marking in config? ──yes──► that DSCP         (precedence-override)
 *                 │ no
 *                 ▼
 *              Rspec given? (Guaranteed service, RFC 2212)
 *                 │ yes ─► telephony ───────────────► EF, or VOICE-ADMIT if config.voiceAdmit
 *                 │        real-time class, smooth ─► EF                          (guaranteed-ef)
 *                 │        otherwise ──────────────► AF<guaranteedAfClass><dp>    (guaranteed-af)
 *                 │ no
 *                 ▼
 *              AF class and Tspec given? ──yes──► AFx<dp>                         (af-drop-precedence)
 *                 │ no
 *                 ▼
 *              the class's RFC 4594 default                                       (class-default)
 * ```
 *
 * "Smooth" means peak/token-rate ratio p/r ≤ `smoothPeakRatio`. The AF drop precedence dp comes from
 * the same ratio (the flow's burstiness): p/r ≤ t₁ → 1 (low), ≤ t₂ → 2, else 3 (high) — the burstier
 * the flow, the more of it runs above its sustained rate and the earlier it should be dropped under
 * congestion (RFC 2597 §2).
 */

/** What the policy asks a marking for. */
export interface DscpRequest {
  /** A service-class identifier (`a=svpn-qos:<class>`). */
  readonly serviceClass: ServiceClassName | string;
  readonly tspec?: Tspec;
  readonly rspec?: Rspec;
  /** The session's precedence level, for per-level markings (`byPrecedence`). */
  readonly precedence?: PrecedenceLevel;
}

/** Which branch chose the DSCP. */
export type DscpChoiceRule =
  | 'class-override'
  | 'precedence-override'
  | 'guaranteed-ef'
  | 'guaranteed-af'
  | 'af-drop-precedence'
  | 'class-default';

/** The marking chosen, and why. */
export interface DscpChoice {
  readonly dscp: number;
  /** Canonical name, if the codepoint has one. */
  readonly name: DscpName | undefined;
  /** PHB of the codepoint (`CS` for an unnamed codepoint set by configuration). */
  readonly phb: Phb;
  readonly serviceClass: ServiceClassName;
  readonly rule: DscpChoiceRule;
  /** One line for logs and the `Warning`/admin API. */
  readonly reason: string;
}

/** Caller input for {@link chooseDscp}. */
export interface DscpChoiceOptions {
  /**
   * Fixed markings per class; a value is a DSCP number or name (`46`, `"EF"`, `"af41"`).
   * @defaultValue none (RFC 4594 defaults)
   */
  readonly classes?: Partial<Record<ServiceClassName, number | string>>;
  /**
   * Markings per class and precedence level. Seed 003 §2.1: when aggregates are RFC 3175 reservations,
   * the DSCP identifies the aggregate, so aggregates of different precedence levels need different
   * DSCPs; when they are separate security associations (RFC 2207) one DSCP per class suffices.
   * @defaultValue none (the same marking at every level)
   */
  readonly byPrecedence?: Partial<
    Record<ServiceClassName, Partial<Record<PrecedenceLevel, number | string>>>
  >;
  /**
   * Mark guaranteed-rate telephony VOICE-ADMIT (44) instead of EF: every svpn session passes capacity
   * admission, which is what RFC 5865 reserves VOICE-ADMIT for.
   * @defaultValue false
   */
  readonly voiceAdmit?: boolean;
  /**
   * AF class for guaranteed-rate flows that do not go to EF.
   * @defaultValue 4
   */
  readonly guaranteedAfClass?: AfClass;
  /**
   * p/r at or below which a real-time flow counts as smooth enough for EF.
   * @defaultValue 1.1
   */
  readonly smoothPeakRatio?: number;
  /**
   * p/r thresholds [t₁, t₂] for AF drop precedence 1 / 2 / 3.
   * @defaultValue [1.5, 4]
   */
  readonly dropPrecedenceThresholds?: readonly [number, number];
  /**
   * How the request's Tspec is validated.
   * @defaultValue {@link TSPEC_VALIDATION_DEFAULTS}
   */
  readonly tspecValidation?: TspecValidationOptions;
}

/** Defaults of {@link DscpChoiceOptions}. */
export const DSCP_CHOICE_DEFAULTS = Object.freeze({
  voiceAdmit: false,
  guaranteedAfClass: 4 as AfClass,
  smoothPeakRatio: 1.1,
  dropPrecedenceThresholds: Object.freeze([1.5, 4]) as readonly [number, number],
});

/** A validated, ready-to-use DSCP choice configuration (build once with {@link resolveDscpChoiceOptions}). */
export interface ResolvedDscpChoiceOptions {
  readonly overrides: ReadonlyMap<ServiceClassName, number>;
  /** Keyed `${class}/${level}`. */
  readonly precedenceOverrides: ReadonlyMap<string, number>;
  readonly voiceAdmit: boolean;
  readonly guaranteedAfClass: AfClass;
  readonly smoothPeakRatio: number;
  readonly dropPrecedenceThresholds: readonly [number, number];
  readonly tspecValidation: TspecValidationOptions;
  readonly resolved: true;
}

/**
 * Merges options over {@link DSCP_CHOICE_DEFAULTS} and validates them.
 * @throws {@link QosConfigInvalidError}
 */
export function resolveDscpChoiceOptions(options: DscpChoiceOptions = {}): ResolvedDscpChoiceOptions {
  const opts = { ...DSCP_CHOICE_DEFAULTS, ...options };
  const overrides = new Map<ServiceClassName, number>();
  for (const [name, value] of Object.entries(opts.classes ?? {})) {
    if (value === undefined) continue;
    let cls: ServiceClass;
    let dscp: number;
    try {
      cls = serviceClass(name);
      dscp = parseDscp(value);
    } catch (cause) {
      throw new QosConfigInvalidError(`classes.${name}: ${(cause as Error).message}`);
    }
    overrides.set(cls.name, dscp);
  }
  const precedenceOverrides = new Map<string, number>();
  for (const [name, levels] of Object.entries(opts.byPrecedence ?? {})) {
    for (const [level, value] of Object.entries(levels ?? {})) {
      if (value === undefined) continue;
      let key: string;
      let dscp: number;
      try {
        if (!isPrecedenceLevel(level)) throw new Error(`unknown precedence level "${level}"`);
        key = `${serviceClass(name).name}/${level}`;
        dscp = parseDscp(value);
      } catch (cause) {
        throw new QosConfigInvalidError(`byPrecedence.${name}.${level}: ${(cause as Error).message}`);
      }
      precedenceOverrides.set(key, dscp);
    }
  }
  if (![1, 2, 3, 4].includes(opts.guaranteedAfClass)) {
    throw new QosConfigInvalidError(`guaranteedAfClass must be 1..4, got ${String(opts.guaranteedAfClass)}`);
  }
  if (!(Number.isFinite(opts.smoothPeakRatio) && opts.smoothPeakRatio >= 1)) {
    throw new QosConfigInvalidError(
      `smoothPeakRatio must be a finite number ≥ 1, got ${opts.smoothPeakRatio}`,
    );
  }
  const [t1, t2] = opts.dropPrecedenceThresholds;
  if (!(Number.isFinite(t1) && Number.isFinite(t2) && t1 >= 1 && t2 >= t1)) {
    throw new QosConfigInvalidError(`dropPrecedenceThresholds must satisfy 1 ≤ t1 ≤ t2, got [${t1}, ${t2}]`);
  }
  return {
    overrides,
    precedenceOverrides,
    voiceAdmit: opts.voiceAdmit === true,
    guaranteedAfClass: opts.guaranteedAfClass,
    smoothPeakRatio: opts.smoothPeakRatio,
    dropPrecedenceThresholds: [t1, t2],
    tspecValidation: opts.tspecValidation ?? {},
    resolved: true,
  };
}

/** Peak-to-token-rate ratio p/r: 1 for a constant-rate flow, larger the burstier it is. */
export function peakToRateRatio(tspec: Tspec): number {
  if (tspec.r === 0) return tspec.p === 0 ? 1 : Infinity;
  return tspec.p / tspec.r;
}

/** The AF drop precedence for a flow of the given burstiness. */
export function dropPrecedenceFor(ratio: number, thresholds: readonly [number, number]): AfDropPrecedence {
  if (ratio <= thresholds[0]) return 1;
  if (ratio <= thresholds[1]) return 2;
  return 3;
}

function choice(dscp: number, cls: ServiceClass, rule: DscpChoiceRule, why: string): DscpChoice {
  const entry = dscpEntry(dscp);
  const label = entry?.name ?? `DSCP ${dscp}`;
  return {
    dscp,
    name: entry?.name,
    phb: entry?.phb ?? 'CS',
    serviceClass: cls.name,
    rule,
    reason: `${cls.name}: ${why} → ${label}`,
  };
}

function ratioText(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(2) : '∞';
}

/**
 * Chooses the DSCP for a request (see the decision diagram above). Validates the Tspec and the Rspec
 * (R ≥ r) first.
 *
 * @throws {@link ServiceClassUnknownError}, {@link TspecInvalidError}, {@link RspecInvalidError},
 *   {@link QosConfigInvalidError}
 */
export function chooseDscp(
  request: DscpRequest,
  options: DscpChoiceOptions | ResolvedDscpChoiceOptions = {},
): DscpChoice {
  const config = 'resolved' in options ? options : resolveDscpChoiceOptions(options);
  const cls = serviceClass(request.serviceClass);
  const { tspec, rspec } = request;
  if (tspec !== undefined) validateTspec(tspec, config.tspecValidation);
  if (rspec !== undefined) validateRspec(rspec, tspec);

  const override = config.overrides.get(cls.name);
  if (override !== undefined) return choice(override, cls, 'class-override', 'configured marking');
  if (request.precedence !== undefined) {
    const byLevel = config.precedenceOverrides.get(`${cls.name}/${request.precedence}`);
    if (byLevel !== undefined) {
      return choice(byLevel, cls, 'precedence-override', `configured marking for ${request.precedence}`);
    }
  }

  const ratio = tspec === undefined ? undefined : peakToRateRatio(tspec);

  if (rspec !== undefined) {
    // RFC 2998 — a Guaranteed-service (RFC 2212) flow crossing a DiffServ region is carried by EF, or by
    // an AF class provisioned for it, with the reserved rate R in profile.
    if (cls.name === 'telephony') {
      // RFC 5865 — capacity-admitted telephony MAY be marked VOICE-ADMIT, an EF-conforming codepoint.
      return config.voiceAdmit
        ? choice(
            dscpFromName('VOICE-ADMIT'),
            cls,
            'guaranteed-ef',
            `guaranteed rate R=${rspec.R} B/s, admitted`,
          )
        : choice(dscpFromName('EF'), cls, 'guaranteed-ef', `guaranteed rate R=${rspec.R} B/s`);
    }
    if (cls.realTime && ratio !== undefined && ratio <= config.smoothPeakRatio) {
      return choice(
        dscpFromName('EF'),
        cls,
        'guaranteed-ef',
        `guaranteed rate R=${rspec.R} B/s, smooth real-time flow (p/r ${ratioText(ratio)})`,
      );
    }
    const dp = ratio === undefined ? 1 : dropPrecedenceFor(ratio, config.dropPrecedenceThresholds);
    return choice(
      assuredForwarding(config.guaranteedAfClass, dp),
      cls,
      'guaranteed-af',
      `guaranteed rate R=${rspec.R} B/s, p/r ${ratio === undefined ? 'unknown' : ratioText(ratio)}`,
    );
  }

  const first = dscpFromName(cls.dscps[0] ?? 'DF');
  if (cls.phb === 'AF' && ratio !== undefined) {
    const dp = dropPrecedenceFor(ratio, config.dropPrecedenceThresholds);
    // RFC 2597 §2 — within an AF class, the drop precedence picks which packets go first under congestion.
    return choice(first - 2 + 2 * dp, cls, 'af-drop-precedence', `burstiness p/r ${ratioText(ratio)}`);
  }
  return choice(first, cls, 'class-default', 'RFC 4594 default');
}
