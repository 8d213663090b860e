import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Value } from '@sinclair/typebox/value';
import { Redis } from 'ioredis';
import { silentLogger } from '@svpn/service-kit';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { ConfigSchema } from '../src/config.js';
import { startProvisioner, type ProvisionerService } from '../src/start-provisioner.js';
import { DEMO_TOPOLOGY_FILE, MEMBERSHIPS, sessionIntent } from './support/harness.js';

let redis: RedisServerHandle;
let connection: Redis;
let service: ProvisionerService;

before(async () => {
  redis = await startRedisServer();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  service = await startProvisioner(
    Value.Parse(ConfigSchema, {
      keyPrefix: 'app0',
      peSimPrefix: '{app0-sim}',
      topologyFile: DEMO_TOPOLOGY_FILE,
      reconcileIntervalMs: 600_000,
    }),
    { redis: connection, log: silentLogger() },
  );
  await service.initialReconcile;
});
after(async () => {
  await service.stop();
  connection.disconnect();
  await redis.stop();
});

describe('provisioner service', () => {
  test('runs one worker per PE of the topology and answers /healthz and /readyz', async () => {
    assert.deepEqual(service.pes, ['PE1', 'PE2', 'PE3', 'PE4', 'PE5', 'PE6']);
    assert.equal(service.workers.length, 6);
    assert.equal((await service.app.inject({ url: '/healthz' })).statusCode, 200);
    const ready = await service.app.inject({ url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json().checks, { redis: 'ok', workers: 'ok' });
  });

  test('provisions through the in-process API and exposes job latency, flows and queue depth in /metrics', async () => {
    for (const m of MEMBERSHIPS) await service.provisioner.advertiseMembership(m);
    const result = await service.provisioner.provisionSession(sessionIntent('s1'));
    assert.equal(result.lspId, 'lsp-s1');
    const metrics = (await service.app.inject({ url: '/metrics' })).body;
    assert.match(
      metrics,
      /svpn_provisioning_job_duration_seconds_count\{type="rsvp-te.signal",outcome="applied"\} 1/,
    );
    assert.match(
      metrics,
      /svpn_provisioning_job_duration_seconds_count\{type="uni.add-session",outcome="applied"\} 2/,
    );
    assert.match(metrics, /svpn_provisioning_flow_duration_seconds_count\{flow="setup",outcome="ok"\} 1/);
    assert.match(metrics, /svpn_provisioning_queue_depth\{pe="PE1",state="waiting"\} 0/);
    assert.match(metrics, /svpn_provisioning_reconcile_runs_total\{result="converged"\} 1/);
  });

  test('GET /v1/provisioning/queues and /v1/provisioning/sessions/:id', async () => {
    const queues = (await service.app.inject({ url: '/v1/provisioning/queues' })).json();
    assert.deepEqual(Object.keys(queues.queues), ['PE1', 'PE2', 'PE3', 'PE4', 'PE5', 'PE6']);
    const status = await service.app.inject({ url: '/v1/provisioning/sessions/s1' });
    assert.equal(status.statusCode, 200);
    assert.equal(status.json().desired.phase, 'active');
    const missing = await service.app.inject({ url: '/v1/provisioning/sessions/nobody' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.equal(missing.json().code, 'SVPN_NOT_FOUND');
    const bad = await service.app.inject({ url: '/v1/provisioning/sessions/a%7Cb' });
    assert.equal(bad.statusCode, 400);
  });

  test('POST /v1/provisioning/reconcile runs a pass: nothing to do on a converged network', async () => {
    const response = await service.app.inject({ method: 'POST', url: '/v1/provisioning/reconcile' });
    assert.equal(response.statusCode, 200);
    const report = response.json();
    assert.equal(report.ran, true);
    assert.equal(report.converged, true);
    assert.deepEqual(report.actions, {});
  });
});
