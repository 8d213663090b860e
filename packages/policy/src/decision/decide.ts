import {
  chooseDscp,
  DEFAULT_PRECEDENCE_MAP,
  formatResourcePriority,
  isPrecedenceLevel,
  isServiceClassName,
  precedenceRank,
  QosError,
  ResourcePriorityNamespaceUnknownError,
  resolveDscpChoiceOptions,
  serviceClass as lookUpServiceClass,
  type DscpChoice,
  type DscpChoiceOptions,
  type PrecedenceLevel,
  type PrecedenceMap,
  type ResolvedDscpChoiceOptions,
  type ServiceClass,
  type ServiceClassName,
} from '@svpn/qos';

import { PolicyConfigInvalidError } from '../errors.js';
import { canonicalVpnId } from '../model/vpn-id.js';
import { checkTimeWindows, describeTimeWindow } from '../model/time-window.js';
import type { Application } from '../model/application.js';
import type { Customer } from '../model/customer.js';
import type { Sla } from '../model/sla.js';
import type { Vpn } from '../model/vpn.js';
import { DEFAULT_CLASS_TYPES, MAX_CLASS_TYPE } from './class-type.js';
import {
  REFUSALS,
  type Decision,
  type DecisionRequest,
  type Grant,
  type PolicyFacts,
  type Refusal,
  type RefusalCode,
} from './decision.js';
import { formatBitRate } from './warning.js';

/** Caller input for {@link decide}. */
export interface DecisionOptions {
  /**
   * How `Resource-Priority` values and SLA entitlements map to precedence levels and RSVP-TE / RFC 3181
   * priorities.
   * @defaultValue `DEFAULT_PRECEDENCE_MAP` (the five RFC 4412 namespaces)
   */
  readonly precedenceMap?: PrecedenceMap;
  /**
   * DSCP choice configuration (per-class and per-precedence markings).
   * @defaultValue RFC 4594 defaults
   */
  readonly dscp?: DscpChoiceOptions;
  /**
   * Class type per service class; entries replace the defaults class by class.
   * @defaultValue {@link DEFAULT_CLASS_TYPES}
   */
  readonly classTypes?: Partial<Record<ServiceClassName, number>>;
  /**
   * The precedence of a request without `Resource-Priority`.
   * @defaultValue `'routine'`
   */
  readonly defaultPrecedence?: PrecedenceLevel;
}

/** Options validated once, ready for many decisions (build with {@link resolveDecisionOptions}). */
export interface ResolvedDecisionOptions {
  readonly precedenceMap: PrecedenceMap;
  readonly dscp: ResolvedDscpChoiceOptions;
  readonly classTypes: Readonly<Record<ServiceClassName, number>>;
  readonly defaultPrecedence: PrecedenceLevel;
  readonly resolved: true;
}

/**
 * Merges options over the defaults and validates them.
 * @throws {@link PolicyConfigInvalidError}
 */
export function resolveDecisionOptions(options: DecisionOptions = {}): ResolvedDecisionOptions {
  const classTypes = { ...DEFAULT_CLASS_TYPES };
  for (const [name, ct] of Object.entries(options.classTypes ?? {})) {
    if (ct === undefined) continue;
    if (!isServiceClassName(name))
      throw new PolicyConfigInvalidError(`classTypes: unknown service class "${name}"`);
    if (!Number.isInteger(ct) || ct < 0 || ct > MAX_CLASS_TYPE) {
      throw new PolicyConfigInvalidError(
        `classTypes.${name}: class type must be 0..${MAX_CLASS_TYPE}, got ${ct}`,
      );
    }
    classTypes[name] = ct;
  }
  const defaultPrecedence = options.defaultPrecedence ?? 'routine';
  if (!isPrecedenceLevel(defaultPrecedence)) {
    throw new PolicyConfigInvalidError(`defaultPrecedence: unknown level "${String(defaultPrecedence)}"`);
  }
  let dscp: ResolvedDscpChoiceOptions;
  try {
    dscp = resolveDscpChoiceOptions(options.dscp ?? {});
  } catch (cause) {
    throw new PolicyConfigInvalidError(`dscp: ${(cause as Error).message}`);
  }
  return {
    precedenceMap: options.precedenceMap ?? DEFAULT_PRECEDENCE_MAP,
    dscp,
    classTypes: Object.freeze(classTypes),
    defaultPrecedence,
    resolved: true,
  };
}

const DEFAULTS = resolveDecisionOptions();

