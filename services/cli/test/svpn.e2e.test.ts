import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePortRange } from '@svpn/test-support';

const BIN = new URL('../bin/svpn.js', import.meta.url).pathname;

function run(
  args: string[],
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let up: ChildProcess;
let sipPort: number;
let httpPort: number;
let dataDir: string;
let upOutput = '';

before(async () => {
  sipPort = await freePort();
  httpPort = await freePortRange(5); // svpn up listens on it and the four after it
  dataDir = mkdtempSync(join(tmpdir(), 'svpn-up-'));
  up = spawn(
    process.execPath,
    [BIN, 'up', '--sip-port', String(sipPort), '--http-port', String(httpPort), '--data-dir', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: '', LOG_LEVEL: 'warn' },
    },
  );
  up.stdout?.on('data', (d: Buffer) => (upOutput += d.toString()));
  up.stderr?.on('data', (d: Buffer) => (upOutput += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!upOutput.includes('ready')) {
    if (up.exitCode !== null || Date.now() > deadline)
      throw new Error(`svpn up did not become ready:\n${upOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(async () => {
  if (up.exitCode === null) {
    const exited = new Promise((r) => up.once('exit', r));
    up.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (up.exitCode === null) up.kill('SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
});

test('svpn up prints one ready line with the SIP and HTTP addresses', () => {
  const line = upOutput.split('\n').find((l) => l.includes('ready')) ?? '';
  assert.match(line, new RegExp(`sip udp\\+tcp 127\\.0\\.0\\.1:${sipPort}`));
  assert.match(line, new RegExp(`http://127\\.0\\.0\\.1:${httpPort}`));
});

test('svpn call places a demo call and shows what was granted; svpn sessions lists live sessions', async () => {
  const call = await run(['call', '--gateway', `127.0.0.1:${sipPort}`, '--kbps', '200000', '--hold', '3']);
  assert.equal(call.code, 0, call.stdout + call.stderr);
  assert.match(call.stdout, /bandwidth\s+200000 kbit\/s/);
  assert.match(call.stdout, /dscp\s+\d+/);
  assert.match(call.stdout, /session\s+s-[0-9a-f]+/);
  const sessions = await run(['sessions', '--http', `http://127.0.0.1:${httpPort}`]);
  assert.equal(sessions.code, 0, sessions.stderr);
  assert.match(sessions.stdout, /no live sessions|SESSION/);
});

test('svpn up runs the PE workers in their own thread: the provisioner is ready, and its /metrics has their job latency', async () => {
  // The demo call above was provisioned by them.
  const provisioner = `http://127.0.0.1:${httpPort + 2}`;
  const ready = await fetch(`${provisioner}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, { redis: 'ok', workers: 'ok' });
  const metrics = await (await fetch(`${provisioner}/metrics`)).text();
  assert.match(
    metrics,
    /^svpn_provisioning_job_duration_seconds_count\{type="uni.add-session",outcome="applied"\} [1-9]/m,
  );
  assert.match(metrics, /^svpn_provisioning_reconcile_runs_total\{result="converged"\} [1-9]/m);
  assert.match(metrics, /^svpn_provisioning_worker_thread_starts_total 1$/m);
});

test('svpn call reports a refusal (488 over the SLA) and exits 1', async () => {
  const call = await run(['call', '--gateway', `127.0.0.1:${sipPort}`, '--kbps', '5000000', '--hold', '1']);
  assert.equal(call.code, 1);
  assert.match(call.stdout, /refused: 488/);
});

test('svpn run api: the API service alone from its environment, a standby for the timer lease beside svpn up; SIGTERM drains it', async () => {
  const ready = upOutput.split('\n').find((l) => l.includes('ready')) ?? '';
  const redisUrl = /redis (redis:\/\/\S+)/.exec(ready)?.[1];
  assert.ok(redisUrl, ready);
  const apiPort = await freePort();
  const child = spawn(process.execPath, [BIN, 'run', 'api'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'info',
      SVPN_HTTP_PORT: String(apiPort),
      SVPN_GATEWAY_SIP: `127.0.0.1:${sipPort}`,
      SVPN_GATEWAY_URL: `http://127.0.0.1:${httpPort}`,
      SVPN_POLICY_URL: `http://127.0.0.1:${httpPort + 1}`,
      SVPN_CHARGING_URL: `http://127.0.0.1:${httpPort + 3}`,
      SVPN_INSTANCE_ID: 'api-standby',
    },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    const base = `http://127.0.0.1:${apiPort}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.equal(child.exitCode, null, `svpn run api exited:\n${output}`);
      const ok = await fetch(`${base}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      assert.ok(Date.now() < deadline, `svpn run api not ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
    // svpn up's API holds the timer lease; this replica stands by.
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^svpn_api_timer_lease_held 0$/m);
    // Keys live in Redis: the operator key svpn up wrote works on this replica too.
    const key = readFileSync(join(dataDir, 'operator-key'), 'utf8').trim();
    const me = await fetch(`${base}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /"msg":"draining"/);
    assert.match(output, /"msg":"stopped"/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('CLI errors say what to do next and exit non-zero', async () => {
  const unknown = await run(['run', 'nonsense']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown service "nonsense"; choose one of policy, provisioner, charging, sip-gateway, api/,
  );
  const badPort = await run(['up', '--sip-port', 'seventy']);
  assert.notEqual(badPort.code, 0);
  assert.match(badPort.stderr, /port/);
  const noRedis = await run([
    'up',
    '--sip-port',
    '0',
    '--http-port',
    '0',
    '--redis-url',
    'redis://127.0.0.1:1',
  ]);
  assert.equal(noRedis.code, 1);
  assert.match(noRedis.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
  const unreachable = await run(['sessions', '--http', 'http://127.0.0.1:1']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /is `svpn up` running\?/);
});
