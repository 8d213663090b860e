import {
  applicationView,
  decide,
  REFUSALS,
  resolveDecisionOptions,
  type ApplicationView,
  type Customer,
  type Decision,
  type DecisionOptions,
  type DecisionRequest,
  type Ha1Algorithm,
  type PolicyFacts,
  type Refusal,
  type ResolvedDecisionOptions,
  type Sla,
  type Vpn,
} from '@svpn/policy';
import type { PolicyStore, SiteAttachment } from '@svpn/store';

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

const NO_USAGE = Object.freeze({ activeSessions: 0, reservedBps: 0 });

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

  /** Everything `decide` reads about a request, as the store holds it now. */
  async facts(request: Pick<DecisionRequest, 'application' | 'vpn'>): Promise<PolicyFacts> {
    const [application, vpn] = await Promise.all([
      this.#store.getApplication(request.application),
      this.#store.resolveVpn(request.vpn),
    ]);
    const customer =
      application === undefined ? undefined : await this.#store.getCustomer(application.customerId);
    const [sla, usage] =
      customer === undefined
        ? [undefined, NO_USAGE]
        : await Promise.all([this.#store.getSla(customer.slaId), this.#store.getUsage(customer.id)]);
    return { application, customer, vpn, sla, usage };
  }

  async decide(input: DecisionInput, sessionId?: string): Promise<Decision> {
    let request: DecisionRequest = { ...input, now: input.now ?? this.#clock() };
    const facts = await this.facts(request);
    const held = sessionId === undefined ? undefined : await this.#store.getSessionUsage(sessionId);
    if (held !== undefined && held.customerId === facts.customer?.id) {
      // The session is counted already: what it holds is the truth about what the request changes.
      request = { ...request, currentBps: held.bps };
    }
    let decision = decide(request, facts, this.#options);
    if (decision.allow && sessionId !== undefined) {
      const sla = facts.sla as Sla;
      const claim = await this.#store.claimUsage({
        customerId: (facts.customer as Customer).id,
        sessionId,
        bps: decision.grantedBps,
        maxSessions: sla.maxSessions,
        maxTotalBps: sla.maxTotalBps,
      });
      if (!claim.ok) {
        // Another request took the room between the read and the claim: decide on the usage as it is.
        const again = decide(request, { ...facts, usage: claim.usage }, this.#options);
        decision = again.allow ? raceLost(claim.reason) : again;
      }
    }
    this.#onDecision?.(decision, request);
    return decision;
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