/** What the checks learn on the way, for the ones after them and for the grant. */
interface Context {
  readonly request: DecisionRequest;
  readonly facts: PolicyFacts;
  readonly options: ResolvedDecisionOptions;
  application?: Application;
  customer?: Customer;
  vpn?: Vpn;
  sla?: Sla;
  level?: PrecedenceLevel;
  serviceClass?: ServiceClass;
  start?: Date;
  windowLeftS?: number;
  dscp?: DscpChoice;
}

/** A check: nothing when the request passes it, else the refusal code, its sentence and extras. */
type Check = (
  ctx: Context,
) => { code: RefusalCode; reason: string; acceptResourcePriority?: string } | undefined;

const refuse = (code: RefusalCode, reason: string): { code: RefusalCode; reason: string } => ({
  code,
  reason,
});

/** The checks, in the order `decide` runs them; the first that fails decides (one row per refusal). */
const CHECKS: readonly Check[] = [
  (ctx) => {
    const app = ctx.facts.application;
    if (app === undefined || app.name !== ctx.request.application) {
      return refuse('unknown-application', `application ${ctx.request.application} is not provisioned`);
    }
    ctx.application = app;
    return app.enabled ? undefined : refuse('application-disabled', `application ${app.name} is disabled`);
  },
  (ctx) => {
    const customer = ctx.facts.customer;
    const app = ctx.application as Application;
    if (customer === undefined || customer.id !== app.customerId) {
      return refuse(
        'unknown-customer',
        `customer ${app.customerId} of application ${app.name} is not provisioned`,
      );
    }
    ctx.customer = customer;
    return customer.enabled ? undefined : refuse('customer-disabled', `customer ${customer.id} is disabled`);
  },
  (ctx) => {
    const vpn = ctx.facts.vpn;
    const asked = ctx.request.vpn;
    if (vpn === undefined || (vpn.vpnId !== canonicalVpnId(asked) && vpn.name !== asked)) {
      return refuse('unknown-vpn', `VPN ${asked} is not provisioned`);
    }
    ctx.vpn = vpn;
    return undefined;
  },
  (ctx) => {
    const app = ctx.application as Application;
    const vpn = ctx.vpn as Vpn;
    // Seed 001 Fig. 3 (3) — the gateway checks which VPNs the application belongs to.
    return app.vpns.includes(vpn.vpnId)
      ? undefined
      : refuse('not-a-member', `application ${app.name} is not a member of VPN ${vpn.vpnId} (${vpn.name})`);
  },
  (ctx) => {
    const header = ctx.request.resourcePriority;
    const map = ctx.options.precedenceMap;
    if (header === undefined || header.trim() === '') {
      ctx.level = ctx.options.defaultPrecedence;
      return undefined;
    }
    try {
      ctx.level = map.levelFromHeader(header).level;
      return undefined;
    } catch (error) {
      if (!(error instanceof QosError)) throw error;
      const accept = formatResourcePriority(map.acceptResourcePriority());
      // RFC 4412 — an unknown namespace, or a value the namespace does not define, gets 417 and the
      // list of values this element accepts.
      const code =
        error instanceof ResourcePriorityNamespaceUnknownError
          ? 'unknown-resource-priority'
          : 'invalid-resource-priority';
      return { code, reason: error.message, acceptResourcePriority: accept };
    }
  },
  (ctx) => {
    const customer = ctx.customer as Customer;
    const sla = ctx.facts.sla;
    if (sla === undefined || sla.id !== customer.slaId) {
      return refuse('no-sla', `customer ${customer.id} has no SLA (${customer.slaId} is not provisioned)`);
    }
    ctx.sla = sla;
    return undefined;
  },
  (ctx) => {
    const sla = ctx.sla as Sla;
    const level = ctx.level as PrecedenceLevel;
    let entitled: PrecedenceLevel;
    try {
      entitled = ctx.options.precedenceMap.levelOf(sla.maxPrecedence);
    } catch {
      // An entitlement this broker's map cannot read (the map changed after the SLA was written)
      // entitles to the lowest level only: nothing above routine is handed out by mistake.
      entitled = 'routine';
    }
    // RFC 4412 §4 — a priority the user is not authorized for is refused (403), not silently lowered.
    return precedenceRank(level) > precedenceRank(entitled)
      ? refuse(
          'precedence-not-entitled',
          `precedence ${level} exceeds the SLA entitlement ${sla.maxPrecedence} (${entitled})`,
        )
      : undefined;
  },
  (ctx) => {
    const sla = ctx.sla as Sla;
    const { now } = ctx.request;
    const start = ctx.request.start !== undefined && ctx.request.start > now ? ctx.request.start : now;
    ctx.start = start;
    let window: ReturnType<typeof checkTimeWindows>;
    try {
      window = checkTimeWindows(sla.timeWindows, start);
    } catch {
      // A time zone the runtime does not know (data written elsewhere): no window can be trusted open.
      return refuse('outside-time-window', `the SLA time windows cannot be read (unknown time zone)`);
    }
    if (!window.inside) {
      const allowed = (sla.timeWindows ?? []).map(describeTimeWindow).join('; ');
      return refuse(
        'outside-time-window',
        `${start.toISOString()} is outside the SLA time windows (${allowed})`,
      );
    }
    if (window.closesAt !== undefined) {
      ctx.windowLeftS = Math.floor((window.closesAt.getTime() - start.getTime()) / 1000);
    }
    return undefined;
  },
  (ctx) => {
    const sla = ctx.sla as Sla;
    let cls: ServiceClass;
    try {
      cls = lookUpServiceClass(ctx.request.serviceClass);
    } catch {
      return refuse('unknown-service-class', `unknown service class "${ctx.request.serviceClass}"`);
    }
    ctx.serviceClass = cls;
    return sla.serviceClasses.includes(cls.name)
      ? undefined
      : refuse(
          'service-class-not-allowed',
          `service class ${cls.name} is not in the SLA (${sla.serviceClasses.join(', ')})`,
        );
  },
  (ctx) => {
    const bps = ctx.request.bandwidthBps;
    if (!Number.isSafeInteger(bps) || bps <= 0) {
      return refuse(
        'invalid-bandwidth',
        `requested bandwidth ${bps} is not a positive whole number of bit/s`,
      );
    }
    const sla = ctx.sla as Sla;
    return bps > sla.maxSessionBps
      ? refuse(
          'session-bandwidth-exceeded',
          `${formatBitRate(bps)} exceeds the SLA maximum of ${formatBitRate(sla.maxSessionBps)} per session`,
        )
      : undefined;
  },
  (ctx) => {
    const sla = ctx.sla as Sla;
    const asked = ctx.request.durationS;
    if (asked === undefined) return undefined;
    if (!Number.isSafeInteger(asked) || asked <= 0) {
      return refuse('duration-exceeded', `requested duration ${asked} s is not a positive whole number`);
    }
    if (sla.maxDurationS !== undefined && asked > sla.maxDurationS) {
      return refuse(
        'duration-exceeded',
        `${asked} s exceeds the SLA maximum duration of ${sla.maxDurationS} s`,
      );
    }
    if (ctx.windowLeftS !== undefined && asked > ctx.windowLeftS) {
      return refuse(
        'duration-exceeded',
        `${asked} s would run past the end of the SLA time window (${ctx.windowLeftS} s left)`,
      );
    }
    return undefined;
  },
  (ctx) => {
    // A change of an existing session is already counted.
    if (ctx.request.currentBps !== undefined) return undefined;
    const sla = ctx.sla as Sla;
    const { activeSessions } = ctx.facts.usage;
    return activeSessions + 1 > sla.maxSessions
      ? refuse(
          'session-limit-reached',
          `customer ${(ctx.customer as Customer).id} already holds ${activeSessions} of ${sla.maxSessions} sessions`,
        )
      : undefined;
  },
  (ctx) => {
    const sla = ctx.sla as Sla;
    const held = ctx.facts.usage.reservedBps - (ctx.request.currentBps ?? 0);
    const total = held + ctx.request.bandwidthBps;
    return total > sla.maxTotalBps
      ? refuse(
          'total-bandwidth-exceeded',
          `${formatBitRate(ctx.request.bandwidthBps)} on top of ${formatBitRate(held)} in use exceeds the SLA total of ${formatBitRate(sla.maxTotalBps)}`,
        )
      : undefined;
  },
  (ctx) => {
    try {
      ctx.dscp = chooseDscp(
        {
          serviceClass: (ctx.serviceClass as ServiceClass).name,
          tspec: ctx.request.tspec,
          rspec: ctx.request.rspec,
          precedence: ctx.level,
        },
        ctx.options.dscp,
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof QosError)) throw error;
      return refuse('invalid-traffic-spec', error.message);
    }
  },
];

