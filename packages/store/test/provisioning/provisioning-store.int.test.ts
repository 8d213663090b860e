import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeySpace } from '../../src/keys.js';
import {
  FencedError,
  IntentConflictStoreError,
  IntentReleasedError,
  MemoryProvisioningStore,
  RedisProvisioningStore,
  StaleIntentError,
  type ProvisioningStore,
  type SessionIntentInput,
} from '../../src/provisioning/index.js';
import { privateRedis } from '../support/private-redis.js';

const ROUTE = { nodes: ['PE1', 'P1', 'P2', 'PE2'] };

function intent(sessionId: string, patch: Partial<SessionIntentInput> = {}): SessionIntentInput {
  return {
    sessionId,
    version: 1,
    vpnId: '00000a:00000001',
    bandwidthBps: 10_000_000,
    dscp: 10,
    serviceClass: 'high-throughput-data',
    endpoints: [
      { pe: 'PE1', ce: 'CE1', interface: 'ge-0/0/1.100' },
      { pe: 'PE2', ce: 'CE2', interface: 'ge-0/0/2.100' },
    ],
    lsp: {
      lspId: 'lsp-1',
      route: ROUTE,
      setupPriority: 4,
      holdingPriority: 4,
      penultimateHopPopping: false,
      bandwidthBps: null,
    },
    deadlineMs: 1_000_000,
    ...patch,
  };
}

const membership = {
  pe: 'PE1',
  vpnId: '00000a:00000001',
  ce: 'CE1',
  rd: '65000:1',
  importTargets: ['65000:1'],
  exportTargets: ['65000:1'],
  prefixes: [],
};

