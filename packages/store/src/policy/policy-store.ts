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

/** A session's share of its customer's usage. */
export interface SessionUsage {
  readonly sessionId: string;
  readonly customerId: string;
  readonly bps: number;
}

/** A request to count a session (new, or changed) against its customer's SLA limits. */
export interface UsageClaim {
  readonly customerId: string;
  readonly sessionId: string;
  readonly bps: number;
  /** SLA maximum of concurrent sessions; a new session beyond it is refused. */
  readonly maxSessions: number;
  /** SLA maximum total bit/s; a claim that raises the total beyond it is refused. */
  readonly maxTotalBps: number;
}

/** The answer to a claim, with the customer's usage after it (or as it stands, when refused). */
export type UsageClaimResult =
  | { readonly ok: true; readonly usage: CustomerUsage; readonly previousBps: number | undefined }
  | {
      readonly ok: false;
      readonly reason: 'session-limit' | 'total-bandwidth';
      readonly usage: CustomerUsage;
    };

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
 * Usage counters are per customer: one entry per session, claimed atomically against the SLA limits
 * (so concurrent requests cannot both take the last session or the last bit/s) and released when the
 * session ends. A claim for a session that already holds usage replaces its bit/s (a change).
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

  /** The customer's sessions and bit/s in use. */
  getUsage(customerId: string): Promise<CustomerUsage>;
  /** What one session holds, if anything. */
  getSessionUsage(sessionId: string): Promise<SessionUsage | undefined>;
  /** Every session a customer holds, by session id. */
  listUsage(customerId: string): Promise<SessionUsage[]>;
  /**
   * Counts a session against its customer's limits, atomically. A session already counted keeps its
   * place and only its bit/s change; lowering the bit/s always succeeds.
   * @throws UsageOwnerError if another customer holds the session id
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
