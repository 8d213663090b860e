/**
 * The gateway end to end with real peers, happy paths (issue 4 item 6): SIPp applications register
 * with their VPN and CE, call through the gateway over UDP and TCP, and every SIP outcome is checked
 * against the state it leaves — the admission ledger, the simulated PEs and the charge record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import {
  ACME,
  answerAs,
  placeCall,
  registerApp,
  registerApps,
  verdict,
  waitFor,
  whileRunning,
  type SippTransport,
} from './support/sipp-peers.js';
import { closedCharge, ledgerFlows, uniSessionsOf, waitForIdle } from './support/svpn-state.js';

let h: Harness;

before(async () => {
  // SIPp answers only the first challenge and knows only MD5: offer MD5 first (RFC 8760 allows any order).
  h = await startHarness({ digestAlgorithms: 'MD5,SHA-256' });
});

after(async () => {
  await h?.stop();
});

for (const transport of ['u1', 't1'] as SippTransport[]) {
  const over = transport === 'u1' ? 'UDP' : 'TCP';

  test(`${over}: REGISTER binds each application to VPN and CE; the PE advertises the membership`, async () => {
    await registerApps(
      h.gateway,
      [
        ['primary-dc', 'CE1', ACME],
        ['backup-dc', 'CE2', ACME],
      ],
      transport,
    );
    // seed 001 Fig. 1 arrow 3 — the serving PEs hold the site in the VPN's VRF.
    await waitFor('memberships at PE1 and PE4', async () => {
      const m = await h.provisioner.adapter.listMemberships();
      return ['PE1/CE1', 'PE4/CE2'].every((k) => m.some((x) => `${x.pe}/${x.ce}` === k && x.vpnId === ACME));
    });
  });

  test(`${over}: a session is admitted, provisioned before the callee is alerted, bridged, and released by BYE with a charge record`, async () => {
    const callee = await registerApp({
      gateway: h.gateway,
      application: 'backup-dc',
      ce: 'CE2',
      vpn: ACME,
      transport,
    });
    assert.equal(callee.result.exitCode, 0, verdict(callee.result));
    await registerApp({ gateway: h.gateway, application: 'primary-dc', ce: 'CE1', vpn: ACME, transport });
    const uas = answerAs(callee.port, 'uas-answer-expect-200', { transport });
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'primary-dc',
      callee: 'backup-dc',
      vpn: ACME,
      kbps: 200_000,
      scenarioName: 'uac-invite-hold-expect-200',
      transport,
    });
    // While the session is up: one flow in the ledger on PE1 → PE4, UNI sessions on both PEs, an LSP up.
    await whileRunning('the live session', call, () => h.gateway.controller.liveSessions === 1);
    const flow = ledgerFlows(h).get(call.sessionId);
    assert.deepEqual([flow?.ingress, flow?.egress], ['PE1', 'PE4'], 'ledger flow PE1 → PE4');
    const uni = await uniSessionsOf(h, call.sessionId);
    assert.deepEqual(uni.map((u) => `${u.pe}/${u.ce}/${u.bandwidthBps}`).sort(), [
      'PE1/CE1/200000000',
      'PE4/CE2/200000000',
    ]);
    const lsp = await h.peSim.getLsp(uni[0]!.lspId!);
    assert.equal(lsp?.status, 'up', 'the aggregate LSP is up');
    assert.ok((lsp?.bandwidthBps ?? 0) >= 200_000_000, 'the LSP covers the session');
    // The callee ends nothing: the test lets the caller go, the gateway BYEs the callee.
    await h.gateway.controller.endAll('bye');
    const [caller, far] = await Promise.all([call.done, uas.done]);
    assert.equal(caller.exitCode, 0, verdict(caller));
    assert.equal(far.exitCode, 0, verdict(far));
    const record = await closedCharge(h, call.sessionId);
    assert.equal(record.customer, 'acme');
    assert.equal(record.vpnId, ACME);
    assert.equal(record.caller, 'sip:primary-dc@svpn.example.net');
    assert.equal(record.callee, 'sip:backup-dc@svpn.example.net');
    assert.equal(record.grantedBps, 200_000_000);
    assert.ok((record.bytes ?? 0) > 0, `bytes metered from the PE counters: ${record.bytes}`);
    assert.ok((record.cost ?? -1) >= 0, 'rated');
    await waitForIdle(h);
  });
}
