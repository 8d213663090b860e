import {
  applicationView,
  decide,
  REFUSALS,
  resolveDecisionOptions,
  type ApplicationView,
  type Customer,
  type CustomerUsage,
  type Decision,
  type DecisionOptions,
  type DecisionRequest,
  type Ha1Algorithm,
  type PolicyFacts,
  type Refusal,
  type RefusalCode,
  type ResolvedDecisionOptions,
  type Sla,
  type Vpn,
} from '@svpn/policy';
import {
  claimWidens,
  type PolicyStore,
  type SessionUsage,
  type SiteAttachment,
  type UsageWindow,
} from '@svpn/store';

import type { DecisionInput, Membership, PolicyClient } from './client/policy-client.js';

/** Caller input for {@link PolicyEngine}. */
export interface PolicyEngineOptions {
  readonly store: PolicyStore;
  /** Decision configuration (precedence map, DSCP, class types). @defaultValue the `@svpn/policy` defaults */
  readonly decision?: DecisionOptions | ResolvedDecisionOptions;
  /** The clock decisions are made at when the request names no `now`. @defaultValue `() => new Date()` */
  readonly clock?: () => Date;
  /** Called with every decision made (metrics, logs). */
  readonly onDecision?: (decision: Decision, request: DecisionRequest) => void;
}

const NO_USAGE: CustomerUsage = Object.freeze({ activeSessions: 0, reservedBps: 0 });

/** Refusals whose outcome the customer's usage can change (checks 12–14 of `decide` run after it). */
const USAGE_DEPENDENT: ReadonlySet<RefusalCode> = new Set([
  'session-limit-reached',
  'total-bandwidth-exceeded',
  'invalid-traffic-spec',
]);

/**
 * The policy decision point: loads the facts of a request from the store (application, its customer
 * and SLA, the VPN, the customer's usage), runs the pure `decide`, and — for a request made for a
 * session — counts the grant against the customer's usage with an atomic claim, so two requests racing
 * for the customer's last session or last bit/s cannot both win. It is the in-process
 * {@link PolicyClient}; the HTTP routes call it too.
 */
export class PolicyEngine implements PolicyClient {
  readonly #store: PolicyStore;
  readonly #options: ResolvedDecisionOptions;
  readonly #clock: () => Date;
  readonly #onDecision: ((decision: Decision, request: DecisionRequest) => void) | undefined;

  constructor(options: PolicyEngineOptions) {
    this.#store = options.store;
    const decision = options.decision ?? {};
    this.#options = 'resolved' in decision ? decision : resolveDecisionOptions(decision);
    this.#clock = options.clock ?? (() => new Date());
    this.#onDecision = options.onDecision;
  }

  /** Everything `decide` reads about a request, as the store holds it now (usage: in use now). */
  async facts(request: Pick<DecisionRequest, 'application' | 'vpn'>): Promise<PolicyFacts> {
    const facts = await this.#entities(request);
    const usage =
      facts.customer === undefined
        ? NO_USAGE
        : await this.#store.getUsage(facts.customer.id, this.now().getTime());
    return { ...facts, usage };
  }

  /** The engine's clock: the instant decisions and usage views are made at. */
  now(): Date {
    return this.#clock();
  }

