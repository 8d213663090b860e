/**
 * RFC 3262 over real UDP on 127.0.0.1: two `SipAgent`s (and, for the UAC's RSeq rules, a scripted
 * raw-socket UAS) exchanging reliable provisional responses, PRACKs and the held 2xx.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import {
  type Dialog,
  type SipRequest,
  type SipResponse,
  SipError,
  createResponse,
  parseMessageOrThrow,
} from '@svpn/sip';
import { freePort } from '@svpn/test-support';
import {
  ANSWER_SDP,
  OFFER_SDP,
  T1,
  delay,
  header,
  messages,
  startAgent,
  startLine,
  until,
} from './support.js';

const SDP = 'application/sdp';

describe('RFC 3262 reliable provisional responses', () => {
  it('a reliable 183 is retransmitted until PRACKed in the early dialog; the 2xx waits for the PRACK', async (t) => {
    const uas = await startAgent();
    const uac = await startAgent();
    t.after(async () => {
      await uac.agent.close();
      await uas.agent.close();
    });
    let uasDialog: Promise<Dialog> | undefined;
    uas.agent.invite((req, res) => {
      res.send(183, { headers: { Require: '100rel' }, body: ANSWER_SDP, contentType: SDP });
      // Asked for at once, but held back by the agent until the PRACK arrives.
      uasDialog = uas.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
    });
    // The first PRACK is lost: the UAS must retransmit its 183 meanwhile.
    let dropped = 0;
    uac.wire.drop = (m) => m.startsWith('PRACK ') && dropped++ === 0;
    const provisionals: SipResponse[] = [];
    const early: Dialog[] = [];
    const dialog = await uac.agent.createUAC(
      uas.uri(),
      { localSdp: OFFER_SDP },
      { cbProvisional: (r) => provisionals.push(r), cbEarlyDialog: (d) => early.push(d) },
    );
    assert.ok(uasDialog);
    const answered = await uasDialog;

    const invite = messages(uac.wire.sent, 'INVITE ')[0] ?? '';
    assert.match(header(invite, 'Supported') ?? '', /\b100rel\b/);
    const sent183 = messages(uas.wire.sent, 'SIP/2.0 183');
    assert.ok(sent183.length >= 2, `the 183 was retransmitted (${sent183.length} sent)`);
    const rseq = header(sent183[0] ?? '', 'RSeq');
    assert.match(rseq ?? '', /^\d+$/);
    assert.ok(
      sent183.every((m) => header(m, 'RSeq') === rseq && /\b100rel\b/.test(header(m, 'Require') ?? '')),
    );
    assert.ok(header(sent183[0] ?? '', 'Contact'), 'the dialog-creating 183 carries a Contact');

    // RFC 3262 §4 — one PRACK (one CSeq; its retransmission is the transaction's), RAck matching.
    const pracks = messages(uac.wire.sent, 'PRACK ');
    assert.equal(new Set(pracks.map((m) => header(m, 'CSeq'))).size, 1);
    const inviteCseq = (header(invite, 'CSeq') ?? '').split(' ')[0];
    assert.equal(header(pracks[0] ?? '', 'RAck'), `${rseq} ${inviteCseq} INVITE`);
    assert.equal(
      provisionals.filter((r) => r.status === 183).length,
      1,
      'the retransmitted 183 is not processed again',
    );

    // The 200 to the INVITE left only after the 200 to the PRACK.
    const order = uas.wire.sent
      .map(startLine)
      .map((l, i) => `${l} ${header(uas.wire.sent[i] ?? '', 'CSeq')}`);
    const prackOk = order.findIndex((l) => l.startsWith('SIP/2.0 200') && l.endsWith('PRACK'));
    const inviteOk = order.findIndex((l) => l.startsWith('SIP/2.0 200') && l.endsWith('INVITE'));
    assert.ok(prackOk >= 0 && inviteOk > prackOk, order.join(' | '));

    // The early dialog is the dialog the 2xx confirmed.
    assert.equal(early.length, 1);
    assert.equal(early[0], dialog);
    assert.equal(dialog.state.phase, 'confirmed');
    assert.equal(answered.state.phase, 'confirmed');
    assert.equal(dialog.remote.sdp, ANSWER_SDP);
    assert.equal(answered.remote.sdp, OFFER_SDP);
    await dialog.destroy();
    await until(() => answered.destroyed, 2_000, 'the BYE');
  });

  it('no PRACK within 64·T1: the UAS rejects with 5xx and the held 2xx never leaves', async (t) => {
    const uas = await startAgent();
    // This UAC says it supports 100rel but never PRACKs (its own handling is off).
    const uac = await startAgent({ reliableProvisionals: { uac: 'off' } });
    t.after(async () => {
      await uac.agent.close();
      await uas.agent.close();
    });
    let uasOutcome: Promise<unknown> | undefined;
    uas.agent.invite((req, res) => {
      res.send(180, { headers: { Require: '100rel' } });
      uasOutcome = uas.agent.createUAS(req, res, { localSdp: ANSWER_SDP }).then(
        () => 'resolved',
        (e: unknown) => e,
      );
    });
    const started = Date.now();
    await assert.rejects(
      uac.agent.createUAC(uas.uri(), { localSdp: OFFER_SDP, headers: { Supported: '100rel' } }),
      (e: unknown) => e instanceof SipError && e.status === 500,
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 60 * T1, `gave up after ${elapsed} ms`);
    const outcome = await uasOutcome;
    assert.ok(outcome instanceof SipError && outcome.status === 500, String(outcome));
    const sent180 = messages(uas.wire.sent, 'SIP/2.0 180');
    // Sent at 0 and retransmitted at T1, 3·T1, 7·T1, 15·T1, 31·T1, 63·T1 (doubling, not every T1);
    // the last one races the 64·T1 give-up on a loaded machine, the first five cannot.
    assert.ok(sent180.length >= 6 && sent180.length <= 7, `180 sent ${sent180.length} times`);
    assert.equal(messages(uas.wire.sent, 'SIP/2.0 200', 'INVITE').length, 0);
    assert.equal(messages(uac.wire.sent, 'PRACK ').length, 0);
    assert.equal(uas.agent.dialogs.size, 0, 'the early dialog is gone');
  });

  it('Require: 100rel makes every provisional reliable; the second waits for the first PRACK', async (t) => {
    const uas = await startAgent();
    const uac = await startAgent({ reliableProvisionals: { uac: 'required' } });
    t.after(async () => {
      await uac.agent.close();
      await uas.agent.close();
    });
    let uasDialog: Promise<Dialog> | undefined;
    uas.agent.invite((req, res) => {
      res.send(180);
      res.send(183, { body: ANSWER_SDP, contentType: SDP });
      uasDialog = uas.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
    });
    const seen: number[] = [];
    const dialog = await uac.agent.createUAC(
      uas.uri(),
      { localSdp: OFFER_SDP },
      { cbProvisional: (r) => seen.push(r.status) },
    );
    await uasDialog;
    assert.match(header(messages(uac.wire.sent, 'INVITE ')[0] ?? '', 'Require') ?? '', /\b100rel\b/);
    const first = messages(uas.wire.sent, 'SIP/2.0 180')[0] ?? '';
    const second = messages(uas.wire.sent, 'SIP/2.0 183')[0] ?? '';
    const r1 = Number(header(first, 'RSeq'));
    assert.equal(Number(header(second, 'RSeq')), r1 + 1, 'consecutive RSeqs');
    const racks = [...new Set(messages(uac.wire.sent, 'PRACK ').map((m) => header(m, 'RAck')))];
    assert.deepEqual(racks, [`${r1} 1 INVITE`, `${r1 + 1} 1 INVITE`]);
    // The 183 left only after the PRACK of the 180 was answered.
    const i183 = uas.wire.sent.indexOf(second);
    const iPrackOk = uas.wire.sent.findIndex(
      (m) => m.startsWith('SIP/2.0 200') && (header(m, 'CSeq') ?? '').endsWith('PRACK'),
    );
    assert.ok(iPrackOk >= 0 && iPrackOk < i183);
    assert.deepEqual(
      seen.filter((s) => s !== 100),
      [180, 183],
    );
    assert.equal(dialog.remote.sdp, ANSWER_SDP);
    await dialog.destroy();
  });

  it('420: a UAS without 100rel refuses Require: 100rel and the UAC retries without it', async (t) => {
    const uas = await startAgent({ reliableProvisionals: { uas: 'off' } });
    const uac = await startAgent({ reliableProvisionals: { uac: 'required' } });
    t.after(async () => {
      await uac.agent.close();
      await uas.agent.close();
    });
    const cseqs: string[] = [];
    uas.agent.invite(async (req, res) => {
      cseqs.push(`${req.get('CSeq')} / Require: ${req.get('Require') ?? '-'}`);
      res.send(180, { headers: { Require: '100rel' } });
      await uas.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
    });
    const dialog = await uac.agent.createUAC(uas.uri(), { localSdp: OFFER_SDP });
    const refusal = messages(uas.wire.sent, 'SIP/2.0 420')[0] ?? '';
    assert.equal(header(refusal, 'Unsupported'), '100rel');
    assert.deepEqual(cseqs, ['2 INVITE / Require: -'], 'only the retry reaches the application');
    const invites = messages(uac.wire.sent, 'INVITE ');
    assert.equal(header(invites[0] ?? '', 'Call-ID'), header(invites.at(-1) ?? '', 'Call-ID'));
    // RFC 3262 §3 — the UAS MUST NOT send reliably what the UAC did not allow: the 180 went plain.
    const ringing = messages(uas.wire.sent, 'SIP/2.0 180')[0] ?? '';
    assert.equal(header(ringing, 'RSeq'), undefined);
    assert.equal(header(ringing, 'Require'), undefined);
    assert.equal(messages(uac.wire.sent, 'PRACK ').length, 0);
    await dialog.destroy();
  });

  it('RFC 3262 §4 — the UAC PRACKs only the next RSeq: retransmissions and out-of-order ones are ignored', async (t) => {
    const uac = await startAgent();
    const port = await freePort();
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
    t.after(async () => {
      socket.close();
      await uac.agent.close();
    });
    const racks: string[] = [];
    const prackCseqs = new Set<string>();
    const contact = `<sip:fake@127.0.0.1:${port}>`;
    socket.on('message', (data, rinfo) => {
      const message = parseMessageOrThrow(data);
      if (message.kind !== 'request') return;
      const request = message as SipRequest;
      const reply = (r: SipResponse): void => socket.send(r.toBuffer(), rinfo.port, rinfo.address);
      const provisional = (status: number, rseq: number): SipResponse =>
        createResponse(request, status, {
          toTag: 'fake',
          headers: { Require: '100rel', RSeq: String(rseq), Contact: contact },
        });
      if (request.method === 'INVITE') {
        void (async () => {
          reply(provisional(183, 10));
          await delay(15);
          reply(provisional(183, 12)); // out of order: 11 is missing
          await delay(15);
          reply(provisional(183, 10)); // a retransmission
          await delay(15);
          reply(provisional(180, 11));
          await until(() => racks.includes('11 1 INVITE'), 2_000, 'the PRACK of RSeq 11');
          reply(
            createResponse(request, 200, {
              toTag: 'fake',
              headers: { Contact: contact },
              body: Buffer.from(ANSWER_SDP),
              contentType: SDP,
            }),
          );
        })();
      } else if (request.method === 'PRACK') {
        const cseq = request.headers.get('CSeq') ?? '';
        if (!prackCseqs.has(cseq)) racks.push(request.headers.get('RAck') ?? '');
        prackCseqs.add(cseq);
        reply(createResponse(request, 200));
      } else if (request.method === 'BYE') {
        reply(createResponse(request, 200));
      }
    });
    const processed: string[] = [];
    const dialog = await uac.agent.createUAC(
      `sip:fake@127.0.0.1:${port}`,
      { localSdp: OFFER_SDP },
      { cbProvisional: (r) => processed.push(`${r.status}/${r.headers.get('RSeq') ?? '-'}`) },
    );
    assert.deepEqual(racks, ['10 1 INVITE', '11 1 INVITE']);
    assert.deepEqual(
      processed.filter((p) => !p.startsWith('100')),
      ['183/10', '180/11'],
      'RSeq 12 (out of order) and the second RSeq 10 are not processed',
    );
    assert.equal(dialog.state.phase, 'confirmed');
    assert.equal(dialog.state.remoteTarget, `sip:fake@127.0.0.1:${port}`);
    // PRACK CSeqs follow the INVITE's inside the dialog: 2 and 3; the ACK keeps the INVITE's 1.
    assert.deepEqual([...prackCseqs], ['2 PRACK', '3 PRACK']);
    await until(() => messages(uac.wire.sent, 'ACK ').length > 0, 1_000, 'the ACK');
    assert.equal(header(messages(uac.wire.sent, 'ACK ')[0] ?? '', 'CSeq'), '1 ACK');
    await dialog.destroy();
  });
});
