/**
 * docker-compose.yml's services as real processes, on loopback (no Docker engine here): each one is
 * `node services/cli/bin/svpn.js <its compose command>` with its compose environment, translated to
 * loopback (bind addresses → 127.0.0.1, every port → a free one, service host names in URLs and SIP
 * targets → those ports, /tmp files → a scratch directory, Redis → a private redis-server). They
 * must become ready, carry a demo call from the gateway through the policy service and the
 * provisioner's workers to a charge record, carry an API reservation through a real SIP call, and on
 * SIGTERM drain and exit 0 with nothing logged at error level and the admission and timer leases
 * released.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import yaml from 'js-yaml';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { placeCall } from '../../services/cli/src/call.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = 'services/cli/bin/svpn.js';

interface Running {
  name: string;
  child: ChildProcess;
  /** Compose port → loopback port. */
  ports: Map<number, number>;
  httpPort: number;
  lines: Record<string, unknown>[];
  exit: Promise<number | null>;
}

let redisServer: RedisServerHandle;
const running = new Map<string, Running>();
/** Where files the compose environment puts under /tmp (the operator key) go on this machine. */
const scratch = mkdtempSync(join(tmpdir(), 'svpn-compose-'));

/** The compose environment of one service, moved to loopback. */
async function translate(
  service: string,
  env: Record<string, string>,
  portsOf: Map<string, Map<number, number>>,
  redisUrl: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ports = portsOf.get(service) ?? new Map<number, number>();
  portsOf.set(service, ports);
  for (const [name, value] of Object.entries(env)) {
    if (/_PORT$/.test(name)) {
      const local = ports.get(Number(value)) ?? (await freePort());
      ports.set(Number(value), local);
      out[name] = String(local);
    } else if (/_(HOST|ADDRESS)$/.test(name) && /^[\d.]+$/.test(value)) {
      out[name] = '127.0.0.1';
    } else if (/_FILE$/.test(name) && value.startsWith('/tmp/')) {
      out[name] = join(scratch, basename(value));
    } else out[name] = value;
  }
  // URLs: Redis → the private server; another service → its loopback port (filled once it is known).
  for (const [name, value] of Object.entries(out)) {
    if (/^rediss?:\/\//.test(value)) out[name] = redisUrl;
  }
  return out;
}

function rewriteUrls(env: Record<string, string>, portsOf: Map<string, Map<number, number>>): void {
  for (const [name, value] of Object.entries(env)) {
    // A SIP target, `service:port`.
    const sip = /^([a-z][\w-]*):(\d+)$/.exec(value);
    if (sip !== null) {
      const local = portsOf.get(sip[1] as string)?.get(Number(sip[2]));
      assert.ok(local !== undefined, `${name}=${value} names no compose service port`);
      env[name] = `127.0.0.1:${local}`;
      continue;
    }
    const m = /^(https?):\/\/([\w-]+):(\d+)(.*)$/.exec(value);
    if (m === null) continue;
    const local = portsOf.get(m[2] as string)?.get(Number(m[3]));
    assert.ok(local !== undefined, `${name}=${value} names no compose service port`);
    env[name] = `${m[1]}://127.0.0.1:${local}${m[4]}`;
  }
}

async function waitReady(r: Running, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void r.exit.then(() => (exited = true));
  for (;;) {
    assert.ok(!exited, `${r.name} exited before it was ready:\n${JSON.stringify(r.lines.slice(-5))}`);
    try {
      const res = await fetch(`http://127.0.0.1:${r.httpPort}/readyz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    assert.ok(Date.now() < deadline, `${r.name} not ready in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

before(async () => {
  redisServer = await startRedisServer();
  const compose = yaml.load(readFileSync(`${ROOT}docker-compose.yml`, 'utf8')) as {
    services: Record<string, { command?: string[]; environment?: Record<string, string | number | boolean> }>;
  };
  const portsOf = new Map<string, Map<number, number>>();
  const envs = new Map<string, Record<string, string>>();
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.command?.[0] !== 'run') continue;
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
    envs.set(name, await translate(name, env, portsOf, redisServer.url));
  }
  assert.deepEqual([...envs.keys()].sort(), ['api', 'charging', 'policy', 'provisioner', 'sip-gateway']);
  // Start order as compose's depends_on has it: the gateway needs the policy service, the API both.
  for (const name of ['policy', 'provisioner', 'charging', 'sip-gateway', 'api']) {
    const env = envs.get(name) as Record<string, string>;
    rewriteUrls(env, portsOf);
    const command = compose.services[name]?.command as string[];
    const child = spawn(process.execPath, [BIN, ...command], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? ROOT, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: Record<string, unknown>[] = [];
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8');
      const complete = partial.split('\n');
      partial = complete.pop() ?? '';
      for (const line of complete.filter(Boolean)) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          lines.push({ level: 60, msg: `not JSON: ${line}` });
        }
      }
    });
    child.stderr?.on('data', (chunk: Buffer) =>
      lines.push({ level: 50, msg: `stderr: ${chunk.toString('utf8')}` }),
    );
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const httpPort = Number(env['SVPN_HTTP_PORT']);
    running.set(name, { name, child, ports: portsOf.get(name) ?? new Map(), httpPort, lines, exit });
  }
  await Promise.all([...running.values()].map((r) => waitReady(r)));
});

