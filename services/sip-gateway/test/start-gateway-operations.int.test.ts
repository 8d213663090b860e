/**
 * Operations of a running gateway (issue 4 item 7): what `/metrics` shows through a call (calls by
 * outcome, admissions, refusals by reason, active sessions, reserved bandwidth per link and tunnel,
 * and on the provisioner job latency and queue depths), and that the JSON log lines of a call carry
 * its Call-ID and session id.
 */
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { SipError, type Dialog } from '@svpn/sip';
import { freePort } from '@svpn/test-support';
import { startGateway, type Gateway } from '../src/start-gateway.js';
import {
  startApplication,
  startHarness,
  vpnOffer,
  type Harness,
  type TestApplication,
} from './support/gateway-harness.js';

const ACME = '00000a:00000001';
let h: Harness;
let gateway: Gateway;
let primary: TestApplication;
let backup: TestApplication;
const lines: Record<string, unknown>[] = [];

before(async () => {
  h = await startHarness();
  // The harness gateway logs nowhere: this test runs its own, logging JSON into `lines`.
  await h.gateway.stop();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  gateway = await startGateway(
    { ...h.config, sipPort: await freePort(), httpPort: 0, gatewayId: 'gw-ops' },
    {
      redis: h.redis,
      policy: h.policy,
      provisioning: h.provisioning,
      meter: h.meter,
      log: pino({ level: 'info', base: { service: 'sip-gateway' } }, sink),
    },
  );
  primary = await startApplication('primary-dc', 'primary-secret', gateway);
  backup = await startApplication('backup-dc', 'backup-secret', gateway);
  assert.equal((await primary.register('CE1', ACME)).status, 200);
  assert.equal((await backup.register('CE2', ACME)).status, 200);
});

after(async () => {
  await primary?.stop();
  await backup?.stop();
  await gateway?.stop();
  await h?.stop();
});

async function scrape(app: { inject(o: { url: string }): Promise<{ statusCode: number; body: string }> }) {
  const res = await app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  return res.body;
}

/** Sum of every sample of `name` whose labels match `labels` (a regex source). */
function total(body: string, name: string, labels = ''): number {
  const re = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm');
  let sum = 0;
  for (const m of body.matchAll(re)) if (new RegExp(labels).test(m[1] ?? '')) sum += Number(m[2]);
  return sum;
}

function call(kbps: number): Promise<Dialog> {
  return primary.agent.createUAC(`sip:backup-dc@127.0.0.1:${gateway.sipAddress.port}`, {
    localSdp: vpnOffer({ vpnId: ACME, kbps }),
    auth: { username: 'primary-dc', password: 'primary-secret' },
    from: 'sip:primary-dc@svpn.example.net',
  });
}

test('/metrics through a call: outcome, admission, active session, reserved bandwidth per link, provisioning', async () => {
  let calleeDialog: Dialog | undefined;
  backup.agent.invite(async (req, res) => {
    calleeDialog = await backup.agent.createUAS(req, res, {
      localSdp: vpnOffer({ vpnId: ACME, kbps: 100_000 }),
    });
  });
  const before = await scrape(gateway.app);
  assert.equal(total(before, 'svpn_link_reserved_total_bps'), 0);
  assert.ok(total(before, 'svpn_link_max_reservable_bps') > 0, 'every demo link is listed');

  const caller = await call(100_000);
  await waitFor(() => gateway.controller.liveSessions === 1);
  const during = await scrape(gateway.app);
  assert.match(during, /^svpn_calls_total\{outcome="200"\} 1$/m);
  assert.match(during, /^svpn_admissions_total\{result="admitted"\} 1$/m);
  assert.match(during, /^svpn_active_sessions 1$/m);
  assert.match(during, /^svpn_session_setup_seconds_count 1$/m);
  // The tunnel PE1 → PE4 is reserved on each link of its route, at least the 100 Mbit/s granted.
  const [tunnel] = gateway.admission?.manager.aggregates() ?? [];
  assert.ok(tunnel);
  assert.ok(tunnel.sizeBps >= 100_000_000);
  assert.equal(total(during, 'svpn_link_reserved_total_bps'), tunnel.sizeBps * tunnel.links.length);
  for (const link of tunnel.links) {
    assert.equal(total(during, 'svpn_link_reserved_bps', `link="${escape(link)}"`), tunnel.sizeBps, link);
  }
  assert.equal(total(during, 'svpn_tunnel_sessions', `lsp="${escape(tunnel.id)}"`), 1);

  // The provisioner: job latency by type and the PE queue depths.
  const provisioning = await scrape(h.provisioner.app);
  assert.ok(
    total(provisioning, 'svpn_provisioning_job_duration_seconds_count', 'type="uni.add-session"') >= 2,
  );
  assert.match(provisioning, /^svpn_provisioning_queue_depth\{pe="PE1",state="\w+"\} \d+$/m);

  const ended = new Promise<void>((resolve) => calleeDialog?.once('destroy', () => resolve()));
  await caller.destroy();
  await ended;
  await waitFor(() => gateway.controller.liveSessions === 0);
  await waitFor(() => (gateway.admission?.manager.flows().length ?? 1) === 0);
  const afterwards = await scrape(gateway.app);
  assert.match(afterwards, /^svpn_active_sessions 0$/m);
  assert.equal(total(afterwards, 'svpn_tunnel_sessions'), 0);
});

test('/metrics counts a refusal by stage and reason', async () => {
  await assert.rejects(call(1_500_000), (e: unknown) => e instanceof SipError && e.status === 488);
  const body = await scrape(gateway.app);
  assert.match(body, /^svpn_calls_total\{outcome="488"\} 1$/m);
  assert.match(body, /^svpn_refusals_total\{stage="policy",reason="session-bandwidth-exceeded"\} 1$/m);
});

test('every JSON log line of a call names its Call-ID, and once the session exists, its session id', () => {
  const callLines = lines.filter((l) => l['component'] === 'sip.gateway');
  assert.ok(callLines.length >= 3, JSON.stringify(callLines));
  for (const line of callLines) {
    assert.equal(line['service'], 'sip-gateway');
    assert.equal(typeof line['callId'], 'string', JSON.stringify(line));
  }
  const active = callLines.find((l) => l['msg'] === 'session active');
  const ended = callLines.find((l) => l['msg'] === 'session ended');
  assert.ok(active && ended, 'the call logged its start and end');
  assert.match(String(active['sessionId']), /^s-/);
  assert.equal(ended['sessionId'], active['sessionId']);
  assert.equal(ended['callId'], active['callId']);
  // Every line naming that session names the same Call-ID.
  for (const line of lines.filter((l) => l['sessionId'] === active['sessionId'])) {
    assert.equal(line['callId'], active['callId'], JSON.stringify(line));
  }
  // Registrations are logged with the REGISTER's Call-ID too.
  for (const line of lines.filter((l) => l['component'] === 'sip.registrar')) {
    assert.equal(typeof line['callId'], 'string', JSON.stringify(line));
  }
});

/** A label value inside a RegExp. */
function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
