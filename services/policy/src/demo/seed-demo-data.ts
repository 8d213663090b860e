import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseCustomer, parseSla, parseVpn, PolicyDataInvalidError } from '@svpn/policy';
import type { PolicyStore } from '@svpn/store';

import { PolicyAdmin } from '../policy-admin.js';
import { ApplicationCreateBody } from '../schemas.js';

/** The demo data shipped with the project: `deploy/demo/policy-data.json`. */
export const DEMO_POLICY_DATA_FILE = new URL('../../../../deploy/demo/policy-data.json', import.meta.url);

/**
 * The shape of a policy data file: SLAs, customers (with their CE sites), VPNs, and applications with
 * clear-text passwords (hashed into H(A1) when seeded), in dependency order.
 */
export const PolicyDataFileSchema = Type.Object({
  description: Type.Optional(Type.String()),
  /** Digest realm the passwords are hashed for. */
  realm: Type.String({ minLength: 1 }),
  slas: Type.Array(Type.Unknown()),
  customers: Type.Array(Type.Unknown()),
  vpns: Type.Array(Type.Unknown()),
  applications: Type.Array(ApplicationCreateBody),
});

/** A policy data file's content. */
export type PolicyDataFile = Static<typeof PolicyDataFileSchema>;

/**
 * Reads and checks a policy data file (default: the demo's).
 * @throws {@link PolicyDataInvalidError} listing every problem
 */
export function loadPolicyDataFile(file: string | URL = DEMO_POLICY_DATA_FILE): PolicyDataFile {
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = [...Value.Errors(PolicyDataFileSchema, json)].map((e) => ({
    path: e.path,
    message: e.message,
  }));
  if (problems.length > 0) throw new PolicyDataInvalidError('policy data file', problems);
  const data = json as PolicyDataFile;
  // Check every entity before writing any, so a bad file leaves the store as it was.
  data.slas.forEach((s) => parseSla(s));
  data.customers.forEach((c) => parseCustomer(c));
  data.vpns.forEach((v) => parseVpn(v));
  return data;
}

/** What seeding did: `kind:id` of each entity created, and of each left as it was. */
export interface SeedReport {
  readonly created: string[];
  readonly kept: string[];
}

/** Caller input for {@link seedDemoData}. */
export interface SeedOptions {
  /** The data file. @defaultValue {@link DEMO_POLICY_DATA_FILE} */
  readonly file?: string | URL;
  /** Realm to hash passwords for. @defaultValue the file's `realm` */
  readonly realm?: string;
}

/**
 * Seeds the demo policy data (used by `svpn up` unless `--no-demo`): creates each SLA, customer, VPN
 * and application that does not exist yet and leaves those that do as they are (an operator's change
 * survives a restart). Idempotent: a second run creates nothing.
 */
export async function seedDemoData(store: PolicyStore, options: SeedOptions = {}): Promise<SeedReport> {
  const data = loadPolicyDataFile(options.file);
  const realm = options.realm ?? data.realm;
  const admin = new PolicyAdmin({ store, realm });
  const report: SeedReport = { created: [], kept: [] };
  const ensure = async (
    label: string,
    exists: Promise<unknown>,
    create: () => Promise<unknown>,
  ): Promise<void> => {
    if ((await exists) !== undefined) {
      report.kept.push(label);
      return;
    }
    await create();
    report.created.push(label);
  };
  for (const raw of data.slas) {
    const sla = parseSla(raw);
    await ensure(`sla:${sla.id}`, store.getSla(sla.id), () => store.createSla(sla));
  }
  for (const raw of data.customers) {
    const customer = parseCustomer(raw);
    await ensure(`customer:${customer.id}`, store.getCustomer(customer.id), () =>
      store.createCustomer(customer),
    );
  }
  for (const raw of data.vpns) {
    const vpn = parseVpn(raw);
    await ensure(`vpn:${vpn.vpnId}`, store.getVpn(vpn.vpnId), () => store.createVpn(vpn));
  }
  for (const app of data.applications) {
    await ensure(`application:${app.name}`, store.getApplication(app.name), () =>
      admin.createApplication(app),
    );
  }
  return report;
}
