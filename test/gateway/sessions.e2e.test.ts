/**
 * Live sessions end to end with SIPp peers (issue 4 item 6): BYE from the callee, a re-INVITE
 * raising the bandwidth, sessions sharing one aggregate tunnel, a routine session preempted by a
 * flash one, and the two seed 001 examples —
 * Fig. 4 (SAN backup transfer, bounded duration) and Fig. 5 (one application on two VPNs at once).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import {
  ACME,
  GLOBEX_ARCHIVE,
  GLOBEX_GRID,
  answerAs,
  placeCall,
  registerApp,
  registerApps,
  verdict,
  waitFor,
  whileRunning,
  type CallRun,
} from './support/sipp-peers.js';
import { chargeOf, closedCharge, ledgerFlows, uniSessionsOf, waitForIdle } from './support/svpn-state.js';

let h: Harness;

before(async () => {
  h = await startHarness({ digestAlgorithms: 'MD5,SHA-256' });
  await registerApps(h.gateway, [
    ['primary-dc', 'CE1', ACME],
    ['grid-a', 'CE3', `${GLOBEX_GRID},${GLOBEX_ARCHIVE}`],
  ]);
});

after(async () => {
  await h?.stop();
});

test('BYE from the callee ends the session: the caller gets the BYE, everything is released, the charge record closes', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-then-bye-expect-200');
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 50_000,
    scenarioName: 'uac-invite-hold-expect-200',
  });
  const [caller, far] = await Promise.all([call.done, uas.done]);
  assert.equal(far.exitCode, 0, verdict(far));
  assert.equal(caller.exitCode, 0, `the caller got the BYE: ${verdict(caller)}`);
  const record = await closedCharge(h, call.sessionId);
  assert.equal(record.reason, 'bye');
  assert.ok((record.durationMs ?? 0) >= 400, `answered for the callee's hold: ${record.durationMs}`);
  await waitForIdle(h);
});

test('sessions share one aggregate tunnel: when the one that created it leaves, the LSP on the PEs keeps the size the ledger holds for the other', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-expect-200', { maxCalls: 2 });
  const common = { gateway: h.gateway, caller: 'primary-dc', callee: 'backup-dc', vpn: ACME, kbps: 1_000 };
  // The first call creates the aggregate (one bulk step for 1 Mbit/s) and ends itself after 3 s;
  // the second joins it without changing its size, so it takes no share of the LSP's bandwidth.
  const first = await placeCall({ ...common, scenarioName: 'uac-invite-bye-after-3s-expect-200' });
  await whileRunning('the first session', first, () => h.gateway.controller.liveSessions === 1);
  const second = await placeCall({ ...common, scenarioName: 'uac-invite-hold-expect-200' });
  await whileRunning('both sessions', second, () => h.gateway.controller.liveSessions === 2);
  const firstDone = await first.done;
  assert.equal(firstDone.exitCode, 0, verdict(firstDone));
  await waitFor(
    'the first session released on the PEs',
    async () => (await uniSessionsOf(h, first.sessionId)).length === 0,
  );
  const [uni] = await uniSessionsOf(h, second.sessionId);
  assert.ok(uni?.lspId, 'the second session rides an LSP');
  const aggregate = h.gateway.admission?.manager.aggregate(uni.lspId);
  assert.ok(
    aggregate && aggregate.sizeBps >= 1_000_000,
    `the ledger keeps the aggregate: ${aggregate?.sizeBps}`,
  );
  const lsp = await h.peSim.getLsp(uni.lspId);
  assert.equal(lsp?.status, 'up');
  // Giving back only the first session's share would leave the LSP at 1 bit/s under a live session.
  assert.equal(lsp?.bandwidthBps, aggregate.sizeBps, 'the LSP holds what the ledger holds');
  await h.gateway.controller.endAll('bye');
  const [caller, far] = await Promise.all([second.done, uas.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(far.exitCode, 0, verdict(far));
  await waitForIdle(h);
});

test('a re-INVITE raising the bandwidth admits the delta, resizes the PEs and re-INVITEs the callee', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-reinvite-expect-200');
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 100_000,
    kbps2: 300_000,
    scenarioName: 'uac-reinvite-expect-200',
  });
  // Between the re-INVITE's 200 and the BYE, the PEs carry the new bandwidth.
  await whileRunning('UNI sessions at 300 Mbit/s', call, async () => {
    const uni = await uniSessionsOf(h, call.sessionId);
    return uni.length === 2 && uni.every((u) => u.bandwidthBps === 300_000_000);
  });
  const lsp = await h.peSim.getLsp((await uniSessionsOf(h, call.sessionId))[0]!.lspId!);
  assert.ok((lsp?.bandwidthBps ?? 0) >= 300_000_000, `the LSP was resized: ${lsp?.bandwidthBps}`);
  const [caller, far] = await Promise.all([call.done, uas.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(far.exitCode, 0, `the callee saw the re-INVITE: ${verdict(far)}`);
  const record = await closedCharge(h, call.sessionId);
  assert.equal(record.grantedBps, 300_000_000);
  assert.deepEqual(
    [...new Set(record.changes.map((c) => c.bps))],
    [100_000_000, 300_000_000],
    'the charge record has the modify',
  );
  await waitForIdle(h);
});

test('RFC 4411 — a flash session preempts routine ones at the bottleneck: the routine parties get BYE with Reason: preemption', async () => {
  const calleeB = await registerApp({
    gateway: h.gateway,
    application: 'grid-b',
    ce: 'CE4',
    vpn: GLOBEX_GRID,
  });
  // The routine callees answer on grid-b's port and expect the preemption BYE.
  const routineUas = answerAs(calleeB.port, 'uas-answer-preempted-expect-bye', {
    maxCalls: 2,
    timeoutMs: 30_000,
  });
  const routine: CallRun[] = [];
  for (let i = 0; i < 2; i++) {
    const call = await placeCall({
      gateway: h.gateway,
      caller: 'grid-a',
      callee: 'grid-b',
      vpn: GLOBEX_GRID,
      kbps: 1_000_000,
      scenarioName: 'uac-invite-preempted-expect-bye',
      timeoutMs: 30_000,
    });
    await whileRunning(
      `routine session ${i + 1}`,
      call,
      () => ledgerFlows(h).has(call.sessionId) && h.gateway.controller.liveSessions === i + 1,
    );
    routine.push(call);
  }
  // grid-c (CE5, PE6) answers the flash call from grid-a: PE2 → PE6 needs the same core.
  const calleeC = await registerApp({
    gateway: h.gateway,
    application: 'grid-c',
    ce: 'CE5',
    vpn: GLOBEX_GRID,
  });
  const flashUas = answerAs(calleeC.port, 'uas-answer-expect-200');
  const flash = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-c',
    vpn: GLOBEX_GRID,
    kbps: 1_000_000,
    resourcePriority: 'dsn.flash',
    scenarioName: 'uac-invite-hold-expect-200',
    timeoutMs: 30_000,
  });
  await whileRunning(
    'the flash session',
    flash,
    async () => (await chargeOf(h, flash.sessionId)) !== undefined,
  );
  // The victims are ended with the RFC 4411 Reason on both legs (SIPp checks the header).
  await waitFor('preempted charge records', async () => {
    const records = await Promise.all(routine.map((c) => chargeOf(h, c.sessionId)));
    return records.some((r) => r?.reason === 'preempted' && r.endAt !== null);
  });
  const preempted: CallRun[] = [];
  for (const call of routine) {
    const record = await chargeOf(h, call.sessionId);
    if (record?.reason === 'preempted') preempted.push(call);
  }
  assert.ok(preempted.length >= 1, 'at least one routine session was preempted');
  for (const call of preempted) {
    assert.equal(ledgerFlows(h).has(call.sessionId), false, 'the victim holds no bandwidth');
    assert.deepEqual(await uniSessionsOf(h, call.sessionId), [], 'the victim is gone from the PEs');
    const result = await call.done;
    assert.equal(result.exitCode, 0, `the routine caller got BYE with Reason: ${verdict(result)}`);
    assert.equal((await closedCharge(h, call.sessionId)).precedence, 'routine');
  }
  const flashUni = await uniSessionsOf(h, flash.sessionId);
  assert.deepEqual(flashUni.map((u) => u.pe).sort(), ['PE2', 'PE6'], 'the flash session is provisioned');
  await h.gateway.controller.endAll('bye');
  const flashResult = await flash.done;
  assert.equal(flashResult.exitCode, 0, verdict(flashResult));
  assert.equal((await flashUas.done).exitCode, 0);
  const routineFar = await routineUas.done;
  assert.ok(
    routineFar.successfulCalls >= preempted.length,
    `routine callees got the Reason: ${verdict(routineFar)}`,
  );
  assert.equal((await closedCharge(h, flash.sessionId)).precedence, 'flash');
  await waitForIdle(h);
});

test('seed 001 Fig. 4 — SAN backup: primary-dc → backup-dc, high-throughput-data for a bounded duration; reserved before the callee is alerted, released at the end with a charge record', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  const uas = answerAs(callee.port, 'uas-answer-expect-200');
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'primary-dc',
    callee: 'backup-dc',
    vpn: ACME,
    kbps: 800_000,
    qos: 'high-throughput-data',
    sdpExtra: ['a=svpn-duration:2', 'a=svpn-direction:uni'],
    scenarioName: 'uac-invite-hold-expect-200',
  });
  await whileRunning(
    'the transfer session',
    call,
    async () => (await chargeOf(h, call.sessionId)) !== undefined,
  );
  const uni = await uniSessionsOf(h, call.sessionId);
  const live = await chargeOf(h, call.sessionId);
  // The reservation was in place before the callee was alerted: the UNI attachments are older
  // than the answer, and the callee's offer already named the tunnel and label (checked by SIPp).
  assert.equal(uni.length, 2);
  for (const u of uni) assert.ok(u.createdAtMs <= (live?.answerAt ?? 0), 'provisioned before the answer');
  assert.equal(live?.serviceClass, 'high-throughput-data');
  // The gateway ends the transfer when its duration is reached (BYE to both sides).
  const [caller, far] = await Promise.all([call.done, uas.done]);
  assert.equal(caller.exitCode, 0, verdict(caller));
  assert.equal(far.exitCode, 0, verdict(far));
  const record = await closedCharge(h, call.sessionId);
  assert.equal(record.reason, 'max-duration');
  assert.ok(record.durationMs! >= 1900 && record.durationMs! < 4000, `about 2 s: ${record.durationMs}`);
  assert.equal(record.grantedBps, 800_000_000);
  assert.ok((record.bytes ?? 0) > 0 && (record.cost ?? 0) > 0, 'metered and rated');
  await waitForIdle(h);
});

test('seed 001 Fig. 5 — one application holds sessions on two VPNs at once (globex-grid to grid-b, globex-archive to grid-c)', async () => {
  const b = await registerApp({ gateway: h.gateway, application: 'grid-b', ce: 'CE4', vpn: GLOBEX_GRID });
  const c = await registerApp({ gateway: h.gateway, application: 'grid-c', ce: 'CE5', vpn: GLOBEX_ARCHIVE });
  const uasB = answerAs(b.port, 'uas-answer-expect-200');
  const uasC = answerAs(c.port, 'uas-answer-expect-200');
  const toB = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-b',
    vpn: GLOBEX_GRID,
    kbps: 200_000,
    scenarioName: 'uac-invite-hold-expect-200',
  });
  const toC = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-c',
    vpn: GLOBEX_ARCHIVE,
    kbps: 300_000,
    scenarioName: 'uac-invite-hold-expect-200',
  });
  await whileRunning('both sessions', toC, async () =>
    (await Promise.all([chargeOf(h, toB.sessionId), chargeOf(h, toC.sessionId)])).every(
      (r) => r !== undefined,
    ),
  );
  const flows = ledgerFlows(h);
  assert.deepEqual([flows.get(toB.sessionId)?.egress, flows.get(toC.sessionId)?.egress], ['PE5', 'PE6']);
  const atPe2 = (await h.peSim.listSessions('PE2')).map((s) => `${s.vpnId}/${s.bandwidthBps}`).sort();
  assert.deepEqual(
    atPe2,
    [`${GLOBEX_GRID}/200000000`, `${GLOBEX_ARCHIVE}/300000000`],
    "two VPN sessions at grid-a's PE",
  );
  const vrfs = (await h.provisioner.adapter.listMemberships('PE2'))
    .filter((m) => m.ce === 'CE3')
    .map((m) => m.vpnId)
    .sort();
  assert.deepEqual(vrfs, [GLOBEX_GRID, GLOBEX_ARCHIVE].sort(), 'CE3 is a member of both VPNs at PE2');
  await h.gateway.controller.endAll('bye');
  for (const r of await Promise.all([toB.done, toC.done, uasB.done, uasC.done]))
    assert.equal(r.exitCode, 0, verdict(r));
  const [rb, rc] = await Promise.all([closedCharge(h, toB.sessionId), closedCharge(h, toC.sessionId)]);
  assert.deepEqual([rb.vpnId, rc.vpnId], [GLOBEX_GRID, GLOBEX_ARCHIVE]);
  assert.deepEqual([rb.caller, rc.caller], ['sip:grid-a@svpn.example.net', 'sip:grid-a@svpn.example.net']);
  await waitForIdle(h);
});
