import { canonicalVpnId, type Application, type Customer, type Sla, type Vpn } from '@svpn/policy';

import { PolicyConflictError, PolicyNotFoundError, PolicyReferenceError } from './errors.js';
import type { PolicyChange, PolicyEntities, PolicyKind } from './policy-store.js';

/**
 * The consistency rules of the policy data, written once for every store: a write is first planned
 * against what the store holds (reads only), then the store commits the plan atomically — the Redis
 * store inside WATCH/MULTI, retrying when another writer got in between.
 * @internal
 */

/** Reads a store answers while a write is planned. @internal */
export interface PolicyReader {
  get<K extends PolicyKind>(kind: K, id: string): Promise<PolicyEntities[K] | undefined>;
  list<K extends PolicyKind>(kind: K): Promise<PolicyEntities[K][]>;
  /** Which customer a CE is a site of. */
  siteOwner(ce: string): Promise<string | undefined>;
  /** Which VPN-ID a VPN name belongs to. */
  vpnIdByName(name: string): Promise<string | undefined>;
}

/** A write asked of the store. @internal */
export type PolicyWrite =
  | { [K in PolicyKind]: { op: 'create' | 'update'; kind: K; entity: PolicyEntities[K] } }[PolicyKind]
  | { op: 'delete'; kind: PolicyKind; id: string };

/** What to change, all at once. @internal */
export interface PolicyWritePlan {
  readonly put: { kind: PolicyKind; id: string; json: string } | undefined;
  readonly delete: { kind: PolicyKind; id: string } | undefined;
  /** CE → customer id. */
  readonly setSites: readonly (readonly [string, string])[];
  readonly deleteSites: readonly string[];
  /** VPN name → VPN-ID. */
  readonly setNames: readonly (readonly [string, string])[];
  readonly deleteNames: readonly string[];
  /** The entity as stored (for create/update). */
  readonly stored: PolicyEntities[PolicyKind] | undefined;
  readonly change: PolicyChange;
}

/** The id of an entity: customer/SLA id, canonical VPN-ID, application name. @internal */
export function policyIdOf<K extends PolicyKind>(kind: K, entity: PolicyEntities[K]): string {
  switch (kind) {
    case 'customer':
      return (entity as Customer).id;
    case 'sla':
      return (entity as Sla).id;
    case 'vpn':
      return canonicalVpnId((entity as Vpn).vpnId) ?? (entity as Vpn).vpnId;
    case 'application':
      return (entity as Application).name;
    default: {
      const never: never = kind;
      throw new Error(`unknown policy kind ${String(never)}`);
    }
  }
}

/** The canonical key of an id as given by a caller (VPN-IDs in any spelling). @internal */
export function policyKeyOf(kind: PolicyKind, id: string): string {
  return kind === 'vpn' ? (canonicalVpnId(id) ?? id) : id;
}

interface Draft {
  setSites: [string, string][];
  deleteSites: string[];
  setNames: [string, string][];
  deleteNames: string[];
}

const draft = (): Draft => ({ setSites: [], deleteSites: [], setNames: [], deleteNames: [] });

/**
 * Plans a write, or throws the typed error that refuses it.
 * @throws {@link PolicyNotFoundError}, {@link PolicyConflictError}, {@link PolicyReferenceError}
 * @internal
 */
export async function planPolicyWrite(reader: PolicyReader, write: PolicyWrite): Promise<PolicyWritePlan> {
  const d = draft();
  if (write.op === 'delete') {
    const id = policyKeyOf(write.kind, write.id);
    const existing = await reader.get(write.kind, id);
    if (existing === undefined) throw new PolicyNotFoundError(write.kind, id);
    await checkDelete(reader, write.kind, id, existing, d);
    return {
      put: undefined,
      delete: { kind: write.kind, id },
      ...d,
      stored: undefined,
      change: { kind: write.kind, id, op: 'delete' },
    };
  }
  const entity: PolicyEntities[PolicyKind] =
    write.kind === 'vpn' ? { ...write.entity, vpnId: policyIdOf('vpn', write.entity) } : write.entity;
  const id = policyIdOf(write.kind, entity);
  const existing = await reader.get(write.kind, id);
  if (write.op === 'create' && existing !== undefined) {
    throw new PolicyConflictError(write.kind, id, `${write.kind} ${id} already exists`);
  }
  if (write.op === 'update' && existing === undefined) throw new PolicyNotFoundError(write.kind, id);
  switch (write.kind) {
    case 'sla':
      break;
    case 'customer':
      await checkCustomer(reader, entity as Customer, existing as Customer | undefined, d);
      break;
    case 'vpn':
      await checkVpn(reader, entity as Vpn, existing as Vpn | undefined, d);
      break;
    case 'application':
      await checkApplication(reader, entity as Application);
      break;
  }
  return {
    put: { kind: write.kind, id, json: JSON.stringify(entity) },
    delete: undefined,
    ...d,
    stored: entity,
    change: { kind: write.kind, id, op: write.op },
  };
}

