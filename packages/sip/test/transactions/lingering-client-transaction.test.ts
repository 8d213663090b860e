import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  LingeringClientTransaction,
  TransactionEventError,
  isLingeringClientState,
} from '../../src/transactions/index.js';

describe('LingeringClientTransaction', () => {
  it('RFC 6026 §7.2 — INVITE Accepted passes every 2xx up and absorbs the rest', () => {
    const record = new LingeringClientTransaction('inviteClient', 'Accepted', 'key', undefined);
    assert.equal(record.onResponse(200), 'deliver');
    assert.equal(record.onResponse(202), 'deliver');
    assert.equal(record.onResponse(180), 'absorb');
    assert.equal(record.onResponse(486), 'absorb');
    assert.equal(record.onTransportError(), 'absorb', 'the ACK of a 2xx is not the transaction’s');
  });

  it('RFC 3261 §17.1.1.2 — INVITE Completed sends the ACK again for a retransmitted final and ends on a transport error', () => {
    const record = new LingeringClientTransaction('inviteClient', 'Completed', 'key', { ack: 'bytes' });
    assert.equal(record.onResponse(486), 'ack');
    assert.equal(record.onResponse(603), 'ack');
    assert.equal(record.onResponse(200), 'absorb');
    assert.equal(record.onResponse(183), 'absorb');
    assert.equal(record.onTransportError(), 'terminate');
    assert.deepEqual(record.ack, { ack: 'bytes' });
  });

  it('RFC 3261 §17.1.2.2 — non-INVITE Completed absorbs every response', () => {
    const record = new LingeringClientTransaction('nonInviteClient', 'Completed', 'key', undefined);
    for (const status of [100, 200, 481, 503]) assert.equal(record.onResponse(status), 'absorb');
    assert.equal(record.onTransportError(), 'absorb');
    assert.equal(record.timerLane, undefined, 'not queued yet');
  });

  it('refuses a status code outside 100–699', () => {
    const record = new LingeringClientTransaction('inviteClient', 'Accepted', 'key', undefined);
    assert.throws(() => record.onResponse(700), TransactionEventError);
  });

  it('names the lingering states of each client machine', () => {
    assert.equal(isLingeringClientState('inviteClient', 'Accepted'), true);
    assert.equal(isLingeringClientState('inviteClient', 'Completed'), true);
    assert.equal(isLingeringClientState('inviteClient', 'Proceeding'), false);
    assert.equal(isLingeringClientState('nonInviteClient', 'Completed'), true);
    assert.equal(isLingeringClientState('nonInviteClient', 'Proceeding'), false);
    assert.equal(isLingeringClientState('nonInviteClient', 'Terminated'), false);
  });
});
