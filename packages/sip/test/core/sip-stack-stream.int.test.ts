/**
 * Several SIP messages in one TCP segment (SIPp sends the ACK and the BYE back to back): the
 * application must see the same sequence of events as over UDP, where each datagram gets its own
 * turn of the event loop.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { SipError } from '@svpn/sip';
import { ANSWER_SDP, startAgent, until } from '../sipp/support.js';

/** A TCP client that collects what it receives. */
async function rawClient(port: number): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
  return { socket, received: () => received };
}

function request(lines: string[]): string {
  return [...lines, 'Content-Length: 0', '', ''].join('\r\n');
}

describe('SipStack over TCP: one message per turn of the event loop', () => {
  it('an ACK and a BYE in one segment: createUAS resolves before the BYE ends the dialog, so destroy is heard', async (ctx) => {
    const t = await startAgent({ protocols: ['tcp'] });
    ctx.after(() => t.agent.close());
    const events: string[] = [];
    t.agent.invite(async (req, res) => {
      try {
        const dialog = await t.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
        events.push('confirmed');
        dialog.on('destroy', ({ reason }) => events.push(`destroy:${reason}`));
      } catch (error) {
        events.push(`rejected:${(error as SipError).status}`);
      }
    });
    const client = await rawClient(t.port);
    ctx.after(() => client.socket.destroy());
    const local = `127.0.0.1:${client.socket.localPort ?? 0}`;
    const common = [`From: <sip:raw@${local}>;tag=raw1`, 'Call-ID: one-segment@test', 'Max-Forwards: 70'];
    client.socket.write(
      request([
        `INVITE sip:svpn@127.0.0.1:${t.port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP ${local};branch=z9hG4bKinvite1`,
        `To: <sip:svpn@127.0.0.1:${t.port}>`,
        ...common,
        'CSeq: 1 INVITE',
        `Contact: <sip:raw@${local};transport=tcp>`,
      ]),
    );
    await until(() => client.received().startsWith('SIP/2.0 200'), 2_000, 'the 200');
    const toTag = /\r\nTo: [^\r]*;tag=([^;\r]+)/.exec(client.received())?.[1] ?? '';
    assert.notEqual(toTag, '');
    const to = `To: <sip:svpn@127.0.0.1:${t.port}>;tag=${toTag}`;
    // The ACK and the BYE leave in one write, so they arrive in one chunk.
    client.socket.write(
      request([
        `ACK sip:svpn@127.0.0.1:${t.port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP ${local};branch=z9hG4bKack1`,
        to,
        ...common,
        'CSeq: 1 ACK',
      ]) +
        request([
          `BYE sip:svpn@127.0.0.1:${t.port};transport=tcp SIP/2.0`,
          `Via: SIP/2.0/TCP ${local};branch=z9hG4bKbye1`,
          to,
          ...common,
          'CSeq: 2 BYE',
        ]),
    );
    await until(
      () => /SIP\/2\.0 200 OK\r\n[^]*CSeq: 2 BYE/.test(client.received()),
      2_000,
      'the 200 to the BYE',
    );
    await until(() => events.length === 2, 1_000, 'the destroy event');
    assert.deepEqual(events, ['confirmed', 'destroy:bye']);
    assert.equal(t.agent.dialogs.size, 0);
  });
});

describe('SipStack over TCP: framing errors', () => {
  it('RFC 3261 §18.3 — a request with a negative Content-Length is answered 400 with a Warning before the connection closes', async (ctx) => {
    const t = await startAgent({ protocols: ['tcp'] });
    ctx.after(() => t.agent.close());
    const client = await rawClient(t.port);
    ctx.after(() => client.socket.destroy());
    const local = `127.0.0.1:${client.socket.localPort ?? 0}`;
    client.socket.write(
      [
        `OPTIONS sip:svpn@127.0.0.1:${t.port};transport=tcp SIP/2.0`,
        `Via: SIP/2.0/TCP ${local};branch=z9hG4bKbadlength`,
        `From: <sip:raw@${local}>;tag=raw2`,
        `To: <sip:svpn@127.0.0.1:${t.port}>`,
        'Call-ID: bad-length@test',
        'CSeq: 1 OPTIONS',
        'Max-Forwards: 70',
        'Content-Length: -999',
        '',
        '',
      ].join('\r\n'),
    );
    await until(() => client.received().startsWith('SIP/2.0 400'), 2_000, 'the 400');
    assert.match(client.received(), /\r\nWarning: 399 svpn "[^"\r]*framing[^"\r]*"/);
    assert.match(client.received(), /\r\nCall-ID: bad-length@test\r\n/);
  });
});
