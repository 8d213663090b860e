/**
 * A caller that sends its BYE right after the ACK (as SIPp's UAC does): the gateway ends the
 * session and gives everything back — the ledger reservation, the PE state, the live session —
 * even when the BYE arrives while the gateway is still recording the session's start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startApplication,
  startHarness,
  vpnOffer,
  type Harness,
  type TestApplication,
} from '../support/gateway-harness.js';

const ACME = '00000a:00000001';
let h: Harness;
let primary: TestApplication;
let backup: TestApplication;

before(async () => {
  h = await startHarness();
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

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('calls whose BYE follows the ACK at once all end: no live session, no reservation, no PE session left', async () => {
  backup.agent.invite(async (req, res) => {
    await backup.agent.createUAS(req, res, { localSdp: vpnOffer({ vpnId: ACME, kbps: 1_000 }) });
  });
  const gw = `sip:backup-dc@127.0.0.1:${h.gateway.sipAddress.port}`;
  // Three rounds of 8 at once (the demo SLA allows acme 10 sessions at a time).
  for (let round = 0; round < 3; round++) {
    const calls = Array.from({ length: 8 }, async () => {
      const caller = await primary.agent.createUAC(gw, {
        localSdp: vpnOffer({ vpnId: ACME, kbps: 1_000 }),
        auth: { username: 'primary-dc', password: 'primary-secret' },
        from: 'sip:primary-dc@svpn.example.net',
      });
      // createUAC resolved: the ACK is sent. BYE now, before the gateway can have recorded anything.
      await caller.destroy();
    });
    await Promise.all(calls);
    await waitFor(`every session of round ${round} to end`, () => h.gateway.controller.liveSessions === 0);
  }
  await waitFor('the ledger to be empty', () => h.gateway.admission!.manager.flows().length === 0);
  await waitFor('no UNI session on any PE', async () => (await h.peSim.listSessions()).length === 0);
});
