import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Application, Customer, Sla, Vpn } from '@svpn/policy';

import {
  PolicyConflictError,
  PolicyNotFoundError,
  PolicyReferenceError,
  UsageClaimInvalidError,
  UsageOwnerError,
  type PolicyChange,
  type PolicyStore,
} from '../../src/index.js';

/**
 * The one conformance suite every {@link PolicyStore} passes (STYLE.md "Module boundaries"): run
 * against the in-memory fake in the unit run and against Redis in the integration run.
 */
export interface StoreFactory {
  /** A fresh, empty store of its own (a unique key prefix for Redis). */
  make(): Promise<PolicyStore>;
  /** Stores a usage entry as stores did before claims had windows (bit/s only). */
  putLegacyUsage(store: PolicyStore, customerId: string, sessionId: string, bps: number): Promise<void>;
}

export const sla: Sla = {
  id: 'acme-standard',
  maxSessionBps: 1_000_000_000,
  maxTotalBps: 2_000_000_000,
  maxSessions: 10,
  serviceClasses: ['high-throughput-data', 'low-latency-data', 'multimedia-streaming'],
  maxPrecedence: 'dsn.priority',
  mayShrink: false,
  chargingProfile: 'acme-storage',
};

export const customer: Customer = {
  id: 'acme',
  name: 'Acme',
  slaId: 'acme-standard',
  enabled: true,
  sites: [
    { ce: 'CE1', pe: 'PE1', interface: 'ge-0/0/1.100' },
    { ce: 'CE2', pe: 'PE4', interface: 'ge-0/0/9' },
  ],
};

export const vpn: Vpn = {
  vpnId: '00000a:00000001',
  name: 'acme-storage',
  customerId: 'acme',
  rd: '65000:1',
  importTargets: ['target:65000:1'],
  exportTargets: ['target:65000:1'],
};

export const app: Application = {
  name: 'primary-dc',
  customerId: 'acme',
  realm: 'svpn.example.net',
  ha1: { MD5: 'a'.repeat(32), 'SHA-256': 'b'.repeat(64) },
  ce: 'CE1',
  vpns: ['00000a:00000001'],
  enabled: true,
};

/** SLA, customer, VPN and application of the fixture, in dependency order. */
export async function seed(store: PolicyStore): Promise<void> {
  await store.createSla(sla);
  await store.createCustomer(customer);
  await store.createVpn(vpn);
  await store.createApplication(app);
}

