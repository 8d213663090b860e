import {
  canonicalVpnId,
  type Application,
  type Customer,
  type CustomerUsage,
  type Ha1Algorithm,
  type Sla,
  type Vpn,
} from '@svpn/policy';

import type { PolicyWrite } from './plan-policy-write.js';
import type {
  ListUsageOptions,
  PeakUsageOptions,
  PolicyChange,
  PolicyEntities,
  PolicyKind,
  PolicyStore,
  SessionUsage,
  SiteAttachment,
  UsageClaim,
  UsageClaimResult,
  UsageWindow,
} from './policy-store.js';

/**
 * What both policy stores share: the CRUD methods and the hot-path lookups, written once over a few
 * primitives each store provides (read an entity, list a kind, commit a planned write, two indexes).
 * @internal
 */
export abstract class PolicyStoreBase implements PolicyStore {
  /** The entity under its canonical id, as a copy the caller may change. */
  protected abstract readEntity<K extends PolicyKind>(
    kind: K,
    id: string,
  ): Promise<PolicyEntities[K] | undefined>;
  /** Every entity of a kind, sorted by id. */
  protected abstract listEntities<K extends PolicyKind>(kind: K): Promise<PolicyEntities[K][]>;
  /** Plans the write with `planPolicyWrite` and applies it atomically; answers the stored entity. */
  protected abstract commit<T>(write: PolicyWrite): Promise<T>;
  /** Which customer a CE is a site of. */
  protected abstract siteOwner(ce: string): Promise<string | undefined>;
  /** Which VPN-ID a VPN name belongs to. */
  protected abstract vpnIdByName(name: string): Promise<string | undefined>;

  abstract getUsage(customerId: string, at?: number): Promise<CustomerUsage>;
  abstract getSessionUsage(sessionId: string, at?: number): Promise<SessionUsage | undefined>;
  abstract listUsage(customerId: string, options?: ListUsageOptions): Promise<SessionUsage[]>;
  abstract peakUsage(
    customerId: string,
    window: UsageWindow,
    options?: PeakUsageOptions,
  ): Promise<CustomerUsage>;
  abstract claimUsage(claim: UsageClaim): Promise<UsageClaimResult>;
  abstract releaseUsage(sessionId: string): Promise<boolean>;
  abstract subscribe(listener: (change: PolicyChange) => void): Promise<() => Promise<void>>;
  abstract close(): Promise<void>;

  getCustomer(id: string): Promise<Customer | undefined> {
    return this.readEntity('customer', id);
  }
  listCustomers(): Promise<Customer[]> {
    return this.listEntities('customer');
  }
  createCustomer(customer: Customer): Promise<Customer> {
    return this.commit({ op: 'create', kind: 'customer', entity: customer });
  }
  updateCustomer(customer: Customer): Promise<Customer> {
    return this.commit({ op: 'update', kind: 'customer', entity: customer });
  }
  deleteCustomer(id: string): Promise<void> {
    return this.commit({ op: 'delete', kind: 'customer', id });
  }

  getSla(id: string): Promise<Sla | undefined> {
    return this.readEntity('sla', id);
  }
  listSlas(): Promise<Sla[]> {
    return this.listEntities('sla');
  }
  createSla(sla: Sla): Promise<Sla> {
    return this.commit({ op: 'create', kind: 'sla', entity: sla });
  }
  updateSla(sla: Sla): Promise<Sla> {
    return this.commit({ op: 'update', kind: 'sla', entity: sla });
  }
  deleteSla(id: string): Promise<void> {
    return this.commit({ op: 'delete', kind: 'sla', id });
  }

  getVpn(vpnId: string): Promise<Vpn | undefined> {
    return this.readEntity('vpn', vpnId);
  }
  async resolveVpn(idOrName: string): Promise<Vpn | undefined> {
    // Names never contain ':', so a text that reads as a VPN-ID is one (DESIGN §2: both accepted).
    const vpnId = canonicalVpnId(idOrName) ?? (await this.vpnIdByName(idOrName));
    return vpnId === undefined ? undefined : this.readEntity('vpn', vpnId);
  }
  listVpns(): Promise<Vpn[]> {
    return this.listEntities('vpn');
  }
  createVpn(vpn: Vpn): Promise<Vpn> {
    return this.commit({ op: 'create', kind: 'vpn', entity: vpn });
  }
  updateVpn(vpn: Vpn): Promise<Vpn> {
    return this.commit({ op: 'update', kind: 'vpn', entity: vpn });
  }
  deleteVpn(vpnId: string): Promise<void> {
    return this.commit({ op: 'delete', kind: 'vpn', id: vpnId });
  }

  getApplication(name: string): Promise<Application | undefined> {
    return this.readEntity('application', name);
  }
  listApplications(): Promise<Application[]> {
    return this.listEntities('application');
  }
  createApplication(application: Application): Promise<Application> {
    return this.commit({ op: 'create', kind: 'application', entity: application });
  }
  updateApplication(application: Application): Promise<Application> {
    return this.commit({ op: 'update', kind: 'application', entity: application });
  }
  deleteApplication(name: string): Promise<void> {
    return this.commit({ op: 'delete', kind: 'application', id: name });
  }

  async getCredentials(
    username: string,
    realm: string,
    algorithm: Ha1Algorithm,
  ): Promise<string | undefined> {
    const app = await this.getApplication(username);
    if (app === undefined || !app.enabled || app.realm !== realm) return undefined;
    return app.ha1[algorithm];
  }

  async membership(application: string, vpnIdOrName: string): Promise<boolean> {
    const [app, vpnId] = await Promise.all([
      this.getApplication(application),
      canonicalVpnId(vpnIdOrName) ?? this.vpnIdByName(vpnIdOrName),
    ]);
    return app !== undefined && app.enabled && vpnId !== undefined && app.vpns.includes(vpnId);
  }

  async getSite(ce: string): Promise<SiteAttachment | undefined> {
    const customerId = await this.siteOwner(ce);
    if (customerId === undefined) return undefined;
    const site = (await this.getCustomer(customerId))?.sites.find((s) => s.ce === ce);
    return site === undefined ? undefined : { ...site, customerId };
  }
}
