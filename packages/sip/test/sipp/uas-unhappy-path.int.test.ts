/**
 * SIPp as the caller, a `SipAgent` as the callee: calls that are cancelled, refused, badly
 * authenticated, or ended before they were confirmed. Each test checks SIPp's verdict and our wire.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type CredentialLookup, SipError, computeHa1, digestAuth } from '@svpn/sip';
import {
  ANSWER_SDP,
  assertAllCallsPassed,
  countStart,
  describeRun,
  scenario,
  sipp,
  startAgent,
  until,
} from './support.js';

/** SIPp's exit code when at least one call failed (sipp(1)). */
const SIPP_SOME_FAILED = 1;

const lookup: CredentialLookup = (username, realm, algorithm) =>
  Promise.resolve(
    username === 'alice' ? computeHa1({ username, realm, password: 'wonderland', algorithm }) : undefined,
  );

describe('SIPp UAC → SipAgent UAS: unhappy paths', () => {
  it('CANCEL after 180: 200 to the CANCEL, 487 to the INVITE, its ACK absorbed; the app never answers', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const cancelled: string[] = [];
    let answered = 0;
    t.agent.invite((req, res) => {
      res.send(180);
      // The application takes its time; a CANCEL arrives first.
      const later = setTimeout(() => {
        answered++;
        void t.agent.createUAS(req, res, { localSdp: ANSWER_SDP }).catch(() => undefined);
      }, 5_000);
      req.onCancel(() => {
        clearTimeout(later);
        cancelled.push(req.message.callId);
      });
    });
    const run = await sipp({
      scenarioFile: scenario('uac-cancel-expect-487'),
      target: `127.0.0.1:${t.port}`,
      maxCalls: 3,
      rate: 10,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 3);
    assert.equal(cancelled.length, 3);
    assert.equal(answered, 0);
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 180'), 3);
    // RFC 3261 §9.2 — 200 to the CANCEL (same To tag as the INVITE's responses), 487 to the INVITE.
    const ok = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 200'));
    const terminated = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 487'));
    assert.equal(ok.length, 3);
    assert.ok(
      ok.every((m) => m.includes(' CANCEL\r\n')),
      'every 200 answers a CANCEL',
    );
    assert.equal(terminated.length, 3, 'one 487 per INVITE, not retransmitted: the ACK stopped Timer G');
    const tag = (m: string): string | undefined => /\r\nTo: [^\r]*;tag=([^;\r]+)/.exec(m)?.[1];
    for (const response of terminated) {
      const callId = /\r\nCall-ID: (\S+)/.exec(response)?.[1] ?? '';
      const cancelOk = ok.find((m) => m.includes(`\r\nCall-ID: ${callId}\r\n`)) ?? '';
      assert.equal(tag(cancelOk), tag(response));
    }
    // RFC 3261 §17.2.1 — the ACK for the 487 matched the INVITE server transaction.
    assert.equal(countStart(t.wire.received, 'ACK '), 3);
    assert.equal(t.agent.stack.counters.strayAcks, 0);
    assert.equal(t.agent.dialogs.size, 0);
  });

  it('a CANCEL crossing the 200 gets its 200 but changes nothing: no 487, no cancel event, BYE ends the call', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    let cancels = 0;
    const ends: string[] = [];
    t.agent.invite(async (req, res) => {
      req.onCancel(() => cancels++);
      const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
      dialog.on('destroy', ({ reason }) => ends.push(reason));
    });
    const run = await sipp({
      scenarioFile: scenario('uac-cancel-after-200-expect-200'),
      target: `127.0.0.1:${t.port}`,
      maxCalls: 2,
      rate: 10,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 2);
    await until(() => ends.length === 2, 2_000, 'BYE');
    // RFC 3261 §9.2 — the CANCEL matched the INVITE transaction: 200 to it, and no effect otherwise.
    assert.equal(cancels, 0, 'the application was told of a CANCEL that had no effect');
    assert.deepEqual(ends, ['bye', 'bye']);
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 487'), 0);
    const ok = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 200'));
    assert.equal(ok.filter((m) => m.includes('\r\nCSeq: 1 CANCEL\r\n')).length, 2);
  });

  it('486 Busy Here: SIPp ACKs it inside the INVITE transaction, no dialog is created', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    let invites = 0;
    t.agent.invite((_req, res) => {
      invites++;
      res.send(486, { warning: 'the callee is busy' });
    });
    const run = await sipp({
      scenarioFile: scenario('uac-invite-expect-486'),
      target: `127.0.0.1:${t.port}`,
      maxCalls: 5,
      rate: 20,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 5);
    assert.equal(invites, 5);
    const busy = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 486'));
    assert.equal(busy.length, 5);
    assert.ok(
      busy.every((m) => m.includes('\r\nWarning: 399 svpn "the callee is busy"\r\n')),
      'the Warning says why',
    );
    assert.equal(countStart(t.wire.received, 'ACK '), 5);
    assert.equal(t.agent.stack.counters.strayAcks, 0);
    assert.equal(t.agent.dialogs.size, 0);
  });

  it('REGISTER with a wrong password: a second 401, SIPp fails the call, our side refused it', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    let registered = 0;
    t.agent.use('register', digestAuth({ realm: 'svpn.test', algorithms: ['MD5'], lookup }));
    t.agent.register((_req, res) => {
      registered++;
      res.send(200);
    });
    const run = await sipp({
      scenarioFile: scenario('uac-register-digest-expect-200'),
      target: `127.0.0.1:${t.port}`,
      service: 'alice',
      authUser: 'alice',
      authPassword: 'not-the-password',
      maxCalls: 1,
      timeoutMs: 10_000,
    });
    assert.equal(run.exitCode, SIPP_SOME_FAILED, describeRun(run));
    assert.equal(run.successfulCalls, 0);
    assert.equal(run.failedCalls, 1);
    assert.equal(run.unexpectedMessages, 1, 'the second 401 where SIPp expected 200');
    assert.equal(registered, 0);
    const challenges = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 401'));
    assert.equal(challenges.length, 2);
    // The first 401 challenges a request without credentials; the second refuses bad ones.
    assert.ok(!challenges[0]?.includes('\r\nWarning:'), 'the first 401 is a plain challenge');
    assert.ok(
      challenges[1]?.includes('\r\nWarning: 399 svpn "authentication failed"\r\n'),
      'the second 401 says the credentials failed',
    );
    assert.match(t.wire.received[1] ?? '', /\r\nAuthorization: Digest username="alice",/);
  });

  it('BYE before the ACK (lost on UDP): the dialog ends, createUAS rejects 487, the 2xx stops', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const outcomes: unknown[] = [];
    t.agent.invite(async (req, res) => {
      try {
        const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
        outcomes.push(dialog);
      } catch (error) {
        outcomes.push(error);
      }
    });
    const run = await sipp({
      scenarioFile: scenario('uac-bye-before-ack-expect-200'),
      target: `127.0.0.1:${t.port}`,
      maxCalls: 2,
      rate: 10,
      timeoutMs: 10_000,
    });
    assertAllCallsPassed(run, 2);
    await until(() => outcomes.length === 2, 1_000, 'createUAS to settle');
    for (const outcome of outcomes) {
      assert.ok(outcome instanceof SipError, 'createUAS only resolves with a live, ACKed dialog');
      assert.equal(outcome.status, 487);
    }
    assert.equal(t.agent.dialogs.size, 0);
    // One 2xx per INVITE: the BYE stopped its retransmission (SIPp waited 1.5 s > T1 afterwards).
    const invite2xx = t.wire.sent.filter((m) => m.startsWith('SIP/2.0 200') && m.includes(' INVITE\r\n'));
    assert.equal(invite2xx.length, 2);
    assert.equal(countStart(t.wire.sent, 'SIP/2.0 200'), 4);
  });
});
