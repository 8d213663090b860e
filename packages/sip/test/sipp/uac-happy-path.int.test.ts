/**
 * A `SipAgent` as the caller, SIPp's built-in `uas` as the callee. That scenario answers
 * 180 then 200 (retransmitted until the ACK), then waits for the caller's BYE and answers it
 * 200: the BYE is ours to send (`dialog.destroy()`), and SIPp counts a call successful only once
 * it got both the ACK and the BYE.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog, SipResponse } from '@svpn/sip';
import { freePort, runSipp } from '@svpn/test-support';
import { OFFER_SDP, assertAllCallsPassed, countStart, delay, startAgent } from './support.js';

describe('SipAgent UAC → SIPp UAS: happy paths', { concurrency: true }, () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`INVITE/180/200/ACK then our BYE over ${protocol.toUpperCase()}: 3 calls`, async (ctx) => {
      const t = await startAgent({ protocols: [protocol] });
      ctx.after(() => t.agent.close());
      const sippPort = await freePort();
      const calls = 3;
      const run = runSipp({
        builtin: 'uas',
        localPort: sippPort,
        transport: protocol === 'udp' ? 'u1' : 't1',
        maxCalls: calls,
        timeoutMs: 15_000,
      });
      // SIPp binds within a few ms; our INVITE retransmission (T1) covers a slow start on UDP.
      await delay(300);
      const param = protocol === 'tcp' ? ';transport=tcp' : '';
      const provisionals: number[] = [];
      const dialogs: Dialog[] = await Promise.all(
        Array.from({ length: calls }, () =>
          t.agent.createUAC(
            `sip:uas@127.0.0.1:${sippPort}${param}`,
            { localSdp: OFFER_SDP, transport: protocol },
            { cbProvisional: (r: SipResponse) => provisionals.push(r.status) },
          ),
        ),
      );
      assert.equal(dialogs.length, calls);
      for (const dialog of dialogs) {
        assert.equal(dialog.state.phase, 'confirmed');
        assert.match(dialog.remote.sdp, /^m=audio \d+ RTP\/AVP 0\r?$/m, 'SIPp answered with its SDP');
        assert.match(dialog.state.remoteTarget, new RegExp(`^sip:127\\.0\\.0\\.1:${sippPort};transport=`));
      }
      assert.equal(provisionals.filter((s) => s === 180).length, calls);
      const ends: string[] = [];
      for (const dialog of dialogs) dialog.on('destroy', ({ reason }) => ends.push(reason));
      await Promise.all(dialogs.map((d) => d.destroy()));
      assert.deepEqual(ends, Array(calls).fill('local'));
      assert.equal(t.agent.dialogs.size, 0);

      const result = await run.done;
      assertAllCallsPassed(result, calls);
      // One ACK per 2xx (no 2xx retransmission reached us after it), one BYE per call, each answered 200.
      assert.equal(countStart(t.wire.sent, 'ACK '), calls);
      assert.equal(countStart(t.wire.sent, 'BYE '), calls);
      const byeOk = t.wire.received.filter((m) => m.startsWith('SIP/2.0 200') && m.includes(' BYE\r\n'));
      assert.equal(byeOk.length, calls);
      // RFC 3261 §12.2.1.1 — in-dialog requests go to the remote target (SIPp's Contact) with the tags.
      const bye = t.wire.sent.find((m) => m.startsWith('BYE ')) ?? '';
      assert.match(
        bye,
        new RegExp(`^BYE sip:127\\.0\\.0\\.1:${sippPort};transport=${protocol} SIP/2\\.0`, 'i'),
      );
      assert.match(bye, /\r\nTo: [^\r]*;tag=\d+SIPpTag01\d+\r\n/);
    });
  }
});
