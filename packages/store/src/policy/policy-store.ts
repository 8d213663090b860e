import type { Application, Customer, Ha1Algorithm, Site, Sla, Vpn } from '@svpn/policy';

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

/**
 * The policy data: customers, applications, VPNs and SLAs, and the lookups the gateway's hot path needs.
 *
 * Writes keep the data consistent, atomically: ids and VPN names are unique, a CE is the site of one
 * customer, and references hold — a customer's SLA, a VPN's customer, an application's customer,
 * VPNs and CE (one of its customer's sites) must exist; an SLA, customer, VPN or site still referenced
 * cannot be deleted. Every committed write publishes a {@link PolicyChange}.
 *
 * The store does not validate the shapes of entities (the callers parse them with `@svpn/policy`'s
 * `parseX`); it does keep VPN-IDs canonical for lookups. Customer usage (sessions, bit/s) is not
 * policy data: it comes from the live session records (`SessionStore.usage`).
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

  /**
   * Calls `listener` for every committed change (from any process, for the Redis store).
   * Resolves once listening; the returned function stops it.
   */
  subscribe(listener: (change: PolicyChange) => void): Promise<() => Promise<void>>;

  /** Releases what the store opened itself (subscriber and transaction connections). */
  close(): Promise<void>;
}
