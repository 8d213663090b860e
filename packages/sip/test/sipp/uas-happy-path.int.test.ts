/**
 * SIPp as the caller, a `SipAgent` as the callee: the calls that succeed. Every run is bounded in
 * calls and time, and each test checks SIPp's verdict (exit code, counters) and what our side saw.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type CredentialLookup, type Dialog, type SipError, computeHa1, digestAuth } from '@svpn/sip';
import {
  ANSWER_SDP,
  type TestAgent,
  assertAllCallsPassed,
  countStart,
  scenario,
  sipp,
  startAgent,
  until,
} from './support.js';

const REALM = 'svpn.test';
const USERS: Record<string, string> = { alice: 'wonderland' };

/** The credential store: H(A1) only, as a registrar keeps it. */
const lookup: CredentialLookup = (username, realm, algorithm) => {
  const password = USERS[username];
  return Promise.resolve(
    password === undefined ? undefined : computeHa1({ username, realm, password, algorithm }),
  );
};

/** A UAS answering every INVITE with 200 + SDP; collects the dialogs and how they ended. */
function answerAll(t: TestAgent): { dialogs: Dialog[]; destroyed: string[] } {
  const seen = { dialogs: [] as Dialog[], destroyed: [] as string[] };
  t.agent.invite(async (req, res) => {
    const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
    seen.dialogs.push(dialog);
    dialog.on('destroy', ({ reason }) => seen.destroyed.push(reason));
  });
  return seen;
}

