import type { CustomerUsage } from '@svpn/policy';

import { UsageOwnerError } from './errors.js';
import { SerialQueue } from './serial-queue.js';
import { planPolicyWrite, policyKeyOf, type PolicyReader, type PolicyWrite } from './plan-policy-write.js';
import { PolicyStoreBase } from './policy-store-base.js';
import type {
  PolicyChange,
  PolicyEntities,
  PolicyKind,
  SessionUsage,
  UsageClaim,
  UsageClaimResult,
} from './policy-store.js';

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The policy store in memory: for unit tests and the one-process demo without Redis. Same rules and
 * the same conformance suite as {@link RedisPolicyStore}; changes reach only this process's listeners.
 */
export class MemoryPolicyStore extends PolicyStoreBase {
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

  protected async readEntity<K extends PolicyKind>(
    kind: K,
    id: string,
  ): Promise<PolicyEntities[K] | undefined> {
    const found = this.#entities[kind].get(policyKeyOf(kind, id));
    return found === undefined ? undefined : clone(found);
  }

  protected async listEntities<K extends PolicyKind>(kind: K): Promise<PolicyEntities[K][]> {
    return [...this.#entities[kind].entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, e]) => clone(e));
  }

  protected async siteOwner(ce: string): Promise<string | undefined> {
    return this.#sites.get(ce);
  }

  protected async vpnIdByName(name: string): Promise<string | undefined> {
    return this.#names.get(name);
  }

  protected commit<T>(write: PolicyWrite): Promise<T> {
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
