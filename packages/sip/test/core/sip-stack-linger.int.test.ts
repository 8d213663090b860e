/**
 * Server transactions after their final response (RFC 3261 §17.2.1, §17.2.2; RFC 6026 §7.1), when
 * the core keeps only a small record of each: retransmissions answered or absorbed as the state
 * says, the ACK in Accepted passed to the TU, a late CANCEL answered 200, Timers J and L ending
 * them. A scripted peer on a raw UDP socket plays the client; T1 is 20 ms so 64·T1 is 1.28 s.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LingeringServerTransaction, type Dialog } from '@svpn/sip';
import { ANSWER_SDP, OFFER_SDP, startAgent } from '../sipp/support.js';
import { header, rawPeer } from './raw-peer.js';

const T1 = 20;

function request(
  method: string,
  options: {
    port: number;
    peer: number;
    branch: string;
    callId: string;
    cseq: string;
    toTag?: string;
    sdp?: string;
  },
): string {
  const body = options.sdp ?? '';
  return [
    `${method} sip:svpn@127.0.0.1:${options.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${options.peer};branch=${options.branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:peer@127.0.0.1:${options.peer}>;tag=peer1`,
    `To: <sip:svpn@127.0.0.1:${options.port}>${options.toTag === undefined ? '' : `;tag=${options.toTag}`}`,
    `Call-ID: ${options.callId}`,
    `CSeq: ${options.cseq}`,
    `Contact: <sip:peer@127.0.0.1:${options.peer}>`,
    ...(body === '' ? [] : ['Content-Type: application/sdp']),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

const toTagOf = (response: string): string => /;tag=([^;\r]+)/.exec(header(response, 'To'))?.[1] ?? '';

describe('SipStack: server transactions after the final response', () => {
  it('RFC 3261 §17.2.2 — a retransmitted OPTIONS gets the same 200 until Timer J ends the transaction', async (ctx) => {
    const t = await startAgent({ T1 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    const options = request('OPTIONS', {
      port: t.port,
      peer: peer.port,
      branch: 'z9hG4bK-linger-options',
      callId: 'linger-options',
      cseq: '1 OPTIONS',
    });
    peer.socket.send(options, t.port, '127.0.0.1');
    const first = await peer.next();
    assert.match(first, /^SIP\/2\.0 200 /);
    const servers = [...t.agent.stack.table.servers()].map(([, txn]) => txn);
    assert.equal(servers.length, 1);
    assert.ok(servers[0] instanceof LingeringServerTransaction, 'a record, not the machine, lingers');

    peer.socket.send(options, t.port, '127.0.0.1');
    assert.equal(await peer.next(), first, 'the same bytes again');

    await sleep(64 * T1 + 300);
    assert.equal(t.agent.stack.table.size, 0, 'Timer J ended it');
    peer.socket.send(options, t.port, '127.0.0.1');
    const fresh = await peer.next();
    assert.match(fresh, /^SIP\/2\.0 200 /);
    assert.notEqual(toTagOf(fresh), toTagOf(first), 'a new transaction answered it');
  });

  it('RFC 6026 §7.1 — in Accepted the INVITE retransmission is absorbed and an ACK on the INVITE’s branch reaches the TU', async (ctx) => {
    const t = await startAgent({ T1 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    const dialogs: Promise<Dialog>[] = [];
    t.agent.invite((req, res) => void dialogs.push(t.agent.createUAS(req, res, { localSdp: ANSWER_SDP })));
    const base = { port: t.port, peer: peer.port, branch: 'z9hG4bK-linger-invite', callId: 'linger-invite' };
    const invite = request('INVITE', { ...base, cseq: '1 INVITE', sdp: OFFER_SDP });
    peer.socket.send(invite, t.port, '127.0.0.1');
    const ok = await peer.next();
    assert.match(ok, /^SIP\/2\.0 200 /);
    const toTag = toTagOf(ok);

    // An ACK reusing the INVITE's branch matches the INVITE transaction (§17.2.3), now in Accepted.
    peer.socket.send(request('ACK', { ...base, cseq: '1 ACK', toTag }), t.port, '127.0.0.1');
    const dialog = await Promise.race([
      dialogs[0] as Promise<Dialog>,
      sleep(500).then(() => assert.fail('the ACK did not reach the dialog')),
    ]);
    assert.equal(dialog.state.phase, 'confirmed');
    await peer.quiet(3 * T1); // a 2xx retransmission sent before the ACK landed
    peer.socket.send(invite, t.port, '127.0.0.1');
    assert.deepEqual(await peer.quiet(200), [], 'the INVITE retransmission is absorbed');

    // RFC 3261 §9.2 — a CANCEL after the final response: 200 with the INVITE's To tag, no effect.
    const cancel = request('CANCEL', { ...base, cseq: '1 CANCEL' });
    peer.socket.send(cancel, t.port, '127.0.0.1');
    const cancelOk = await peer.next();
    assert.match(cancelOk, /^SIP\/2\.0 200 /);
    assert.match(header(cancelOk, 'CSeq'), /CANCEL/);
    assert.equal(toTagOf(cancelOk), toTag);
    assert.equal(dialog.destroyed, false);

    peer.socket.send(
      request('BYE', { ...base, branch: 'z9hG4bK-linger-bye', cseq: '2 BYE', toTag }),
      t.port,
      '127.0.0.1',
    );
    assert.match(await peer.next(), /^SIP\/2\.0 200 /);
    assert.equal(dialog.destroyed, true);
  });

  it('RFC 3261 §17.2.1 — a non-2xx is retransmitted until its ACK; Confirmed then absorbs retransmissions until Timer I', async (ctx) => {
    const t = await startAgent({ T1, T4: 300 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    t.agent.invite((_req, res) => void res.send(486));
    const base = { port: t.port, peer: peer.port, branch: 'z9hG4bK-linger-busy', callId: 'linger-busy' };
    peer.socket.send(request('INVITE', { ...base, cseq: '1 INVITE', sdp: OFFER_SDP }), t.port, '127.0.0.1');
    const busy = await peer.next();
    assert.match(busy, /^SIP\/2\.0 486 /);
    assert.equal(await peer.next(), busy, 'Timer G retransmits it');
    peer.socket.send(request('ACK', { ...base, cseq: '1 ACK', toTag: toTagOf(busy) }), t.port, '127.0.0.1');
    await peer.quiet(2 * T1);
    const servers = [...t.agent.stack.table.servers()].map(([, txn]) => txn);
    assert.ok(servers[0] instanceof LingeringServerTransaction && servers[0].state === 'Confirmed');
    peer.socket.send(request('INVITE', { ...base, cseq: '1 INVITE', sdp: OFFER_SDP }), t.port, '127.0.0.1');
    assert.deepEqual(await peer.quiet(8 * T1), [], 'no more 486 after the ACK, retransmission absorbed');
    await sleep(300);
    assert.equal(t.agent.stack.table.size, 0, 'Timer I ended it');
  });

  it('a context’s terminated listener, added before the final response, hears the end after Timer J', async (ctx) => {
    const t = await startAgent({ T1 });
    ctx.after(() => t.agent.close());
    const peer = await rawPeer();
    ctx.after(() => peer.socket.close());
    let answeredAt = 0;
    const ended = new Promise<number>((resolve) => {
      t.agent.options((req, res) => {
        req.context.once('terminated', () => resolve(performance.now() - answeredAt));
        answeredAt = performance.now();
        res.send(200);
      });
    });
    const options = request('OPTIONS', {
      port: t.port,
      peer: peer.port,
      branch: 'z9hG4bK-linger-listener',
      callId: 'linger-listener',
      cseq: '1 OPTIONS',
    });
    peer.socket.send(options, t.port, '127.0.0.1');
    await peer.next();
    const after = await ended;
    assert.ok(after >= 64 * T1 - 5 && after < 64 * T1 + 1_000, `terminated after ${after} ms`);
  });
});
