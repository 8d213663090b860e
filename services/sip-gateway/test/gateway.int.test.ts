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
let h: Harness;
let primary: TestApplication;
let backup: TestApplication;

before(async () => {
  h = await startHarness();
  primary = await startApplication('primary-dc', 'primary-secret', h.gateway);
  backup = await startApplication('backup-dc', 'backup-secret', h.gateway);
});

after(async () => {
  await primary?.stop();
  await backup?.stop();
  await h?.stop();
});

test('REGISTER with digest binds each application to its VPN and CE', async () => {
  const a = await primary.register('CE1', ACME);
  const b = await backup.register('CE2', ACME);
  assert.equal(a.status, 200, a.reason);
  assert.equal(b.status, 200, b.reason);
  assert.match(a.headers.get('Contact') ?? '', /\+svpn\.ce="CE1"/);
});

test('REGISTER with a wrong password is refused', async () => {
  const wrong = await startApplication('backup-dc', 'not-the-password', h.gateway);
  try {
    const r = await wrong.register('CE2', ACME);
    assert.equal(r.status, 403, 'wrong credentials after the challenge are refused');
  } finally {
    await wrong.stop();
  }
});

test('INVITE → admitted, provisioned on the PEs, bridged to the callee; BYE releases everything', async () => {
  let calleeDialog: Dialog | undefined;
  let calleeOffer = '';
  backup.agent.invite(async (req, res) => {
    calleeOffer = req.body;
    calleeDialog = await backup.agent.createUAS(req, res, {
      localSdp: vpnOffer({ vpnId: ACME, kbps: 100_000 }),
    });
  });
  const gw = `sip:backup-dc@127.0.0.1:${h.gateway.sipAddress.port}`;
  const caller = await primary.agent.createUAC(gw, {
    localSdp: vpnOffer({ vpnId: ACME, kbps: 100_000 }),
    auth: { username: 'primary-dc', password: 'primary-secret' },
    from: 'sip:primary-dc@svpn.example.net',
  });
  // The 200 states what was granted (DESIGN §2).
  assert.match(caller.remote.sdp, /a=svpn-session:s-/);
  assert.match(caller.remote.sdp, /a=svpn-dscp:\d+/);
  assert.match(caller.remote.sdp, /a=svpn-tunnel:\S+/);
  assert.match(caller.remote.sdp, /b=AS:100000/);
  // Topology hiding: the callee saw the gateway's address, not the caller's.
  assert.ok(!calleeOffer.includes('198.51.100.7'), calleeOffer);
  assert.ok(calleeDialog);

  // The gateway records the session once the caller's ACK arrives.
  await waitFor(
    async () => (await h.gateway.app.inject({ url: '/v1/sessions' })).json().sessions.length === 1,
  );
  const sessions = await h.gateway.app.inject({ url: '/v1/sessions' });
  const live = sessions.json().sessions as {
    sessionId: string;
    ingress: { pe: string };
    egress: { pe: string };
  }[];
  assert.equal(live.length, 1);
  assert.deepEqual([live[0]?.ingress.pe, live[0]?.egress.pe], ['PE1', 'PE4']);
  const lsps = await h.provisioner.adapter.listLsps?.();
  assert.ok(lsps === undefined || lsps.length >= 1);

  const ended = new Promise<void>((resolve) => calleeDialog?.once('destroy', () => resolve()));
  await caller.destroy();
  await ended;
  await waitFor(
    async () => (await h.gateway.app.inject({ url: '/v1/sessions' })).json().sessions.length === 0,
  );
  assert.equal(h.gateway.admission!.manager.flows().length, 0);
});

test('a request above the SLA (1 Gbit/s per session) is refused with 488 and a Warning', async () => {
  const gw = `sip:backup-dc@127.0.0.1:${h.gateway.sipAddress.port}`;
  await assert.rejects(
    primary.agent.createUAC(gw, {
      localSdp: vpnOffer({ vpnId: ACME, kbps: 1_500_000 }),
      auth: { username: 'primary-dc', password: 'primary-secret' },
      from: 'sip:primary-dc@svpn.example.net',
    }),
    (e: unknown) =>
      e instanceof SipError && e.status === 488 && /svpn/.test(e.response?.headers.get('Warning') ?? ''),
  );
  assert.equal(h.gateway.admission!.manager.flows().length, 0);
});

test('a VPN the caller is not a member of is refused with 403', async () => {
  const gw = `sip:backup-dc@127.0.0.1:${h.gateway.sipAddress.port}`;
  await assert.rejects(
    primary.agent.createUAC(gw, {
      localSdp: vpnOffer({ vpnId: '00000b:00000001', kbps: 1000 }),
      auth: { username: 'primary-dc', password: 'primary-secret' },
      from: 'sip:primary-dc@svpn.example.net',
    }),
    (e: unknown) => e instanceof SipError && e.status === 403,
  );
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
