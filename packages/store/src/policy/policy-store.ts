import type { Application, Customer, CustomerUsage, Ha1Algorithm, Site, Sla, Vpn } from '@svpn/policy';

/** The four kinds of policy data. */
export type PolicyKind = 'customer' | 'application' | 'vpn' | 'sla';

/** The entity type of each kind. */
export interface PolicyEntities {
  customer: Customer;
  application: Application;
  vpn: Vpn;
  sla: Sla;
}

/**
 * What a change notification says: which entity, and what happened to it. Published on
 * `svpn:{policy}:changed` (Redis pub/sub) after every committed write (DESIGN §4 "Dynamic QoS").
 */
export interface PolicyChange {
  readonly kind: PolicyKind;
  /** Customer/SLA id, canonical VPN-ID, or application name. */
  readonly id: string;
  readonly op: 'create' | 'update' | 'delete';
}

/** A customer edge and whose site it is. */
export interface SiteAttachment extends Site {
  readonly customerId: string;
}

/** A time window [start, end), ms since the epoch; `end` `Infinity`: open-ended. */
export interface UsageWindow {
  readonly start: number;
  readonly end: number;
}

/** A session's share of its customer's usage, and when it counts. */
export interface SessionUsage {
  readonly sessionId: string;
  readonly customerId: string;
  readonly bps: number;
  /** When the claim starts counting, ms; `null` for an entry stored before claims had windows (it always counted). */
  readonly start: number | null;
  /** When it stops counting, ms (exclusive); `null`: open-ended, until released. */
  readonly end: number | null;
}

/**
 * A request to count a session (new, or changed) against its customer's SLA limits over a window
 * of time: a SIP call from now until its maximum duration (or open), a scheduled connection for
 * exactly its booked [start, end). The check is the customer's peak over that window.
 */
export interface UsageClaim {
  readonly customerId: string;
  readonly sessionId: string;
  readonly bps: number;
  /** SLA maximum of concurrent sessions; a new session beyond it (at any instant of its window) is refused. */
  readonly maxSessions: number;
  /** SLA maximum total bit/s; a claim that raises the total beyond it (at any instant) is refused. */
  readonly maxTotalBps: number;
  /** When the claim starts counting, ms. @defaultValue `now` */
  readonly start?: number;
  /** When it stops counting, ms (exclusive). @defaultValue `Infinity` (open-ended) */
  readonly end?: number;
  /**
   * The instant the claim is made at, ms: claims ended by then do not count (and are dropped), and
   * the part of the window before it is not checked. @defaultValue `Date.now()`
   */
  readonly now?: number;
}

/**
 * The answer to a claim. Granted: the customer's peak over the claim's window with it counted.
 * Refused: the peak of the customer's other claims over that window (what the claim had to fit beside).
 */
export type UsageClaimResult =
  | { readonly ok: true; readonly usage: CustomerUsage; readonly previousBps: number | undefined }
  | {
      readonly ok: false;
      readonly reason: 'session-limit' | 'total-bandwidth';
      readonly usage: CustomerUsage;
    };

/** Options of {@link PolicyStore.listUsage}. */
export interface ListUsageOptions {
  /** The instant to list for, ms. @defaultValue `Date.now()` */
  readonly at?: number;
  /** Also list the claims that start after `at` (booked for later). @defaultValue false */
  readonly upcoming?: boolean;
}

/** Options of {@link PolicyStore.peakUsage}. */
export interface PeakUsageOptions {
  /** Leave this session's claim out (the one about to be replaced). */
  readonly excludeSessionId?: string;
  /** Only the window from this instant on counts, ms. @defaultValue `Date.now()` */
  readonly now?: number;
}

/**
 * The policy data: customers, applications, VPNs and SLAs, and the lookups the gateway's hot path needs.
 *
 * Writes keep the data consistent, atomically: ids and VPN names are unique, a CE is the site of one
 * customer, and references hold — a customer's SLA, a VPN's customer, an application's customer,
 * VPNs and CE (one of its customer's sites) must exist; an SLA, customer, VPN or site still referenced
 * cannot be deleted. Every committed write publishes a {@link PolicyChange}.
 *
 * The store does not validate the shapes of entities (the callers parse them with `@svpn/policy`'s
 * `parseX`); it does keep VPN-IDs canonical for lookups.
 *
 * Usage counters are per customer: one claim per session with its bit/s and the window [start, end)
 * it counts in, claimed atomically against the SLA limits (so concurrent requests cannot both take the
 * last session or the last bit/s) and released when the session ends. The check is the customer's
 * peak over the claim's window: a booking for tomorrow does not count against a call today. A claim
 * for a session that already holds one replaces it (a change of bit/s and/or window); claims whose
 * end has passed no longer count and are dropped by the next claim of their customer.
 */
