import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LingeringServerTransaction, isLingeringServerState } from '../../src/transactions/index.js';

describe('LingeringServerTransaction', () => {
  it('RFC 3261 §17.2.2 — non-INVITE Completed sends the final response again for each retransmission and ends on a transport error', () => {
    const record = new LingeringServerTransaction('nonInviteServer', 'Completed', 'key', undefined);
    assert.equal(record.onRequest(), 'retransmit');
    assert.equal(record.onTransportError(), 'terminate');
  });

  it('RFC 6026 §7.1 — INVITE Accepted absorbs INVITE retransmissions and passes ACKs to the TU', () => {
    const record = new LingeringServerTransaction('inviteServer', 'Accepted', 'key', undefined);
    assert.equal(record.onRequest(), 'absorb');
    assert.equal(record.onAck(), 'deliver');
    assert.equal(record.onTransportError(), 'absorb');
  });

  it('RFC 3261 §17.2.1 — INVITE Confirmed absorbs ACKs and INVITE retransmissions', () => {
    const record = new LingeringServerTransaction('inviteServer', 'Confirmed', 'key', { toTag: 't' });
    assert.equal(record.onRequest(), 'absorb');
    assert.equal(record.onAck(), 'absorb');
    assert.deepEqual(record.reply, { toTag: 't' });
    assert.equal(record.timerLane, undefined, 'not queued yet');
  });

  it('names the lingering states of each server machine', () => {
    assert.equal(isLingeringServerState('nonInviteServer', 'Completed'), true);
    assert.equal(isLingeringServerState('nonInviteServer', 'Proceeding'), false);
    assert.equal(isLingeringServerState('inviteServer', 'Accepted'), true);
    assert.equal(isLingeringServerState('inviteServer', 'Confirmed'), true);
    assert.equal(
      isLingeringServerState('inviteServer', 'Completed'),
      false,
      'Timer G still retransmits there',
    );
    assert.equal(isLingeringServerState('inviteServer', 'Terminated'), false);
  });
});