/**
 * The policy decision for one session request (DESIGN §4: AAA, SLA, quota, precedence entitlement,
 * DSCP): pure, data in and data out. Checks run in a fixed order and the first that fails decides:
 *
 * | # | check | refusal | SIP |
 * |---|---|---|---|
 * | 1 | application provisioned, enabled | unknown-application, application-disabled | 403 |
 * | 2 | its customer provisioned, enabled | unknown-customer, customer-disabled | 403 |
 * | 3 | VPN provisioned (VPN-ID or name) | unknown-vpn | 403 |
 * | 4 | application member of the VPN | not-a-member | 403 |
 * | 5 | `Resource-Priority` understood | unknown-resource-priority, invalid-resource-priority | 417 |
 * | 6 | customer has its SLA | no-sla | 403 |
 * | 7 | precedence ≤ SLA entitlement | precedence-not-entitled | 403 |
 * | 8 | start inside an SLA time window | outside-time-window | 403 |
 * | 9 | service class known, in the SLA | unknown-service-class, service-class-not-allowed | 488 |
 * | 10 | bandwidth ≤ SLA per-session maximum | invalid-bandwidth, session-bandwidth-exceeded | 488 |
 * | 11 | duration ≤ SLA maximum and ≤ time left in the window | duration-exceeded | 488 |
 * | 12 | sessions + 1 ≤ SLA maximum (not for a change) | session-limit-reached | 488 |
 * | 13 | customer total + bandwidth (− what a change held) ≤ SLA total | total-bandwidth-exceeded | 488 |
 * | 14 | Tspec/Rspec valid (DSCP choice) | invalid-traffic-spec | 488 |
 *
 * A grant carries the bandwidth asked for, the DSCP, the RSVP-TE and RFC 3181 priorities of the
 * precedence, the class type, the duration cap (the least of the request, the SLA and the time left in
 * the window), the charging profile and whether preemption may shrink the session.
 *
 * @throws {@link PolicyConfigInvalidError} only for invalid `options`; a bad request is a refusal.
 * @see https://www.rfc-editor.org/rfc/rfc4412
 * @see https://www.rfc-editor.org/rfc/rfc4594
 */
