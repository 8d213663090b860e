/**
 * RFC 3311 UPDATE and RFC 6086 INFO between two `SipAgent`s over real UDP on 127.0.0.1.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type Dialog, type IncomingRequest, SipError } from '@svpn/sip';
import {
  ANSWER_SDP,
  OFFER_SDP,
  T1,
  delay,
  header,
  messages,
  sdp,
  startAgent,
  until,
  type ConnectedCall,
  connectedCall,
} from './support.js';

const QOS = 'application/svpn-qos+json';

/** Two agents (both accepting {@link QOS} and text bodies) and a confirmed call between them. */
function call(
  t: { after: (fn: () => Promise<void>) => void },
  calleeOptions: Parameters<typeof startAgent>[0] = {},
): Promise<ConnectedCall> {
  const validation = { acceptedContentTypes: ['application/sdp', QOS, 'text/plain'] };
  return connectedCall(t, { validation }, { validation, ...calleeOptions });
}

describe('RFC 3311 UPDATE', () => {
  it('an UPDATE in a confirmed dialog reaches `modify`; its 2xx is neither retransmitted nor ACKed', async (t) => {
    const { a, b, caller, callee } = await call(t);
    const offers: string[] = [];
    callee.on('modify', (req, res) => {
      offers.push(`${req.method} ${req.body === '' ? 'no offer' : 'offer'}`);
      res.send(200, { body: sdp(50000, 2), contentType: 'application/sdp' });
    });
    const answer = await caller.update(sdp(40000, 2));
    assert.equal(answer, sdp(50000, 2));
    assert.deepEqual(offers, ['UPDATE offer']);
    const ok = messages(b.wire.sent, 'SIP/2.0 200', 'UPDATE');
    assert.ok(header(ok[0] ?? '', 'Contact'), 'RFC 3311 §5.2 — the 2xx to UPDATE carries a Contact');
    await delay(16 * T1);
    // One 200 per UPDATE received (a request retransmission is answered again); nothing more.
    assert.equal(
      messages(b.wire.sent, 'SIP/2.0 200', 'UPDATE').length,
      messages(b.wire.received, 'UPDATE ').length,
    );
    // Counted by CSeq number: the INVITE's ACK may be sent again meanwhile (with T1 = 20 ms on a
    // loaded machine the callee's 2xx retransmission can cross the first ACK).
    const updateSeq = (header(messages(a.wire.sent, 'UPDATE ')[0] ?? '', 'CSeq') ?? '').split(' ')[0];
    assert.match(updateSeq ?? '', /^\d+$/);
    assert.deepEqual(
      messages(a.wire.sent, 'ACK ').filter((m) => (header(m, 'CSeq') ?? '').split(' ')[0] === updateSeq),
      [],
      'no ACK for an UPDATE',
    );
    assert.deepEqual([caller.local.sdp, caller.remote.sdp], [sdp(40000, 2), sdp(50000, 2)]);
    assert.deepEqual([callee.local.sdp, callee.remote.sdp], [sdp(50000, 2), sdp(40000, 2)]);
    await caller.destroy();
  });

  it('an UPDATE in the early dialog of a reliable 183, answered before the call is', async (t) => {
    const a = await startAgent();
    const b = await startAgent();
    t.after(async () => {
      await a.agent.close();
      await b.agent.close();
    });
    let callee: Promise<Dialog> | undefined;
    const updated: string[] = [];
    b.agent.invite((req: IncomingRequest, res) => {
      res.send(183, { headers: { Require: '100rel' }, body: ANSWER_SDP, contentType: 'application/sdp' });
      const early = b.agent.earlyDialog(req);
      assert.ok(early, 'the reliable 183 created an early dialog');
      early.on('modify', (mreq, mres) => {
        updated.push(`${mreq.method} in ${early.state.phase}`);
        mres.send(200, { body: sdp(50000, 2), contentType: 'application/sdp' });
        callee = b.agent.createUAS(req, res, { localSdp: sdp(50000, 2) });
      });
    });
    let earlyAnswer: Promise<string> | undefined;
    const caller = await a.agent.createUAC(
      b.uri(),
      { localSdp: OFFER_SDP },
      { cbEarlyDialog: (dialog) => (earlyAnswer = dialog.update(sdp(40000, 2))) },
    );
    assert.equal(await earlyAnswer, sdp(50000, 2));
    assert.ok(callee);
    const answered = await callee;
    assert.deepEqual(updated, ['UPDATE in early']);
    assert.deepEqual([caller.local.sdp, caller.remote.sdp], [sdp(40000, 2), sdp(50000, 2)]);
    assert.deepEqual([answered.local.sdp, answered.remote.sdp], [sdp(50000, 2), sdp(40000, 2)]);
    // CSeqs inside the dialog: INVITE 1, PRACK 2, UPDATE 3; the ACK keeps 1.
    assert.equal(header(messages(a.wire.sent, 'UPDATE ')[0] ?? '', 'CSeq'), '3 UPDATE');
    await until(() => messages(a.wire.sent, 'ACK ').length > 0, 1_000, 'the ACK');
    assert.equal(header(messages(a.wire.sent, 'ACK ')[0] ?? '', 'CSeq'), '1 ACK');
    await caller.destroy();
  });

  it('UPDATE glare: both get 491, each retries after its back-off, both end on the same SDP', async (t) => {
    const { a, b, caller, callee } = await call(t);
    const [fromA, fromB] = await Promise.all([caller.update(sdp(40000, 5)), callee.update(sdp(50000, 5))]);
    assert.equal(messages(a.wire.sent, 'SIP/2.0 491', 'UPDATE').length >= 1, true);
    assert.equal(messages(b.wire.sent, 'SIP/2.0 491', 'UPDATE').length >= 1, true);
    assert.deepEqual([caller.local.sdp, callee.local.sdp], [sdp(40000, 5), sdp(50000, 5)]);
    assert.equal(caller.remote.sdp, callee.local.sdp);
    assert.equal(callee.remote.sdp, caller.local.sdp);
    assert.equal(fromA, sdp(50000, 5), 'the callee retried first (0–2 s), so the caller got its new SDP');
    assert.equal(fromB, sdp(40000, 1), 'answered with the description then in force');
    await caller.destroy();
  });

  it('RFC 3311 §5.1 — one offer at a time: while a re-INVITE offer is unanswered neither side offers an UPDATE', async (t) => {
    const { a, caller, callee } = await call(t);
    let release: (() => void) | undefined;
    callee.on('modify', (req, res) => {
      release = () => res.send(200, { body: sdp(50000, 3), contentType: 'application/sdp' });
    });
    const reinvite = caller.modify(sdp(40000, 3));
    await until(() => release !== undefined, 1_000, 'the re-INVITE');
    // RFC 3311 §5.1 — no second offer of our own while one is unanswered: refused locally.
    await assert.rejects(
      caller.update(sdp(40000, 4)),
      (e: unknown) => e instanceof SipError && e.status === 491,
    );
    // The callee has an offer to answer, so it may not offer either (refused before sending).
    await assert.rejects(
      callee.update(sdp(50000, 4)),
      (e: unknown) => e instanceof SipError && e.status === 491,
    );
    assert.equal(messages(a.wire.received, 'UPDATE ').length, 0);
    release?.();
    assert.equal(await reinvite, sdp(50000, 3));
    assert.deepEqual([callee.local.sdp, callee.remote.sdp], [sdp(50000, 3), sdp(40000, 3)]);
    await caller.destroy();
  });
});

