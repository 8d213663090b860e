/**
 * Setups that stop half-way, end to end (issue 4 item 6, DESIGN §5 "a crash at any step leaves
 * nothing leaked"): the provisioner's process is killed while a session is being set up, and a
 * fresh provisioner's reconciler cleans the network up; a CANCEL during provisioning rolls the
 * reservation back before the callee is ever alerted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { loadConfig, silentLogger } from '@svpn/service-kit';
import { ConfigSchema, startProvisioner, type ProvisionerService } from '@svpn/provisioner-service';
import { DEMO_TOPOLOGY_FILE } from '@svpn/sip-gateway-service';
import { startHarness, type Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import {
  ACME,
  answerAs,
  placeCall,
  registerApp,
  registerApps,
  verdict,
  waitFor,
} from './support/sipp-peers.js';
import { chargeOf, ledgerFlows, uniSessionsOf, waitForIdle } from './support/svpn-state.js';

const CHILD = fileURLToPath(new URL('./support/provisioner-child.ts', import.meta.url));
let h: Harness;
let child: ChildProcess | undefined;
let fresh: ProvisionerService | undefined;
let freshRedis: Redis | undefined;

before(async () => {
  // The gateway's provisioning API runs here without workers or reconciler: the workers run in a
  // child process the test can kill.
  h = await startHarness(
    { digestAlgorithms: 'MD5,SHA-256' },
    {
      provisioner: false,
      provisionerConfig: { flowDeadlineMs: 1500, jobLockMs: 1000, stalledIntervalMs: 500 },
    },
  );
  child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, REDIS_URL: h.redisServer.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child!.once('exit', (code) => reject(new Error(`provisioner child exited ${code}`)));
    child!.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
});

after(async () => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  // The fresh provisioner first: its workers hold the queues the harness closes.
  await fresh?.stop();
  freshRedis?.disconnect();
  await h?.stop();
});

test("DESIGN §5 — the provisioner killed mid-setup: the caller gets 503, the gateway gives the ledger back, a fresh provisioner's reconciler leaves nothing on the PEs", async () => {
  await registerApps(h.gateway, [
    ['primary-dc', 'CE1', ACME],
    ['backup-dc', 'CE2', ACME],
  ]);
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 100_000,
    scenarioName: 'uac-invite-expect-503',
    timeoutMs: 30_000,
  });
  // Half-way: the LSP is up on the network, the UNI attachment jobs are running (the PE is slow).
  await waitFor('the setup half-way', async () => {
    const lsps = await h.peSim.listLsps();
    const active = [
      ...(await h.provisioner.runner.queue('PE1').getJobs(['active'])),
      ...(await h.provisioner.runner.queue('PE4').getJobs(['active'])),
    ].filter((j) => j.name === 'uni.add-session');
    return lsps.some((l) => l.status === 'up') && active.length > 0;
  });
  assert.ok(ledgerFlows(h).has(call.sessionId), 'admitted before provisioning');
  child!.kill('SIGKILL');
  await once(child!, 'exit');
  const result = await call.done;
  assert.equal(result.exitCode, 0, `the caller got 503 with Retry-After: ${verdict(result)}`);
  // The gateway's rollback gave the ledger and the SLA usage back; the PEs still hold the LSP.
  assert.equal(ledgerFlows(h).has(call.sessionId), false, 'no ledger flow left');
  assert.ok((await h.peSim.listLsps()).length > 0, 'the crash left an LSP on the network');
  assert.equal(await chargeOf(h, call.sessionId), undefined, 'never answered, never charged');

  // A fresh provisioner (workers and reconciler) converges desired and actual state.
  freshRedis = new Redis(h.redisServer.url, { maxRetriesPerRequest: null });
  fresh = await startProvisioner(
    loadConfig(
      ConfigSchema,
      {},
      {
        redisUrl: h.redisServer.url,
        topologyFile: DEMO_TOPOLOGY_FILE,
        jobLockMs: 1000,
        stalledIntervalMs: 500,
        reconcileGraceMs: 0,
        reconcileIntervalMs: 1000,
        flowDeadlineMs: 3000,
      },
    ),
    {
      redis: freshRedis,
      log: silentLogger(),
      owner: 'fresh',
      simulator: { latency: { 'rsvp-te.signal': 800 } },
    },
  );
  await waitForIdle(h, 20_000);
  assert.deepEqual(await uniSessionsOf(h, call.sessionId), []);
});

test('CANCEL during provisioning: 200 and 487 to the caller, the reservation is rolled back, the callee is never alerted', async () => {
  assert.ok(fresh, 'runs after the recovery test, with its slow-signalling provisioner');
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-expect-200', { timeoutMs: 5000 });
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 100_000,
    scenarioName: 'uac-invite-cancel-expect-487',
  });
  const result = await call.done;
  assert.equal(result.exitCode, 0, verdict(result));
  await waitForIdle(h, 15_000);
  assert.equal(await chargeOf(h, call.sessionId), undefined, 'no charge record');
  const far = await uas.done;
  assert.equal(far.successfulCalls + far.failedCalls, 0, `the callee never saw an INVITE: ${verdict(far)}`);
});
