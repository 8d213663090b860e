/**
 * SIGTERM drain (issue 4 item 7): `gateway.stop()` is what `handleShutdown` runs on SIGTERM. While
 * it drains, `/readyz` answers 503, a new INVITE gets 503 with Retry-After, and the INVITE
 * transaction already in progress (here: slow provisioning) finishes with its 200 and ACK; then the
 * live sessions end with a BYE and release everything.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipError, type Dialog } from '@svpn/sip';
import {
  startApplication,
  startHarness,
  vpnOffer,
  type Harness,
  type TestApplication,
} from './support/gateway-harness.js';

const ACME = '00000a:00000001';
const RETRY_AFTER_S = 17;
let h: Harness;
let primary: TestApplication;
let backup: TestApplication;

before(async () => {
  // Provisioning takes 1.5 s on the ingress PE, so the first call is in progress when the drain starts.
  h = await startHarness(
    { retryAfterS: RETRY_AFTER_S, drainTimeoutMs: 10_000 },
    { peLatencyMs: { 'uni.add-session': 1500 } },
  );
  primary = await startApplication('primary-dc', 'primary-secret', h.gateway);
  backup = await startApplication('backup-dc', 'backup-secret', h.gateway);
  assert.equal((await primary.register('CE1', ACME)).status, 200);
  assert.equal((await backup.register('CE2', ACME)).status, 200);
});

after(async () => {
  await primary?.stop();
  await backup?.stop();
  await h?.stop();
});

test('drain: a new INVITE gets 503 + Retry-After, the INVITE in progress finishes, then sessions end and release', async () => {
  let calleeDialog: Dialog | undefined;
  backup.agent.invite(async (req, res) => {
    calleeDialog = await backup.agent.createUAS(req, res, {
      localSdp: vpnOffer({ vpnId: ACME, kbps: 50_000 }),
    });
  });
  const gw = `sip:backup-dc@127.0.0.1:${h.gateway.sipAddress.port}`;
  const call = (kbps: number): Promise<Dialog> =>
    primary.agent.createUAC(gw, {
      localSdp: vpnOffer({ vpnId: ACME, kbps }),
      auth: { username: 'primary-dc', password: 'primary-secret' },
      from: 'sip:primary-dc@svpn.example.net',
    });

  // Call A: admitted, now waiting on the slow PE.
  const first = call(50_000);
  await waitFor(() => (h.gateway.admission?.manager.flows().length ?? 0) === 1);
  assert.equal(h.gateway.controller.liveSessions, 0, 'call A is still being set up');

  const stopped = h.gateway.stop();
  const ready = await h.gateway.app.inject({ url: '/readyz' });
  assert.equal(ready.statusCode, 503);
  assert.equal(ready.json().status, 'draining');

  // Call B, sent during the drain: refused at once with 503 and Retry-After.
  const refusal = await call(10_000).then(
    () => assert.fail('a new INVITE must be refused while draining'),
    (error: unknown) => error,
  );
  assert.ok(refusal instanceof SipError, String(refusal));
  assert.equal(refusal.status, 503);
  assert.equal(refusal.response?.headers.get('Retry-After'), String(RETRY_AFTER_S));
  assert.match(refusal.response?.headers.get('Warning') ?? '', /shutting down/);

  // Call A's INVITE transaction finishes: 200 with the grant, ACKed.
  const caller = await first;
  assert.match(caller.remote.sdp, /a=svpn-session:s-/);
  assert.match(caller.remote.sdp, /b=AS:50000/);
  const callerEnded = new Promise<void>((resolve) => caller.once('destroy', () => resolve()));

  // Then the drain ends the live session (BYE to both parties) and releases it everywhere.
  await stopped;
  await callerEnded;
  assert.ok(calleeDialog?.destroyed, 'the callee got a BYE too');
  assert.equal(h.gateway.admission?.manager.flows().length, 0, 'ledger released');
  assert.equal(h.gateway.controller.liveSessions, 0);
  const metrics = await h.gateway.metrics.registry.metrics();
  assert.match(metrics, /^svpn_calls_total\{outcome="200"\} 1$/m);
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