/** One conformance suite for every ProvisioningStore implementation. */
function conformance(name: string, make: () => Promise<ProvisioningStore>): void {
  describe(`ProvisioningStore conformance: ${name}`, () => {
    test('a new session is deploying at revision 1 and creates its LSP at the session bandwidth', async () => {
      const store = await make();
      const change = await store.putSessionIntent(intent('s1'));
      assert.equal(change.changed, true);
      assert.equal(change.previous, null);
      assert.equal(change.session.revision, 1);
      assert.equal(change.session.phase, 'deploying');
      assert.equal(change.session.intent, 'active');
      const [lsp] = change.lsps;
      assert.equal(lsp?.bandwidthBps, 10_000_000);
      assert.equal(lsp?.ingress, 'PE1');
      assert.equal(lsp?.createdRevision, lsp?.revision);
      assert.deepEqual(lsp?.contributions, new Map([['s1', 10_000_000]]));
      assert.deepEqual(await store.getLspIntent('lsp-1'), lsp);
      assert.deepEqual(await store.getSessionIntent('s1'), change.session);
    });

    test('the same intent again (a retransmission) changes nothing', async () => {
      const store = await make();
      const first = await store.putSessionIntent(intent('s1'));
      const again = await store.putSessionIntent(intent('s1', { deadlineMs: 5 }));
      assert.equal(again.changed, false);
      assert.equal(again.session.revision, first.session.revision);
      assert.equal(again.session.deadlineMs, first.session.deadlineMs);
      assert.equal((await store.getLspIntent('lsp-1'))?.revision, first.lsps[0]?.revision);
    });

    test('the same version with other parameters is a conflict unless replacing (rollback)', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      await assert.rejects(store.putSessionIntent(intent('s1', { dscp: 46 })), IntentConflictStoreError);
      const replaced = await store.putSessionIntent(intent('s1', { dscp: 46, replaceSameVersion: true }));
      assert.equal(replaced.session.revision, 2);
      assert.equal(replaced.session.dscp, 46);
      assert.equal(replaced.session.phase, 'modifying');
    });

    test('an older version is stale', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1', { version: 3 }));
      await assert.rejects(store.putSessionIntent(intent('s1', { version: 2 })), (e: unknown) => {
        assert.ok(e instanceof StaleIntentError);
        assert.equal(e.storedVersion, 3);
        return true;
      });
    });

    test('sessions sharing an LSP add their bandwidth and give back exactly their share', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      const s2 = await store.putSessionIntent(intent('s2', { bandwidthBps: 5_000_000 }));
      assert.equal(s2.lsps[0]?.bandwidthBps, 15_000_000);
      // an explicit aggregate (e.g. with RFC 4804 overhead) becomes the size; the difference is s3's share
      const s3 = await store.putSessionIntent(
        intent('s3', { bandwidthBps: 1_000_000, lsp: { ...intent('s3').lsp!, bandwidthBps: 17_000_000 } }),
      );
      assert.equal(s3.lsps[0]?.bandwidthBps, 17_000_000);
      assert.equal(s3.lsps[0]?.contributions.get('s3'), 2_000_000);
      const r3 = await store.releaseSessionIntent('s3');
      assert.equal(r3?.lsps[0]?.bandwidthBps, 15_000_000);
      const r1 = await store.releaseSessionIntent('s1');
      assert.equal(r1?.lsps[0]?.bandwidthBps, 5_000_000);
      assert.equal(r1?.lsps[0]?.intent, 'active');
      const r2 = await store.releaseSessionIntent('s2');
      assert.equal(r2?.lsps[0]?.intent, 'released', 'the last session leaving releases the LSP');
      assert.deepEqual(r2?.lsps[0]?.contributions, new Map());
    });

    test('a modify (higher version) resizes the LSP by the change of the session bandwidth', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      await store.putSessionIntent(intent('s2', { bandwidthBps: 5_000_000 }));
      const modified = await store.putSessionIntent(intent('s1', { version: 2, bandwidthBps: 30_000_000 }));
      assert.equal(modified.previous?.bandwidthBps, 10_000_000);
      assert.equal(modified.session.phase, 'modifying');
      assert.equal(modified.lsps[0]?.bandwidthBps, 35_000_000);
    });

    test('an LSP in use cannot be joined with another route or priorities', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      const other = intent('s2', { lsp: { ...intent('s2').lsp!, route: { nodes: ['PE1', 'P1', 'PE2'] } } });
      await assert.rejects(store.putSessionIntent(other), IntentConflictStoreError);
      const prio = intent('s2', { lsp: { ...intent('s2').lsp!, setupPriority: 5 } });
      await assert.rejects(store.putSessionIntent(prio), IntentConflictStoreError);
      assert.equal(await store.getSessionIntent('s2'), null, 'nothing was written');
    });

    test('moving a session to another LSP releases the one it left', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      const moved = await store.putSessionIntent(
        intent('s1', { version: 2, lsp: { ...intent('s1').lsp!, lspId: 'lsp-2' } }),
      );
      assert.deepEqual(
        moved.lsps.map((l) => [l.lspId, l.intent]),
        [
          ['lsp-2', 'active'],
          ['lsp-1', 'released'],
        ],
      );
      const detached = await store.putSessionIntent(intent('s1', { version: 3, lsp: null }));
      assert.equal(detached.lsps[0]?.intent, 'released');
      assert.equal(detached.session.lsp, null);
    });

    test('release: intent released, revision bumped, never active again; releasing twice is unchanged', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      const released = await store.releaseSessionIntent('s1', {
        phase: 'failed',
        failure: { code: 'SVPN_PE_REFUSED', message: 'refused' },
      });
      assert.equal(released?.changed, true);
      assert.equal(released?.session.intent, 'released');
      assert.equal(released?.session.phase, 'failed');
      assert.equal(released?.session.revision, 2);
      assert.equal(released?.session.failure?.code, 'SVPN_PE_REFUSED');
      assert.equal(released?.session.deadlineMs, null);
      const again = await store.releaseSessionIntent('s1');
      assert.equal(again?.changed, false);
      assert.equal(again?.session.phase, 'failed');
      await assert.rejects(store.putSessionIntent(intent('s1', { version: 2 })), IntentReleasedError);
      assert.equal(await store.releaseSessionIntent('nobody'), null);
    });

    test('phase updates and deletes are compare-and-set on the revision', async () => {
      const store = await make();
      const { session } = await store.putSessionIntent(intent('s1'));
      assert.equal(await store.setSessionPhase('s1', session.revision + 1, { phase: 'active' }), null);
      const active = await store.setSessionPhase('s1', session.revision, {
        phase: 'active',
        deadlineMs: null,
      });
      assert.equal(active?.phase, 'active');
      assert.equal(active?.revision, session.revision, 'a phase change is not a desired change');
      assert.equal(active?.deadlineMs, null);
      assert.equal(
        await store.deleteSessionIntent('s1', session.revision),
        false,
        'only released sessions go',
      );
      const released = await store.releaseSessionIntent('s1');
      assert.equal(await store.deleteSessionIntent('s1', session.revision), false, 'stale revision');
      assert.equal(await store.deleteSessionIntent('s1', released!.session.revision), true);
      assert.equal(await store.getSessionIntent('s1'), null);
      const lsp = await store.getLspIntent('lsp-1');
      assert.equal(lsp?.intent, 'released');
      assert.equal(await store.deleteLspIntent('lsp-1', lsp!.revision - 1), false);
      assert.equal(await store.deleteLspIntent('lsp-1', lsp!.revision), true);
      assert.deepEqual(await store.listLspIntents(), []);
    });

    test('a released LSP joined again is re-created (signal, not resize) at a higher revision', async () => {
      const store = await make();
      await store.putSessionIntent(intent('s1'));
      const released = await store.releaseSessionIntent('s1');
      const again = await store.putSessionIntent(intent('s2'));
      const lsp = again.lsps[0]!;
      assert.equal(lsp.intent, 'active');
      assert.ok(lsp.revision > released!.lsps[0]!.revision);
      assert.equal(lsp.createdRevision, lsp.revision);
    });

    test('a record collected and created again never reuses a revision (job ids stay unique)', async () => {
      const store = await make();
      const first = await store.putSessionIntent(intent('s1'));
      const released = await store.releaseSessionIntent('s1');
      const lspRevision = released!.lsps[0]!.revision;
      assert.equal(await store.deleteLspIntent('lsp-1', lspRevision), true);
      const again = await store.putSessionIntent(intent('s2'));
      assert.ok(again.lsps[0]!.revision > lspRevision, 'the new LSP record starts above every revision used');
      assert.ok(again.lsps[0]!.revision > first.lsps[0]!.revision);
      assert.equal(
        (await store.putMembershipIntent(membership)).membership.revision > again.session.revision,
        true,
      );
      await store.releaseMembershipIntent(membership);
      const m = await store.getMembershipIntent(membership);
      await store.deleteMembershipIntent(membership, m!.revision);
      assert.ok((await store.putMembershipIntent(membership)).membership.revision > m!.revision);
    });

    test('concurrent joins of one LSP add up exactly (compare-and-set)', async () => {
      const store = await make();
      const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
      await Promise.all(ids.map((id) => store.putSessionIntent(intent(id, { bandwidthBps: 1_000 }))));
      const lsp = await store.getLspIntent('lsp-1');
      assert.equal(lsp?.bandwidthBps, 20_000);
      assert.equal(lsp?.contributions.size, 20);
      assert.equal((await store.listSessionIntents()).length, 20);
      await Promise.all(ids.map((id) => store.releaseSessionIntent(id)));
      assert.equal((await store.getLspIntent('lsp-1'))?.intent, 'released');
    });

    test('many sessions joining and leaving one LSP at once: each share counted once, no contention failure', async () => {
      const store = await make();
      const ids = Array.from({ length: 300 }, (_, i) => `g${i}`);
      // Joins, then leaves of the first half while the second half is still joining.
      const joins = ids.map((id, i) => store.putSessionIntent(intent(id, { bandwidthBps: 1_000 + i })));
      await Promise.all(joins.slice(0, 150));
      const leaves = ids.slice(0, 150).map((id) => store.releaseSessionIntent(id));
      await Promise.all([...joins.slice(150), ...leaves]);
      const lsp = await store.getLspIntent('lsp-1');
      const expected = ids.slice(150).reduce((sum, _, i) => sum + 1_000 + 150 + i, 0);
      assert.equal(lsp?.bandwidthBps, expected);
      assert.deepEqual([...(lsp?.contributions.keys() ?? [])].sort(), ids.slice(150).sort());
      const revisions = (await store.listSessionIntents()).map((s) => s.revision);
      assert.equal(new Set(revisions).size, revisions.length, 'every change has its own revision');
    });

    test('joining or leaving an aggregate whose size stays keeps the LSP revision (no resize job)', async () => {
      const store = await make();
      const aggregate = (id: string) =>
        intent(id, { bandwidthBps: 1_000, lsp: { ...intent(id).lsp!, bandwidthBps: 100_000 } });
      const first = await store.putSessionIntent(aggregate('a1'));
      const created = first.lsps[0]!.revision;
      const second = await store.putSessionIntent(aggregate('a2'));
      assert.equal(second.lsps[0]?.revision, created, 'same size: same revision');
      assert.deepEqual([...(second.lsps[0]?.contributions.keys() ?? [])].sort(), ['a1', 'a2']);
      const left = await store.releaseSessionIntent('a1', { lspBandwidthBps: 100_000 });
      assert.equal(left?.lsps[0]?.revision, created);
      assert.deepEqual([...(left?.lsps[0]?.contributions.keys() ?? [])], ['a2']);
      const grown = await store.putSessionIntent(
        intent('a3', { bandwidthBps: 1_000, lsp: { ...intent('a3').lsp!, bandwidthBps: 200_000 } }),
      );
      assert.ok((grown.lsps[0]?.revision ?? 0) > created, 'a new size is a new revision');
      const shrunk = await store.releaseSessionIntent('a3', { lspBandwidthBps: 100_000 });
      assert.ok((shrunk?.lsps[0]?.revision ?? 0) > (grown.lsps[0]?.revision ?? 0));
    });

    test('a transaction that fails in a batch fails alone', async () => {
      const store = await make();
      await store.putSessionIntent(intent('x0'));
      const results = await Promise.allSettled([
        store.putSessionIntent(intent('x1')),
        // Same version with another bandwidth: a conflict, in the same batch as x1 and x2.
        store.putSessionIntent(intent('x0', { bandwidthBps: 99 })),
        store.putSessionIntent(intent('x2')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.ok((results[1] as PromiseRejectedResult).reason instanceof IntentConflictStoreError);
      assert.deepEqual(
        (await store.getLspIntent('lsp-1'))?.contributions,
        new Map([
          ['x0', 10_000_000],
          ['x1', 10_000_000],
          ['x2', 10_000_000],
        ]),
      );
    });

    test('memberships: put, unchanged, changed, release, phase and delete', async () => {
      const store = await make();
      const first = await store.putMembershipIntent(membership);
      assert.equal(first.changed, true);
      assert.equal(first.membership.revision, 1);
      assert.equal(first.membership.phase, 'deploying');
      assert.equal((await store.putMembershipIntent(membership)).changed, false);
      const changed = await store.putMembershipIntent({ ...membership, prefixes: ['10.1.0.0/16'] });
      assert.equal(changed.membership.revision, 2);
      const active = await store.setMembershipPhase(membership, 2, 'active');
      assert.equal(active?.phase, 'active');
      assert.deepEqual(await store.listMembershipIntents(), [active]);
      const released = await store.releaseMembershipIntent(membership);
      assert.equal(released?.membership.intent, 'released');
      assert.equal(released?.membership.revision, 3);
      assert.equal(await store.deleteMembershipIntent(membership, 3), true);
      assert.equal(await store.getMembershipIntent(membership), null);
      assert.equal(await store.releaseMembershipIntent(membership), null);
    });

    test('actual state: LSPs, endpoints (merged patches) and memberships', async () => {
      const store = await make();
      const lsp = await store.putActualLsp({
        lspId: 'lsp-1',
        ingress: 'PE1',
        status: 'up',
        bandwidthBps: 10,
        ingressLabel: 16,
        hopLabels: [16, 17, 3],
        revision: 2,
      });
      assert.equal(typeof lsp.observedAtMs, 'number');
      assert.deepEqual(await store.getActualLsp('lsp-1'), lsp);
      assert.deepEqual(await store.listActualLsps(), [lsp]);
      const added = await store.updateActualEndpoint('s1', 'PE1', {
        vpnId: 'v',
        ce: 'CE1',
        interface: 'ge-0',
        bandwidthBps: 10,
        dscp: 10,
        lspId: 'lsp-1',
        uniRevision: 1,
      });
      assert.equal(added.markingRevision, 0);
      const marked = await store.updateActualEndpoint('s1', 'PE1', { dscp: 46, markingRevision: 1 });
      assert.equal(marked.uniRevision, 1, 'fields not in the patch stay');
      assert.deepEqual(await store.getActualEndpoint('s1', 'PE1'), marked);
      assert.equal(await store.getActualEndpoint('s1', 'PE9'), null);
      assert.equal(marked.dscp, 46);
      await store.updateActualEndpoint('s2', 'PE2', { uniRevision: 4 });
      assert.deepEqual(
        (await store.listActualEndpoints('s1')).map((e) => e.pe),
        ['PE1'],
      );
      assert.equal((await store.listActualEndpoints()).length, 2);
      assert.equal(await store.deleteActualEndpoint('s1', 'PE1'), true);
      assert.equal(await store.deleteActualEndpoint('s1', 'PE1'), false);
      assert.equal(await store.deleteActualLsp('lsp-1'), true);
      assert.equal(await store.getActualLsp('lsp-1'), null);
      const m = await store.putActualMembership({ ...membership, vpnLabel: 20, revision: 1 });
      assert.deepEqual(await store.listActualMemberships(), [m]);
      assert.deepEqual(await store.getActualMembership(membership), m);
      assert.equal(await store.deleteActualMembership(membership), true);
      assert.deepEqual(await store.listActualMemberships(), []);
    });

    test('a whole endpoint observation replaces the record; a partial one merges', async () => {
      const store = await make();
      const whole = {
        vpnId: 'v',
        ce: 'CE1',
        interface: 'ge-0',
        bandwidthBps: 10,
        dscp: 10,
        lspId: null,
        uniRevision: 3,
        markingRevision: 3,
      };
      await store.updateActualEndpoint('s1', 'PE1', { ...whole, dscp: 46, uniRevision: 2 });
      const replaced = await store.updateActualEndpoint('s1', 'PE1', whole);
      assert.deepEqual(
        { ...replaced, observedAtMs: 0 },
        { ...whole, sessionId: 's1', pe: 'PE1', observedAtMs: 0 },
      );
      assert.deepEqual(await store.getActualEndpoint('s1', 'PE1'), replaced);
      const merged = await store.updateActualEndpoint('s1', 'PE1', { bandwidthBps: 20 });
      assert.equal(merged.bandwidthBps, 20);
      assert.equal(merged.uniRevision, 3, 'fields not in a partial patch stay');
    });

    test('a session view reads the intent, its endpoints and LSPs together (null where absent)', async () => {
      const store = await make();
      const empty = await store.getSessionView('s1', ['PE1', 'PE2'], ['lsp-1']);
      assert.deepEqual(empty, { intent: null, endpoints: [null, null], lsps: [null] });
      const { session } = await store.putSessionIntent(intent('s1'));
      const endpoint = await store.updateActualEndpoint('s1', 'PE2', { uniRevision: session.revision });
      const lsp = await store.putActualLsp({
        lspId: 'lsp-1',
        ingress: 'PE1',
        status: 'up',
        bandwidthBps: 10_000_000,
        ingressLabel: 16,
        hopLabels: [16, 17, 3],
        revision: 1,
      });
      const view = await store.getSessionView('s1', ['PE1', 'PE2'], ['lsp-1', 'lsp-9']);
      assert.deepEqual(view.intent, await store.getSessionIntent('s1'));
      assert.deepEqual(view.endpoints, [null, endpoint]);
      assert.deepEqual(view.lsps, [lsp, null]);
      assert.deepEqual((await store.getSessionView('s1', [], [])).endpoints, []);
    });

    test('leases: one holder at a time, tokens grow with each holder, expiry frees it', async () => {
      const store = await make();
      const a = await store.acquireLease('reconciler', 'proc-a', 60_000);
      assert.ok(a);
      assert.equal(await store.acquireLease('reconciler', 'proc-b', 60_000), null);
      const again = await store.acquireLease('reconciler', 'proc-a', 60_000);
      assert.equal(again?.token, a.token, 'the holder re-acquiring keeps its token');
      assert.ok(await store.renewLease(a, 60_000));
      assert.equal(await store.releaseLease(a), true);
      const b = await store.acquireLease('reconciler', 'proc-b', 80);
      assert.ok(b && b.token > a.token);
      assert.equal(await store.renewLease(a, 1000), null, 'a lost its lease');
      await sleep(150);
      const c = await store.acquireLease('reconciler', 'proc-c', 60_000);
      assert.ok(c && c.token > b.token, 'an expired lease goes to the next owner with a higher token');
      assert.equal(await store.releaseLease(b), false);
    });

    test('fenced writes apply only while the fencing token is current', async () => {
      const store = await make();
      const { session } = await store.putSessionIntent(intent('s1'));
      const a = await store.acquireLease('reconciler', 'proc-a', 60_000);
      const fence = { name: 'reconciler', token: a!.token };
      assert.ok(await store.setSessionPhase('s1', session.revision, { phase: 'repairing' }, fence));
      await store.releaseLease(a!);
      await store.acquireLease('reconciler', 'proc-b', 60_000);
      await assert.rejects(
        store.setSessionPhase('s1', session.revision, { phase: 'active' }, fence),
        FencedError,
      );
      await assert.rejects(
        store.releaseSessionIntent('s1', { phase: 'failed', fence }),
        (e: unknown) => e instanceof FencedError && e.code === 'SVPN_STORE_FENCED',
      );
      assert.equal((await store.getSessionIntent('s1'))?.phase, 'repairing', 'the fenced writes did nothing');
    });

    test('refuses ids the PE network cannot carry', async () => {
      const store = await make();
      await assert.rejects(store.putSessionIntent(intent('bad id')), /sessionId/);
      await assert.rejects(store.getLspIntent('a|b'), /lspId/);
    });
  });
}