after(async () => {
  for (const r of running.values()) if (r.child.exitCode === null) r.child.kill('SIGKILL');
  await redisServer?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

test('every compose service answers /healthz, /readyz and /metrics with its own svpn metrics', async () => {
  const own: Record<string, RegExp> = {
    policy: /^# TYPE svpn_policy_decisions_total counter$/m,
    provisioner: /^# TYPE svpn_provisioning_queue_depth gauge$/m,
    charging: /^# TYPE svpn_charging_events_processed_total counter$/m,
    'sip-gateway': /^# TYPE svpn_link_reserved_total_bps gauge$/m,
    api: /^svpn_api_timer_lease_held 1$/m,
  };
  for (const r of running.values()) {
    const base = `http://127.0.0.1:${r.httpPort}`;
    assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' }, r.name);
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200, r.name);
    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200, r.name);
    const body = await metrics.text();
    assert.match(body, /^process_cpu_seconds_total /m, r.name);
    assert.match(body, own[r.name] as RegExp, r.name);
  }
});

test('the compose services start from their compose environment and carry a demo call end to end', async () => {
  const gateway = running.get('sip-gateway') as Running;
  const sipPort = gateway.ports.get(5060);
  assert.ok(sipPort !== undefined);
  const outcome = await placeCall(
    {
      gateway: `127.0.0.1:${sipPort}`,
      domain: 'svpn.example.net',
      from: 'primary-dc',
      fromPassword: 'primary-secret',
      fromCe: 'CE1',
      to: 'backup-dc',
      toPassword: 'backup-secret',
      toCe: 'CE2',
      vpn: '00000a:00000001',
      kbps: 100_000,
      serviceClass: 'high-throughput-data',
      holdS: 0.2,
    },
    () => undefined,
  );
  assert.equal(outcome.status, 200, outcome.reason);
  const sessionId = outcome.granted?.['session'];
  assert.match(sessionId ?? '', /^s-[0-9a-f]{20}$/);

  const metrics = await (await fetch(`http://127.0.0.1:${gateway.httpPort}/metrics`)).text();
  assert.match(metrics, /^svpn_calls_total\{outcome="200"\} 1$/m);
  const provisioner = running.get('provisioner') as Running;
  const jobs = await (await fetch(`http://127.0.0.1:${provisioner.httpPort}/metrics`)).text();
  assert.match(jobs, /^svpn_provisioning_job_duration_seconds_count\{type="uni\.add-session",[^}]*\} [1-9]/m);

  // The charging container rated the session once its stop event arrived.
  const charging = running.get('charging') as Running;
  const deadline = Date.now() + 15_000;
  let record: { sessionId?: string; endAt?: unknown } | undefined;
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${charging.httpPort}/v1/charges/${sessionId}`);
    if (res.status === 200) {
      record = (await res.json()) as typeof record;
      if (record?.endAt !== null && record?.endAt !== undefined) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(record?.sessionId, sessionId);
  assert.ok(record?.endAt, 'the charge record is closed');
});

test('the compose API carries a reservation end to end: reserved, committed and provisioned by a real SIP call through the gateway, terminated', async () => {
  const api = running.get('api') as Running;
  const gateway = running.get('sip-gateway') as Running;
  const key = readFileSync(join(scratch, 'operator-key'), 'utf8').trim();
  const base = `http://127.0.0.1:${api.httpPort}`;
  const post = async (
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  // grid-b has no SIP stack here: the API's agent registers and answers for it.
  const reserved = await post('/v1/connections', {
    vpnId: 'globex-grid',
    source: { application: 'grid-a' },
    destination: { application: 'grid-b' },
    bandwidthBps: 50_000_000,
    autoCommit: true,
    autoProvision: true,
  });
  assert.equal(reserved.status, 201, JSON.stringify(reserved.body));
  const states = reserved.body['states'] as Record<string, unknown>;
  assert.equal(states['provisionState'], 'Provisioned', JSON.stringify(reserved.body));
  assert.deepEqual(states['dataPlaneStatus'], { active: true, version: 1, versionConsistent: true });
  const session = reserved.body['session'] as { sessionId: string };
  assert.match(session.sessionId, /^s-[0-9a-f]{20}$/);
  const live = (await (await fetch(`http://127.0.0.1:${gateway.httpPort}/v1/sessions`)).json()) as {
    sessions: { sessionId: string }[];
  };
  assert.ok(
    live.sessions.some((s) => s.sessionId === session.sessionId),
    'the gateway holds the call',
  );
  const terminated = await post(`/v1/connections/${String(reserved.body['connectionId'])}/terminate`);
  assert.equal(terminated.status, 200);
  assert.equal((terminated.body['states'] as Record<string, unknown>)['lifecycleState'], 'Terminated');
});

test('SIGTERM: every service drains and exits 0, nothing at error level, the admission and timer leases are released', async () => {
  const redis = new Redis(redisServer.url);
  try {
    assert.ok(await redis.exists('svpn:{ledger}:leader-token'), 'the gateway holds the lease while it runs');
    assert.ok(await redis.exists('svpn:{api}:timer-lease'), 'the API holds the timer lease while it runs');
    // Reverse start order, as a compose `down` or a rolling update would.
    for (const name of ['api', 'sip-gateway', 'charging', 'provisioner', 'policy']) {
      const r = running.get(name) as Running;
      r.child.kill('SIGTERM');
      assert.equal(await r.exit, 0, `${name} exit code`);
      const messages = r.lines.map((l) => String(l['msg']));
      assert.ok(messages.includes('draining'), `${name} logged the drain`);
      assert.ok(messages.includes('stopped'), `${name} logged its stop`);
      const bad = r.lines.filter((l) => Number(l['level']) >= 50);
      assert.deepEqual(bad, [], `${name} logged at error level`);
      for (const line of r.lines)
        assert.equal(line['service'], name === 'sip-gateway' ? 'sip-gateway' : name);
    }
    assert.equal(
      await redis.exists('svpn:{ledger}:leader-token'),
      0,
      'the stopped gateway released the lease',
    );
    assert.equal(await redis.exists('svpn:{api}:timer-lease'), 0, 'the stopped API released its lease');
  } finally {
    redis.disconnect();
  }
});
