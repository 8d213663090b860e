/**
 * The UAC core and retransmitted 2xx responses, against a scripted far end on a raw UDP socket
 * (SIPp cannot play this one: it answers an identical ACK as a retransmission of the first, and
 * the two ends would ping-pong forever).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OFFER_SDP, startAgent } from '../sipp/support.js';
import { answer, header, rawPeer } from './raw-peer.js';

describe('SipStack: 2xx retransmissions reaching the UAC core', () => {
  it('RFC 3261 §13.2.2.4 — the UAC core MUST generate an ACK for each 2xx: a retransmitted 200 is ACKed again', async (ctx) => {
    const t = await startAgent();
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    const send = (text: string): void => peer.socket.send(text, t.port, '127.0.0.1');

    const call = t.agent.createUAC(`sip:farend@127.0.0.1:${peer.port}`, { localSdp: OFFER_SDP });
    const invite = await peer.next();
    assert.match(invite, /^INVITE /);
    const ok = answer(invite, '200 OK', peer.port);
    send(ok);
    const dialog = await call;
    const firstAck = await peer.next();
    assert.match(firstAck, /^ACK sip:farend@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);

    // The far end did not get the ACK and retransmits its 200 (its §13.3.1.4 timer).
    send(ok);
    const secondAck = await peer.next();
    assert.equal(secondAck, firstAck, 'the same ACK again (same branch and CSeq)');
    send(ok);
    assert.equal(await peer.next(), firstAck);
    assert.equal(dialog.destroyed, false);

    // The dialog goes on: BYE and its 200.
    const ended = dialog.destroy();
    const bye = await peer.next();
    assert.match(bye, /^BYE sip:farend@127\.0\.0\.1:\d+ SIP\/2\.0\r\n/);
    assert.equal(header(bye, 'Call-ID'), header(invite, 'Call-ID'));
    send(answer(bye, '200 OK', peer.port));
    await ended;
    assert.equal(t.agent.dialogs.size, 0);
  });
});