export interface PolicyStore {
  getCustomer(id: string): Promise<Customer | undefined>;
  listCustomers(): Promise<Customer[]>;
  /** @throws PolicyConflictError, PolicyReferenceError */
  createCustomer(customer: Customer): Promise<Customer>;
  /** Replaces the customer. @throws PolicyNotFoundError, PolicyConflictError, PolicyReferenceError */
  updateCustomer(customer: Customer): Promise<Customer>;
  /** @throws PolicyNotFoundError, PolicyReferenceError (VPNs or applications still name it) */
  deleteCustomer(id: string): Promise<void>;

  getSla(id: string): Promise<Sla | undefined>;
  listSlas(): Promise<Sla[]>;
  /** @throws PolicyConflictError */
  createSla(sla: Sla): Promise<Sla>;
  /** @throws PolicyNotFoundError */
  updateSla(sla: Sla): Promise<Sla>;
  /** @throws PolicyNotFoundError, PolicyReferenceError (a customer still uses it) */
  deleteSla(id: string): Promise<void>;

  /** By canonical (or any spelling of the) VPN-ID. */
  getVpn(vpnId: string): Promise<Vpn | undefined>;
  /** By VPN-ID in any spelling, or by configured name (DESIGN §2: both are accepted). */
  resolveVpn(idOrName: string): Promise<Vpn | undefined>;
  listVpns(): Promise<Vpn[]>;
  /** @throws PolicyConflictError (VPN-ID or name taken), PolicyReferenceError (no such customer) */
  createVpn(vpn: Vpn): Promise<Vpn>;
  /** @throws PolicyNotFoundError, PolicyConflictError, PolicyReferenceError */
  updateVpn(vpn: Vpn): Promise<Vpn>;
  /** @throws PolicyNotFoundError, PolicyReferenceError (an application is still a member) */
  deleteVpn(vpnId: string): Promise<void>;

  /** The application with its H(A1) values (never hand these to an API response). */
  getApplication(name: string): Promise<Application | undefined>;
  listApplications(): Promise<Application[]>;
  /** @throws PolicyConflictError, PolicyReferenceError */
  createApplication(application: Application): Promise<Application>;
  /** @throws PolicyNotFoundError, PolicyReferenceError */
  updateApplication(application: Application): Promise<Application>;
  /** @throws PolicyNotFoundError */
  deleteApplication(name: string): Promise<void>;

  /**
   * H(A1) for digest authentication (RFC 7616 §3.4.2): `undefined` for an unknown or disabled
   * application, another realm, or a hash not stored.
   */
  getCredentials(username: string, realm: string, algorithm: Ha1Algorithm): Promise<string | undefined>;
  /** Whether the application is an enabled member of the VPN (VPN-ID in any spelling, or name). */
  membership(application: string, vpnIdOrName: string): Promise<boolean>;
  /** The customer site a CE is, with the PE it attaches to. */
  getSite(ce: string): Promise<SiteAttachment | undefined>;

  /** The customer's sessions and bit/s in use at `at` (claims whose window holds it; default now). */
  getUsage(customerId: string, at?: number): Promise<CustomerUsage>;
  /** The claim a session holds (now or booked for later), if any; an ended claim is none. */
  getSessionUsage(sessionId: string, at?: number): Promise<SessionUsage | undefined>;
  /** The customer's claims in use at an instant (default now), by session id, with their windows. */
  listUsage(customerId: string, options?: ListUsageOptions): Promise<SessionUsage[]>;
  /**
   * The customer's peak over a window: the most sessions and the most bit/s its claims hold at any
   * instant of it (each maximum on its own). What a claim over that window is checked against.
   */
  peakUsage(customerId: string, window: UsageWindow, options?: PeakUsageOptions): Promise<CustomerUsage>;
  /**
   * Counts a session against its customer's limits over its window, atomically: granted when the
   * peak of the customer's other claims over the (remaining) window plus this one stays within both
   * limits. A session already counted is replaced; a change that neither raises the bit/s nor
   * widens the window always succeeds (it asks for nothing more), else it is checked like a new one
   * (a wider window: sessions too; only more bit/s: bit/s only).
   * @throws UsageOwnerError if another customer holds the session id
   * @throws UsageClaimInvalidError for bit/s or times that are not whole numbers, or an ended window
   */
  claimUsage(claim: UsageClaim): Promise<UsageClaimResult>;
  /** Stops counting a session; false if it was not counted. Idempotent. */
  releaseUsage(sessionId: string): Promise<boolean>;

  /**
   * Calls `listener` for every committed change (from any process, for the Redis store).
   * Resolves once listening; the returned function stops it.
   */
  subscribe(listener: (change: PolicyChange) => void): Promise<() => Promise<void>>;

  /** Releases what the store opened itself (subscriber and transaction connections). */
  close(): Promise<void>;
}
