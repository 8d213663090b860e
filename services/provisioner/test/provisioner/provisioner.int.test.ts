import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Job } from 'bullmq';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  IntentConflictError,
  InvalidIntentError,
  jobId,
  ProvisioningFailedError,
  UnknownSessionError,
} from '@svpn/provisioning';
import { CLEAN, Harness, MEMBERSHIPS, VPN, sessionIntent, type HarnessOptions } from '../support/harness.js';

let redis: RedisServerHandle;
const harnesses: Harness[] = [];
let n = 0;

async function harness(options: Partial<HarnessOptions> = {}): Promise<Harness> {
  const h = await Harness.start({ redisUrl: redis.url, name: `prov${n++}`, ...options });
  harnesses.push(h);
  await h.advertiseMemberships();
  return h;
}

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await redis.stop();
});

describe('Provisioner: session setup', () => {
  test('creates the LSP, the UNI session on both PEs and the marking, and records the actual state', async () => {
    const h = await harness();
    const result = await h.provisioner.provisionSession(sessionIntent('s1'));
    assert.equal(result.sessionId, 's1');
    assert.equal(result.lspId, 'lsp-s1');
    assert.equal(result.lspBandwidthBps, 100_000_000);
    const lsp = await h.sim.getLsp('lsp-s1');
    assert.equal(lsp?.status, 'up');
    assert.equal(lsp?.bandwidthBps, 100_000_000);
    assert.equal(result.ingressLabel, lsp?.ingressLabel, 'the label returned is the one the ingress pushes');
    assert.ok(result.ingressLabel !== null && result.ingressLabel >= 16);
    assert.deepEqual(
      result.hopLabels,
      lsp?.hops.map((hop) => hop.label),
    );
    assert.deepEqual(
      (await h.sim.listSessions()).map((s) => [
        s.pe,
        s.sessionId,
        s.bandwidthBps,
        s.dscp,
        s.markingSource,
        s.lspId,
      ]),
      [
        ['PE1', 's1', 100_000_000, 10, 'session', 'lsp-s1'],
        ['PE4', 's1', 100_000_000, 10, 'session', 'lsp-s1'],
      ],
    );
    assert.equal((await h.reservedLinks())['P2-P3:P2->P3'], 100_000_000);
    const status = await h.provisioner.getSession('s1');
    assert.equal(status?.desired.phase, 'active');
    assert.deepEqual(
      status?.endpoints.map((e) => [e.pe, e.uniRevision, e.markingRevision, e.dscp]),
      [
        ['PE1', result.revision, result.revision, 10],
        ['PE4', result.revision, result.revision, 10],
      ],
    );
    assert.equal(status?.lsp?.actual?.ingressLabel, result.ingressLabel);
  });

  test('the same intent submitted twice (a retransmitted INVITE) provisions once', async () => {
    const h = await harness();
    const [a, b] = await Promise.all([
      h.provisioner.provisionSession(sessionIntent('s1')),
      h.provisioner.provisionSession(sessionIntent('s1')),
    ]);
    const c = await h.provisioner.provisionSession(sessionIntent('s1'));
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    const lsp = await h.sim.getLsp('lsp-s1');
    assert.equal(lsp?.createdAtMs, lsp?.updatedAtMs, 'the LSP was signalled once and never touched again');
    // One job per step and PE: BullMQ kept a single job for each deterministic id.
    const pe1 = await h.runner.queue('PE1').getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    const sessionJobs = pe1
      .filter((j) => String(j.id).includes('s1'))
      .map((j) => j.id)
      .sort();
    assert.deepEqual(
      sessionJobs,
      [jobId('rsvp-te.signal', 'lsp-s1', a.revision), jobId('uni.add-session', 's1', a.revision)].sort(),
    );
    const signal = await Job.fromId(h.runner.queue('PE1'), jobId('rsvp-te.signal', 'lsp-s1', a.revision));
    assert.equal(signal?.attemptsMade, 1);
    assert.equal((await h.sim.listSessions()).length, 2);
  });

  test('rejects an invalid intent before touching anything', async () => {
    const h = await harness();
    await assert.rejects(
      h.provisioner.provisionSession({ ...sessionIntent('s1'), bandwidthBps: -1 }),
      InvalidIntentError,
    );
    assert.equal(await h.store.getSessionIntent('s1'), null);
  });

  test('the same version with other parameters is a conflict', async () => {
    const h = await harness();
    await h.provisioner.provisionSession(sessionIntent('s1'));
    await assert.rejects(
      h.provisioner.provisionSession(sessionIntent('s1', { bandwidthBps: 5_000_000 })),
      IntentConflictError,
    );
  });
});

