import type { PrecedenceLevel, Rspec, ServiceClassName, Tspec } from '@svpn/qos';

import type { Application } from '../model/application.js';
import type { Customer } from '../model/customer.js';
import type { Sla } from '../model/sla.js';
import type { Vpn } from '../model/vpn.js';

/** What the gateway asks the policy about one session (DESIGN §4 "Session setup"). */
export interface DecisionRequest {
  /** The authenticated SIP user name: the application. */
  readonly application: string;
  /** The VPN as the request names it (`a=svpn-vpn-id`): VPN-ID or configured name. */
  readonly vpn: string;
  /** `a=svpn-qos`: an RFC 4594 service class. */
  readonly serviceClass: string;
  /** Requested bandwidth, bit/s, already converted from the SDP (`b=AS`, `b=TIAS`, Tspec). */
  readonly bandwidthBps: number;
  /** The `Resource-Priority` header value as received (RFC 4412); absent: the default precedence. */
  readonly resourcePriority?: string;
  /** `a=svpn-tspec`, when given: used to choose the DSCP. */
  readonly tspec?: Tspec;
  /** `a=svpn-rspec`, when given: a guaranteed-rate request. */
  readonly rspec?: Rspec;
  /** `a=svpn-start`: when the session starts; absent or past: now. */
  readonly start?: Date;
  /** `a=svpn-duration`: how long it is asked for, seconds. */
  readonly durationS?: number;
  /**
   * For a change of an existing session (re-INVITE / UPDATE): the bit/s it holds now, which the
   * customer usage already counts. The session is then not counted again and only the delta has to fit.
   */
  readonly currentBps?: number;
  /** The decision instant (injected clock). */
  readonly now: Date;
}

/** The customer's sessions in place when deciding. */
export interface CustomerUsage {
  readonly activeSessions: number;
  /** Total bit/s their sessions hold. */
  readonly reservedBps: number;
}

/**
 * Everything `decide` reads, loaded by the caller (the policy service from its store). A fact that is
 * missing (an application deleted meanwhile, a VPN-ID nobody configured) is a refusal, not a crash.
 */
export interface PolicyFacts {
  readonly application?: Application;
  readonly customer?: Customer;
  readonly vpn?: Vpn;
  readonly sla?: Sla;
  readonly usage: CustomerUsage;
}

/** Why a request is refused, with the SIP status and reason phrase each maps to (DESIGN §2). */
export const REFUSALS = Object.freeze({
  // RFC 3261 §21.4.4 — 403: the server understood the request and refuses it; authorization will not help.
  'unknown-application': { sipStatus: 403, sipReason: 'Forbidden' },
  'application-disabled': { sipStatus: 403, sipReason: 'Forbidden' },
  'unknown-customer': { sipStatus: 403, sipReason: 'Forbidden' },
  'customer-disabled': { sipStatus: 403, sipReason: 'Forbidden' },
  'unknown-vpn': { sipStatus: 403, sipReason: 'Forbidden' },
  'not-a-member': { sipStatus: 403, sipReason: 'Forbidden' },
  'no-sla': { sipStatus: 403, sipReason: 'Forbidden' },
  // RFC 4412 §4 — a user not authorized for the priority asked is refused with 403 (Forbidden); 417 is
  // kept for namespaces and values the element does not understand.
  'precedence-not-entitled': { sipStatus: 403, sipReason: 'Forbidden' },
  'outside-time-window': { sipStatus: 403, sipReason: 'Forbidden' },
  // RFC 4412 §4 — 417 Unknown Resource-Priority, with Accept-Resource-Priority listing what is accepted.
  'unknown-resource-priority': { sipStatus: 417, sipReason: 'Unknown Resource-Priority' },
  'invalid-resource-priority': { sipStatus: 417, sipReason: 'Unknown Resource-Priority' },
  // RFC 3261 §21.4.26 — 488: the session description (here: what it asks for) is not acceptable.
  'unknown-service-class': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'service-class-not-allowed': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'invalid-bandwidth': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'session-bandwidth-exceeded': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'duration-exceeded': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'session-limit-reached': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'total-bandwidth-exceeded': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
  'invalid-traffic-spec': { sipStatus: 488, sipReason: 'Not Acceptable Here' },
} as const);

/** A refusal's stable code. */
export type RefusalCode = keyof typeof REFUSALS;

/** Every refusal code, in the order `decide` checks them. */
export const REFUSAL_CODES = Object.freeze(Object.keys(REFUSALS)) as readonly RefusalCode[];

/** A refused request. */
export interface Refusal {
  readonly allow: false;
  readonly code: RefusalCode;
  /** The SIP final response to send: 403, 417 or 488. */
  readonly sipStatus: 403 | 417 | 488;
  readonly sipReason: string;
  /** One sentence for the `Warning` header (see `formatWarning`) and logs. */
  readonly reason: string;
  /** With 417: the `Accept-Resource-Priority` value to send (RFC 4412 §3.2). */
  readonly acceptResourcePriority?: string;
}

/** An admitted request: what the session gets, for admission, provisioning, marking and charging. */
export interface Grant {
  readonly allow: true;
  readonly code: 'allowed';
  readonly sipStatus: 200;
  readonly reason: string;
  readonly customerId: string;
  readonly application: string;
  /** Canonical VPN-ID. */
  readonly vpnId: string;
  readonly vpnName: string;
  readonly serviceClass: ServiceClassName;
  /** Bit/s granted; today always the bit/s asked for (no partial grants). */
  readonly grantedBps: number;
  /** DSCP to mark the session's traffic with (`chooseDscp`). */
  readonly dscp: number;
  /** Why that DSCP (`chooseDscp`'s reason). */
  readonly dscpReason: string;
  /** The precedence the session runs at. */
  readonly precedence: PrecedenceLevel;
  /** RSVP-TE SESSION_ATTRIBUTE priorities (RFC 3209 §4.7.4; 0 highest). */
  readonly setupPriority: number;
  readonly holdingPriority: number;
  /** RFC 3181 preemption and defending priorities (higher wins). */
  readonly preemptionPriority: number;
  readonly defendingPriority: number;
  /** DiffServ-TE class type (RFC 4124), 0 … 7. */
  readonly classType: number;
  /** The longest the session may last from its start, seconds; `null`: no limit. */
  readonly maxDurationS: number | null;
  /** When the session starts (the request's start, or now). */
  readonly start: Date;
  readonly chargingProfile: string;
  /** Whether preemption may shrink the session instead of ending it (RFC 4495). */
  readonly mayShrink: boolean;
  /** The least it may shrink to, bit/s (equals `grantedBps` when it may not shrink). */
  readonly minBps: number;
}

/** The answer of `decide`. */
export type Decision = Grant | Refusal;
