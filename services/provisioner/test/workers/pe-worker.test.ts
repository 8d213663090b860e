import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError, type Job } from 'bullmq';
import { Registry } from 'prom-client';
import { InvalidPayloadError, PeAdapterError } from '@svpn/provisioning';
import { MemoryProvisioningStore, ProvisioningStoreCorruptError } from '@svpn/store';
import { ProvisionerMetrics } from '../../src/metrics.js';
import { classifyFailure, processorFor } from '../../src/workers/pe-worker.js';
import { FakePeAdapter } from '../support/fake-pe-adapter.js';

function job(name: string, data: unknown, attemptsMade = 0, attempts = 3): Job {
  return { id: `${name}/x/r1`, name, data, attemptsMade, opts: { attempts } } as unknown as Job;
}

const LDP = { pe: 'PE1', fec: '192.0.2.1/32', revision: 0, origin: 'direct' };

function setup() {
  const adapter = new FakePeAdapter();
  const registry = new Registry();
  const metrics = new ProvisionerMetrics(registry);
  const process = processorFor({ pe: 'PE1', adapter, store: new MemoryProvisioningStore(), metrics });
  return { adapter, registry, process };
}

describe('PE worker processor', () => {
  test('runs a valid job and observes its duration by type and outcome', async () => {
    const { process, registry } = setup();
    assert.deepEqual(await process(job('ldp.bind', LDP)), { outcome: 'applied', detail: 'label 99' });
    const text = await registry.metrics();
    assert.match(text, /svpn_provisioning_job_duration_seconds_count\{type="ldp.bind",outcome="applied"\} 1/);
  });

  test('an invalid payload, an unknown type or a job for another PE fails without retry', async () => {
    const { process, adapter } = setup();
    for (const bad of [
      job('ldp.bind', { ...LDP, fec: 7 }),
      job('ldp.explode', LDP),
      job('ldp.bind', { ...LDP, pe: 'PE2' }),
    ]) {
      await assert.rejects(process(bad), (e: unknown) => {
        assert.ok(e instanceof UnrecoverableError);
        assert.match(e.message, /^\[SVPN_PROVISIONING_INVALID_PAYLOAD\]/);
        return true;
      });
    }
    assert.deepEqual(adapter.calls, [], 'nothing reached the PE');
  });

  test('a PE failure a retry cannot cure is unrecoverable; a transient one is retried', async () => {
    const { process, adapter, registry } = setup();
    adapter.failNext('ldp.bind', 'SVPN_PE_INVALID');
    await assert.rejects(
      process(job('ldp.bind', LDP)),
      (e: unknown) => e instanceof UnrecoverableError && /^\[SVPN_PE_INVALID\]/.test(e.message),
    );
    adapter.failNext('ldp.bind', 'SVPN_PE_TIMEOUT');
    await assert.rejects(
      process(job('ldp.bind', LDP)),
      (e: unknown) => !(e instanceof UnrecoverableError) && /^\[SVPN_PE_TIMEOUT\]/.test((e as Error).message),
    );
    adapter.failNext('ldp.bind', 'SVPN_PE_TIMEOUT');
    await assert.rejects(process(job('ldp.bind', LDP, 2, 3)));
    const text = await registry.metrics();
    assert.match(
      text,
      /svpn_provisioning_job_failures_total\{type="ldp.bind",code="SVPN_PE_INVALID",final="true"\} 1/,
    );
    assert.match(
      text,
      /svpn_provisioning_job_failures_total\{type="ldp.bind",code="SVPN_PE_TIMEOUT",final="false"\} 1/,
    );
    assert.match(
      text,
      /svpn_provisioning_job_failures_total\{type="ldp.bind",code="SVPN_PE_TIMEOUT",final="true"\} 1/,
    );
  });

  test('classifyFailure', () => {
    assert.deepEqual(
      classifyFailure(new PeAdapterError('SVPN_PE_NO_BANDWIDTH', 'PE1', 'rsvp-te.signal', 'full')),
      {
        code: 'SVPN_PE_NO_BANDWIDTH',
        retryable: false,
        message: 'full',
      },
    );
    assert.equal(classifyFailure(new InvalidPayloadError('x', ['bad'])).retryable, false);
    assert.equal(classifyFailure(new ProvisioningStoreCorruptError('bad json')).retryable, false);
    assert.deepEqual(classifyFailure(new Error('ECONNRESET')), {
      code: 'SVPN_PROVISIONING_ERROR',
      retryable: true,
      message: 'ECONNRESET',
    });
  });
});
