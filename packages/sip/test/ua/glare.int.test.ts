/**
 * RFC 3261 §14.1 / §14.2 glare between two `SipAgent`s over real UDP on 127.0.0.1: both send a
 * re-INVITE at once, each answers the other's with 491, and each retries after its back-off
 * (2.1–4 s for the Call-ID owner, 0–2 s for the other side).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OFFER_SDP, header, messages, sdp, until, connectedCall } from './support.js';

describe('RFC 3261 §14 re-INVITE glare', () => {
  it('both re-INVITE at once: 491 both ways, the retries go through, both sides agree on the SDP', async (t) => {
    const { a, b, caller, callee: answered } = await connectedCall(t);
    const answeredAt: Record<string, number> = {};
    for (const [name, dialog] of [
      ['caller', caller],
      ['callee', answered],
    ] as const) {
      dialog.on('modify', (req, res) => {
        answeredAt[name] = Date.now();
        // Each side answers with what it currently holds.
        res.send(200, { body: dialog.local.sdp, contentType: 'application/sdp' });
      });
    }

    const started = Date.now();
    const [callerAnswer, calleeAnswer] = await Promise.all([
      caller.modify(sdp(40000, 7)).then((answer) => ({ answer, at: Date.now() - started })),
      answered.modify(sdp(50000, 7)).then((answer) => ({ answer, at: Date.now() - started })),
    ]);

    // Both first re-INVITEs (CSeq 2 from the caller, CSeq 1 from the callee) were refused with 491.
    const refusedByB = messages(b.wire.sent, 'SIP/2.0 491', 'INVITE');
    const refusedByA = messages(a.wire.sent, 'SIP/2.0 491', 'INVITE');
    assert.ok(refusedByB.length >= 1 && refusedByA.length >= 1, 'a 491 each way');
    assert.equal(header(refusedByB[0] ?? '', 'CSeq'), '2 INVITE');
    assert.equal(header(refusedByA[0] ?? '', 'CSeq'), '1 INVITE');
    // §14.1 — the callee (not the Call-ID owner) retried within 0–2 s, the caller after 2.1–4 s.
    assert.ok(calleeAnswer.at < 2_100, `callee done after ${calleeAnswer.at} ms`);
    assert.ok(callerAnswer.at >= 2_100 && callerAnswer.at < 4_500, `caller done after ${callerAnswer.at} ms`);
    // The retries: the callee's went first and got the caller's old SDP; then the caller's.
    assert.equal(calleeAnswer.answer, OFFER_SDP);
    assert.equal(callerAnswer.answer, sdp(50000, 7));
    // Both sides end with the same agreed session.
    assert.equal(caller.local.sdp, sdp(40000, 7));
    assert.equal(answered.local.sdp, sdp(50000, 7));
    assert.equal(caller.remote.sdp, answered.local.sdp);
    assert.equal(answered.remote.sdp, caller.local.sdp);
    // Every successful re-INVITE was ACKed.
    await until(
      () => messages(a.wire.sent, 'ACK ').length >= 2 && messages(b.wire.sent, 'ACK ').length >= 1,
      1_000,
      'the ACKs',
    );
    assert.ok(answeredAt['caller'] !== undefined && answeredAt['callee'] !== undefined);
    await caller.destroy();
    await until(() => answered.destroyed, 1_000, 'the BYE');
  });
});
