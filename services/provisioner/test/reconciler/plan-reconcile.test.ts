import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryProvisioningStore } from '@svpn/store';
import { setupFlow } from '../../src/flows/session-flow.js';
import { describeStep } from '../../src/flows/step.js';
import {
  isConverged,
  planReconcile,
  type Observation,
  type ReconcilePolicy,
} from '../../src/reconciler/plan-reconcile.js';
import { handleJob } from '../../src/workers/handle-job.js';
import { FakePeAdapter } from '../support/fake-pe-adapter.js';
import { storeIntent } from '../support/intents.js';

const POLICY: ReconcilePolicy = {
  graceMs: 1_000,
  repairDeadlineMs: 5_000,
  failedRetentionMs: 60_000,
  memberships: true,
};
const MEMBERSHIP = {
  pe: 'PE1',
  vpnId: 'vpn-a',
  ce: 'CE1',
  rd: '65000:1',
  importTargets: ['65000:1'],
  exportTargets: ['65000:1'],
  prefixes: [],
};

class World {
  clock = 1_000;
  readonly adapter = new FakePeAdapter();
  readonly store = new MemoryProvisioningStore({ now: () => this.clock });

  async observe(): Promise<Observation> {
    return {
      nowMs: this.clock,
      network: {
        lsps: await this.adapter.listLsps(),
        sessions: await this.adapter.listSessions(),
        memberships: await this.adapter.listMemberships(),
      },
      actual: {
        lsps: await this.store.listActualLsps(),
        endpoints: await this.store.listActualEndpoints(),
        memberships: await this.store.listActualMemberships(),
      },
      desired: {
        sessions: await this.store.listSessionIntents(),
        lsps: await this.store.listLspIntents(),
        memberships: await this.store.listMembershipIntents(),
      },
    };
  }

  async plan(policy = POLICY) {
    return planReconcile(await this.observe(), policy, 'rc1-1');
  }

  /** A session fully provisioned (every setup job run) and marked active. */
  async provisioned(id: string): Promise<void> {
    const change = await this.store.putSessionIntent(storeIntent(id, { deadlineMs: this.clock + 10_000 }));
    for (const s of setupFlow(change.session, change.lsps).flat()) await handleJob(s.spec, this);
    await this.store.setSessionPhase(id, change.session.revision, { phase: 'active', deadlineMs: null });
  }
}

const steps = (plan: Awaited<ReturnType<World['plan']>>): string[][] =>
  plan.stages.map((s) => s.map(describeStep));

