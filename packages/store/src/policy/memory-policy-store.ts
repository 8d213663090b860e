import {
  canonicalVpnId,
  type Application,
  type Customer,
  type CustomerUsage,
  type Ha1Algorithm,
  type Sla,
  type Vpn,
} from '@svpn/policy';

import { UsageOwnerError } from './errors.js';
import { SerialQueue } from './serial-queue.js';
import { planPolicyWrite, policyKeyOf, type PolicyReader, type PolicyWrite } from './plan-policy-write.js';
import type {
  PolicyChange,
  PolicyEntities,
  PolicyKind,
  PolicyStore,
  SessionUsage,
  SiteAttachment,
  UsageClaim,
  UsageClaimResult,
} from './policy-store.js';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The policy store in memory: for unit tests and the one-process demo without Redis. Same rules and
 * the same conformance suite as {@link RedisPolicyStore}; changes reach only this process's listeners.
 */
export class MemoryPolicyStore implements PolicyStore {
  readonly #entities: { [K in PolicyKind]: Map<string, PolicyEntities[K]> } = {
    customer: new Map(),
    application: new Map(),
    vpn: new Map(),
    sla: new Map(),
  };
  readonly #sites = new Map<string, string>();
  readonly #names = new Map<string, string>();
  /** customer → session → bit/s */
  readonly #usage = new Map<string, Map<string, number>>();
  readonly #owners = new Map<string, string>();
  readonly #listeners = new Set<(change: PolicyChange) => void>();
  readonly #writes = new SerialQueue();

  readonly #reader: PolicyReader = {
    get: async (kind, id) => this.#entities[kind].get(policyKeyOf(kind, id)),
    list: async (kind) => [...this.#entities[kind].values()],
    siteOwner: async (ce) => this.#sites.get(ce),
    vpnIdByName: async (name) => this.#names.get(name),
  };

  async #get<K extends PolicyKind>(kind: K, id: string): Promise<PolicyEntities[K] | undefined> {
    const found = this.#entities[kind].get(policyKeyOf(kind, id));
    return found === undefined ? undefined : clone(found);
  }

  async #list<K extends PolicyKind>(kind: K): Promise<PolicyEntities[K][]> {
    return [...this.#entities[kind].entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => clone(e));
  }

  #write<T>(write: PolicyWrite): Promise<T> {
    return this.#writes.run(async () => {
      const plan = await planPolicyWrite(this.#reader, write);
      if (plan.delete !== undefined) this.#entities[plan.delete.kind].delete(plan.delete.id);
      if (plan.put !== undefined) {
        (this.#entities[plan.put.kind] as Map<string, unknown>).set(plan.put.id, JSON.parse(plan.put.json));
      }
      for (const ce of plan.deleteSites) this.#sites.delete(ce);
      for (const [ce, customer] of plan.setSites) this.#sites.set(ce, customer);
      for (const name of plan.deleteNames) this.#names.delete(name);
      for (const [name, vpnId] of plan.setNames) this.#names.set(name, vpnId);
      for (const listener of this.#listeners) queueMicrotask(() => listener({ ...plan.change }));
      return clone(plan.stored) as T;
    });
  }

  getCustomer(id: string): Promise<Customer | undefined> {
    return this.#get('customer', id);
  }
  listCustomers(): Promise<Customer[]> {
    return this.#list('customer');
  }
  createCustomer(customer: Customer): Promise<Customer> {
    return this.#write({ op: 'create', kind: 'customer', entity: clone(customer) });
  }
  updateCustomer(customer: Customer): Promise<Customer> {
    return this.#write({ op: 'update', kind: 'customer', entity: clone(customer) });
  }
  deleteCustomer(id: string): Promise<void> {
    return this.#write({ op: 'delete', kind: 'customer', id });
  }

  getSla(id: string): Promise<Sla | undefined> {
    return this.#get('sla', id);
  }
  listSlas(): Promise<Sla[]> {
    return this.#list('sla');
  }
  createSla(sla: Sla): Promise<Sla> {
    return this.#write({ op: 'create', kind: 'sla', entity: clone(sla) });
  }
  updateSla(sla: Sla): Promise<Sla> {
    return this.#write({ op: 'update', kind: 'sla', entity: clone(sla) });
  }
  deleteSla(id: string): Promise<void> {
    return this.#write({ op: 'delete', kind: 'sla', id });
  }

  getVpn(vpnId: string): Promise<Vpn | undefined> {
    return this.#get('vpn', vpnId);
  }
  async resolveVpn(idOrName: string): Promise<Vpn | undefined> {
    const vpnId = canonicalVpnId(idOrName) ?? this.#names.get(idOrName);
    return vpnId === undefined ? undefined : this.#get('vpn', vpnId);
  }
  listVpns(): Promise<Vpn[]> {
    return this.#list('vpn');
  }
  createVpn(vpn: Vpn): Promise<Vpn> {
    return this.#write({ op: 'create', kind: 'vpn', entity: clone(vpn) });
  }
  updateVpn(vpn: Vpn): Promise<Vpn> {
    return this.#write({ op: 'update', kind: 'vpn', entity: clone(vpn) });
  }
  deleteVpn(vpnId: string): Promise<void> {
    return this.#write({ op: 'delete', kind: 'vpn', id: vpnId });
  }

  getApplication(name: string): Promise<Application | undefined> {
    return this.#get('application', name);
  }
  listApplications(): Promise<Application[]> {
    return this.#list('application');
  }
  createApplication(application: Application): Promise<Application> {
    return this.#write({ op: 'create', kind: 'application', entity: clone(application) });
  }
  updateApplication(application: Application): Promise<Application> {
    return this.#write({ op: 'update', kind: 'application', entity: clone(application) });
  }
  deleteApplication(name: string): Promise<void> {
    return this.#write({ op: 'delete', kind: 'application', id: name });
  }

  async getCredentials(
    username: string,
    realm: string,
    algorithm: Ha1Algorithm,
  ): Promise<string | undefined> {
    const app = this.#entities.application.get(username);
    if (app === undefined || !app.enabled || app.realm !== realm) return undefined;
    return app.ha1[algorithm];
  }

  async membership(application: string, vpnIdOrName: string): Promise<boolean> {
    const app = this.#entities.application.get(application);
    const vpnId = canonicalVpnId(vpnIdOrName) ?? this.#names.get(vpnIdOrName);
    return app !== undefined && app.enabled && vpnId !== undefined && app.vpns.includes(vpnId);
  }

  async getSite(ce: string): Promise<SiteAttachment | undefined> {
    const customerId = this.#sites.get(ce);
    const site =
      customerId === undefined
        ? undefined
        : this.#entities.customer.get(customerId)?.sites.find((s) => s.ce === ce);
    return site === undefined || customerId === undefined ? undefined : { ...clone(site), customerId };
  }

  async getUsage(customerId: string): Promise<CustomerUsage> {
    return this.#usageOf(customerId);
  }

  #usageOf(customerId: string): CustomerUsage {
    const sessions = this.#usage.get(customerId);
    let reservedBps = 0;
    for (const bps of sessions?.values() ?? []) reservedBps += bps;
    return { activeSessions: sessions?.size ?? 0, reservedBps };
  }

  async getSessionUsage(sessionId: string): Promise<SessionUsage | undefined> {
    const customerId = this.#owners.get(sessionId);
    const bps = customerId === undefined ? undefined : this.#usage.get(customerId)?.get(sessionId);
    return customerId === undefined || bps === undefined ? undefined : { sessionId, customerId, bps };
  }

  async listUsage(customerId: string): Promise<SessionUsage[]> {
    return [...(this.#usage.get(customerId)?.entries() ?? [])]
      .map(([sessionId, bps]) => ({ sessionId, customerId, bps }))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  }

  async claimUsage(claim: UsageClaim): Promise<UsageClaimResult> {
    const owner = this.#owners.get(claim.sessionId);
    if (owner !== undefined && owner !== claim.customerId) throw new UsageOwnerError(claim.sessionId, owner);
    // No await from here on: the check and the update are one step, as in the Redis script.
    const usage = this.#usageOf(claim.customerId);
    const previous = this.#usage.get(claim.customerId)?.get(claim.sessionId);
    const count = usage.activeSessions + (previous === undefined ? 1 : 0);
    const total = usage.reservedBps - (previous ?? 0) + claim.bps;
    if (previous === undefined && count > claim.maxSessions)
      return { ok: false, reason: 'session-limit', usage };
    // Lowering a session's bit/s always succeeds, even when the customer is over its total.
    if (claim.bps > (previous ?? 0) && total > claim.maxTotalBps) {
      return { ok: false, reason: 'total-bandwidth', usage };
    }
    let sessions = this.#usage.get(claim.customerId);
    if (sessions === undefined) this.#usage.set(claim.customerId, (sessions = new Map()));
    sessions.set(claim.sessionId, claim.bps);
    this.#owners.set(claim.sessionId, claim.customerId);
    return { ok: true, usage: { activeSessions: count, reservedBps: total }, previousBps: previous };
  }

  async releaseUsage(sessionId: string): Promise<boolean> {
    const customerId = this.#owners.get(sessionId);
    if (customerId === undefined) return false;
    this.#owners.delete(sessionId);
    const sessions = this.#usage.get(customerId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.#usage.delete(customerId);
    return true;
  }

  /** Nothing to close in memory. */
  async close(): Promise<void> {
    this.#listeners.clear();
  }

  async subscribe(listener: (change: PolicyChange) => void): Promise<() => Promise<void>> {
    const wrapped = (change: PolicyChange): void => listener(change);
    this.#listeners.add(wrapped);
    return async () => {
      this.#listeners.delete(wrapped);
    };
  }
}