describe('RFC 6086 INFO', () => {
  it('an INFO for a package in Recv-Info reaches `info`; another package gets 469; legacy INFO passes', async (t) => {
    const { a, b, caller, callee } = await call(t, { recvInfo: ['svpn-qos'] });
    // RFC 6086 §4.2.1 — the callee lists what it takes in its 2xx; the caller listed nothing.
    assert.equal(header(messages(a.wire.sent, 'INVITE ')[0] ?? '', 'Recv-Info'), undefined);
    assert.equal(header(messages(b.wire.sent, 'SIP/2.0 200', 'INVITE')[0] ?? '', 'Recv-Info'), 'svpn-qos');
    const received: string[] = [];
    callee.on('info', (req, res) => {
      received.push(`${req.get('Info-Package') ?? '-'} ${req.get('Content-Disposition') ?? '-'} ${req.body}`);
      res.send(200);
    });
    const body = JSON.stringify({ dscp: 46, bandwidthKbps: 2000 });
    const ok = await caller.info({ package: 'svpn-qos', contentType: QOS, body });
    assert.equal(ok.status, 200);
    await assert.rejects(
      caller.info({ package: 'dtmf', contentType: 'text/plain', body: '5' }),
      (e: unknown) => {
        assert.ok(e instanceof SipError);
        assert.equal(e.status, 469);
        assert.equal(e.response?.headers.get('Recv-Info'), 'svpn-qos');
        return true;
      },
    );
    await caller.info({ contentType: 'text/plain', body: 'legacy' });
    assert.deepEqual(received, [`svpn-qos info-package ${body}`, '- - legacy']);
    // Without Recv-Info the other way round, any package is refused.
    await assert.rejects(
      callee.info({ package: 'svpn-qos', contentType: QOS, body }),
      (e: unknown) => e instanceof SipError && e.status === 469,
    );
    await caller.destroy();
  });
});
