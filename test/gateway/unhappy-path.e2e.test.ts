/**
 * The gateway end to end with real peers, unhappy paths (issue 4 item 6): SLA refusal, not a
 * member, wrong password, no capacity, callee busy, an unmet mandatory precondition. Each refusal
 * is checked on the wire by SIPp (status, Warning, Retry-After, the ACK) and in the state it must
 * not leave behind: no ledger flow, nothing on the PEs, no charge record, SLA usage given back.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import {
  ACME,
  GLOBEX_GRID,
  answerAs,
  placeCall,
  registerApp,
  registerApps,
  verdict,
  whileRunning,
  type CallRun,
  type SippTransport,
} from './support/sipp-peers.js';
import { chargeOf, closedCharge, ledgerFlows, uniSessionsOf, waitForIdle } from './support/svpn-state.js';

let h: Harness;

before(async () => {
  h = await startHarness({ digestAlgorithms: 'MD5,SHA-256', retryAfterS: 17 });
  await registerApps(h.gateway, [
    ['primary-dc', 'CE1', ACME],
    ['grid-a', 'CE3', GLOBEX_GRID],
  ]);
});

after(async () => {
  await h?.stop();
});

/** The refused call left nothing: no flow, no UNI session, no charge record. */
async function assertNothingLeft(sessionId: string): Promise<void> {
  assert.equal(ledgerFlows(h).has(sessionId), false, 'no ledger flow');
  assert.deepEqual(await uniSessionsOf(h, sessionId), [], 'no UNI session on any PE');
  assert.equal(await chargeOf(h, sessionId), undefined, 'no charge record');
  await waitForIdle(h);
}

for (const transport of ['u1', 't1'] as SippTransport[]) {
  const over = transport === 'u1' ? 'UDP' : 'TCP';

  test(`${over}: above the SLA (1 Gbit/s per session) → 488 with a Warning; nothing reserved`, async () => {
    const callee = await registerApp({
      gateway: h.gateway,
      application: 'backup-dc',
      ce: 'CE2',
      vpn: ACME,
      transport,
    });
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'primary-dc',
      callee: 'backup-dc',
      vpn: ACME,
      kbps: 1_500_000,
      scenarioName: 'uac-invite-expect-488',
      transport,
    });
    const result = await call.done;
    assert.equal(result.exitCode, 0, verdict(result));
    assert.equal(result.successfulCalls, 1, verdict(result));
    assert.ok(callee.port > 0);
    await assertNothingLeft(call.sessionId);
  });

  test(`${over}: a VPN the caller is not a member of → 403; nothing reserved`, async () => {
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'primary-dc',
      callee: 'backup-dc',
      vpn: GLOBEX_GRID,
      kbps: 10_000,
      scenarioName: 'uac-invite-expect-403',
      transport,
    });
    const result = await call.done;
    assert.equal(result.exitCode, 0, verdict(result));
    await assertNothingLeft(call.sessionId);
  });

  test(`${over}: a wrong password → 401, then 403, for REGISTER and for INVITE`, async () => {
    const reg = await registerApp({
      gateway: h.gateway,
      application: 'backup-dc',
      ce: 'CE2',
      vpn: ACME,
      password: 'not-the-password',
      scenarioName: 'app-register-wrong-password-expect-403',
      transport,
    });
    assert.equal(reg.result.exitCode, 0, verdict(reg.result));
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'primary-dc',
      callee: 'backup-dc',
      vpn: ACME,
      kbps: 10_000,
      password: 'not-the-password',
      scenarioName: 'uac-invite-wrong-password-expect-403',
      transport,
    });
    const result = await call.done;
    assert.equal(result.exitCode, 0, verdict(result));
    await assertNothingLeft(call.sessionId);
  });
}

test('the callee is busy → its 486 is relayed; the reservation made before alerting it is rolled back', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-busy-expect-486');
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 100_000,
    scenarioName: 'uac-invite-expect-486',
  });
  const [caller, far] = await Promise.all([call.done, uas.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(
    far.exitCode,
    0,
    `the callee was alerted (so the reservation existed) and refused: ${verdict(far)}`,
  );
  await assertNothingLeft(call.sessionId);
  const usage = await h.policy.decide(
    {
      application: 'primary-dc',
      vpn: ACME,
      serviceClass: 'high-throughput-data',
      bandwidthBps: 1e9,
      now: new Date(),
    },
    'probe-after-486',
  );
  assert.equal(usage.allow, true, 'the SLA usage of the refused session was given back');
  await h.policy.releaseUsage('probe-after-486');
});

test('no capacity → 503 with Retry-After (580 when the offer made QoS a mandatory precondition); the sessions in place keep their reservations', async () => {
  const callee = await registerApp({
    gateway: h.gateway,
    application: 'grid-b',
    ce: 'CE4',
    vpn: GLOBEX_GRID,
  });
  const uas = answerAs(callee.port, 'uas-answer-expect-200', { maxCalls: 2, timeoutMs: 30_000 });
  const held: CallRun[] = [];
  // Two 1 Gbit/s routine sessions PE2 → PE5 fill the west–east core (1 G bottleneck + 2.5 G detour).
  for (let i = 0; i < 2; i++) {
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'grid-a',
      callee: 'grid-b',
      vpn: GLOBEX_GRID,
      kbps: 1_000_000,
      scenarioName: 'uac-invite-hold-expect-200',
      timeoutMs: 30_000,
    });
    await whileRunning(`held session ${i + 1}`, call, () => h.gateway.controller.liveSessions === i + 1);
    held.push(call);
  }
  const refused = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-b',
    vpn: GLOBEX_GRID,
    kbps: 1_000_000,
    scenarioName: 'uac-invite-expect-503',
  });
  const result = await refused.done;
  assert.equal(result.exitCode, 0, verdict(result));
  // RFC 3312 §14.1 — the same request with a mandatory QoS precondition is refused with 580.
  const unmet = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-b',
    vpn: GLOBEX_GRID,
    kbps: 1_000_000,
    scenarioName: 'uac-invite-precondition-expect-580',
  });
  const unmetResult = await unmet.done;
  assert.equal(unmetResult.exitCode, 0, verdict(unmetResult));
  const flows = ledgerFlows(h);
  assert.equal(flows.has(unmet.sessionId), false, 'the 580 session holds nothing');
  assert.equal(flows.has(refused.sessionId), false, 'the refused session holds nothing');
  for (const call of held) assert.ok(flows.has(call.sessionId), 'held sessions keep their flows');
  assert.deepEqual(await uniSessionsOf(h, refused.sessionId), []);
  await h.gateway.controller.endAll('bye');
  for (const r of [...(await Promise.all(held.map((c) => c.done))), await uas.done]) {
    assert.equal(r.exitCode, 0, verdict(r));
  }
  for (const call of held) assert.equal((await closedCharge(h, call.sessionId)).grantedBps, 1e9);
  assert.equal(await chargeOf(h, refused.sessionId), undefined);
  await waitForIdle(h);
});

test('RFC 3312 — a mandatory QoS precondition is met before the answer: curr:qos e2e sendrecv in the 200', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-expect-200');
  const met = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 100_000,
    scenarioName: 'uac-invite-precondition-expect-200',
  });
  const [caller, far] = await Promise.all([met.done, uas.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(far.exitCode, 0, verdict(far));
  assert.equal((await closedCharge(h, met.sessionId)).grantedBps, 100_000_000);
  await waitForIdle(h);
});
