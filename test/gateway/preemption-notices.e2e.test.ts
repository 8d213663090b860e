/**
 * Preemption across gateways (seed 001 Fig. 2 with RFC 4411), end to end with SIPp: two gateways
 * admit through one leader; the second (`east.svpn.example.net`) holds two routine sessions, and a
 * flash session admitted at the leader takes their capacity. The leader answers only its own caller,
 * so the peer learns of its victims from the leader's preemption notices: it sends both parties BYE
 * with `Reason: preemption ;cause=1` (SIPp checks the header), releases the PE state, and the charge
 * records close as preempted — before the flash session is provisioned on the freed capacity.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Gateway } from '@svpn/sip-gateway-service';
import type { Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import { EAST, startTwoGateways } from './support/two-gateways.js';
import {
  GLOBEX_GRID,
  answerAs,
  placeCall,
  registerApp,
  verdict,
  waitFor,
  whileRunning,
  type CallRun,
} from './support/sipp-peers.js';
import { chargeOf, closedCharge, ledgerFlows, uniSessionsOf, waitForIdle } from './support/svpn-state.js';

let h: Harness;
let east: Gateway;

before(async () => {
  ({ h, east } = await startTwoGateways());
});

after(async () => {
  await h?.stop();
});

test('RFC 4411 — a flash session admitted at the leader preempts routine sessions held by the peer gateway: the peer BYEs both parties with the Reason and releases them', async () => {
  // The routine parties are the east gateway's: grid-a (CE3, PE2) calls grid-b (CE4, PE5) there.
  const callerEast = await registerApp({
    gateway: east,
    application: 'grid-a',
    ce: 'CE3',
    vpn: GLOBEX_GRID,
    domain: EAST,
  });
  assert.equal(callerEast.result.exitCode, 0, verdict(callerEast.result));
  const calleeB = await registerApp({
    gateway: east,
    application: 'grid-b',
    ce: 'CE4',
    vpn: GLOBEX_GRID,
    domain: EAST,
  });
  assert.equal(calleeB.result.exitCode, 0, verdict(calleeB.result));
  const routineUas = answerAs(calleeB.port, 'uas-answer-preempted-expect-bye', {
    maxCalls: 2,
    timeoutMs: 30_000,
  });
  const routine: CallRun[] = [];
  for (let i = 0; i < 2; i++) {
    const call = await placeCall({
      gateway: east,
      caller: 'grid-a',
      callee: 'grid-b',
      domain: EAST,
      vpn: GLOBEX_GRID,
      kbps: 1_000_000,
      scenarioName: 'uac-invite-preempted-expect-bye',
      timeoutMs: 30_000,
    });
    await whileRunning(
      `routine session ${i + 1} at the peer`,
      call,
      () => ledgerFlows(h).has(call.sessionId) && east.controller.liveSessions === i + 1,
    );
    routine.push(call);
  }
  assert.equal(h.gateway.controller.liveSessions, 0, 'the leader holds none of them');

  // The flash parties are the leader's: grid-a (CE3, PE2) calls grid-c (CE5, PE6), across the same core.
  const callerA = await registerApp({
    gateway: h.gateway,
    application: 'grid-a',
    ce: 'CE3',
    vpn: GLOBEX_GRID,
  });
  assert.equal(callerA.result.exitCode, 0, verdict(callerA.result));
  const calleeC = await registerApp({
    gateway: h.gateway,
    application: 'grid-c',
    ce: 'CE5',
    vpn: GLOBEX_GRID,
  });
  assert.equal(calleeC.result.exitCode, 0, verdict(calleeC.result));
  const flashUas = answerAs(calleeC.port, 'uas-answer-expect-200', { timeoutMs: 30_000 });
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
    20_000,
  );

  // The peer ended its victims: BYE with the RFC 4411 Reason on both legs (SIPp checks the header).
  await waitFor('preempted charge records', async () => {
    const records = await Promise.all(routine.map((c) => chargeOf(h, c.sessionId)));
    return records.some((r) => r?.reason === 'preempted' && r.endAt !== null);
  });
  const preempted: CallRun[] = [];
  for (const call of routine) {
    if ((await chargeOf(h, call.sessionId))?.reason === 'preempted') preempted.push(call);
  }
  assert.ok(preempted.length >= 1, 'at least one routine session was preempted');
  for (const call of preempted) {
    const result = await call.done;
    assert.equal(
      result.exitCode,
      0,
      `the routine caller got BYE with Reason from the peer: ${verdict(result)}`,
    );
    assert.equal(ledgerFlows(h).has(call.sessionId), false, 'the victim holds no bandwidth');
    assert.deepEqual(await uniSessionsOf(h, call.sessionId), [], 'the victim is gone from the PEs');
    const record = await closedCharge(h, call.sessionId);
    assert.equal(record.precedence, 'routine');
    assert.equal(record.caller, `sip:grid-a@${EAST}`);
  }
  await waitFor(
    'the peer to hold only the survivors',
    () => east.controller.liveSessions === 2 - preempted.length,
  );
  assert.deepEqual(
    (await uniSessionsOf(h, flash.sessionId)).map((u) => u.pe).sort(),
    ['PE2', 'PE6'],
    'the flash session is provisioned on the freed capacity',
  );

  await east.controller.endAll('bye');
  await h.gateway.controller.endAll('bye');
  const flashResult = await flash.done;
  assert.equal(flashResult.exitCode, 0, verdict(flashResult));
  assert.equal((await flashUas.done).exitCode, 0);
  const routineFar = await routineUas.done;
  assert.ok(
    routineFar.successfulCalls >= preempted.length,
    `the routine callees got the Reason from the peer: ${verdict(routineFar)}`,
  );
  assert.equal((await closedCharge(h, flash.sessionId)).precedence, 'flash');
  await waitForIdle(h);
});