const redis = privateRedis();

test('redis: an LSP record stored in the older form (contributions as an object) still loads; a change writes pairs', async () => {
  const client = redis.client();
  const keys = new KeySpace(`prov-old-${Date.now()}`);
  const store = new RedisProvisioningStore(client, keys);
  await store.putSessionIntent(intent('s1'));
  const hash = keys.key('provisioning', 'desired', 'lsps');
  const stored = JSON.parse((await client.hget(hash, 'lsp-1')) as string) as Record<string, unknown>;
  assert.deepEqual(stored['contributions'], [['s1', 10_000_000]], 'written as pairs');
  await client.hset(hash, 'lsp-1', JSON.stringify({ ...stored, contributions: { s1: 10_000_000 } }));
  assert.deepEqual((await store.getLspIntent('lsp-1'))?.contributions, new Map([['s1', 10_000_000]]));
  await store.putSessionIntent(intent('s2'));
  assert.deepEqual(
    (await store.getLspIntent('lsp-1'))?.contributions,
    new Map([
      ['s1', 10_000_000],
      ['s2', 10_000_000],
    ]),
  );
  await client.hset(hash, 'lsp-1', JSON.stringify({ ...stored, contributions: [['s1', 'lots']] }));
  await assert.rejects(store.getLspIntent('lsp-1'), /contributions/);
});

