import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@svpn/service-kit';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { Reconciler } from '../../src/reconciler/reconciler.js';
import { CLEAN, Harness, sessionIntent } from '../support/harness.js';

let redis: RedisServerHandle;
const harnesses: Harness[] = [];
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await redis.stop();
});

describe('Reconciler', () => {
  test('one process reconciles at a time; the next pass gets a higher fencing token', async () => {
    const h = await Harness.start({
      redisUrl: redis.url,
      name: 'rec0',
      workers: false,
      reconciler: { roundDeadlineMs: 600, maxRounds: 1 },
    });
    harnesses.push(h);
    const other = new Reconciler({
      store: h.store,
      adapter: h.adapter,
      runner: h.runner,
      owner: 'rec0-other',
      roundDeadlineMs: 300,
      maxRounds: 1,
      log: silentLogger(),
    });
    // A session still deploying: with no worker running, a's round waits out its deadline.
    await h.store.putSessionIntent({
      ...sessionIntent('s1'),
      serviceClass: null,
      lsp: { ...sessionIntent('s1').lsp!, penultimateHopPopping: false, bandwidthBps: null },
      deadlineMs: Date.now() + 60_000,
    });
    const first = h.reconciler.reconcile();
    await new Promise((r) => setTimeout(r, 100));
    const refused = await other.reconcile();
    assert.equal(refused.ran, false, 'the lease is held');
    const a = await first;
    assert.equal(a.ran, true);
    assert.equal(a.converged, false);
    assert.ok(a.steps.timedOut > 0, 'no worker answered');
    const b = await other.reconcile();
    assert.equal(b.ran, true);
    assert.ok(b.token! > a.token!);
  });

  test('a PE that rebooted under an active session: the session is repaired', async () => {
    const h = await Harness.start({ redisUrl: redis.url, name: 'rec1' });
    harnesses.push(h);
    await h.advertiseMemberships();
    await h.provisioner.provisionSession(sessionIntent('s1'));
    await h.sim.rebootNode('PE4'); // loses its VRF, membership route and UNI session
    assert.deepEqual(await h.sim.listSessions('PE4'), []);
    const report = await h.reconciler.reconcile();
    assert.equal(report.converged, true);
    assert.ok((report.actions['advertise-membership'] ?? 0) >= 1);
    assert.ok((report.actions['repair-session'] ?? 0) >= 1);
    assert.equal((await h.store.getSessionIntent('s1'))?.phase, 'active');
    assert.equal((await h.sim.getSession('PE4', 's1'))?.dscp, 10);
    assert.equal((await h.sim.getLsp('lsp-s1'))?.status, 'up');
    await h.provisioner.releaseSession('s1');
    assert.deepEqual(await h.leftovers(), CLEAN);
  });
});
