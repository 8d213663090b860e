import type { CustomerUsage } from '@svpn/policy';

import { UsageOwnerError } from './errors.js';
import { SerialQueue } from './serial-queue.js';
import { planPolicyWrite, policyKeyOf, type PolicyReader, type PolicyWrite } from './plan-policy-write.js';
import { PolicyStoreBase } from './policy-store-base.js';
import type {
  ListUsageOptions,
  PeakUsageOptions,
  PolicyChange,
  PolicyEntities,
  PolicyKind,
  SessionUsage,
  UsageClaim,
  UsageClaimResult,
  UsageWindow,
} from './policy-store.js';
import {
  checkClaim,
  claimActiveAt,
  normalizeClaim,
  peakUsage,
  remainingWindow,
  sessionUsageOf,
  type StoredClaim,
} from './usage-claims.js';

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
  /** customer → session → claim */
  readonly #usage = new Map<string, Map<string, StoredClaim>>();
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

  async getUsage(customerId: string, at: number = Date.now()): Promise<CustomerUsage> {
    let activeSessions = 0;
    let reservedBps = 0;
    for (const claim of this.#usage.get(customerId)?.values() ?? []) {
      if (!claimActiveAt(claim, at)) continue;
      activeSessions += 1;
      reservedBps += claim.bps;
    }
    return { activeSessions, reservedBps };
  }

  async getSessionUsage(sessionId: string, at: number = Date.now()): Promise<SessionUsage | undefined> {
    const customerId = this.#owners.get(sessionId);
    const claim = customerId === undefined ? undefined : this.#usage.get(customerId)?.get(sessionId);
    return customerId === undefined || claim === undefined || claim.end <= at
      ? undefined
      : sessionUsageOf(sessionId, customerId, claim);
  }

  async listUsage(customerId: string, options: ListUsageOptions = {}): Promise<SessionUsage[]> {
    const at = options.at ?? Date.now();
    return [...(this.#usage.get(customerId)?.entries() ?? [])]
      .filter(([, claim]) => claimActiveAt(claim, at) || (options.upcoming === true && claim.start > at))
      .map(([sessionId, claim]) => sessionUsageOf(sessionId, customerId, claim))
      .sort((a, b) => (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  }

  async peakUsage(
    customerId: string,
    window: UsageWindow,
    options: PeakUsageOptions = {},
  ): Promise<CustomerUsage> {
    const claims = [...(this.#usage.get(customerId)?.entries() ?? [])]
      .filter(([sessionId]) => sessionId !== options.excludeSessionId)
      .map(([, claim]) => claim);
    return peakUsage(claims, remainingWindow(window, options.now ?? Date.now()));
  }

  async claimUsage(claim: UsageClaim): Promise<UsageClaimResult> {
    const normalized = normalizeClaim(claim);
    const owner = this.#owners.get(claim.sessionId);
    if (owner !== undefined && owner !== claim.customerId) throw new UsageOwnerError(claim.sessionId, owner);
    // No await from here on: the check and the update are one step, as in the Redis script.
    let sessions = this.#usage.get(claim.customerId);
    if (sessions === undefined) this.#usage.set(claim.customerId, (sessions = new Map()));
    // Claims that have ended no longer count: drop them (what the Redis script does lazily too).
    for (const [sessionId, held] of sessions) {
      if (held.end > normalized.now) continue;
      sessions.delete(sessionId);
      this.#owners.delete(sessionId);
    }
    const previous = sessions.get(claim.sessionId);
    const others = [...sessions].filter(([id]) => id !== claim.sessionId).map(([, c]) => c);
    const check = checkClaim(normalized, others, previous);
    if (!check.ok) {
      if (sessions.size === 0) this.#usage.delete(claim.customerId);
      return check;
    }
    sessions.set(claim.sessionId, normalized.stored);
    this.#owners.set(claim.sessionId, claim.customerId);
    return { ok: true, usage: check.usage, previousBps: previous?.bps };
  }

  /**
   * Stores a claim as a store from before claims had windows did (bit/s only: it counts at every
   * instant until released), as Redis may still hold such entries. For the conformance suite.
   * @internal
   */
  importLegacyUsage(customerId: string, sessionId: string, bps: number): void {
    let sessions = this.#usage.get(customerId);
    if (sessions === undefined) this.#usage.set(customerId, (sessions = new Map()));
    sessions.set(sessionId, { bps, start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY });
    this.#owners.set(sessionId, customerId);
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
