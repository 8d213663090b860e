import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPolicyStore, type PolicyStore } from '@svpn/store';

import { PolicyEngine, seedDemoData, type DecisionInput } from '../src/index.js';

const NOW = new Date('2025-01-15T11:00:00Z');
const T = NOW.getTime();
const H = 3_600_000;

async function demoStore(): Promise<PolicyStore> {
  const store = new MemoryPolicyStore();
  await seedDemoData(store);
  return store;
}

const call = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
  application: 'primary-dc',
  vpn: 'acme-storage',
  serviceClass: 'high-throughput-data',
  bandwidthBps: 400_000_000,
  ...overrides,
});

describe('PolicyEngine (in-process policy client)', () => {
  it('loads the facts of a request from the store', async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store });
    const facts = await engine.facts({ application: 'backup-dc', vpn: '00000a:00000001' });
    assert.equal(facts.application?.name, 'backup-dc');
    assert.equal(facts.customer?.id, 'acme');
    assert.equal(facts.sla?.id, 'acme-storage');
    assert.equal(facts.vpn?.name, 'acme-storage');
    assert.deepEqual(facts.usage, { activeSessions: 0, reservedBps: 0 });
    const unknown = await engine.facts({ application: 'mallory', vpn: 'nowhere' });
    assert.deepEqual(unknown, {
      application: undefined,
      customer: undefined,
      vpn: undefined,
      sla: undefined,
      usage: { activeSessions: 0, reservedBps: 0 },
    });
  });

  it('decides on its clock unless the request names now; reports every decision', async () => {
    const seen: string[] = [];
    const engine = new PolicyEngine({
      store: await demoStore(),
      clock: () => NOW,
      onDecision: (d, r) => seen.push(`${d.code}@${r.now.toISOString()}`),
    });
    const d = await engine.decide(call());
    assert.equal(d.allow && d.start.toISOString(), NOW.toISOString());
    await engine.decide(call({ now: new Date('2025-02-01T00:00:00Z'), vpn: 'globex-grid' }));
    assert.deepEqual(seen, ['allowed@2025-01-15T11:00:00.000Z', 'not-a-member@2025-02-01T00:00:00.000Z']);
  });

  it('with a session id, a grant is counted; without, nothing is', async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store, clock: () => NOW });
    await engine.decide(call());
    assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 0, reservedBps: 0 });
    await engine.decide(call(), 's1');
    assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 1, reservedBps: 400_000_000 });
    const refused = await engine.decide(call({ bandwidthBps: 2_000_000_000 }), 's2');
    assert.equal(refused.allow, false);
    assert.equal(await store.getSessionUsage('s2', T), undefined, 'a refusal counts nothing');
    await engine.releaseUsage('s1');
    await engine.releaseUsage('s1');
    assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 0, reservedBps: 0 });
  });

  it('the customer total is enforced across sessions (SLA 2 Gbit/s in total)', async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store, clock: () => NOW });
    assert.equal((await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'a')).allow, true);
    assert.equal((await engine.decide(call({ bandwidthBps: 900_000_000 }), 'b')).allow, true);
    const third = await engine.decide(call({ bandwidthBps: 200_000_000 }), 'c');
    assert.equal(
      third.allow ? 'allowed' : `${third.sipStatus} ${third.code}`,
      '488 total-bandwidth-exceeded',
    );
  });

  it('a counted session changes by its delta: it need not say currentBps (re-INVITE)', async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store, clock: () => NOW });
    await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'a');
    await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'b');
    // Both hold 1 Gbit/s, the customer's 2 Gbit/s total: b may go down, not up; a retransmission is harmless.
    assert.equal((await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'b')).allow, true);
    assert.equal((await engine.decide(call({ bandwidthBps: 500_000_000 }), 'b')).allow, true);
    assert.equal((await engine.decide(call({ bandwidthBps: 600_000_000 }), 'a')).allow, true);
    assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 2, reservedBps: 1_100_000_000 });
    const up = await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'b');
    assert.equal(up.allow, true, 'b 500 → 1000 Mbit/s: 1.6 Gbit/s in total');
    assert.equal((await engine.decide(call({ bandwidthBps: 300_000_000 }), 'c')).allow, true, '1.9 Gbit/s');
    const over = await engine.decide(call({ bandwidthBps: 800_000_000 }), 'a');
    assert.equal(
      over.allow ? 'allowed' : over.code,
      'total-bandwidth-exceeded',
      'a 600 → 800 Mbit/s: 2.1 Gbit/s',
    );
    assert.equal(
      (await store.getSessionUsage('a', T))?.bps,
      600_000_000,
      'a refused change keeps the old size',
    );
  });

  it('concurrent requests for the last sessions: exactly as many win as the SLA allows', async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store, clock: () => NOW });
    const decisions = await Promise.all(
      Array.from({ length: 15 }, (_, i) => engine.decide(call({ bandwidthBps: 1_000_000 }), `s${i}`)),
    );
    assert.equal(decisions.filter((d) => d.allow).length, 10);
    assert.deepEqual(
      [...new Set(decisions.filter((d) => !d.allow).map((d) => (d.allow ? '' : `${d.sipStatus} ${d.code}`)))],
      ['488 session-limit-reached'],
    );
  });

  it("bookings count in their window only: tomorrow's do not refuse a call now, overlapping ones are refused", async () => {
    const store = await demoStore();
    const engine = new PolicyEngine({ store, clock: () => NOW });
    const booking = (bps: number, from: number, to: number) =>
      call({
        bandwidthBps: bps,
        start: new Date(T + from),
        end: new Date(T + to),
        durationS: (to - from) / 1000,
      });
    // Tomorrow 11:00–12:00 the two bookings take the customer's whole 2 Gbit/s.
    assert.equal((await engine.decide(booking(1_000_000_000, 24 * H, 25 * H), 'b1')).allow, true);
    assert.equal((await engine.decide(booking(1_000_000_000, 24 * H, 25 * H), 'b2')).allow, true);
    const overlapping = await engine.decide(booking(1_000_000, 24.5 * H, 26 * H), 'b3');
    assert.equal(
      overlapping.allow ? 'allowed' : `${overlapping.sipStatus} ${overlapping.code}`,
      '488 total-bandwidth-exceeded',
    );
    assert.match(overlapping.allow ? '' : overlapping.reason, /on top of 2 Gbit\/s in use/);
    // Calls now (the SLA caps them at 24 h: they end as the bookings start) are not held back.
    assert.equal((await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'c1')).allow, true);
    assert.equal((await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'c2')).allow, true);
    const third = await engine.decide(call({ bandwidthBps: 1_000_000 }), 'c3');
    assert.equal(third.allow ? 'allowed' : third.code, 'total-bandwidth-exceeded');
    assert.deepEqual(await store.getUsage('acme', T), { activeSessions: 2, reservedBps: 2_000_000_000 });
    assert.deepEqual(
      (await store.listUsage('acme', { at: T, upcoming: true })).map((u) => [u.sessionId, u.start, u.end]),
      [
        ['b1', T + 24 * H, T + 25 * H],
        ['b2', T + 24 * H, T + 25 * H],
        ['c1', T, T + 24 * H],
        ['c2', T, T + 24 * H],
      ],
    );
  });

  it('maxSessions counts the peak of the window: disjoint bookings beyond it fit, overlapping ones do not', async () => {
    const store = await demoStore();
    const sla = (await store.getSla('acme-storage'))!;
    await store.updateSla({ ...sla, maxSessions: 1 });
    const engine = new PolicyEngine({ store, clock: () => NOW });
    const booking = (from: number, to: number) =>
      call({ start: new Date(T + from), end: new Date(T + to), durationS: (to - from) / 1000 });
    for (let i = 1; i <= 3; i++) {
      assert.equal((await engine.decide(booking(i * H, (i + 1) * H), `b${i}`)).allow, true, `booking ${i}`);
    }
    const overlapping = await engine.decide(booking(1.5 * H, 2.5 * H), 'b4');
    assert.equal(
      overlapping.allow ? 'allowed' : `${overlapping.sipStatus} ${overlapping.code}`,
      '488 session-limit-reached',
    );
    // A call now for 30 min ends before the first booking.
    assert.equal((await engine.decide(call({ durationS: 1800 }), 'now')).allow, true);
    const tooLong = await engine.decide(call({ durationS: 2 * 3600 }), 'long');
    assert.equal(tooLong.allow ? 'allowed' : tooLong.code, 'session-limit-reached');
  });

  it("a counted session keeps its end unless the request names one (re-INVITE, the call at a booking's start)", async () => {
    const store = await demoStore();
    const sla = (await store.getSla('acme-storage'))!;
    await store.updateSla({ ...sla, maxSessions: 1 });
    let now = NOW;
    const engine = new PolicyEngine({ store, clock: () => now });
    // A booking 12:00–13:00 and one 13:00–14:00.
    const booking = (from: number, to: number) =>
      call({ start: new Date(T + from), end: new Date(T + to), durationS: (to - from) / 1000 });
    assert.equal((await engine.decide(booking(H, 2 * H), 'api-1')).allow, true);
    assert.equal((await engine.decide(booking(2 * H, 3 * H), 'api-2')).allow, true);
    // Its call is placed half a second late and asks for whole seconds (3600: up to 13:00:00.5); the
    // claim stays within the booking, so the next booking is no obstacle.
    now = new Date(T + H + 500);
    const placed = await engine.decide(call({ durationS: 3600 }), 'api-1');
    assert.equal(placed.allow, true);
    assert.deepEqual(await store.getSessionUsage('api-1', now.getTime()), {
      sessionId: 'api-1',
      customerId: 'acme',
      bps: 400_000_000,
      start: T + H + 500,
      end: T + 2 * H,
    });
    // A re-INVITE (currentBps, no duration) changes the bit/s, not the end.
    now = new Date(T + 1.5 * H);
    const raised = await engine.decide(call({ bandwidthBps: 600_000_000, currentBps: 400_000_000 }), 'api-1');
    assert.equal(raised.allow, true);
    assert.deepEqual(
      [
        (await store.getSessionUsage('api-1', now.getTime()))?.bps,
        (await store.getSessionUsage('api-1', now.getTime()))?.end,
      ],
      [600_000_000, T + 2 * H],
    );
    // Naming a later end widens the claim: checked as a new session there, and refused.
    const extended = await engine.decide(call({ end: new Date(T + 2.5 * H), durationS: 3600 }), 'api-1');
    assert.equal(extended.allow ? 'allowed' : extended.code, 'session-limit-reached');
    assert.equal(
      (await store.getSessionUsage('api-1', now.getTime()))?.end,
      T + 2 * H,
      'a refusal keeps the claim',
    );
  });

  it('an end that is not after the start, or longer than the SLA allows, is refused', async () => {
    const engine = new PolicyEngine({ store: await demoStore(), clock: () => NOW });
    const before = await engine.decide(
      call({ start: new Date(T + H), end: new Date(T + H), durationS: 60 }),
      'x',
    );
    assert.equal(before.allow ? 'allowed' : `${before.sipStatus} ${before.code}`, '488 duration-exceeded');
    assert.match(before.allow ? '' : before.reason, /is not after the start/);
    const past = await engine.decide(call({ end: new Date(T - 1) }), 'x');
    assert.equal(past.allow ? 'allowed' : past.code, 'duration-exceeded');
    const invalid = await engine.decide(call({ end: new Date(Number.NaN) }), 'x');
    assert.equal(invalid.allow ? 'allowed' : invalid.code, 'duration-exceeded');
    // acme allows 24 h: a booking of 25 h without durationS is measured by its end.
    const long = await engine.decide(call({ end: new Date(T + 25 * H) }), 'x');
    assert.equal(long.allow ? 'allowed' : long.code, 'duration-exceeded');
    const open = await engine.decide(call({ end: null }), 'open');
    assert.equal(open.allow, true);
  });

  it('membership, site, customer and credentials lookups', async () => {
    const engine = new PolicyEngine({ store: await demoStore() });
    assert.deepEqual(await engine.membership('grid-a', 'globex-archive'), {
      member: true,
      vpnId: '00000b:00000002',
      vpnName: 'globex-archive',
      customerId: 'globex',
      rd: '65000:3',
      importTargets: ['target:65000:3'],
      exportTargets: ['target:65000:3'],
      routeTargets: ['target:65000:3'],
    });
    assert.deepEqual(await engine.membership('grid-b', 'globex-archive'), { member: false });
    assert.deepEqual(await engine.membership('primary-dc', 'b:1'), { member: false });
    assert.deepEqual(await engine.site('CE4'), {
      ce: 'CE4',
      pe: 'PE5',
      interface: 'ge-0/0/2.200',
      customerId: 'globex',
    });
    assert.equal(await engine.site('CE9'), undefined);
    assert.equal(await engine.customerOf('backup-dc'), 'acme');
    assert.equal(await engine.customerOf('nobody'), undefined);
    assert.equal((await engine.application('grid-c'))?.ce, 'CE5');
    assert.equal((await engine.resolveVpn('a:1'))?.name, 'acme-storage');
    assert.match((await engine.credentials('grid-a', 'svpn.example.net', 'SHA-256')) ?? '', /^[0-9a-f]{64}$/);
  });
});