conformance('memory', async () => new MemoryProvisioningStore());

test('redis: two processes joining one LSP concurrently (each with its own group commit) add up exactly', async () => {
  const keys = new KeySpace(`prov-two-${Date.now()}`);
  const [a, b] = [redis.client(), redis.client()];
  const stores = [new RedisProvisioningStore(a, keys), new RedisProvisioningStore(b, keys)];
  const ids = Array.from({ length: 200 }, (_, i) => `p${i}`);
  await Promise.all(ids.map((id, i) => stores[i % 2]!.putSessionIntent(intent(id, { bandwidthBps: 1_000 }))));
  assert.equal((await stores[0]!.getLspIntent('lsp-1'))?.bandwidthBps, 200_000);
  // Each releases what the other joined: the release finds the LSP by reading the session.
  await Promise.all(ids.map((id, i) => stores[(i + 1) % 2]!.releaseSessionIntent(id)));
  const lsp = await stores[1]!.getLspIntent('lsp-1');
  assert.equal(lsp?.intent, 'released');
  assert.deepEqual(lsp?.contributions, new Map());
});

let n = 0;
conformance('redis', async () => {
  const client = redis.client();
  return new RedisProvisioningStore(client, new KeySpace(`prov${n++}`));
});

test('redis: a session view is one command; a whole endpoint observation and a delete are one each', async () => {
  const client = redis.client();
  const store = new RedisProvisioningStore(client, new KeySpace(`prov-rt-${Date.now()}`));
  await store.putSessionIntent(intent('s1'));
  const whole = {
    vpnId: 'v',
    ce: 'CE1',
    interface: 'ge-0',
    bandwidthBps: 10,
    dscp: 10,
    lspId: null,
    uniRevision: 1,
    markingRevision: 1,
  };
  // Scripts are loaded on first use (NOSCRIPT, then loaded): warm them up before counting.
  await store.getSessionView('s1', ['PE1'], ['lsp-1']);
  // Commands the client sends (round trips), counted at ioredis' sendCommand.
  let sent = 0;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((...args: Parameters<typeof send>) => {
    sent++;
    return send(...args);
  }) as typeof client.sendCommand;
  const cost = async (step: () => Promise<unknown>): Promise<number> => {
    sent = 0;
    await step();
    return sent;
  };
  assert.equal(await cost(() => store.getSessionView('s1', ['PE1', 'PE2'], ['lsp-1'])), 1);
  assert.equal(await cost(() => store.updateActualEndpoint('s1', 'PE1', whole)), 1);
  assert.equal(await cost(() => store.deleteActualEndpoint('s1', 'PE1')), 1);
  assert.equal(
    await cost(() => store.updateActualEndpoint('s1', 'PE1', { dscp: 46 })),
    2,
    'a merge reads first',
  );
});