describe('Provisioner: compensation', () => {
  test('a PE refusing uni.add-session: the LSP and the other UNI session are undone, nothing stays reserved', async () => {
    const h = await harness();
    await h.sim.injectFault({ pe: 'PE4', op: 'uni.add-session', mode: 'refuse' });
    let failedJob = '';
    await assert.rejects(h.provisioner.provisionSession(sessionIntent('s1')), (e: unknown) => {
      assert.ok(e instanceof ProvisioningFailedError);
      failedJob = e.step.jobId;
      assert.equal(e.code, 'SVPN_PROVISIONING_FAILED');
      assert.equal(e.step.type, 'uni.add-session');
      assert.equal(e.step.pe, 'PE4');
      assert.equal(e.step.peCode, 'SVPN_PE_REFUSED');
      assert.equal(e.compensation.complete, true);
      assert.equal(e.sessionReleased, true);
      assert.equal(e.retryAfterSeconds, 5);
      return true;
    });
    assert.deepEqual(await h.leftovers(), CLEAN);
    assert.equal(await h.store.getSessionIntent('s1'), null);
    assert.deepEqual(await h.store.listLspIntents(), []);
    // The refusal was retried with backoff before the flow gave up.
    assert.match(failedJob, /^uni\.add-session\/s1\/r\d+$/);
    const add = await Job.fromId(h.runner.queue('PE4'), failedJob);
    assert.equal(add?.attemptsMade, 3);
  });

  test('RSVP-TE signalling failing half-way: the partial LSP is torn down on every hop', async () => {
    const h = await harness();
    await h.sim.injectFault({ pe: 'PE1', op: 'rsvp-te.signal', mode: 'half-way', afterHops: 2 });
    await assert.rejects(h.provisioner.provisionSession(sessionIntent('s1')), (e: unknown) => {
      assert.ok(e instanceof ProvisioningFailedError);
      assert.equal(e.step.type, 'rsvp-te.signal');
      assert.equal(e.step.peCode, 'SVPN_PE_PARTIAL');
      assert.equal(e.compensation.complete, true);
      return true;
    });
    assert.deepEqual(await h.leftovers(), CLEAN);
  });

  test('no bandwidth on a hop is not retried (UnrecoverableError) and leaves nothing', async () => {
    const h = await harness();
    // 2 Gbit/s cannot cross the 1 Gbit/s P2–P3 link.
    let failedJob = '';
    await assert.rejects(
      h.provisioner.provisionSession(sessionIntent('big', { bandwidthBps: 2_000_000_000 })),
      (e: unknown) => {
        assert.ok(e instanceof ProvisioningFailedError && e.step.peCode === 'SVPN_PE_NO_BANDWIDTH');
        failedJob = e.step.jobId;
        return true;
      },
    );
    assert.match(failedJob, /^rsvp-te\.signal\/lsp-big\/r\d+$/);
    const signal = await Job.fromId(h.runner.queue('PE1'), failedJob);
    assert.equal(signal?.attemptsMade, 1, 'a retry cannot help: one attempt only');
    assert.deepEqual(await h.leftovers(), CLEAN);
  });

  test('a flow that does not finish in time (no worker) times out and is cleaned up later', async () => {
    const h = await harness({ compensationDeadlineMs: 300 });
    for (const w of h.workers.splice(0)) await w.close();
    await assert.rejects(
      h.provisioner.provisionSession(sessionIntent('s1'), { deadlineMs: 300 }),
      (e: unknown) =>
        e instanceof ProvisioningFailedError &&
        e.code === 'SVPN_PROVISIONING_TIMEOUT' &&
        !e.compensation.complete,
    );
    const failed = await h.store.getSessionIntent('s1');
    assert.equal(failed?.intent, 'released');
    assert.equal(failed?.phase, 'failed');
    // Workers come back: the queued setup jobs find the session released and skip; the undo jobs run.
    await h.startWorkers();
    const report = await h.reconciler.reconcile();
    assert.equal(report.converged, true);
    assert.deepEqual(await h.leftovers(), CLEAN);
  });
});

