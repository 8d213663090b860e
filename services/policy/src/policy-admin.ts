import {
  applicationView,
  parseApplication,
  parseCustomer,
  parseSla,
  parseVpn,
  type Application,
  type ApplicationView,
  type Customer,
  type Ha1Set,
  type Sla,
  type Vpn,
} from '@svpn/policy';
import { DEFAULT_PRECEDENCE_MAP, type PrecedenceMap } from '@svpn/qos';
import { computeHa1Set } from '@svpn/sip';
import { PolicyNotFoundError, PolicyReferenceError, type PolicyStore } from '@svpn/store';

import type {
  ApplicationCreateBody,
  ApplicationPatchBody,
  ApplicationPutBody,
  CustomerCreateBody,
  CustomerPutBody,
} from './schemas.js';

/** Caller input for {@link PolicyAdmin}. */
export interface PolicyAdminOptions {
  readonly store: PolicyStore;
  /** Digest realm new passwords are hashed for. */
  readonly realm: string;
  /** Reads SLA entitlements. @defaultValue `DEFAULT_PRECEDENCE_MAP` */
  readonly precedenceMap?: PrecedenceMap;
}

/** H(A1) for every hash the gateway may ask for (RFC 7616 §3.4.2, RFC 8760): the password itself is not kept. */
export function hashPassword(username: string, realm: string, password: string): Ha1Set {
  const set = computeHa1Set({ username, realm, password, hashes: ['MD5', 'SHA-256', 'SHA-512-256'] });
  return {
    MD5: set.MD5 as string,
    'SHA-256': set['SHA-256'] as string,
    'SHA-512-256': set['SHA-512-256'] as string,
  };
}

/**
 * The admin operations behind `/v1/customers`, `/v1/applications`, `/v1/vpns` and `/v1/slas`: bodies
 * are merged with defaults (create), the path id (replace) or the stored entity (patch), parsed with
 * the model's rules (`parseX`: 400 on failure), VPN references resolved to canonical VPN-IDs, passwords
 * turned into H(A1) values, and written through the store (which keeps ids unique and references
 * whole). Applications come back without their H(A1).
 *
 * A patch reads, merges and replaces: two admins patching the same entity at once can lose one change.
 */
export class PolicyAdmin {
  readonly #store: PolicyStore;
  readonly #realm: string;
  readonly #precedenceMap: PrecedenceMap;

  constructor(options: PolicyAdminOptions) {
    this.#store = options.store;
    this.#realm = options.realm;
    this.#precedenceMap = options.precedenceMap ?? DEFAULT_PRECEDENCE_MAP;
  }

  // ── SLAs ──
  createSla(body: unknown): Promise<Sla> {
    return this.#store.createSla(parseSla(body, this.#precedenceMap));
  }
  replaceSla(id: string, body: object): Promise<Sla> {
    return this.#store.updateSla(parseSla({ ...body, id }, this.#precedenceMap));
  }
  async patchSla(id: string, patch: object): Promise<Sla> {
    const existing = await this.#must('sla', id, this.#store.getSla(id));
    return this.replaceSla(id, { ...existing, ...patch });
  }

  // ── customers ──
  createCustomer(body: CustomerCreateBody): Promise<Customer> {
    return this.#store.createCustomer(parseCustomer({ enabled: true, sites: [], ...body }));
  }
  replaceCustomer(id: string, body: CustomerPutBody): Promise<Customer> {
    return this.#store.updateCustomer(parseCustomer({ enabled: true, sites: [], ...body, id }));
  }
  async patchCustomer(id: string, patch: Partial<CustomerPutBody>): Promise<Customer> {
    const existing = await this.#must('customer', id, this.#store.getCustomer(id));
    return this.replaceCustomer(id, { ...existing, ...patch });
  }

  // ── VPNs (addressed by VPN-ID or name) ──
  createVpn(body: unknown): Promise<Vpn> {
    return this.#store.createVpn(parseVpn(body));
  }
  async replaceVpn(idOrName: string, body: object): Promise<Vpn> {
    const existing = await this.#must('vpn', idOrName, this.#store.resolveVpn(idOrName));
    return this.#store.updateVpn(parseVpn({ ...body, vpnId: existing.vpnId }));
  }
  async patchVpn(idOrName: string, patch: object): Promise<Vpn> {
    const existing = await this.#must('vpn', idOrName, this.#store.resolveVpn(idOrName));
    return this.#store.updateVpn(parseVpn({ ...existing, ...patch, vpnId: existing.vpnId }));
  }
  async deleteVpn(idOrName: string): Promise<void> {
    const existing = await this.#must('vpn', idOrName, this.#store.resolveVpn(idOrName));
    await this.#store.deleteVpn(existing.vpnId);
  }
  async getVpn(idOrName: string): Promise<Vpn> {
    return this.#must('vpn', idOrName, this.#store.resolveVpn(idOrName));
  }

  // ── applications (never returned with their H(A1)) ──
  async createApplication(body: ApplicationCreateBody): Promise<ApplicationView> {
    const { password, vpns, ...rest } = body;
    const application = parseApplication({
      enabled: true,
      ...rest,
      vpns: await this.#vpnIds(body.name, vpns ?? []),
      realm: this.#realm,
      ha1: hashPassword(body.name, this.#realm, password),
    });
    return applicationView(await this.#store.createApplication(application));
  }

  async replaceApplication(name: string, body: ApplicationPutBody): Promise<ApplicationView> {
    const existing = await this.#must('application', name, this.#store.getApplication(name));
    return this.#replaceApplication(existing, body);
  }

  async patchApplication(name: string, patch: ApplicationPatchBody): Promise<ApplicationView> {
    const existing = await this.#must('application', name, this.#store.getApplication(name));
    const { ha1: _ha1, realm: _realm, name: _name, ...current } = existing;
    return this.#replaceApplication(existing, { ...current, ...patch });
  }

  async findApplication(name: string): Promise<ApplicationView | undefined> {
    const found = await this.#store.getApplication(name);
    return found === undefined ? undefined : applicationView(found);
  }

  async listApplications(): Promise<ApplicationView[]> {
    return (await this.#store.listApplications()).map(applicationView);
  }

  async #replaceApplication(existing: Application, body: ApplicationPutBody): Promise<ApplicationView> {
    const { password, vpns, ...rest } = body;
    const credentials =
      password === undefined
        ? { realm: existing.realm, ha1: existing.ha1 }
        : { realm: this.#realm, ha1: hashPassword(existing.name, this.#realm, password) };
    const application = parseApplication({
      enabled: true,
      ...rest,
      name: existing.name,
      vpns: await this.#vpnIds(existing.name, vpns),
      ...credentials,
    });
    return applicationView(await this.#store.updateApplication(application));
  }

  /** VPN-IDs or names → canonical VPN-IDs, once each. */
  async #vpnIds(application: string, refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const vpn = await this.#store.resolveVpn(ref);
      if (vpn === undefined)
        throw new PolicyReferenceError('application', application, `VPN ${ref} does not exist`);
      if (!ids.includes(vpn.vpnId)) ids.push(vpn.vpnId);
    }
    return ids;
  }

  async #must<T>(
    kind: 'customer' | 'application' | 'vpn' | 'sla',
    id: string,
    found: Promise<T | undefined>,
  ): Promise<T> {
    const value = await found;
    if (value === undefined) throw new PolicyNotFoundError(kind, id);
    return value;
  }
}
