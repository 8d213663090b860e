/**
 * A `SipAgent` as the caller, SIPp as a callee that refuses (486) or rings until we cancel. SIPp's
 * scenarios expect the ACK for the failure response, so its verdict proves our client transaction
 * ACKed it (RFC 3261 §17.1.1.3).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ClientRequest, SipError } from '@svpn/sip';
import { freePort, runSipp } from '@svpn/test-support';
import { OFFER_SDP, assertAllCallsPassed, countStart, delay, scenario, startAgent } from './support.js';

describe('SipAgent UAC → SIPp UAS: unhappy paths', { concurrency: true }, () => {
  it('a 486 Busy Here: createUAC rejects with SipError 486 and SIPp receives the ACK', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const sippPort = await freePort();
    const calls = 3;
    const run = runSipp({
      scenarioFile: scenario('uas-answer-expect-486'),
      localPort: sippPort,
      maxCalls: calls,
      timeoutMs: 10_000,
    });
    await delay(300);
    const outcomes = await Promise.allSettled(
      Array.from({ length: calls }, () =>
        t.agent.createUAC(`sip:busy@127.0.0.1:${sippPort}`, { localSdp: OFFER_SDP }),
      ),
    );
    for (const outcome of outcomes) {
      assert.equal(outcome.status, 'rejected');
      const error: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
      assert.ok(error instanceof SipError, String(error));
      assert.equal(error.status, 486);
      assert.equal(error.response?.status, 486);
    }
    const result = await run.done;
    assertAllCallsPassed(result, calls);
    // RFC 3261 §17.1.1.3 — the ACK reuses the INVITE's branch and carries the 486's To tag.
    const acks = t.wire.sent.filter((m) => m.startsWith('ACK '));
    assert.equal(acks.length, calls);
    for (const ack of acks) {
      const callId = /\r\nCall-ID: (\S+)/.exec(ack)?.[1] ?? '';
      const invite = t.wire.sent.find(
        (m) => m.startsWith('INVITE ') && m.includes(`\r\nCall-ID: ${callId}\r\n`),
      );
      const branch = (m: string | undefined): string | undefined => /;branch=([^;\r]+)/.exec(m ?? '')?.[1];
      assert.equal(branch(ack), branch(invite));
      assert.match(ack, /\r\nTo: [^\r]*;tag=\d+SIPpTag01\d+\r\n/);
      assert.match(ack, /\r\nCSeq: 1 ACK\r\n/);
    }
    assert.equal(t.agent.dialogs.size, 0);
  });

  it('we CANCEL a ringing call: 200 to the CANCEL, 487 rejects createUAC, SIPp gets the ACK', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const sippPort = await freePort();
    const run = runSipp({
      scenarioFile: scenario('uas-ring-expect-cancel'),
      localPort: sippPort,
      maxCalls: 1,
      timeoutMs: 10_000,
    });
    await delay(300);
    let client: ClientRequest | undefined;
    const call = t.agent.createUAC(
      `sip:ringing@127.0.0.1:${sippPort}`,
      { localSdp: OFFER_SDP },
      {
        cbRequest: (c) => (client = c),
        cbProvisional: (r) => {
          if (r.status === 180) client?.cancel('SIP ;cause=487 ;text="caller gave up"');
        },
      },
    );
    await assert.rejects(call, (error: unknown) => error instanceof SipError && error.status === 487);
    const result = await run.done;
    assertAllCallsPassed(result, 1);
    // RFC 3261 §9.1 — the CANCEL has the INVITE's top Via (same branch), Call-ID, From, To and CSeq number.
    const invite = t.wire.sent.find((m) => m.startsWith('INVITE ')) ?? '';
    const cancel = t.wire.sent.find((m) => m.startsWith('CANCEL ')) ?? '';
    const header = (m: string, name: string): string | undefined =>
      new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`).exec(m)?.[1];
    for (const name of ['Via', 'Call-ID', 'From', 'To'])
      assert.equal(header(cancel, name), header(invite, name));
    assert.equal(header(cancel, 'CSeq'), '1 CANCEL');
    assert.equal(header(cancel, 'Reason'), 'SIP ;cause=487 ;text="caller gave up"');
    assert.equal(countStart(t.wire.sent, 'CANCEL '), 1);
    assert.equal(countStart(t.wire.sent, 'ACK '), 1);
    assert.equal(t.agent.dialogs.size, 0);
  });
});