describe('Provisioner: retries', () => {
  test('a transient PE timeout is retried with backoff and the setup succeeds', async () => {
    const h = await harness({ peDeadlineMs: 150 });
    await h.sim.injectFault({ pe: 'PE4', op: 'uni.add-session', mode: 'timeout', count: 2 });
    const started = Date.now();
    const result = await h.provisioner.provisionSession(sessionIntent('s1'));
    assert.equal(result.endpoints.length, 2);
    const add = await Job.fromId(h.runner.queue('PE4'), jobId('uni.add-session', 's1', result.revision));
    assert.equal(add?.attemptsMade, 3, 'two timeouts, then success');
    assert.ok(Date.now() - started >= 2 * 150 + 20 + 40, 'waited the deadlines and the 20 + 40 ms backoff');
    assert.equal((await h.sim.getSession('PE4', 's1'))?.bandwidthBps, 100_000_000);
  });
});

describe('Provisioner: modify and release', () => {
  test('modify grows the LSP and the UNI sessions; release removes everything', async () => {
    const h = await harness();
    await h.provisioner.provisionSession(sessionIntent('s1'));
    const modified = await h.provisioner.modifySession(
      sessionIntent('s1', { version: 2, bandwidthBps: 300_000_000, dscp: 26 }),
    );
    assert.equal(modified.version, 2);
    assert.equal(modified.lspBandwidthBps, 300_000_000);
    assert.equal((await h.sim.getLsp('lsp-s1'))?.bandwidthBps, 300_000_000);
    assert.deepEqual(
      (await h.sim.listSessions()).map((s) => [s.pe, s.bandwidthBps, s.dscp]),
      [
        ['PE1', 300_000_000, 26],
        ['PE4', 300_000_000, 26],
      ],
    );
    const released = await h.provisioner.releaseSession('s1');
    assert.deepEqual(released, { sessionId: 's1', existed: true, complete: true });
    assert.deepEqual(await h.leftovers(), CLEAN);
    assert.equal(await h.store.getSessionIntent('s1'), null);
    assert.deepEqual(await h.provisioner.releaseSession('s1'), {
      sessionId: 's1',
      existed: false,
      complete: true,
    });
  });

  test('a failed modify is rolled back: the session keeps its old parameters', async () => {
    const h = await harness();
    await h.provisioner.provisionSession(sessionIntent('s1'));
    await h.sim.injectFault({ pe: 'PE4', op: 'uni.modify-session', mode: 'refuse', count: 3 });
    await assert.rejects(
      h.provisioner.modifySession(sessionIntent('s1', { version: 2, bandwidthBps: 200_000_000 })),
      (e: unknown) =>
        e instanceof ProvisioningFailedError && e.sessionReleased === false && e.compensation.complete,
    );
    assert.equal((await h.sim.getLsp('lsp-s1'))?.bandwidthBps, 100_000_000);
    assert.deepEqual(
      (await h.sim.listSessions()).map((s) => [s.pe, s.bandwidthBps]),
      [
        ['PE1', 100_000_000],
        ['PE4', 100_000_000],
      ],
    );
    const status = await h.provisioner.getSession('s1');
    assert.equal(status?.desired.phase, 'active');
    assert.equal(status?.desired.bandwidthBps, 100_000_000);
    await assert.rejects(
      h.provisioner.modifySession(sessionIntent('nobody', { version: 2 })),
      UnknownSessionError,
    );
  });

  test('sessions share one aggregate LSP: it grows with each and is torn down after the last', async () => {
    const h = await harness();
    const shared = (id: string) => sessionIntent(id, { lsp: { ...sessionIntent(id).lsp!, lspId: 'agg-1' } });
    await h.provisioner.provisionSession(shared('a'));
    const b = await h.provisioner.provisionSession({ ...shared('b'), bandwidthBps: 50_000_000 });
    assert.equal(b.lspBandwidthBps, 150_000_000);
    assert.equal((await h.sim.listLsps()).length, 1);
    await h.provisioner.releaseSession('a');
    assert.equal((await h.sim.getLsp('agg-1'))?.bandwidthBps, 50_000_000);
    assert.equal((await h.sim.getSession('PE1', 'b'))?.lspId, 'agg-1');
    await h.provisioner.releaseSession('b');
    assert.deepEqual(await h.leftovers(), CLEAN);
    // The aggregate is signalled again for the next session: its new jobs never collide with the
    // old ones BullMQ still remembers (revisions are never reused).
    const c = await h.provisioner.provisionSession(shared('c'));
    assert.equal(c.lspBandwidthBps, 100_000_000);
    assert.equal((await h.sim.getLsp('agg-1'))?.status, 'up');
  });
});

