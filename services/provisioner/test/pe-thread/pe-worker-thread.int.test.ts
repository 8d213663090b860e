/**
 * The PE workers and the reconciler in a worker thread (`svpn up`): the main thread's provisioner
 * queues, the thread's workers run the jobs; `/readyz`, `/metrics` and the reconcile route include
 * the thread; a thread that dies is started again; stop ends it. Real Redis, real pe-sim.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { Redis } from 'ioredis';
import { queueKeyPrefix, type MembershipIntent } from '@svpn/provisioning';
import { silentLogger } from '@svpn/service-kit';
import { freePort, startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { ConfigSchema, type Config } from '../../src/config.js';
import { startProvisioner, type ProvisionerService } from '../../src/start-provisioner.js';
import { PeWorkerThread, withoutPeProcessing } from '../../src/pe-thread/pe-worker-thread.js';
import { step, type Step } from '../../src/flows/step.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import {
  completionChannel,
  parseCompletion,
  type CompletionNotice,
} from '../../src/jobs/completion-channel.js';
import { DEMO_TOPOLOGY_FILE, MEMBERSHIPS, sessionIntent } from '../support/harness.js';

let redis: RedisServerHandle;
let connection: Redis;
let config: Config;
let thread: PeWorkerThread;
let service: ProvisionerService;

before(async () => {
  redis = await startRedisServer();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  config = Value.Parse(ConfigSchema, {
    redisUrl: redis.url,
    keyPrefix: 'thr',
    peSimPrefix: '{thr-sim}',
    topologyFile: DEMO_TOPOLOGY_FILE,
    reconcileIntervalMs: 600_000,
  });
  thread = await PeWorkerThread.start({
    config,
    log: silentLogger(),
    logLevel: 'silent',
    owner: 'test:pe-thread',
    restartDelayMs: 50,
    // As `svpn up` runs it: the workers' completion notices come to this thread by the port.
    completionConnection: connection,
  });
  service = await startProvisioner(withoutPeProcessing(config), {
    redis: connection,
    log: silentLogger(),
    elsewhere: thread,
  });
});

after(async () => {
  await service?.stop();
  await thread?.stop();
  connection?.disconnect();
  await redis?.stop();
});

test('the main thread queues, the thread provisions; /metrics sums both threads, /readyz and the reconcile route see the thread', async () => {
  assert.equal(service.workers.length, 0, 'no PE worker on the main thread');
  assert.equal(service.reconciler, null, 'no reconciler on the main thread');
  assert.ok(thread.running);
  for (const m of MEMBERSHIPS) await service.provisioner.advertiseMembership(m);
  const result = await service.provisioner.provisionSession(sessionIntent('t1'));
  assert.equal(result.lspId, 'lsp-t1');
  assert.equal(
    (await service.adapter.listSessions()).filter((s) => s.sessionId === 't1').length,
    2,
    'both UNI ends are on the PEs',
  );

  const metrics = (await service.app.inject({ url: '/metrics' })).body;
  // Written by the thread's workers.
  assert.match(
    metrics,
    /svpn_provisioning_job_duration_seconds_count\{type="uni.add-session",outcome="applied"\} 2/,
  );
  assert.match(metrics, /svpn_provisioning_reconcile_runs_total\{result="converged"\} 1/);
  // Written by the main thread's API, and its process metrics: once each.
  assert.match(metrics, /svpn_provisioning_flow_duration_seconds_count\{flow="setup",outcome="ok"\} 1/);
  assert.match(metrics, /svpn_provisioning_queue_depth\{pe="PE1",state="waiting"\} 0/);
  assert.equal(metrics.match(/^# TYPE svpn_provisioning_job_duration_seconds histogram$/gm)?.length, 1);
  assert.match(metrics, /^svpn_provisioning_worker_thread_starts_total 1$/m);

  const ready = await service.app.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 200);
  assert.deepEqual(ready.json().checks, { redis: 'ok', workers: 'ok' });

  const reconcile = await service.app.inject({ method: 'POST', url: '/v1/provisioning/reconcile' });
  assert.equal(reconcile.statusCode, 200);
  assert.equal(reconcile.json().ran, true);
  assert.equal(reconcile.json().converged, true);
  assert.match(
    (await service.app.inject({ url: '/metrics' })).body,
    /svpn_provisioning_reconcile_runs_total\{result="converged"\} 2/,
  );
  await service.provisioner.releaseSession('t1');
});

test('job completion notices come by the port: a step waiting here wakes without a PUBLISH; a notice no one here waits for is published', async () => {
  const channel = completionChannel(queueKeyPrefix('thr'));
  const listener = new Redis(redis.url);
  const heard: CompletionNotice[] = [];
  listener.on('message', (_channel: string, message: string) => {
    const notice = parseCompletion(message);
    if (notice) heard.push(notice);
  });
  await listener.subscribe(channel);
  // Polls 30 s apart: a step that ends within seconds heard its notice.
  const runner = new JobRunner({ connection, keyPrefix: 'thr', pollIntervalMs: 30_000 });
  const advertise = (tag: string): Step =>
    step(
      {
        type: 'bgp.advertise-membership',
        payload: { ...(MEMBERSHIPS[0] as MembershipIntent), revision: 1, origin: 'reconcile' },
      },
      tag,
    );
  try {
    const waited = advertise('port-waited');
    const started = Date.now();
    const result = await runner.run(waited, Date.now() + 60_000);
    assert.equal(result.status, 'completed');
    assert.ok(Date.now() - started < 10_000, 'woken by the notice, not by the 30 s poll');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      heard.filter((n) => n.jobId === waited.jobId),
      [],
      'a notice taken on this thread is not published',
    );

    const unwaited = advertise('port-unwaited');
    await runner.enqueue(unwaited);
    const deadline = Date.now() + 10_000;
    while (!heard.some((n) => n.jobId === unwaited.jobId) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(
      heard.filter((n) => n.jobId === unwaited.jobId).map((n) => [n.pe, n.status]),
      [['PE1', 'completed']],
      'published once, by this thread, for the waiters of other processes',
    );
  } finally {
    await runner.close();
    listener.disconnect();
  }
});

test('a thread that dies is started again: readiness fails meanwhile, then provisioning works again', async () => {
  const first = thread.threadId;
  await thread.crash();
  const ready = await service.app.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.match(ready.json().checks.workers, /not running/);
  const deadline = Date.now() + 20_000;
  while (!thread.running && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  assert.ok(thread.running, 'started again');
  assert.notEqual(thread.threadId, first);
  assert.equal(thread.starts, 2);
  const result = await service.provisioner.provisionSession(sessionIntent('t2'));
  assert.equal(result.lspId, 'lsp-t2');
  assert.equal((await service.app.inject({ url: '/readyz' })).statusCode, 200);
  assert.match(
    (await service.app.inject({ url: '/metrics' })).body,
    /^svpn_provisioning_worker_thread_starts_total 2$/m,
  );
  await service.provisioner.releaseSession('t2');
});

test('stop lets the thread finish and exit; it is not started again', async () => {
  await thread.stop();
  assert.equal(thread.running, false);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(thread.running, false);
  assert.equal(thread.starts, 2);
  await assert.rejects(thread.reconcile(), /not running/);
});

test('a thread that cannot get ready (nothing answers at its Redis address) is ended: start fails with the reason', async () => {
  const nowhere = `redis://127.0.0.1:${await freePort()}`;
  const started = Date.now();
  await assert.rejects(
    PeWorkerThread.start({
      config: { ...config, redisUrl: nowhere },
      log: silentLogger(),
      logLevel: 'silent',
      owner: 'test:pe-thread-nowhere',
      startTimeoutMs: 1500,
    }),
    /the PE worker thread was not ready within 1500 ms/,
  );
  assert.ok(Date.now() - started < 10_000);
});

test('a reconcile pass is waited for as long as it runs, not for the request timeout of the other questions (1 ms here)', async () => {
  const quick = await PeWorkerThread.start({
    config,
    log: silentLogger(),
    logLevel: 'silent',
    owner: 'test:pe-thread-quick',
    requestTimeoutMs: 1, // no pass over Redis is this quick
  });
  try {
    const report = await quick.reconcile();
    assert.equal(typeof report.ran, 'boolean');
  } finally {
    await quick.stop();
  }
});
