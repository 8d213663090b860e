import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import type { Decision } from '@svpn/policy';
import { ProvisionerClosedError } from '@svpn/provisioning';
import { registerHealthRoutes } from '@svpn/service-kit';
import { createGatewayMetrics } from '../src/metrics.js';
import { meterAdmission, meterPolicy, meterProvisioning } from '../src/metered-ports.js';
import type {
  AdmissionPort,
  AdmissionRequest,
  AdmissionResult,
  PolicyPort,
  ProvisioningPort,
} from '../src/ports.js';

const REFUSED: Decision = {
  allow: false,
  code: 'session-bandwidth-exceeded',
  sipStatus: 488,
  sipReason: 'Not Acceptable Here',
  reason: '1.5 Gbit/s asked, 1 Gbit/s allowed per session',
};

function policyAnswering(decisions: Decision[]): PolicyPort {
  return {
    credentials: async () => 'ha1',
    decide: async () => {
      const next = decisions.shift();
      assert.ok(next, 'one decision per call');
      return next;
    },
    membership: async () => ({ member: true, vpnId: '00000a:00000001' }),
    site: async () => undefined,
    customerOf: async () => 'acme',
    releaseUsage: async () => undefined,
  } as PolicyPort;
}

async function exposition(registry: Registry): Promise<string> {
  const app = Fastify();
  registerHealthRoutes(app, { registry });
  const res = await app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  return res.body;
}

test('policy refusals are counted by their decision code; allowed decisions are not refusals', async () => {
  const metrics = createGatewayMetrics();
  const allowed = { allow: true, code: 'allowed' } as unknown as Decision;
  const policy = meterPolicy(policyAnswering([REFUSED, REFUSED, allowed]), metrics.refusals);
  const now = new Date();
  const ask = { application: 'primary-dc', vpn: 'acme', serviceClass: 'x', bandwidthBps: 1, now };
  assert.equal((await policy.decide(ask, 's-1')).code, 'session-bandwidth-exceeded');
  await policy.decide(ask, 's-2');
  assert.equal((await policy.decide(ask, 's-3')).allow, true);
  // Everything else goes through unchanged.
  assert.equal(await policy.customerOf('primary-dc'), 'acme');
  const body = await exposition(metrics.registry);
  assert.match(body, /^svpn_refusals_total\{stage="policy",reason="session-bandwidth-exceeded"\} 2$/m);
  assert.doesNotMatch(body, /reason="allowed"/);
});

test('admission refusals (admit, resize, move) are counted by reason; the result is returned as is', async () => {
  const metrics = createGatewayMetrics();
  const noCapacity: AdmissionResult = {
    ok: false,
    reason: 'no-capacity',
    detail: 'P2-P3 full',
    retryAfterS: 30,
  };
  const noPath: AdmissionResult = { ok: false, reason: 'no-path', detail: 'no route', retryAfterS: 30 };
  const inner: AdmissionPort = {
    admit: async () => noCapacity,
    resize: async () => noCapacity,
    move: async () => noPath,
    release: async () => undefined,
  };
  const admission = meterAdmission(inner, metrics.refusals);
  assert.deepEqual(await admission.admit({} as AdmissionRequest), noCapacity);
  await admission.resize('s-1', 2);
  await admission.move('s-1', 'PE1', 'PE9');
  await admission.release('s-1');
  const body = await exposition(metrics.registry);
  assert.match(body, /^svpn_refusals_total\{stage="admission",reason="no-capacity"\} 2$/m);
  assert.match(body, /^svpn_refusals_total\{stage="admission",reason="no-path"\} 1$/m);
});

test('a failed provisioning is counted by the error code and rethrown unchanged', async () => {
  const metrics = createGatewayMetrics();
  const failure = new ProvisionerClosedError();
  const failures: Error[] = [failure, new Error('a bug')];
  const withdrawn: unknown[] = [];
  const inner: ProvisioningPort = {
    provision: async () => {
      throw failures.shift();
    },
    release: async () => undefined,
    advertiseMembership: async () => undefined,
    withdrawMembership: async (key) => void withdrawn.push(key),
  };
  const provisioning = meterProvisioning(inner, metrics.refusals);
  await assert.rejects(provisioning.provision({ sessionId: 's-1' } as never), (e) => e === failure);
  await assert.rejects(provisioning.provision({ sessionId: 's-2' } as never), /a bug/);
  await provisioning.withdrawMembership?.({ pe: 'PE1' } as never);
  assert.equal(withdrawn.length, 1);
  const body = await exposition(metrics.registry);
  assert.match(body, /^svpn_refusals_total\{stage="provisioning",reason="SVPN_PROVISIONING_CLOSED"\} 1$/m);
  assert.match(body, /^svpn_refusals_total\{stage="provisioning",reason="error"\} 1$/m);
});

test('svpn_active_sessions reads its source at scrape time', async () => {
  const metrics = createGatewayMetrics();
  let live = 3;
  metrics.watchSessions(() => live);
  assert.match(await exposition(metrics.registry), /^svpn_active_sessions 3$/m);
  live = 0;
  assert.match(await exposition(metrics.registry), /^svpn_active_sessions 0$/m);
});