describe('Provisioner: aggregates sized by the gateway', () => {
  test('sessions joining and leaving an aggregate whose size stays queue no LSP job on the ingress PE', async () => {
    const h = await harness();
    const aggregate = (id: string) =>
      sessionIntent(id, {
        bandwidthBps: 1_000_000,
        lsp: { ...sessionIntent(id).lsp!, lspId: 'agg-fixed', bandwidthBps: 500_000_000 },
      });
    const first = await h.provisioner.provisionSession(aggregate('f1'));
    const queue = h.runner.queue('PE1');
    const lspJobs = async () =>
      (await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed'])).filter((j) =>
        j.name.startsWith('rsvp-te.'),
      ).length;
    assert.equal(await lspJobs(), 1, 'the aggregate is signalled once');
    const second = await h.provisioner.provisionSession(aggregate('f2'));
    await h.provisioner.releaseSession('f1', { lspBandwidthBps: 500_000_000 });
    assert.equal(await lspJobs(), 1, 'a join and a leave at the same size run no LSP job');
    assert.equal(second.ingressLabel, first.ingressLabel, 'the second session rides the same LSP');
    assert.equal(second.lspBandwidthBps, 500_000_000);
    assert.equal((await h.sim.getLsp('agg-fixed'))?.bandwidthBps, 500_000_000);
    assert.equal((await h.sim.getSession('PE4', 'f2'))?.lspId, 'agg-fixed');
    // The last one leaving tears it down: that is a job.
    await h.provisioner.releaseSession('f2');
    assert.equal(await lspJobs(), 2);
    assert.deepEqual(await h.leftovers(), CLEAN);
  });
});

describe('Provisioner: release during setup (CANCEL)', () => {
  test('the release wins: the pending setup rejects as superseded and nothing is left', async () => {
    const h = await harness({ simulator: { latency: { 'uni.add-session': 300 } } });
    const provisioning = h.provisioner.provisionSession(sessionIntent('s1'));
    provisioning.catch(() => undefined);
    for (let i = 0; i < 100 && (await h.sim.getLsp('lsp-s1'))?.status !== 'up'; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const released = await h.provisioner.releaseSession('s1');
    assert.deepEqual(released, { sessionId: 's1', existed: true, complete: true });
    await assert.rejects(provisioning, IntentConflictError);
    assert.deepEqual(await h.leftovers(), CLEAN);
    assert.equal(await h.store.getSessionIntent('s1'), null);
  });
});

describe('Provisioner: memberships', () => {
  test('advertise returns the VPN label, is idempotent, and withdraw removes the route', async () => {
    const h = await harness();
    const m = MEMBERSHIPS[0]!;
    const advertised = await h.store.getMembershipIntent(m);
    const again = await h.provisioner.advertiseMembership(m);
    const route = (await h.sim.listRoutes('PE1')).find((r) => r.vpnId === VPN && r.ce === 'CE1');
    assert.equal(again.vpnLabel, route?.label);
    assert.equal(again.revision, advertised?.revision, 'advertised once');
    assert.deepEqual(await h.provisioner.withdrawMembership(m), { complete: true });
    assert.deepEqual(await h.sim.listRoutes('PE1'), []);
    assert.equal(await h.store.getMembershipIntent(m), null, 'the released record is collected');
  });
});