describe('planReconcile', () => {
  test('a converged system needs nothing', async () => {
    const w = new World();
    await w.provisioned('s1');
    const { membership } = await w.store.putMembershipIntent(MEMBERSHIP);
    await w.adapter.bgpAdvertiseMembership(MEMBERSHIP);
    await w.store.putActualMembership({ ...MEMBERSHIP, vpnLabel: 16, revision: membership.revision });
    await w.store.setMembershipPhase(MEMBERSHIP, membership.revision, 'active');
    assert.equal(isConverged(await w.plan()), true);
  });

  test('state on the network that nobody desires is removed (leaks after a crash)', async () => {
    const w = new World();
    await w.adapter.rsvpTeSignal({
      pe: 'PE1',
      lspId: 'leak',
      route: { nodes: ['PE1', 'PE4'] },
      bandwidthBps: 5,
      setupPriority: 7,
      holdingPriority: 7,
    });
    await w.adapter.uniAddSession({
      pe: 'PE4',
      sessionId: 'ghost',
      vpnId: 'v',
      ce: 'C',
      interface: 'i',
      bandwidthBps: 5,
      marking: { dscp: 0 },
    });
    await w.adapter.bgpAdvertiseMembership({ ...MEMBERSHIP, ce: 'CE9' });
    const plan = await w.plan();
    assert.deepEqual(steps(plan), [
      ['uni.remove-session@PE4'],
      ['rsvp-te.teardown@PE1', 'bgp.withdraw-membership@PE1'],
    ]);
    assert.deepEqual(plan.reasons.map((r) => r.reason).sort(), [
      'remove-session',
      'teardown-lsp',
      'withdraw-membership',
    ]);
    assert.ok(plan.stages.flat().every((s) => s.jobId.endsWith('/rc1-1')));
    assert.deepEqual(steps(await w.plan({ ...POLICY, memberships: false })), [
      ['uni.remove-session@PE4'],
      ['rsvp-te.teardown@PE1'],
    ]);
  });

  test('a session deploying within its deadline is driven on; past deadline + grace it is failed', async () => {
    const w = new World();
    const { session } = await w.store.putSessionIntent(storeIntent('s1', { deadlineMs: 5_000 }));
    const driven = await w.plan();
    assert.deepEqual(driven.store, []);
    assert.deepEqual(steps(driven), [['rsvp-te.signal@PE1'], ['uni.add-session@PE1', 'uni.add-session@PE4']]);
    w.clock = 5_000 + POLICY.graceMs; // at the grace limit: still its Provisioner's
    assert.equal((await w.plan()).store.length, 0);
    w.clock += 1;
    const failed = await w.plan();
    assert.deepEqual(failed.store, [
      {
        kind: 'fail-session',
        sessionId: 's1',
        revision: session.revision,
        failure: {
          code: 'SVPN_PROVISIONING_TIMEOUT',
          message: 'deploying did not complete by its deadline; released by the reconciler',
        },
      },
    ]);
  });

  test('a deploying session found complete is marked active', async () => {
    const w = new World();
    const change = await w.store.putSessionIntent(storeIntent('s1', { deadlineMs: 9_000 }));
    for (const s of setupFlow(change.session, change.lsps).flat()) await handleJob(s.spec, w);
    const plan = await w.plan();
    assert.deepEqual(plan.store, [
      { kind: 'mark-session', sessionId: 's1', revision: 1, phase: 'active', deadlineMs: null },
    ]);
    assert.deepEqual(plan.stages, []);
  });

  test('an active session whose PE lost its state is repaired, with a deadline', async () => {
    const w = new World();
    await w.provisioned('s1');
    w.adapter.sessions.delete('PE4|s1'); // PE4 rebooted
    const plan = await w.plan();
    assert.deepEqual(plan.store, [
      {
        kind: 'mark-session',
        sessionId: 's1',
        revision: 1,
        phase: 'repairing',
        deadlineMs: w.clock + POLICY.repairDeadlineMs,
      },
    ]);
    assert.deepEqual(steps(plan), [['rsvp-te.signal@PE1'], ['uni.add-session@PE1', 'uni.add-session@PE4']]);
    assert.ok(plan.reasons.every((r) => r.reason === 'repair-session'));
  });

  test('an LSP the network shrank or lost is converged; a released one still there is torn down', async () => {
    const w = new World();
    await w.provisioned('s1');
    w.adapter.lsps.set('lsp-s1', { ...w.adapter.lsps.get('lsp-s1')!, status: 'down' });
    assert.deepEqual(steps(await w.plan()), [
      ['rsvp-te.signal@PE1'],
      ['uni.add-session@PE1', 'uni.add-session@PE4'],
    ]);
    const released = await w.store.releaseSessionIntent('s1');
    assert.equal(released?.lsps[0]?.intent, 'released');
    const plan = await w.plan();
    assert.deepEqual(steps(plan), [
      ['uni.remove-session@PE1', 'uni.remove-session@PE4'],
      ['rsvp-te.teardown@PE1'],
    ]);
  });

  test('records of released objects nothing is left of are collected; failed sessions after their retention', async () => {
    const w = new World();
    await w.store.putSessionIntent(storeIntent('gone'));
    const released = await w.store.releaseSessionIntent('gone');
    await w.store.putSessionIntent(storeIntent('failed', { lsp: null }));
    const failed = await w.store.releaseSessionIntent('failed', { phase: 'failed' });
    await w.store.updateActualEndpoint('dangling', 'PE2', { uniRevision: 1 });
    const plan = await w.plan();
    assert.deepEqual(plan.store.map((a) => a.kind).sort(), [
      'delete-lsp',
      'delete-session',
      'drop-actual-endpoint',
    ]);
    assert.ok(
      plan.store.some(
        (a) =>
          a.kind === 'delete-session' && a.sessionId === 'gone' && a.revision === released!.session.revision,
      ),
    );
    w.clock += POLICY.failedRetentionMs;
    assert.ok(
      (await w.plan()).store.some(
        (a) =>
          a.kind === 'delete-session' && a.sessionId === 'failed' && a.revision === failed!.session.revision,
      ),
    );
  });

  test('memberships: a desired one missing on its PE is advertised; found and recorded it is marked active', async () => {
    const w = new World();
    await w.store.putMembershipIntent(MEMBERSHIP);
    assert.deepEqual(steps(await w.plan()), [['bgp.advertise-membership@PE1']]);
    await w.adapter.bgpAdvertiseMembership(MEMBERSHIP);
    await w.store.putActualMembership({ ...MEMBERSHIP, vpnLabel: 16, revision: 1 });
    assert.deepEqual((await w.plan()).store, [
      {
        kind: 'mark-membership',
        key: { ...MEMBERSHIP, revision: 1, intent: 'active', phase: 'deploying', updatedAtMs: 1_000 },
        revision: 1,
      },
    ]);
  });
});
