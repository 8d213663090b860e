import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { silentLogger } from '@svpn/service-kit';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { startProvisioner, type ProvisionerService } from '../../src/start-provisioner.js';
import { ConfigSchema, type Config } from '../../src/config.js';
import { Value } from '@sinclair/typebox/value';
import { CLEAN, DEMO_TOPOLOGY_FILE, Harness } from '../support/harness.js';

const CHILD = fileURLToPath(new URL('../support/crash-child.ts', import.meta.url));
const LOCK_MS = 1_000;

let redis: RedisServerHandle;
const cleanup: (() => Promise<unknown>)[] = [];
let n = 0;

before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await redis.stop();
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Runs a provisioner in a child process and SIGKILLs it mid-setup: the LSP is up on the network and
 * recorded, both `uni.add-session` jobs are running (the PE is slow). Returns an observer (no
 * workers) on the same prefix.
 */
async function crashMidSetup(name: string, deadlineMs: number): Promise<Harness> {
  const observer = await Harness.start({ redisUrl: redis.url, name, workers: false });
  cleanup.push(() => observer.close());
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: {
      ...process.env,
      REDIS_URL: redis.url,
      NAME: name,
      ADD_LATENCY_MS: '60000',
      LOCK_MS: String(LOCK_MS),
      DEADLINE_MS: String(deadlineMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = once(child, 'exit');
  await until('the LSP to be signalled and both UNI jobs to run', async () => {
    const lsp = await observer.sim.getLsp('lsp-s1');
    const actual = await observer.store.getActualLsp('lsp-s1');
    const active = [
      ...(await observer.runner.queue('PE1').getJobs(['active'])),
      ...(await observer.runner.queue('PE4').getJobs(['active'])),
    ].filter((j) => j.name === 'uni.add-session');
    return lsp?.status === 'up' && actual !== null && active.length === 2;
  });
  child.kill('SIGKILL');
  await exited;
  // The crash left an LSP reserved on the network and a session half set up.
  assert.equal((await observer.sim.listLsps()).length, 1);
  assert.deepEqual(await observer.sim.listSessions(), []);
  assert.equal((await observer.store.getSessionIntent('s1'))?.phase, 'deploying');
  return observer;
}

function config(name: string): Config {
  return Value.Parse(ConfigSchema, {
    keyPrefix: name,
    topologyFile: DEMO_TOPOLOGY_FILE,
    peSimPrefix: `{${name}-sim}`,
    peDeadlineMs: 2_000,
    jobAttempts: 3,
    jobBackoffMs: 20,
    jobLockMs: LOCK_MS,
    stalledIntervalMs: 500,
    reconcileIntervalMs: 600_000,
    reconcileGraceMs: 0,
  });
}

/** A fresh provisioner (workers + reconciler) on the crashed one's prefix; its start-up pass runs. */
async function restart(name: string): Promise<ProvisionerService> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const service = await startProvisioner(config(name), {
    redis: connection,
    log: silentLogger(),
    owner: `${name}-restarted`,
  });
  cleanup.push(async () => {
    await service.stop();
    connection.disconnect();
  });
  return service;
}

/** Waits until no PE queue has work left, then runs passes until one finds nothing to do. */
async function settle(service: ProvisionerService): Promise<void> {
  await until('the PE queues to drain', async () => {
    const counts = await service.runner.queueCounts(service.pes);
    return Object.values(counts).every(
      (c) => (c['waiting'] ?? 0) + (c['active'] ?? 0) + (c['delayed'] ?? 0) === 0,
    );
  });
  await until('a converged reconcile pass', async () => (await service.reconciler!.reconcile()).converged);
}

describe('crash recovery', () => {
  test("a provisioner killed mid-setup: past the deadline, the new provisioner's reconciler leaves nothing leaked", async () => {
    const name = `crash${n++}`;
    const observer = await crashMidSetup(name, 1_500);
    const deadline = (await observer.store.getSessionIntent('s1'))!.deadlineMs!;
    await sleep(Math.max(0, deadline - Date.now() + 50));
    const service = await restart(name);
    const report = await service.initialReconcile;
    assert.ok(report?.ran);
    assert.deepEqual(report.failedSessions, ['s1']);
    assert.equal(report.actions['fail-session'], 1);
    assert.ok((report.actions['teardown-lsp'] ?? 0) >= 1, 'the leaked LSP was torn down');
    await settle(service);
    assert.deepEqual(await observer.leftovers(), CLEAN);
    const failed = await observer.store.getSessionIntent('s1');
    assert.equal(failed?.intent, 'released');
    assert.equal(failed?.phase, 'failed', 'kept for the gateway to see');
    assert.equal(failed?.failure?.code, 'SVPN_PROVISIONING_TIMEOUT');
    assert.deepEqual(await observer.store.listLspIntents(), [], 'no dangling desired LSP');
    assert.equal((await observer.store.listMembershipIntents()).length, 2, 'memberships still desired');
    assert.equal((await observer.sim.listRoutes()).length, 2);
    assert.deepEqual(
      (await service.provisioner.listFailedSessions()).map((s) => s.sessionId),
      ['s1'],
    );
    // The gateway releases the failed session: the record goes.
    assert.deepEqual(await service.provisioner.releaseSession('s1'), {
      sessionId: 's1',
      existed: true,
      complete: true,
    });
    assert.equal(await observer.store.getSessionIntent('s1'), null);
  });

  test('a provisioner killed mid-setup: within the deadline, the new provisioner completes the session', async () => {
    const name = `crash${n++}`;
    const observer = await crashMidSetup(name, 60_000);
    const service = await restart(name);
    await service.initialReconcile;
    await settle(service);
    const status = await service.provisioner.getSession('s1');
    assert.equal(status?.desired.phase, 'active');
    assert.equal(status?.desired.intent, 'active');
    assert.deepEqual(
      status?.endpoints.map((e) => [e.pe, e.uniRevision, e.markingRevision]),
      [
        ['PE1', status?.desired.revision, status?.desired.revision],
        ['PE4', status?.desired.revision, status?.desired.revision],
      ],
    );
    assert.equal((await observer.sim.getLsp('lsp-s1'))?.status, 'up');
    assert.deepEqual(
      (await observer.sim.listSessions()).map((s) => [s.pe, s.sessionId, s.dscp, s.markingSource]),
      [
        ['PE1', 's1', 10, 'session'],
        ['PE4', 's1', 10, 'session'],
      ],
    );
    // A retransmission of the INVITE now finds the session provisioned and returns its labels.
    const result = await service.provisioner.provisionSession(
      (await import('../support/harness.js')).sessionIntent('s1'),
    );
    assert.equal(result.ingressLabel, (await observer.sim.getLsp('lsp-s1'))?.ingressLabel);
  });
});
