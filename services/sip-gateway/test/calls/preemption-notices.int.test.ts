/**
 * Preemption reaches whoever holds the victim: two gateways admit through one leader (DESIGN §5), a
 * peer holds routine sessions, and a flash session admitted at the leader preempts them — the
 * peer, told by the leader's preemption notice, sends both parties BYE with the RFC 4411 Reason and
 * gives the PE state back. A notice is checked against the ledger before it is acted on: a stale or
 * repeated one changes nothing, a reduction shrinks the session (RFC 4495). Real Redis, real SIP
 * agents on loopback, the whole svpn (policy, provisioner with pe-sim, charging).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog, SipRequest } from '@svpn/sip';
import { KeySpace, publishPreemptionNotices, type PreemptionNotice } from '@svpn/store';
import { sessionIdFor } from '../../src/calls/call-controller.js';
import type { Gateway } from '../../src/start-gateway.js';
import {
  startApplication,
  startHarness,
  vpnOffer,
  type Harness,
  type TestApplication,
} from '../support/gateway-harness.js';

const GRID = '00000b:00000001';
const keys = new KeySpace('svpn');
let h: Harness;
let peer: Gateway;
let gridA: TestApplication;
let gridB: TestApplication;
let gridC: TestApplication;

/**
 * The far ends' dialogs by session id (the callee leg is the gateway's own dialog, with its own
 * Call-ID; its offer names the session in `a=svpn-session`), with how each ended and the re-INVITE
 * offers it got.
 */
interface Far {
  dialog: Dialog;
  ended?: { reason: string; request?: SipRequest };
  offers: string[];
}
const far = new Map<string, Far>();
/** When set, the next callee to be invited waits for it before it answers (given the session id). */
let holdNextAnswer: ((sessionId: string) => Promise<void>) | undefined;

function answer(app: TestApplication): void {
  app.agent.invite(async (req, res) => {
    const hold = holdNextAnswer;
    holdNextAnswer = undefined;
    await hold?.(/a=svpn-session:(\S+)/.exec(req.body)?.[1] ?? '');
    const dialog = await app.agent.createUAS(req, res, { localSdp: req.body });
    const entry: Far = { dialog, offers: [] };
    far.set(/a=svpn-session:(\S+)/.exec(req.body)?.[1] ?? dialog.callId, entry);
    dialog.on('destroy', (info) => {
      entry.ended = info;
    });
    dialog.on('modify', (mreq, mres) => {
      entry.offers.push(mreq.body);
      mres.send(200, { body: mreq.body, contentType: 'application/sdp' });
    });
  });
}

interface Call {
  dialog: Dialog;
  sessionId: string;
  ended?: { reason: string; request?: SipRequest };
  offers: string[];
}

