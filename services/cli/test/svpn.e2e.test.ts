import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@svpn/test-support';

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
  httpPort = await freePort();
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

test('svpn call reports a refusal (488 over the SLA) and exits 1', async () => {
  const call = await run(['call', '--gateway', `127.0.0.1:${sipPort}`, '--kbps', '5000000', '--hold', '1']);
  assert.equal(call.code, 1);
  assert.match(call.stdout, /refused: 488/);
});

test('CLI errors say what to do next and exit non-zero', async () => {
  const unknown = await run(['run', 'nonsense']);
  assert.equal(unknown.code, 2);
  assert.match(
    unknown.stderr,
    /unknown service "nonsense"; choose one of policy, provisioner, charging, sip-gateway/,
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
