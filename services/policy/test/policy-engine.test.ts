import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryPolicyStore, type PolicyStore } from '@svpn/store';

import { PolicyEngine, seedDemoData, type DecisionInput } from '../src/index.js';

const NOW = new Date('2025-01-15T11:00:00Z');

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
    assert.deepEqual(await store.getUsage('acme'), { activeSessions: 0, reservedBps: 0 });
    await engine.decide(call(), 's1');
    assert.deepEqual(await store.getUsage('acme'), { activeSessions: 1, reservedBps: 400_000_000 });
    const refused = await engine.decide(call({ bandwidthBps: 2_000_000_000 }), 's2');
    assert.equal(refused.allow, false);
    assert.equal(await store.getSessionUsage('s2'), undefined, 'a refusal counts nothing');
    await engine.releaseUsage('s1');
    await engine.releaseUsage('s1');
    assert.deepEqual(await store.getUsage('acme'), { activeSessions: 0, reservedBps: 0 });
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
    assert.deepEqual(await store.getUsage('acme'), { activeSessions: 2, reservedBps: 1_100_000_000 });
    const up = await engine.decide(call({ bandwidthBps: 1_000_000_000 }), 'b');
    assert.equal(up.allow, true, 'b 500 → 1000 Mbit/s: 1.6 Gbit/s in total');
    assert.equal((await engine.decide(call({ bandwidthBps: 300_000_000 }), 'c')).allow, true, '1.9 Gbit/s');
    const over = await engine.decide(call({ bandwidthBps: 800_000_000 }), 'a');
    assert.equal(
      over.allow ? 'allowed' : over.code,
      'total-bandwidth-exceeded',
      'a 600 → 800 Mbit/s: 2.1 Gbit/s',
    );
    assert.equal((await store.getSessionUsage('a'))?.bps, 600_000_000, 'a refused change keeps the old size');
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