async function call(
  via: Gateway,
  callee: string,
  kbps: number,
  resourcePriority = 'dsn.routine',
): Promise<Call> {
  const dialog = await gridA.agent.createUAC(`sip:${callee}@127.0.0.1:${via.sipAddress.port}`, {
    localSdp: vpnOffer({ vpnId: GRID, kbps }),
    auth: { username: 'grid-a', password: 'grid-a-secret' },
    from: 'sip:grid-a@svpn.example.net',
    headers: { 'Resource-Priority': resourcePriority },
  });
  const c: Call = { dialog, sessionId: sessionIdFor(dialog.callId, dialog.state.id.localTag), offers: [] };
  dialog.on('destroy', (info) => {
    c.ended = info;
  });
  dialog.on('modify', (mreq, mres) => {
    c.offers.push(mreq.body);
    mres.send(200, { body: mreq.body, contentType: 'application/sdp' });
  });
  return c;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const flows = (): Set<string> => new Set(h.gateway.admission!.manager.flows().map((f) => f.id));
const uni = async (sessionId: string) =>
  (await h.peSim.listSessions()).filter((s) => s.sessionId === sessionId);
const reasonOf = (ended: { request?: SipRequest } | undefined): string =>
  ended?.request?.headers.get('Reason') ?? '';

function notice(sessionId: string, extra: Partial<PreemptionNotice> = {}): PreemptionNotice {
  return {
    noticeId: `test-${sessionId}-${Math.random().toString(36).slice(2)}`,
    sessionId,
    action: 'end',
    booking: false,
    cause: 'admit',
    preemptorSessionId: 'someone-important',
    preemptorLevel: 'flash',
    at: Date.now(),
    ...extra,
  };
}

before(async () => {
  h = await startHarness();
  // A second gateway of the same domain admitting through the first one's leader API.
  peer = await h.startPeer('svpn.example.net');
  gridA = await startApplication('grid-a', 'grid-a-secret', h.gateway);
  gridB = await startApplication('grid-b', 'grid-b-secret', h.gateway);
  gridC = await startApplication('grid-c', 'grid-c-secret', h.gateway);
  assert.equal((await gridA.register('CE3', GRID)).status, 200);
  assert.equal((await gridB.register('CE4', GRID)).status, 200);
  assert.equal((await gridC.register('CE5', GRID)).status, 200);
  answer(gridB);
  answer(gridC);
});

after(async () => {
  for (const app of [gridA, gridB, gridC]) await app?.stop();
  await h?.stop();
});

test('RFC 4411 — a flash session admitted at the leader preempts routine sessions the peer holds: the peer BYEs both parties with the Reason and releases the PEs', async () => {
  // Two 1 Gbit/s routine sessions PE2 → PE5 held by the peer gateway.
  const routine = [await call(peer, 'grid-b', 1_000_000), await call(peer, 'grid-b', 1_000_000)];
  await waitFor('two live sessions at the peer', () => peer.controller.liveSessions === 2);
  for (const r of routine) assert.ok(flows().has(r.sessionId));
  // The flash session PE2 → PE6 needs the same core, at the leader gateway.
  const flash = await call(h.gateway, 'grid-c', 1_000_000, 'dsn.flash');
  await waitFor('the flash session live at the leader', () => h.gateway.controller.liveSessions === 1);
  const victims = routine.filter((r) => !flows().has(r.sessionId));
  assert.ok(victims.length >= 1, 'at least one routine session lost its reservation');
  for (const v of victims) {
    await waitFor(`the victim ${v.sessionId} to be ended by the peer`, () => v.ended !== undefined);
    assert.equal(v.ended?.reason, 'bye');
    assert.match(reasonOf(v.ended), /^preemption ;cause=1/, 'the caller got the RFC 4411 Reason');
    const callee = far.get(v.sessionId);
    await waitFor('the callee to be ended', () => callee?.ended !== undefined);
    assert.match(reasonOf(callee?.ended), /^preemption ;cause=1/, 'the callee got the RFC 4411 Reason');
    await waitFor('the victim gone from the PEs', async () => (await uni(v.sessionId)).length === 0);
  }
  await waitFor('the peer to hold the others', () => peer.controller.liveSessions === 2 - victims.length);
  assert.deepEqual(
    (await uni(flash.sessionId)).map((u) => u.pe).sort(),
    ['PE2', 'PE6'],
    'the flash session is provisioned',
  );
  for (const r of routine) if (!victims.includes(r)) await r.dialog.destroy();
  await flash.dialog.destroy();
  await waitFor(
    'no live session',
    () => peer.controller.liveSessions + h.gateway.controller.liveSessions === 0,
  );
  await waitFor('an empty ledger', () => flows().size === 0);
  await waitFor('no UNI session left', async () => (await h.peSim.listSessions()).length === 0);
});

test('a notice is checked against the ledger: a stale one changes nothing, a repeated one acts once, a reduction shrinks the session (RFC 4495)', async () => {
  const kept = await call(peer, 'grid-b', 100_000);
  const lost = await call(peer, 'grid-b', 100_000);
  await waitFor('two live sessions at the peer', () => peer.controller.liveSessions === 2);
  // Stale: the ledger still holds `kept` (e.g. admitted again under the same id since).
  await publishPreemptionNotices(h.redis, keys, [notice(kept.sessionId)]);
  // Real: `lost` no longer holds anything. Notices are handled in order, so once `lost` is ended
  // the stale one was handled too.
  await h.gateway.admission!.release(lost.sessionId);
  const real = notice(lost.sessionId);
  await publishPreemptionNotices(h.redis, keys, [real]);
  await waitFor('the preempted session to end', () => lost.ended !== undefined);
  assert.match(reasonOf(lost.ended), /^preemption ;cause=1/);
  assert.equal(kept.ended, undefined, 'the stale notice left the held session up');
  await waitFor('the peer to hold one session', () => peer.controller.liveSessions === 1);
  // The same notice again (at-least-once delivery): nothing more to do.
  await publishPreemptionNotices(h.redis, keys, [real]);

  // RFC 4495: the ledger reduced `kept` to 40 Mbit/s; the notice makes the peer re-INVITE both parties.
  assert.ok((await h.gateway.admission!.resize(kept.sessionId, 40_000_000)).ok);
  await publishPreemptionNotices(h.redis, keys, [
    notice(kept.sessionId, { action: 'shrink', newBandwidthBps: 40_000_000 }),
  ]);
  await waitFor('the caller re-INVITEd', () => kept.offers.length === 1);
  assert.match(kept.offers[0] ?? '', /b=AS:40000\r?\n/);
  const callee = far.get(kept.sessionId);
  await waitFor('the callee re-INVITEd', () => (callee?.offers.length ?? 0) === 1);
  assert.match(callee?.offers[0] ?? '', /b=AS:40000\r?\n/);
  // Repeated: the session already has what the ledger holds — no second re-INVITE.
  await publishPreemptionNotices(h.redis, keys, [
    notice(kept.sessionId, { action: 'shrink', newBandwidthBps: 40_000_000 }),
  ]);
  await h.gateway.admission!.release(lost.sessionId); // nothing left: a no-op, as an order marker
  const marker = await call(peer, 'grid-b', 100_000);
  await h.gateway.admission!.release(marker.sessionId);
  await publishPreemptionNotices(h.redis, keys, [notice(marker.sessionId)]);
  await waitFor('the marker session to end', () => marker.ended !== undefined);
  assert.equal(kept.offers.length, 1, 'one re-INVITE for one reduction');
  assert.equal(kept.ended, undefined);
  await kept.dialog.destroy();
  await waitFor('no live session', () => peer.controller.liveSessions === 0);
  await waitFor('an empty ledger', () => flows().size === 0);
  await waitFor('no UNI session left', async () => (await h.peSim.listSessions()).length === 0);
});

/**
 * Returns once `gateway` has handled every notice published so far: notices are handled in order,
 * so a marker session of its own, released at the ledger and announced last, ends only after them.
 */
async function noticesHandled(gateway: Gateway): Promise<void> {
  const marker = await call(gateway, 'grid-b', 1_000);
  await h.gateway.admission!.release(marker.sessionId);
  await publishPreemptionNotices(h.redis, keys, [notice(marker.sessionId)]);
  await waitFor('the marker session to end', () => marker.ended !== undefined);
}

test('a session preempted while its callee is being invited is ended with the RFC 4411 Reason as soon as it is live', async () => {
  let answerNow!: () => void;
  const gate = new Promise<void>((resolve) => {
    answerNow = resolve;
  });
  let invited: string | undefined;
  holdNextAnswer = async (sessionId) => {
    invited = sessionId;
    await gate;
  };
  const pending = call(peer, 'grid-b', 100_000);
  await waitFor('the callee to be invited', () => invited !== undefined);
  const sessionId = invited as string;
  // Preempted now, between admission and answer: the peer marks its setup.
  await h.gateway.admission!.release(sessionId);
  await publishPreemptionNotices(h.redis, keys, [notice(sessionId)]);
  await noticesHandled(peer);
  answerNow();
  const c = await pending;
  assert.equal(c.sessionId, sessionId);
  await waitFor('the caller to get BYE', () => c.ended !== undefined);
  assert.match(reasonOf(c.ended), /^preemption ;cause=1/);
  const callee = far.get(sessionId);
  await waitFor('the callee to get BYE', () => callee?.ended !== undefined);
  assert.match(reasonOf(callee?.ended), /^preemption ;cause=1/);
  await waitFor('no live session', () => peer.controller.liveSessions === 0);
  await waitFor('no UNI session left', async () => (await h.peSim.listSessions()).length === 0);
  assert.equal(flows().size, 0);
});