  async #entities(
    request: Pick<DecisionRequest, 'application' | 'vpn'>,
  ): Promise<Omit<PolicyFacts, 'usage'>> {
    const [application, vpn] = await Promise.all([
      this.#store.getApplication(request.application),
      this.#store.resolveVpn(request.vpn),
    ]);
    const customer =
      application === undefined ? undefined : await this.#store.getCustomer(application.customerId);
    const sla = customer === undefined ? undefined : await this.#store.getSla(customer.slaId);
    return { application, customer, vpn, sla };
  }

  /**
   * Decides, and with a session id counts the grant over the session's window (DESIGN §4 "SLA"):
   * from the grant's start to its end — `end` when the request names one (a booked connection),
   * else the start plus the grant's maximum duration (open when there is none); a session already
   * counted keeps at most the end it has (a re-INVITE changes bandwidth, not how long a session
   * lasts). The SLA's session and bandwidth limits are checked against the customer's peak over
   * that window, so a booking for tomorrow does not count against a call now.
   */
  async decide(input: DecisionInput, sessionId?: string): Promise<Decision> {
    const { end, ...rest } = input;
    let request: DecisionRequest = { ...rest, now: input.now ?? this.#clock() };
    const now = request.now.getTime();
    if (end instanceof Date && request.durationS === undefined) {
      // A booked window is a duration too: the SLA's maximum duration applies to it.
      const from = Math.max(request.start?.getTime() ?? now, now);
      const span = Math.ceil((end.getTime() - from) / 1000);
      if (span > 0) request = { ...request, durationS: span };
    }
    const [facts, held] = await Promise.all([
      this.#entities(request),
      sessionId === undefined ? undefined : this.#store.getSessionUsage(sessionId, now),
    ]);
    const customer = facts.customer;
    const mine = held !== undefined && held.customerId === customer?.id ? held : undefined;
    // What would be granted with nothing else in use: the refusals that do not depend on usage
    // come out here, and a grant says the window (start, maximum duration).
    const draft = decide(request, { ...facts, usage: NO_USAGE }, this.#options);
    let decision: Decision;
    if (!draft.allow && !USAGE_DEPENDENT.has(draft.code)) {
      decision = draft;
    } else {
      const window = usageWindow(request, draft, end, mine, now);
      if (!('start' in window)) {
        decision = window;
      } else {
        decision = await this.#decideOver(request, facts, window, sessionId, mine);
      }
    }
    this.#onDecision?.(decision, request);
    return decision;
  }

  /** The decision against the customer's peak usage over `window`, and the claim for the session. */
  async #decideOver(
    input: DecisionRequest,
    facts: Omit<PolicyFacts, 'usage'>,
    window: UsageWindow,
    sessionId: string | undefined,
    mine: SessionUsage | undefined,
  ): Promise<Decision> {
    const now = input.now.getTime();
    const customer = facts.customer as Customer;
    const others = await this.#store.peakUsage(customer.id, window, {
      now,
      ...(mine === undefined ? {} : { excludeSessionId: mine.sessionId }),
    });
    // A session already counted that stays within its window is a change: only the delta of its
    // bit/s must fit. One that reaches a time it did not hold is checked as a new session there.
    const change = mine !== undefined && !claimWidens(mine, window, now);
    let request = input;
    if (mine !== undefined) {
      const { currentBps: _, ...rest } = input;
      request = change ? { ...rest, currentBps: mine.bps } : rest;
    }
    const withSelf = (usage: CustomerUsage): CustomerUsage =>
      change && mine !== undefined
        ? { activeSessions: usage.activeSessions + 1, reservedBps: usage.reservedBps + mine.bps }
        : usage;
    const decision = decide(request, { ...facts, usage: withSelf(others) }, this.#options);
    if (!decision.allow || sessionId === undefined) return decision;
    const sla = facts.sla as Sla;
    const claim = await this.#store.claimUsage({
      customerId: customer.id,
      sessionId,
      bps: decision.grantedBps,
      maxSessions: sla.maxSessions,
      maxTotalBps: sla.maxTotalBps,
      start: window.start,
      end: window.end,
      now,
    });
    if (claim.ok) return decision;
    // Another request took the room between the read and the claim: decide on the usage as it is.
    const again = decide(request, { ...facts, usage: withSelf(claim.usage) }, this.#options);
    return again.allow ? raceLost(claim.reason) : again;
  }

  async releaseUsage(sessionId: string): Promise<void> {
    await this.#store.releaseUsage(sessionId);
  }

  credentials(username: string, realm: string, algorithm: Ha1Algorithm): Promise<string | undefined> {
    return this.#store.getCredentials(username, realm, algorithm);
  }

  async membership(application: string, vpn: string): Promise<Membership> {
    const [app, found] = await Promise.all([
      this.#store.getApplication(application),
      this.#store.resolveVpn(vpn),
    ]);
    if (app === undefined || found === undefined || !app.enabled || !app.vpns.includes(found.vpnId)) {
      return { member: false };
    }
    return membershipOf(found);
  }

  site(ce: string): Promise<SiteAttachment | undefined> {
    return this.#store.getSite(ce);
  }

  async customerOf(application: string): Promise<string | undefined> {
    return (await this.#store.getApplication(application))?.customerId;
  }

  async application(name: string): Promise<ApplicationView | undefined> {
    const app = await this.#store.getApplication(name);
    return app === undefined ? undefined : applicationView(app);
  }

  resolveVpn(idOrName: string): Promise<Vpn | undefined> {
    return this.#store.resolveVpn(idOrName);
  }
}