async function eventually(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function policyStoreConformance(name: string, factory: StoreFactory): void {
  describe(`PolicyStore conformance: ${name}`, () => {
    describe('CRUD', () => {
      it('creates, reads, lists, updates and deletes each kind', async () => {
        const store = await factory.make();
        assert.equal(await store.getSla(sla.id), undefined);
        assert.deepEqual(await store.listCustomers(), []);
        await seed(store);
        assert.deepEqual(await store.getSla(sla.id), sla);
        assert.deepEqual(await store.getCustomer('acme'), customer);
        assert.deepEqual(await store.getVpn('00000a:00000001'), vpn);
        assert.deepEqual(await store.getApplication('primary-dc'), app);

        await store.createSla({ ...sla, id: 'bronze' });
        assert.deepEqual(
          (await store.listSlas()).map((s) => s.id),
          ['acme-standard', 'bronze'],
          'lists are sorted by id',
        );
        assert.equal((await store.listCustomers()).length, 1);
        assert.equal((await store.listVpns()).length, 1);
        assert.equal((await store.listApplications()).length, 1);

        assert.deepEqual(await store.updateSla({ ...sla, maxSessions: 3 }), { ...sla, maxSessions: 3 });
        assert.equal((await store.getSla(sla.id))?.maxSessions, 3);
        await store.updateApplication({ ...app, enabled: false });
        assert.equal((await store.getApplication('primary-dc'))?.enabled, false);

        await store.deleteApplication('primary-dc');
        await store.deleteVpn('00000a:00000001');
        await store.deleteCustomer('acme');
        await store.deleteSla(sla.id);
        assert.equal(await store.getApplication('primary-dc'), undefined);
        assert.equal(await store.getVpn(vpn.vpnId), undefined);
        assert.equal(await store.getCustomer('acme'), undefined);
        assert.deepEqual(
          (await store.listSlas()).map((s) => s.id),
          ['bronze'],
        );
        await store.close();
      });

      it('duplicates conflict; updating or deleting what is missing is not found', async () => {
        const store = await factory.make();
        await seed(store);
        await assert.rejects(store.createSla(sla), PolicyConflictError);
        await assert.rejects(store.createCustomer(customer), PolicyConflictError);
        await assert.rejects(store.createVpn({ ...vpn, vpnId: 'A:1', name: 'other' }), PolicyConflictError);
        await assert.rejects(store.createApplication(app), PolicyConflictError);
        await assert.rejects(store.updateSla({ ...sla, id: 'nope' }), PolicyNotFoundError);
        await assert.rejects(store.updateCustomer({ ...customer, id: 'nope' }), PolicyNotFoundError);
        await assert.rejects(store.updateVpn({ ...vpn, vpnId: '00000a:00000002' }), PolicyNotFoundError);
        await assert.rejects(store.updateApplication({ ...app, name: 'nope' }), PolicyNotFoundError);
        await assert.rejects(
          store.deleteSla('nope'),
          (e: unknown) => e instanceof PolicyNotFoundError && e.kind === 'sla',
        );
        await assert.rejects(store.deleteCustomer('nope'), PolicyNotFoundError);
        await assert.rejects(store.deleteVpn('00000a:00000009'), PolicyNotFoundError);
        await assert.rejects(store.deleteApplication('nope'), PolicyNotFoundError);
        await store.close();
      });

      it('what a caller gets is a copy: changing it changes nothing stored', async () => {
        const store = await factory.make();
        await seed(store);
        const got = (await store.getCustomer('acme')) as Customer;
        got.sites.push({ ce: 'CE9', pe: 'PE9', interface: 'ge-0/0/9' });
        assert.equal((await store.getCustomer('acme'))?.sites.length, 2);
        await store.close();
      });
    });

    describe('consistency rules', () => {
      it('references must exist: customer → SLA, VPN → customer, application → customer, CE, VPNs', async () => {
        const store = await factory.make();
        await assert.rejects(store.createCustomer(customer), /SLA acme-standard does not exist/);
        await store.createSla(sla);
        await assert.rejects(
          store.createVpn(vpn),
          (e: unknown) => e instanceof PolicyReferenceError && /customer acme/.test(e.message),
        );
        await store.createCustomer(customer);
        await assert.rejects(store.createApplication(app), /VPN 00000a:00000001 does not exist/);
        await store.createVpn(vpn);
        await assert.rejects(
          store.createApplication({ ...app, ce: 'CE7' }),
          /CE CE7 is not a site of customer acme/,
        );
        await assert.rejects(
          store.createApplication({ ...app, customerId: 'ghost' }),
          /customer ghost does not exist/,
        );
        await store.createApplication(app);
        await assert.rejects(store.updateCustomer({ ...customer, slaId: 'ghost' }), PolicyReferenceError);
        await store.close();
      });

      it('what is still named cannot be deleted', async () => {
        const store = await factory.make();
        await seed(store);
        await assert.rejects(store.deleteSla(sla.id), /customer acme uses SLA acme-standard/);
        await assert.rejects(store.deleteCustomer('acme'), /VPN 00000a:00000001 belongs to customer acme/);
        await assert.rejects(store.deleteVpn(vpn.vpnId), /application primary-dc is a member/);
        await assert.rejects(
          store.updateCustomer({ ...customer, sites: [{ ce: 'CE2', pe: 'PE4', interface: 'ge-0/0/9' }] }),
          /site CE1 is the CE of application primary-dc/,
        );
        await store.updateApplication({ ...app, vpns: [] });
        await store.deleteVpn(vpn.vpnId);
        await assert.rejects(store.deleteCustomer('acme'), /application primary-dc belongs to customer acme/);
        await store.close();
      });

      it('a CE is the site of one customer; sites move with updates and go with the customer', async () => {
        const store = await factory.make();
        await store.createSla(sla);
        await store.createCustomer(customer);
        await assert.rejects(
          store.createCustomer({
            ...customer,
            id: 'globex',
            sites: [{ ce: 'CE2', pe: 'PE5', interface: 'ge-0/0/9' }],
          }),
          (e: unknown) =>
            e instanceof PolicyConflictError && /CE CE2 is already a site of customer acme/.test(e.message),
        );
        assert.deepEqual(await store.getSite('CE1'), {
          ce: 'CE1',
          pe: 'PE1',
          interface: 'ge-0/0/1.100',
          customerId: 'acme',
        });
        await store.updateCustomer({ ...customer, sites: [{ ce: 'CE1', pe: 'PE2', interface: 'ge-0/0/9' }] });
        assert.equal((await store.getSite('CE1'))?.pe, 'PE2');
        assert.equal(await store.getSite('CE2'), undefined);
        await store.createCustomer({
          ...customer,
          id: 'globex',
          sites: [{ ce: 'CE2', pe: 'PE5', interface: 'ge-0/0/9' }],
        });
        assert.equal((await store.getSite('CE2'))?.customerId, 'globex');
        await store.deleteCustomer('globex');
        assert.equal(await store.getSite('CE2'), undefined);
        await store.close();
      });

      it('VPN names are unique; a rename frees the old name', async () => {
        const store = await factory.make();
        await seed(store);
        await assert.rejects(
          store.createVpn({ ...vpn, vpnId: '00000a:00000002' }),
          /VPN name acme-storage is taken by VPN 00000a:00000001/,
        );
        await store.updateVpn({ ...vpn, name: 'acme-backup' });
        assert.equal(await store.resolveVpn('acme-storage'), undefined);
        assert.equal((await store.resolveVpn('acme-backup'))?.vpnId, vpn.vpnId);
        await store.createVpn({ ...vpn, vpnId: '00000a:00000002' });
        assert.equal((await store.resolveVpn('acme-storage'))?.vpnId, '00000a:00000002');
        await store.close();
      });
    });

    describe('hot-path lookups', () => {
      it('resolveVpn takes any spelling of the VPN-ID, or the name; VPN-IDs are stored canonical', async () => {
        const store = await factory.make();
        await store.createSla(sla);
        await store.createCustomer(customer);
        await store.createVpn({ ...vpn, vpnId: 'A:1' });
        for (const asked of ['00000a:00000001', 'a:1', '00000A:00000001', 'acme-storage']) {
          assert.equal((await store.resolveVpn(asked))?.vpnId, '00000a:00000001', asked);
        }
        assert.equal((await store.getVpn('a:1'))?.name, 'acme-storage');
        assert.equal(await store.resolveVpn('globex-grid'), undefined);
        assert.equal(await store.resolveVpn('00000b:00000001'), undefined);
        await store.close();
      });

      it('getCredentials: H(A1) per algorithm for the realm; nothing for another realm or a disabled application', async () => {
        const store = await factory.make();
        await seed(store);
        assert.equal(await store.getCredentials('primary-dc', 'svpn.example.net', 'MD5'), 'a'.repeat(32));
        assert.equal(await store.getCredentials('primary-dc', 'svpn.example.net', 'SHA-256'), 'b'.repeat(64));
        assert.equal(await store.getCredentials('primary-dc', 'svpn.example.net', 'SHA-512-256'), undefined);
        assert.equal(await store.getCredentials('primary-dc', 'other.example.net', 'MD5'), undefined);
        assert.equal(await store.getCredentials('nobody', 'svpn.example.net', 'MD5'), undefined);
        await store.updateApplication({ ...app, enabled: false });
        assert.equal(await store.getCredentials('primary-dc', 'svpn.example.net', 'MD5'), undefined);
        await store.close();
      });

      it('membership by VPN-ID or name, only for enabled applications', async () => {
        const store = await factory.make();
        await seed(store);
        assert.equal(await store.membership('primary-dc', '00000a:00000001'), true);
        assert.equal(await store.membership('primary-dc', 'a:1'), true);
        assert.equal(await store.membership('primary-dc', 'acme-storage'), true);
        assert.equal(await store.membership('primary-dc', '00000b:00000001'), false);
        assert.equal(await store.membership('primary-dc', 'globex-grid'), false);
        assert.equal(await store.membership('nobody', 'acme-storage'), false);
        await store.updateApplication({ ...app, enabled: false });
        assert.equal(await store.membership('primary-dc', 'acme-storage'), false);
        await store.close();
      });
    });

    describe('usage counters', () => {
      // Claims made at T (now) with no window: from T on, open-ended (what a SIP call without a
      // maximum duration claims).
      const T = Date.now();
      const claim = (sessionId: string, bps: number, limits = { maxSessions: 2, maxTotalBps: 1000 }) => ({
        customerId: 'acme',
        sessionId,
        bps,
        ...limits,
        now: T,
      });

      it('claims count sessions and bit/s; release is idempotent', async () => {
        const store = await factory.make();
        assert.deepEqual(await store.getUsage('acme'), { activeSessions: 0, reservedBps: 0 });
        assert.deepEqual(await store.claimUsage(claim('s1', 300)), {
          ok: true,
          usage: { activeSessions: 1, reservedBps: 300 },
          previousBps: undefined,
        });
        await store.claimUsage(claim('s2', 500));
        assert.deepEqual(await store.getUsage('acme'), { activeSessions: 2, reservedBps: 800 });
        assert.deepEqual(await store.getSessionUsage('s2'), {
          sessionId: 's2',
          customerId: 'acme',
          bps: 500,
          start: T,
          end: null,
        });
        assert.deepEqual(
          (await store.listUsage('acme')).map((u) => [u.sessionId, u.bps]),
          [
            ['s1', 300],
            ['s2', 500],
          ],
        );
        assert.equal(await store.releaseUsage('s1'), true);
        assert.equal(await store.releaseUsage('s1'), false);
        assert.equal(await store.getSessionUsage('s1'), undefined);
        assert.deepEqual(await store.getUsage('acme'), { activeSessions: 1, reservedBps: 500 });
        await store.close();
      });

      it('a new session beyond the limits is refused; a change counts only its delta; lowering always succeeds', async () => {
        const store = await factory.make();
        await store.claimUsage(claim('s1', 300));
        await store.claimUsage(claim('s2', 500));
        // Refusals answer what the claim had to fit beside: the customer's other claims.
        assert.deepEqual(await store.claimUsage(claim('s3', 1)), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 2, reservedBps: 800 },
        });
        // s1 300 → 500: 1000 in total, exactly the limit.
        assert.deepEqual(await store.claimUsage(claim('s1', 500)), {
          ok: true,
          usage: { activeSessions: 2, reservedBps: 1000 },
          previousBps: 300,
        });
        assert.deepEqual(await store.claimUsage(claim('s1', 501)), {
          ok: false,
          reason: 'total-bandwidth',
          usage: { activeSessions: 1, reservedBps: 500 },
        });
        // The SLA shrank under the customer: lowering a session still succeeds.
        const tight = { maxSessions: 1, maxTotalBps: 100 };
        assert.equal((await store.claimUsage(claim('s2', 400, tight))).ok, true);
        assert.deepEqual(await store.getUsage('acme'), { activeSessions: 2, reservedBps: 900 });
        await store.close();
      });

      it('concurrent claims never exceed the limits', async () => {
        const store = await factory.make();
        const results = await Promise.all(
          Array.from({ length: 25 }, (_, i) =>
            store.claimUsage(claim(`c${i}`, 10, { maxSessions: 7, maxTotalBps: 1_000_000 })),
          ),
        );
        assert.equal(results.filter((r) => r.ok).length, 7);
        assert.deepEqual(await store.getUsage('acme'), { activeSessions: 7, reservedBps: 70 });
        await store.close();
      });

      it("a session id is one customer's", async () => {
        const store = await factory.make();
        await store.claimUsage(claim('s1', 10));
        await assert.rejects(
          store.claimUsage({ ...claim('s1', 10), customerId: 'globex' }),
          (e: unknown) => e instanceof UsageOwnerError && e.owner === 'acme',
        );
        assert.deepEqual(await store.getUsage('globex'), { activeSessions: 0, reservedBps: 0 });
        await store.close();
      });
    });

    describe('usage windows', () => {
      // Boundary instants as a table (STYLE.md "Fixtures"): T is now; H an hour. Windows are [start, end).
      const T = Date.UTC(2030, 0, 1, 9, 0, 0);
      const H = 3_600_000;
      const limits = (maxSessions: number, maxTotalBps = 1_000_000) => ({ maxSessions, maxTotalBps });
      const booking = (
        sessionId: string,
        bps: number,
        from: number,
        to: number,
        max = limits(10, 1000),
        now = T,
      ) => ({ customerId: 'acme', sessionId, bps, ...max, start: T + from, end: T + to, now });

      it('two bookings in disjoint windows both fit one session; an overlapping one is refused', async () => {
        const store = await factory.make();
        // | session | start | end |   maxSessions 1
        // | a       | T+1h  | T+2h |
        // | b       | T+2h  | T+3h |  (starts as a ends: no overlap)
        // | c       | T+1h30| T+2h30|  overlaps both: refused
        assert.equal((await store.claimUsage(booking('a', 100, H, 2 * H, limits(1)))).ok, true);
        assert.equal((await store.claimUsage(booking('b', 100, 2 * H, 3 * H, limits(1)))).ok, true);
        assert.deepEqual(await store.claimUsage(booking('c', 100, 1.5 * H, 2.5 * H, limits(1))), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 1, reservedBps: 100 },
        });
        assert.equal(await store.getSessionUsage('c', T), undefined);
        // Bit/s the same way: 600 + 600 in disjoint windows fit 1000; 500 beside either does not.
        assert.equal((await store.claimUsage(booking('d', 500, 3 * H, 4 * H))).ok, true);
        assert.deepEqual(await store.claimUsage(booking('e', 500, 3.5 * H, 5 * H)), {
          ok: true,
          usage: { activeSessions: 2, reservedBps: 1000 },
          previousBps: undefined,
        });
        assert.deepEqual(await store.claimUsage(booking('f', 1, 3.75 * H, 4.5 * H)), {
          ok: false,
          reason: 'total-bandwidth',
          usage: { activeSessions: 2, reservedBps: 1000 },
        });
        await store.close();
      });

      it('the check is the peak: bit/s and sessions at the busiest instant of the window', async () => {
        const store = await factory.make();
        // | session | bps | start | end |
        // | x       | 400 | T+1h  | T+2h |
        // | y       | 400 | T+3h  | T+4h |
        // | z       | 500 | T     | T+5h |  beside x or y: 900 at most
        for (const [id, bps, from, to] of [
          ['x', 400, H, 2 * H],
          ['y', 400, 3 * H, 4 * H],
          ['z', 500, 0, 5 * H],
        ] as const) {
          assert.equal((await store.claimUsage(booking(id, bps, from, to))).ok, true, id);
        }
        assert.deepEqual(await store.peakUsage('acme', { start: T, end: T + 5 * H }, { now: T }), {
          activeSessions: 2,
          reservedBps: 900,
        });
        // w over [T+1h30, T+3h30) meets x+z (900) and y+z (900), never all three.
        assert.deepEqual(await store.claimUsage(booking('w', 200, 1.5 * H, 3.5 * H)), {
          ok: false,
          reason: 'total-bandwidth',
          usage: { activeSessions: 2, reservedBps: 900 },
        });
        assert.equal((await store.claimUsage(booking('w', 100, 1.5 * H, 3.5 * H))).ok, true);
        // x ends at T+2h and w starts at T+3h30: [T+2h, T+3h) holds z and w only.
        assert.deepEqual(await store.peakUsage('acme', { start: T + 2 * H, end: T + 3 * H }, { now: T }), {
          activeSessions: 2,
          reservedBps: 600,
        });
        assert.deepEqual(
          await store.peakUsage('acme', { start: T, end: T + 5 * H }, { now: T, excludeSessionId: 'z' }),
          { activeSessions: 2, reservedBps: 500 },
        );
        // Sessions: a third session at T+1h30 meets three others.
        assert.deepEqual(await store.claimUsage(booking('v', 1, 1.75 * H, 1.8 * H, limits(3, 2000))), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 3, reservedBps: 1000 },
        });
        await store.close();
      });

      it('an open-ended claim counts in every later window; one that ends before a booking does not', async () => {
        const store = await factory.make();
        // A booking for T+1h … T+2h, then calls now with one session allowed.
        assert.equal((await store.claimUsage(booking('later', 100, H, 2 * H, limits(1)))).ok, true);
        // A call limited to 30 min ends before the booking starts; one ending exactly at T+1h too.
        assert.equal((await store.claimUsage(booking('short', 100, 0, 0.5 * H, limits(1)))).ok, true);
        assert.equal(await store.releaseUsage('short'), true);
        assert.equal((await store.claimUsage(booking('until', 100, 0, H, limits(1)))).ok, true);
        assert.equal(await store.releaseUsage('until'), true);
        // An open-ended call would still be up at T+1h.
        const open = { customerId: 'acme', sessionId: 'open', bps: 100, ...limits(1), now: T };
        assert.deepEqual(await store.claimUsage(open), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 1, reservedBps: 100 },
        });
        // The other way round: an open-ended call now refuses any booking after it.
        await store.releaseUsage('later');
        assert.equal((await store.claimUsage(open)).ok, true);
        assert.equal((await store.claimUsage(booking('tomorrow', 100, 24 * H, 25 * H, limits(1)))).ok, false);
        await store.close();
      });

      it('usage views show now; listUsage shows windows and, when asked, what is booked for later', async () => {
        const store = await factory.make();
        await store.claimUsage(booking('now', 300, 0, H));
        await store.claimUsage(booking('later', 200, 2 * H, 3 * H));
        await store.claimUsage({ customerId: 'acme', sessionId: 'open', bps: 100, ...limits(10), now: T });
        assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 2, reservedBps: 400 });
        assert.deepEqual(await store.getUsage('acme', T + 2 * H), { activeSessions: 2, reservedBps: 300 });
        assert.deepEqual(await store.getUsage('acme', T - 1), { activeSessions: 0, reservedBps: 0 });
        assert.deepEqual(await store.listUsage('acme', { at: T }), [
          { sessionId: 'now', customerId: 'acme', bps: 300, start: T, end: T + H },
          { sessionId: 'open', customerId: 'acme', bps: 100, start: T, end: null },
        ]);
        assert.deepEqual(
          (await store.listUsage('acme', { at: T, upcoming: true })).map((u) => [
            u.sessionId,
            u.start,
            u.end,
          ]),
          [
            ['later', T + 2 * H, T + 3 * H],
            ['now', T, T + H],
            ['open', T, null],
          ],
        );
        // A booking is held (getSessionUsage) before it counts.
        assert.deepEqual(await store.getSessionUsage('later', T), {
          sessionId: 'later',
          customerId: 'acme',
          bps: 200,
          start: T + 2 * H,
          end: T + 3 * H,
        });
        await store.close();
      });

      it('re-claiming a session replaces its claim: window moved, bit/s changed', async () => {
        const store = await factory.make();
        assert.equal((await store.claimUsage(booking('a', 100, H, 2 * H, limits(1)))).ok, true);
        assert.equal((await store.claimUsage(booking('b', 100, 3 * H, 4 * H, limits(1)))).ok, true);
        // a moves to T+2h … T+3h: free; its old slot is free again.
        assert.deepEqual(await store.claimUsage(booking('a', 150, 2 * H, 3 * H, limits(1))), {
          ok: true,
          usage: { activeSessions: 1, reservedBps: 150 },
          previousBps: 100,
        });
        assert.equal((await store.claimUsage(booking('c', 100, H, 2 * H, limits(1)))).ok, true);
        // a cannot move onto b; it keeps the window it had.
        assert.deepEqual(await store.claimUsage(booking('a', 150, 2.5 * H, 3.5 * H, limits(1))), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 1, reservedBps: 100 },
        });
        assert.deepEqual(await store.getSessionUsage('a', T), {
          sessionId: 'a',
          customerId: 'acme',
          bps: 150,
          start: T + 2 * H,
          end: T + 3 * H,
        });
        // Within its window a change is checked for bit/s only: more bit/s within the total passes
        // even though the SLA now allows no session at all…
        assert.equal((await store.claimUsage(booking('a', 900, 2 * H, 3 * H, limits(0, 1000)))).ok, true);
        assert.deepEqual(await store.claimUsage(booking('a', 1001, 2 * H, 3 * H, limits(0, 1000))), {
          ok: false,
          reason: 'total-bandwidth',
          usage: { activeSessions: 0, reservedBps: 0 },
        });
        // …and a narrower window with less bit/s always passes.
        assert.equal((await store.claimUsage(booking('a', 50, 2 * H, 2.5 * H, limits(0, 10)))).ok, true);
        // Widening is checked like a new session.
        assert.equal((await store.claimUsage(booking('a', 50, 2 * H, 3 * H, limits(0, 10)))).ok, false);
        await store.close();
      });

      it('ended claims do not count and are dropped by the next claim', async () => {
        const store = await factory.make();
        assert.equal((await store.claimUsage(booking('gone', 100, 0, 1000, limits(1)))).ok, true);
        assert.deepEqual(await store.getUsage('acme', T + 999), { activeSessions: 1, reservedBps: 100 });
        assert.deepEqual(await store.getUsage('acme', T + 1000), { activeSessions: 0, reservedBps: 0 });
        assert.equal(await store.getSessionUsage('gone', T + 1000), undefined);
        // At T+1s the ended claim is no obstacle, and this claim drops it for good.
        const next = booking('next', 100, 1000, H, limits(1), T + 1000);
        assert.equal((await store.claimUsage(next)).ok, true);
        assert.deepEqual(
          (await store.listUsage('acme', { at: T + 500, upcoming: true })).map((u) => u.sessionId),
          ['next'],
        );
        assert.equal(await store.releaseUsage('gone'), false);
        // An ended session id can be claimed again as a new session.
        assert.equal((await store.claimUsage(booking('gone', 1, 1000, 2000, limits(2), T + 1000))).ok, true);
        await store.close();
      });

      it('entries stored before claims had windows count now and in every window', async () => {
        const store = await factory.make();
        await factory.putLegacyUsage(store, 'acme', 'old', 300);
        assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 1, reservedBps: 300 });
        assert.deepEqual(await store.getSessionUsage('old', T), {
          sessionId: 'old',
          customerId: 'acme',
          bps: 300,
          start: null,
          end: null,
        });
        assert.deepEqual(await store.listUsage('acme', { at: T }), [
          { sessionId: 'old', customerId: 'acme', bps: 300, start: null, end: null },
        ]);
        assert.deepEqual(await store.claimUsage(booking('tomorrow', 100, 24 * H, 25 * H, limits(1))), {
          ok: false,
          reason: 'session-limit',
          usage: { activeSessions: 1, reservedBps: 300 },
        });
        // Re-claimed with a window (narrower than "always"): a change, then it ends where it says.
        assert.deepEqual(await store.claimUsage(booking('old', 200, 0, H, limits(1))), {
          ok: true,
          usage: { activeSessions: 1, reservedBps: 200 },
          previousBps: 300,
        });
        assert.equal((await store.claimUsage(booking('tomorrow', 100, 24 * H, 25 * H, limits(1)))).ok, true);
        await factory.putLegacyUsage(store, 'acme', 'old2', 50);
        assert.equal(await store.releaseUsage('old2'), true);
        assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 1, reservedBps: 200 });
        await store.close();
      });

      it('malformed claims are refused with a clear error', async () => {
        const store = await factory.make();
        const invalid = (e: unknown) =>
          e instanceof UsageClaimInvalidError && e.code === 'STORE_POLICY_USAGE_INVALID';
        await assert.rejects(store.claimUsage(booking('x', 100, H, H)), invalid);
        await assert.rejects(store.claimUsage(booking('x', 100, -2 * H, -H)), invalid);
        await assert.rejects(store.claimUsage(booking('x', 1.5, 0, H)), invalid);
        await assert.rejects(store.claimUsage(booking('x', 100, 0, Number.NaN)), invalid);
        assert.equal(await store.getSessionUsage('x', T), undefined);
        await store.close();
      });
    });

    describe('change notifications', () => {
      it('every committed write is announced; refused writes are not; unsubscribe stops them', async () => {
        const store = await factory.make();
        const changes: PolicyChange[] = [];
        const unsubscribe = await store.subscribe((c) => changes.push(c));
        await seed(store);
        await assert.rejects(store.createSla(sla));
        await store.updateVpn({ ...vpn, vpnId: 'a:1', description: 'SAN replication' });
        await store.deleteApplication('primary-dc');
        const expected: PolicyChange[] = [
          { kind: 'sla', id: 'acme-standard', op: 'create' },
          { kind: 'customer', id: 'acme', op: 'create' },
          { kind: 'vpn', id: '00000a:00000001', op: 'create' },
          { kind: 'application', id: 'primary-dc', op: 'create' },
          { kind: 'vpn', id: '00000a:00000001', op: 'update' },
          { kind: 'application', id: 'primary-dc', op: 'delete' },
        ];
        await eventually(() => changes.length >= expected.length, 'six changes');
        assert.deepEqual(changes, expected);
        await unsubscribe();
        await store.updateSla({ ...sla, maxSessions: 1 });
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(changes.length, expected.length);
        await store.close();
      });
    });
  });
}
