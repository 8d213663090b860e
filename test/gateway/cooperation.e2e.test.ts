/**
 * Two S-VPN gateways cooperating (seed 001 Fig. 2) and VPN mobility (seed 001 Fig. 1), end to end
 * with SIPp applications.
 *
 * Model (documented in services/sip-gateway/README.md): each gateway serves its own SIP domain and
 * lists the other as a static peer (`peers: domain=sip:host:port`). The location service is shared
 * (Redis), so the caller's gateway finds the callee's CE, admits the whole tunnel through the single
 * admission leader (the first gateway's `/v1/admissions`), provisions it, and only then sends the
 * INVITE to the peer, which trusts it by source and bridges it to its registered callee.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySpace, RedisLocationStore } from '@svpn/store';
import type { Gateway } from '@svpn/sip-gateway-service';
import type { Harness } from '../../services/sip-gateway/test/support/gateway-harness.js';
import { EAST, startTwoGateways } from './support/two-gateways.js';
import {
  ACME,
  GLOBEX_GRID,
  answerAs,
  placeCall,
  registerApp,
  verdict,
  waitFor,
  whileRunning,
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

test('seed 001 Fig. 2 — a caller at one gateway reaches a callee registered at another: admitted once at the leader, provisioned, bridged by the far gateway', async () => {
  const callee = await registerApp({ gateway: h.gateway, application: 'backup-dc', ce: 'CE2', vpn: ACME });
  assert.equal(callee.result.exitCode, 0, verdict(callee.result));
  const caller = await registerApp({
    gateway: east,
    application: 'primary-dc',
    ce: 'CE1',
    vpn: ACME,
    domain: EAST,
  });
  assert.equal(caller.result.exitCode, 0, verdict(caller.result));
  const uas = answerAs(callee.port, 'uas-answer-expect-200');
  const call = await placeCall({
    gateway: east,
    caller: 'primary-dc',
    callee: 'backup-dc',
    domain: 'svpn.example.net',
    vpn: ACME,
    kbps: 150_000,
    scenarioName: 'uac-invite-hold-expect-200',
  });
  // Both ends of it: the far gateway bridges when its callee answers, the caller's gateway counts the
  // session once that 200 has crossed back to it — a datagram later, not in the same turn.
  await whileRunning(
    'the cross-gateway session',
    call,
    () => h.gateway.controller.bridgedCalls === 1 && east.controller.liveSessions === 1,
  );
  // One ledger (the leader's) holds the flow; the caller's gateway owns the session.
  assert.equal(east.admission, undefined, 'the east gateway keeps no ledger of its own');
  assert.deepEqual(
    [ledgerFlows(h).get(call.sessionId)?.ingress, ledgerFlows(h).get(call.sessionId)?.egress],
    ['PE1', 'PE4'],
  );
  assert.equal(east.controller.liveSessions, 1);
  assert.equal(h.gateway.controller.liveSessions, 0, 'the far gateway only bridges');
  assert.deepEqual((await uniSessionsOf(h, call.sessionId)).map((u) => u.pe).sort(), ['PE1', 'PE4']);
  await east.controller.endAll('bye');
  for (const r of await Promise.all([call.done, uas.done])) assert.equal(r.exitCode, 0, verdict(r));
  await waitFor('the bridge to end', () => h.gateway.controller.bridgedCalls === 0);
  const record = await closedCharge(h, call.sessionId);
  assert.equal(record.caller, `sip:primary-dc@${EAST}`);
  assert.equal(record.callee, 'sip:backup-dc@svpn.example.net');
  assert.equal(record.grantedBps, 150_000_000);
  await waitForIdle(h);
});

test('VPN mobility — a re-REGISTER from another CE moves the binding and the live session (new PE first, then the old PE forgets the site)', async () => {
  const b = await registerApp({ gateway: h.gateway, application: 'grid-b', ce: 'CE4', vpn: GLOBEX_GRID });
  const a = await registerApp({ gateway: h.gateway, application: 'grid-a', ce: 'CE3', vpn: GLOBEX_GRID });
  assert.equal(a.result.exitCode, 0, verdict(a.result));
  const uas = answerAs(b.port, 'uas-answer-expect-200', { timeoutMs: 30_000 });
  const call = await placeCall({
    gateway: h.gateway,
    caller: 'grid-a',
    callee: 'grid-b',
    vpn: GLOBEX_GRID,
    kbps: 100_000,
    scenarioName: 'uac-invite-hold-expect-200',
    timeoutMs: 30_000,
  });
  await whileRunning('the session', call, async () => (await chargeOf(h, call.sessionId)) !== undefined);
  assert.equal(ledgerFlows(h).get(call.sessionId)?.ingress, 'PE2');
  const before = (await uniSessionsOf(h, call.sessionId)).map((u) => `${u.pe}/${u.ce}`).sort();
  assert.deepEqual(before, ['PE2/CE3', 'PE5/CE4']);

  // grid-a now attaches through CE5 (PE6): it registers again from there.
  const moved = await registerApp({ gateway: h.gateway, application: 'grid-a', ce: 'CE5', vpn: GLOBEX_GRID });
  assert.equal(moved.result.exitCode, 0, verdict(moved.result));
  await whileRunning(
    'the session on PE6',
    call,
    async () => {
      const uni = (await uniSessionsOf(h, call.sessionId)).map((u) => `${u.pe}/${u.ce}`).sort();
      return uni.join() === 'PE5/CE4,PE6/CE5';
    },
    20_000,
  );
  assert.equal(ledgerFlows(h).get(call.sessionId)?.ingress, 'PE6', 'the ledger flow moved');
  const lsps = await h.peSim.listLsps();
  assert.ok(
    lsps.some((l) => l.ingress === 'PE6' && l.egress === 'PE5' && l.status === 'up'),
    'a PE6 → PE5 LSP is up',
  );
  // Make-before-break: the old tunnel is torn down after the session is up on the new one.
  await waitFor(
    'the PE2 → PE5 LSP is gone',
    async () => !(await h.peSim.listLsps()).some((l) => l.ingress === 'PE2' && l.egress === 'PE5'),
  );
  await waitFor(
    'membership moved',
    async () => {
      const m = await h.provisioner.adapter.listMemberships();
      const has = (pe: string, ce: string) =>
        m.some((x) => x.pe === pe && x.ce === ce && x.vpnId === GLOBEX_GRID);
      return has('PE6', 'CE5') && !has('PE2', 'CE3');
    },
    20_000,
  );
  const location = new RedisLocationStore(h.redis, new KeySpace('svpn'));
  const bindings = await location.lookup('sip:grid-a@svpn.example.net', Date.now());
  assert.deepEqual(
    bindings.map((x) => x.ce),
    ['CE5'],
    'one binding, at the new CE',
  );
  await waitFor(
    'the modify event',
    async () => ((await chargeOf(h, call.sessionId))?.changes.length ?? 0) >= 2,
  );
  await h.gateway.controller.endAll('bye');
  for (const r of await Promise.all([call.done, uas.done]))
    assert.equal(r.exitCode, 0, `the session survived the move: ${verdict(r)}`);
  const record = await closedCharge(h, call.sessionId);
  assert.equal(record.reason, 'bye');
  await waitForIdle(h);
});