function membershipOf(vpn: Vpn): Membership {
  return {
    member: true,
    vpnId: vpn.vpnId,
    vpnName: vpn.name,
    customerId: vpn.customerId,
    rd: vpn.rd,
    importTargets: vpn.importTargets,
    exportTargets: vpn.exportTargets,
    routeTargets: [...new Set([...vpn.importTargets, ...vpn.exportTargets])].sort(),
  };
}

/**
 * The window a session's claim covers: from the grant's start (the request's start, or now) to the
 * request's `end` when it names one (`null`: open), else to the start plus the grant's maximum
 * duration (open when there is none), and for a session already counted no later than its claim's
 * end. A request `decide` refuses still gets a window (from its `durationS`), to find the right refusal.
 */
function usageWindow(
  request: DecisionRequest,
  draft: Decision,
  end: Date | null | undefined,
  held: SessionUsage | undefined,
  now: number,
): UsageWindow | Refusal {
  const asked = request.start?.getTime();
  const start = draft.allow ? draft.start.getTime() : asked !== undefined && asked > now ? asked : now;
  if (end === null) return { start, end: Number.POSITIVE_INFINITY };
  if (end !== undefined) {
    const at = end.getTime();
    if (at > start) return { start, end: at };
    const { sipStatus, sipReason } = REFUSALS['duration-exceeded'];
    const shown = Number.isNaN(at) ? 'an invalid time' : end.toISOString();
    return {
      allow: false,
      code: 'duration-exceeded',
      sipStatus,
      sipReason,
      reason: `the requested end (${shown}) is not after the start (${new Date(start).toISOString()})`,
    };
  }
  const durationS = draft.allow
    ? draft.maxDurationS
    : Number.isSafeInteger(request.durationS) && (request.durationS as number) > 0
      ? (request.durationS as number)
      : null;
  let until = durationS === null ? Number.POSITIVE_INFINITY : start + durationS * 1000;
  // A session already counted does not outlast its claim by a later request that names no end: the
  // API's call at a booking's start asks for whole seconds, a re-INVITE for the SLA's maximum.
  if (held?.end != null && held.end > start) until = Math.min(until, held.end);
  return { start, end: until };
}

function raceLost(reason: 'session-limit' | 'total-bandwidth'): Refusal {
  const code = reason === 'session-limit' ? 'session-limit-reached' : 'total-bandwidth-exceeded';
  const { sipStatus, sipReason } = REFUSALS[code];
  return {
    allow: false,
    code,
    sipStatus,
    sipReason,
    reason: `the customer's ${reason} was reached meanwhile`,
  };
}

/** The in-process policy client over a store (what `svpn up` gives the gateway). */
export function createPolicyClient(
  store: PolicyStore,
  options: Omit<PolicyEngineOptions, 'store'> = {},
): PolicyClient {
  return new PolicyEngine({ ...options, store });
}
