import type { ApplicationView, Decision, DecisionRequest, Ha1Algorithm, Vpn } from '@svpn/policy';
import type { SiteAttachment } from '@svpn/store';

/** A decision request; `now` defaults to the policy's clock (always, over HTTP). */
export type DecisionInput = Omit<DecisionRequest, 'now'> & {
  readonly now?: Date;
  /**
   * When the session's claim on the customer's SLA usage ends: the exact end of a booked window
   * (`start` … `end`), or `null` for an open-ended booking. Absent: the grant's start plus its
   * maximum duration, or open-ended when there is none (a SIP call); a session already counted keeps
   * at most the end its claim has. `durationS` is still what the SLA's maximum duration checks.
   */
  readonly end?: Date | null;
};

/** Whether an application may use a VPN, and the VPN's BGP/MPLS parameters when it may. */
export interface Membership {
  readonly member: boolean;
  /** Canonical VPN-ID (when the VPN exists and the application is a member). */
  readonly vpnId?: string;
  readonly vpnName?: string;
  /** The VPN's customer. */
  readonly customerId?: string;
  /** Route Distinguisher for the VRFs (RFC 4364 §4.2). */
  readonly rd?: string;
  readonly importTargets?: string[];
  readonly exportTargets?: string[];
  /** Import and export targets together (sorted, once each) — for full-mesh VPNs where they agree. */
  readonly routeTargets?: string[];
}

/**
 * What the SIP gateway asks of the policy, in-process (`createPolicyClient`) or over HTTP
 * (`createHttpPolicyClient`): the same interface, so `svpn up` and a scaled deployment run the
 * same gateway code.
 */
export interface PolicyClient {
  /**
   * The decision for one session request. With `sessionId`, an allowed request is counted against
   * the customer's usage atomically, over the session's window (see `end`; the SLA limits are checked
   * against the customer's peak over it). A session already counted is replaced: within the time it
   * holds, only its change of bit/s must fit (`currentBps` then is what it holds); without a session
   * id, nothing is counted.
   */
  decide(request: DecisionInput, sessionId?: string): Promise<Decision>;
  /** The session stops counting against its customer's SLA (session end, rollback). Idempotent. */
  releaseUsage(sessionId: string): Promise<void>;
  /** H(A1) for the digest check (RFC 7616 §3.4.2); undefined for unknown or disabled users. */
  credentials(username: string, realm: string, algorithm: Ha1Algorithm): Promise<string | undefined>;
  /** Whether the application may use the VPN (VPN-ID in any spelling, or name). */
  membership(application: string, vpn: string): Promise<Membership>;
  /** The customer site a CE is: its customer and the PE and interface it attaches to. */
  site(ce: string): Promise<SiteAttachment | undefined>;
  /** The customer an application belongs to. */
  customerOf(application: string): Promise<string | undefined>;
  /** The application, without digest material. */
  application(name: string): Promise<ApplicationView | undefined>;
  /** A VPN by VPN-ID (any spelling) or name. */
  resolveVpn(idOrName: string): Promise<Vpn | undefined>;
}