describe('SIPp UAC → SipAgent UAS: happy paths', () => {
  it('INVITE/200/ACK/BYE over UDP: 10 calls, every dialog confirmed by ACK and ended by BYE', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const seen = answerAll(t);
    const run = await sipp({
      builtin: 'uac',
      target: `127.0.0.1:${t.port}`,
      maxCalls: 10,
      rate: 20,
      timeoutMs: 15_000,
    });
    assertAllCallsPassed(run, 10);
    assert.equal(run.retransmissions, 0);
    await until(() => seen.destroyed.length === 10, 2_000, '10 destroy events');
    assert.deepEqual(seen.destroyed, Array(10).fill('bye'));
    assert.equal(new Set(seen.dialogs.map((d) => d.callId)).size, 10);
    assert.equal(t.agent.dialogs.size, 0);
    // Ten 200s to INVITE and ten to BYE; no 2xx was retransmitted (every ACK came at once).
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 200'), 20);
    assert.equal(countStart(t.wire.received, 'ACK '), 10);
    // Timer J (BYE) and Timer L (INVITE) still run; closing the agent cancels them.
    assert.ok(t.agent.stack.timers.size > 0, 'transaction timers still pending');
    await t.agent.close();
    assert.equal(t.agent.stack.timers.size, 0);
  });

  it('TCP (-t t1): 200 calls at 200/s over one connection, every dialog heard ending, no retransmissions', async (ctx) => {
    const t = await startAgent({ protocols: ['tcp'] });
    ctx.after(() => t.agent.close());
    const seen = answerAll(t);
    const connections: string[] = [];
    t.agent.stack.transports.on('connection', (c) => connections.push(c.direction));
    const run = await sipp({
      builtin: 'uac',
      target: `127.0.0.1:${t.port}`,
      transport: 't1',
      maxCalls: 200,
      rate: 200,
      timeoutMs: 15_000,
    });
    assertAllCallsPassed(run, 200);
    assert.equal(run.retransmissions, 0);
    // SIPp writes the ACK and the BYE back to back: often one TCP segment, yet each dialog is
    // handed to the application before its BYE is processed, so no destroy event is missed.
    await until(() => seen.destroyed.length === 200, 3_000, '200 destroy events');
    assert.deepEqual(connections, ['inbound']);
    assert.ok(
      seen.dialogs.every((d) => d.state.remoteTarget.includes('sipp@127.0.0.1')),
      'remote target from SIPp’s Contact',
    );
    // Our Contact names TCP so in-dialog requests come back over it (RFC 3263 §4.1).
    const ok = t.wire.sent.find((m) => m.startsWith('SIP/2.0 200') && m.includes('CSeq: 1 INVITE'));
    assert.match(ok ?? '', /\r\nContact: <sip:svpn@127\.0\.0\.1:\d+;transport=tcp>\r\n/);
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 200'), 400);
  });

  it('re-INVITE (CSeq 2) with a new offer reaches the modify listener and its answer reaches SIPp', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const offers: string[] = [];
    const ends: string[] = [];
    let dialog: Dialog | undefined;
    t.agent.invite(async (req, res) => {
      dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('destroy', ({ reason }) => ends.push(reason));
      dialog.on('modify', (mreq, mres) => {
        offers.push(mreq.body);
        const answer = ANSWER_SDP.replace('RTP/AVP 0', 'RTP/AVP 8').replace('0 PCMU', '8 PCMA');
        mres.send(200, { body: answer, contentType: 'application/sdp' });
      });
    });
    const run = await sipp({
      scenarioFile: scenario('uac-reinvite-expect-200'),
      target: `127.0.0.1:${t.port}`,
      maxCalls: 1,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 1);
    await until(() => ends.length === 1, 2_000, 'BYE');
    assert.equal(offers.length, 1);
    assert.match(offers[0] ?? '', /m=audio \d+ RTP\/AVP 8\r\n/);
    assert.ok(dialog, 'createUAS resolved');
    assert.equal(dialog.remote.sdp, offers[0]);
    assert.match(dialog.local.sdp, /a=rtpmap:8 PCMA\/8000/);
    assert.equal(dialog.state.remoteSeq, 3);
    assert.deepEqual(ends, ['bye']);
    // The 2xx to the re-INVITE carries our Contact (RFC 3261 §12.2.2 — a target refresh answer MUST).
    const reinvite200 = t.wire.sent.find((m) => m.startsWith('SIP/2.0 200') && m.includes('CSeq: 2 INVITE'));
    assert.match(reinvite200 ?? '', /\r\nContact: <sip:svpn@127\.0\.0\.1:\d+>\r\n/);
    assert.equal(countStart(t.wire.received, 'ACK '), 2);
  });

  it('UDP with 10% loss on SIPp (-lost 10): retransmissions on both sides complete every call', async (ctx) => {
    // Same T1 as SIPp (500 ms): a smaller one would end our BYE transactions (Timer J, 64·T1)
    // while SIPp still retransmits its BYE, and the late copy would get a 481.
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const outcomes: string[] = [];
    const invites: string[] = [];
    t.agent.invite(async (req, res) => {
      invites.push(req.message.callId);
      try {
        const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
        dialog.on('destroy', ({ reason }) => outcomes.push(reason));
      } catch (error) {
        outcomes.push(String((error as SipError).status));
      }
    });
    const run = await sipp({
      builtin: 'uac',
      target: `127.0.0.1:${t.port}`,
      maxCalls: 20,
      rate: 20,
      lostPercent: 10,
      timeoutMs: 25_000,
    });
    assertAllCallsPassed(run, 20);
    assert.ok(run.retransmissions > 0, 'SIPp retransmitted what it lost');
    // Each call reached the application once: retransmitted INVITEs were absorbed by their transaction.
    assert.equal(new Set(invites).size, 20);
    assert.equal(invites.length, 20);
    // Every call ends on our side by SIPp's BYE ('bye'), or by a BYE that overtook a lost ACK
    // (createUAS rejects 487), except where SIPp lost both its ACK and its first BYE: it then takes
    // our retransmitted 2xx for the 200 to its BYE and stops, and our dialog waits for an ACK that
    // will never come (64·T1, then our BYE, RFC 3261 §13.3.1.4). Those are checked on the wire.
    const waiting = (): string[] => [...t.agent.dialogs.values()].map((d) => d.callId);
    await until(() => outcomes.length + waiting().length === 20, 5_000, 'every call to end');
    assert.ok(
      outcomes.every((o) => o === 'bye' || o === '487'),
      outcomes.join(),
    );
    const heard = (callId: string, method: string): boolean =>
      t.wire.received.some((m) => m.startsWith(`${method} `) && m.includes(`\r\nCall-ID: ${callId}\r\n`));
    for (const callId of waiting()) {
      assert.ok(!heard(callId, 'ACK') && !heard(callId, 'BYE'), `${callId}: an ACK or BYE went unheeded`);
    }
    assert.ok(waiting().length <= 3, `${waiting().length} calls lost both their ACK and their BYE`);
    assert.ok(countStart(t.wire.sent, 'SIP/2.0 200') >= 20 + outcomes.length, 'a 200 per INVITE and per BYE');
  });

  it('REGISTER challenged with 401 (MD5 digest) and answered: 200, username authenticated', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const registered: string[] = [];
    t.agent.use(
      'register',
      digestAuth({
        realm: REALM,
        algorithms: ['MD5'],
        lookup,
      }),
    );
    t.agent.register((req, res) => {
      registered.push(String(req.locals['username']));
      res.send(200, { headers: { Contact: req.get('Contact') ?? '', Expires: '300' } });
    });
    const run = await sipp({
      scenarioFile: scenario('uac-register-digest-expect-200'),
      target: `127.0.0.1:${t.port}`,
      service: 'alice',
      authUser: 'alice',
      authPassword: 'wonderland',
      maxCalls: 3,
      rate: 10,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 3);
    assert.deepEqual(registered, ['alice', 'alice', 'alice']);
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 401'), 3);
    const challenge = t.wire.sent.find((m) => m.startsWith('SIP/2.0 401')) ?? '';
    assert.match(challenge, /\r\nWWW-Authenticate: Digest realm="svpn\.test",.*algorithm=MD5/);
  });

  it('INVITE challenged with 401, ACKed, re-sent with credentials: the call is placed as alice', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const callers: string[] = [];
    const ends: string[] = [];
    t.agent.use(
      'invite',
      digestAuth({
        realm: REALM,
        algorithms: ['MD5'],
        lookup,
      }),
    );
    t.agent.invite(async (req, res) => {
      callers.push(String(req.locals['username']));
      const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('destroy', ({ reason }) => ends.push(reason));
    });
    const run = await sipp({
      scenarioFile: scenario('uac-invite-digest-expect-200'),
      target: `127.0.0.1:${t.port}`,
      authUser: 'alice',
      authPassword: 'wonderland',
      maxCalls: 2,
      rate: 10,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 2);
    await until(() => ends.length === 2, 2_000, 'BYE');
    assert.deepEqual(callers, ['alice', 'alice']);
    assert.deepEqual(ends, ['bye', 'bye']);
    // The 401 was ACKed inside its transaction (the ACK matched it, not a dialog).
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 401'), 2);
    assert.equal(t.agent.stack.counters.strayAcks, 0);
  });
});