export function decide(
  request: DecisionRequest,
  facts: PolicyFacts,
  options: DecisionOptions | ResolvedDecisionOptions = DEFAULTS,
): Decision {
  const resolved = 'resolved' in options ? options : resolveDecisionOptions(options);
  const ctx: Context = { request, facts, options: resolved };
  for (const check of CHECKS) {
    const failed = check(ctx);
    if (failed !== undefined) {
      const { sipStatus, sipReason } = REFUSALS[failed.code];
      const refusal: Refusal = {
        allow: false,
        code: failed.code,
        sipStatus,
        sipReason,
        reason: failed.reason,
        ...(failed.acceptResourcePriority === undefined
          ? {}
          : { acceptResourcePriority: failed.acceptResourcePriority }),
      };
      return refusal;
    }
  }
  return grant(ctx);
}

function grant(ctx: Context): Grant {
  const app = ctx.application as Application;
  const customer = ctx.customer as Customer;
  const vpn = ctx.vpn as Vpn;
  const sla = ctx.sla as Sla;
  const level = ctx.level as PrecedenceLevel;
  const cls = ctx.serviceClass as ServiceClass;
  const dscp = ctx.dscp as DscpChoice;
  const map = ctx.options.precedenceMap;
  const rsvp = map.toRsvp(level);
  const rfc3181 = map.toRfc3181(level);
  const grantedBps = ctx.request.bandwidthBps;
  const caps = [ctx.request.durationS, sla.maxDurationS, ctx.windowLeftS].filter(
    (v): v is number => v !== undefined,
  );
  const mayShrink = sla.mayShrink;
  return {
    allow: true,
    code: 'allowed',
    sipStatus: 200,
    reason: `${formatBitRate(grantedBps)} ${cls.name} at ${level} on VPN ${vpn.vpnId} (${vpn.name})`,
    customerId: customer.id,
    application: app.name,
    vpnId: vpn.vpnId,
    vpnName: vpn.name,
    serviceClass: cls.name,
    grantedBps,
    dscp: dscp.dscp,
    dscpReason: dscp.reason,
    precedence: level,
    setupPriority: rsvp.setupPriority,
    holdingPriority: rsvp.holdingPriority,
    preemptionPriority: rfc3181.preemptionPriority,
    defendingPriority: rfc3181.defendingPriority,
    classType: ctx.options.classTypes[cls.name],
    maxDurationS: caps.length === 0 ? null : Math.min(...caps),
    start: ctx.start as Date,
    chargingProfile: sla.chargingProfile,
    mayShrink,
    // RFC 4495 — a reservation may be reduced rather than preempted; the SLA sets how far.
    minBps: mayShrink ? Math.min(sla.minBps ?? 1, grantedBps) : grantedBps,
  };
}
