/**
 * RFC 4028 session timers between two `SipAgent`s over real UDP on 127.0.0.1, with intervals of
 * a few seconds (a Min-SE below 90 s is the documented lab deviation).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ActiveSessionTimer, DialogOptionsError } from '@svpn/sip';
import {
  ANSWER_SDP,
  OFFER_SDP,
  connectedCall,
  delay,
  header,
  messages,
  startAgent,
  until,
} from './support.js';

describe('RFC 4028 session timers', () => {
  it('the UAC asks for 3 s and refreshes by UPDATE every 1.5 s; the UAS watches', async (t) => {
    const call = await connectedCall(
      t,
      { sessionTimer: { sessionExpires: 3, minSE: 1, refresher: 'local' } },
      { sessionTimer: { minSE: 1 } },
    );
    const { a, b, caller, callee: answered } = call;
    const invite = messages(a.wire.sent, 'INVITE ')[0] ?? '';
    assert.equal(header(invite, 'Session-Expires'), '3;refresher=uac');
    assert.equal(header(invite, 'Min-SE'), '1');
    assert.match(header(invite, 'Supported') ?? '', /\btimer\b/);
    const ok = messages(b.wire.sent, 'SIP/2.0 200', 'INVITE')[0] ?? '';
    assert.equal(header(ok, 'Session-Expires'), '3;refresher=uac');
    assert.equal(header(ok, 'Require'), 'timer', 'refresher=uac MUST come with Require: timer');
    assert.deepEqual(caller.sessionTimer, { interval: 3, refresher: 'local' });
    assert.deepEqual(answered.sessionTimer, { interval: 3, refresher: 'remote' });

    const modifies: string[] = [];
    answered.on('modify', (req) => modifies.push(req.method));
    const refreshes: (ActiveSessionTimer | undefined)[] = [];
    answered.on('refresh', (timer) => refreshes.push(timer));
    await delay(3_600);
    // Refreshes at 1.5 s and 3 s; without them the callee would have sent BYE at 2 s.
    const updates = messages(b.wire.received, 'UPDATE ');
    assert.ok(updates.length >= 2, `${updates.length} refreshes`);
    assert.equal(header(updates[0] ?? '', 'Session-Expires'), '3;refresher=uac');
    assert.deepEqual(modifies, [], 'a refresh with the same SDP does not trouble the application');
    assert.ok(refreshes.length >= 2 && refreshes.every((r) => r?.interval === 3 && r.refresher === 'remote'));
    assert.equal(caller.destroyed, false);
    assert.equal(answered.destroyed, false);
    assert.equal(messages(a.wire.received, 'BYE ').length + messages(b.wire.received, 'BYE ').length, 0);
    assert.equal(answered.local.sdp, ANSWER_SDP);
    await caller.destroy();
  });

  it('422: the UAS wants at least 3 s; the UAC retries with Min-SE 3 and gets 3 s', async (t) => {
    const a = await startAgent({ sessionTimer: { sessionExpires: 2, minSE: 1 } });
    const b = await startAgent({ sessionTimer: { minSE: 3 } });
    t.after(async () => {
      await a.agent.close();
      await b.agent.close();
    });
    const seen: string[] = [];
    b.agent.invite(async (req, res) => {
      seen.push(req.get('Session-Expires') ?? '-');
      await b.agent.createUAS(req, res, { localSdp: ANSWER_SDP });
    });
    const caller = await a.agent.createUAC(b.uri(), { localSdp: OFFER_SDP });
    const refusal = messages(b.wire.sent, 'SIP/2.0 422')[0] ?? '';
    assert.equal(header(refusal, 'Min-SE'), '3');
    // Two INVITEs (CSeq 1 and 2; a retransmission on a loaded machine repeats one of them).
    const invites = messages(a.wire.sent, 'INVITE ');
    assert.deepEqual([...new Set(invites.map((m) => header(m, 'CSeq')))], ['1 INVITE', '2 INVITE']);
    const retry = invites.find((m) => header(m, 'CSeq') === '2 INVITE') ?? '';
    assert.equal(header(retry, 'Session-Expires'), '3');
    assert.equal(header(retry, 'Min-SE'), '3');
    assert.deepEqual(seen, ['3'], 'the application only sees the acceptable INVITE');
    // The UAS chose itself as refresher (no refresher parameter in the request).
    assert.deepEqual(caller.sessionTimer, { interval: 3, refresher: 'remote' });
    await caller.destroy();
  });

  it('the UAS refreshes by re-INVITE; when it falls silent the UAC ends the call with BYE', async (t) => {
    const call = await connectedCall(
      t,
      { sessionTimer: { sessionExpires: 3, minSE: 1 } },
      { sessionTimer: { minSE: 1, refresher: 'local', refreshMethod: 'INVITE' } },
    );
    const { a, b, caller, callee: answered } = call;
    assert.deepEqual(answered.sessionTimer, { interval: 3, refresher: 'local' });
    assert.deepEqual(caller.sessionTimer, { interval: 3, refresher: 'remote' });
    const ended: string[] = [];
    caller.on('destroy', ({ reason }) => ended.push(reason));

    await until(() => messages(a.wire.received, 'INVITE ').length >= 1, 3_000, 'a refresh re-INVITE');
    const refresh = messages(a.wire.received, 'INVITE ')[0] ?? '';
    assert.equal(
      header(refresh, 'Session-Expires'),
      '3;refresher=uac',
      'the UAS refreshes as UAC of the re-INVITE',
    );
    await until(() => messages(a.wire.received, 'ACK ').length >= 1, 1_000, 'the ACK of the refresh');
    assert.deepEqual(caller.sessionTimer, { interval: 3, refresher: 'remote' });
    assert.equal(caller.remote.sdp, ANSWER_SDP);

    // The refresher goes away without a word: the caller's session expires at 3 − 1 = 2 s.
    const silentAt = Date.now();
    await b.agent.close();
    await until(() => ended.length > 0, 3_000, 'the expiry');
    const after = Date.now() - silentAt;
    assert.deepEqual(ended, ['session-expired']);
    assert.ok(after < 2_300, `expired ${after} ms after the last refresh`);
    await until(() => messages(a.wire.sent, 'BYE ').length > 0, 1_000, 'the BYE');
  });

  it('with session timers off nothing is asked for, and Require: timer gets 420', async (t) => {
    const a = await startAgent({ sessionTimer: false });
    const b = await startAgent({ sessionTimer: false });
    t.after(async () => {
      await a.agent.close();
      await b.agent.close();
    });
    b.agent.invite(async (req, res) => void (await b.agent.createUAS(req, res, { localSdp: ANSWER_SDP })));
    const caller = await a.agent.createUAC(b.uri(), { localSdp: OFFER_SDP });
    const invite = messages(a.wire.sent, 'INVITE ')[0] ?? '';
    assert.equal(header(invite, 'Session-Expires'), undefined);
    assert.doesNotMatch(header(invite, 'Supported') ?? '', /timer/);
    assert.equal(caller.sessionTimer, undefined);
    await caller.destroy();
    const refused = await a.agent.request(b.uri(), { method: 'OPTIONS', headers: { Require: 'timer' } });
    assert.equal(refused.status, 420);
    assert.equal(refused.headers.get('Unsupported'), 'timer');
  });
});

describe('RFC 4028 options', () => {
  it('invalid session timer options are refused before anything is bound', async () => {
    await assert.rejects(startAgent({ sessionTimer: { minSE: 10, sessionExpires: 5 } }), (e: unknown) => {
      assert.ok(e instanceof DialogOptionsError);
      assert.equal(e.option, 'sessionExpires');
      return true;
    });
  });
});
