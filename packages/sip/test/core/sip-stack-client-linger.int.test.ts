/**
 * Client transactions after their final response (RFC 6026 §7.2; RFC 3261 §17.1.1.2, §17.1.2.2),
 * when the core keeps only a small record of each: a 2xx retransmitted in Accepted still reaches
 * the dialog, which ACKs it again; a retransmitted 486 gets the transaction's ACK again; Timers M
 * and K end the records, after which a late response is dropped (RFC 6026 §8.9). A scripted far
 * end on a raw UDP socket; T1 is 20 ms so Timer M (64·T1) is 1.28 s.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClientTransactionDriver, LingeringClientTransaction, SipError } from '@svpn/sip';
import { OFFER_SDP, startAgent } from '../sipp/support.js';
import { answer, header, rawPeer } from './raw-peer.js';

const T1 = 20;
// Long enough that a loaded machine does not end the BYE record before its retransmitted 200 lands.
const T4 = 1_000;

type Stack = Awaited<ReturnType<typeof startAgent>>['agent']['stack'];

/** The client transactions in the table, as `kind state` for records and `kind driver` for live ones. */
function clients(stack: Stack): string[] {
  return [...stack.table.clients()].map(([, txn]) => {
    if (txn instanceof LingeringClientTransaction) return `${txn.kind} ${txn.state}`;
    assert.ok(txn instanceof ClientTransactionDriver);
    return `${txn.kind} driver`;
  });
}

describe('SipStack: client transactions after the final response', () => {
  it('RFC 6026 §7.2 — a 2xx retransmitted while the INVITE record lingers is ACKed again; Timer M ends it, then a 2xx is dropped; the BYE lingers until Timer K', async (ctx) => {
    const t = await startAgent({ T1, T4 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    const send = (text: string): void => peer.socket.send(text, t.port, '127.0.0.1');
    const stack = t.agent.stack;

    const call = t.agent.createUAC(`sip:farend@127.0.0.1:${peer.port}`, { localSdp: OFFER_SDP });
    const invite = await peer.next();
    assert.match(invite, /^INVITE /);
    const ok = answer(invite, '200 OK', peer.port);
    send(ok);
    const dialog = await call;
    const firstAck = await peer.next();
    assert.match(firstAck, /^ACK /);
    assert.deepEqual(clients(stack), ['inviteClient Accepted'], 'a record, not the driver, lingers');

    // The far end did not get the ACK: the dialog sends the same ACK again (RFC 3261 §13.2.2.4).
    send(ok);
    assert.equal(await peer.next(), firstAck);
    send(ok);
    assert.equal(await peer.next(), firstAck);

    // Timer M (64·T1) ends the record; a 2xx after it matches nothing and is discarded.
    await sleep(64 * T1 + 300);
    assert.deepEqual(clients(stack), [], 'Timer M ended it');
    const stray = stack.counters.strayResponses;
    send(ok);
    assert.deepEqual(await peer.quiet(200), [], 'no ACK for a 2xx after Timer M');
    assert.equal(stack.counters.strayResponses, stray + 1);
    assert.equal(dialog.destroyed, false);

    // The BYE: its 200 leaves a non-INVITE record in Completed that absorbs retransmissions.
    const ended = dialog.destroy();
    const bye = await peer.next();
    assert.match(bye, /^BYE /);
    const byeOk = answer(bye, '200 OK', peer.port);
    send(byeOk);
    await ended;
    assert.deepEqual(clients(stack), ['nonInviteClient Completed']);
    send(byeOk);
    assert.deepEqual(await peer.quiet(100), [], 'absorbed');
    assert.equal(stack.counters.strayResponses, stray + 1, 'matched the record, not counted as stray');
    await sleep(T4 + 300);
    assert.deepEqual(clients(stack), [], 'Timer K ended it');
    send(byeOk);
    await peer.quiet(100);
    assert.equal(stack.counters.strayResponses, stray + 2, 'a late 200 after Timer K is dropped');
    assert.equal(stack.table.size, 0);
  });

  it('RFC 3261 §17.1.1.2 — a retransmitted 486 gets the same ACK again from the record in Completed', async (ctx) => {
    const t = await startAgent({ T1 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    const send = (text: string): void => peer.socket.send(text, t.port, '127.0.0.1');

    const call = t.agent.createUAC(`sip:farend@127.0.0.1:${peer.port}`, { localSdp: OFFER_SDP });
    const refused = assert.rejects(
      call,
      (error: unknown) => error instanceof SipError && error.status === 486,
    );
    const invite = await peer.next();
    const busy = answer(invite, '486 Busy Here', peer.port);
    send(busy);
    const ack = await peer.next();
    assert.match(ack, /^ACK /);
    assert.equal(header(ack, 'CSeq'), header(invite, 'CSeq').replace('INVITE', 'ACK'));
    await refused;
    assert.deepEqual(clients(t.agent.stack), ['inviteClient Completed']);

    send(busy);
    assert.equal(await peer.next(), ack, 'the same ACK, byte for byte');
    send(answer(invite, '200 OK', peer.port));
    assert.deepEqual(await peer.quiet(200), [], 'a 2xx in Completed is absorbed');
  });
});
