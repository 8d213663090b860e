import type { Application, Customer, PolicyFacts, Sla, Vpn } from '../../src/index.js';

/** The demo's acme, as plain data (H(A1) values are placeholders: decide never reads them). */
export const acmeSla: Sla = {
  id: 'acme-standard',
  maxSessionBps: 1_000_000_000,
  maxTotalBps: 2_000_000_000,
  maxSessions: 10,
  serviceClasses: ['high-throughput-data', 'low-latency-data', 'multimedia-streaming'],
  maxPrecedence: 'dsn.priority',
  maxDurationS: 86_400,
  mayShrink: true,
  minBps: 100_000_000,
  chargingProfile: 'acme-storage',
};

export const acme: Customer = {
  id: 'acme',
  name: 'Acme Storage Inc.',
  slaId: 'acme-standard',
  enabled: true,
  sites: [
    { ce: 'CE1', pe: 'PE1', interface: 'ge-0/0/1.100' },
    { ce: 'CE2', pe: 'PE4', interface: 'ge-0/0/2.100' },
  ],
};

export const acmeStorage: Vpn = {
  vpnId: '00000a:00000001',
  name: 'acme-storage',
  customerId: 'acme',
  rd: '65000:1',
  importTargets: ['target:65000:1'],
  exportTargets: ['target:65000:1'],
};

export const primaryDc: Application = {
  name: 'primary-dc',
  customerId: 'acme',
  realm: 'svpn.example.net',
  ha1: { MD5: '0'.repeat(32), 'SHA-256': '0'.repeat(64) },
  ce: 'CE1',
  vpns: ['00000a:00000001'],
  enabled: true,
};

export function acmeFacts(overrides: Partial<PolicyFacts> = {}): PolicyFacts {
  return {
    application: primaryDc,
    customer: acme,
    vpn: acmeStorage,
    sla: acmeSla,
    usage: { activeSessions: 0, reservedBps: 0 },
    ...overrides,
  };
}