async function checkCustomer(
  reader: PolicyReader,
  customer: Customer,
  existing: Customer | undefined,
  d: Draft,
): Promise<void> {
  if ((await reader.get('sla', customer.slaId)) === undefined) {
    throw new PolicyReferenceError('customer', customer.id, `SLA ${customer.slaId} does not exist`);
  }
  const sites = new Set(customer.sites.map((s) => s.ce));
  for (const ce of sites) {
    const owner = await reader.siteOwner(ce);
    if (owner !== undefined && owner !== customer.id) {
      throw new PolicyConflictError(
        'customer',
        customer.id,
        `CE ${ce} is already a site of customer ${owner}`,
      );
    }
    d.setSites.push([ce, customer.id]);
  }
  const removed = (existing?.sites ?? []).map((s) => s.ce).filter((ce) => !sites.has(ce));
  if (removed.length > 0) {
    const users = (await reader.list('application')).filter(
      (a) => a.customerId === customer.id && removed.includes(a.ce),
    );
    if (users.length > 0) {
      throw new PolicyReferenceError(
        'customer',
        customer.id,
        `site ${users[0]?.ce} is the CE of application ${users[0]?.name}`,
      );
    }
    d.deleteSites.push(...removed);
  }
}

async function checkVpn(reader: PolicyReader, vpn: Vpn, existing: Vpn | undefined, d: Draft): Promise<void> {
  if ((await reader.get('customer', vpn.customerId)) === undefined) {
    throw new PolicyReferenceError('vpn', vpn.vpnId, `customer ${vpn.customerId} does not exist`);
  }
  const holder = await reader.vpnIdByName(vpn.name);
  if (holder !== undefined && holder !== vpn.vpnId) {
    throw new PolicyConflictError('vpn', vpn.vpnId, `VPN name ${vpn.name} is taken by VPN ${holder}`);
  }
  if (existing !== undefined && existing.name !== vpn.name) d.deleteNames.push(existing.name);
  d.setNames.push([vpn.name, vpn.vpnId]);
}

async function checkApplication(reader: PolicyReader, application: Application): Promise<void> {
  const { name, customerId } = application;
  if ((await reader.get('customer', customerId)) === undefined) {
    throw new PolicyReferenceError('application', name, `customer ${customerId} does not exist`);
  }
  if ((await reader.siteOwner(application.ce)) !== customerId) {
    throw new PolicyReferenceError(
      'application',
      name,
      `CE ${application.ce} is not a site of customer ${customerId}`,
    );
  }
  for (const vpnId of application.vpns) {
    if ((await reader.get('vpn', vpnId)) === undefined) {
      throw new PolicyReferenceError('application', name, `VPN ${vpnId} does not exist`);
    }
  }
}

async function checkDelete(
  reader: PolicyReader,
  kind: PolicyKind,
  id: string,
  existing: PolicyEntities[PolicyKind],
  d: Draft,
): Promise<void> {
  switch (kind) {
    case 'sla': {
      const user = (await reader.list('customer')).find((c) => c.slaId === id);
      if (user !== undefined) throw new PolicyReferenceError('sla', id, `customer ${user.id} uses SLA ${id}`);
      return;
    }
    case 'customer': {
      const vpn = (await reader.list('vpn')).find((v) => v.customerId === id);
      if (vpn !== undefined)
        throw new PolicyReferenceError('customer', id, `VPN ${vpn.vpnId} belongs to customer ${id}`);
      const app = (await reader.list('application')).find((a) => a.customerId === id);
      if (app !== undefined) {
        throw new PolicyReferenceError('customer', id, `application ${app.name} belongs to customer ${id}`);
      }
      d.deleteSites.push(...(existing as Customer).sites.map((s) => s.ce));
      return;
    }
    case 'vpn': {
      const member = (await reader.list('application')).find((a) => a.vpns.includes(id));
      if (member !== undefined) {
        throw new PolicyReferenceError('vpn', id, `application ${member.name} is a member of VPN ${id}`);
      }
      d.deleteNames.push((existing as Vpn).name);
      return;
    }
    case 'application':
      return;
  }
}
