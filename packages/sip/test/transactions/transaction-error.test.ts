import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DuplicateTransactionError,
  StateTransitionError,
  TransactionError,
  TransactionKeyError,
  TransactionTerminatedError,
  describeEvent,
} from '../../src/transactions/index.js';

describe('transaction errors', () => {
  it('share the TransactionError base with a stable code and the class name', () => {
    const error = new StateTransitionError('inviteServer', 'Completed', { type: 'tuSend', status: 200 });
    assert.ok(error instanceof TransactionError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'StateTransitionError');
    assert.equal(error.code, 'SIP_TRANSACTION_STATE_TRANSITION');
    assert.equal(error.from, 'Completed');
    assert.deepEqual(error.event, { type: 'tuSend', status: 200 });
    assert.match(error.message, /tuSend\(200\) is illegal in state Completed/);
  });

  it('carry their data', () => {
    assert.equal(new DuplicateTransactionError('k').key, 'k');
    assert.equal(new DuplicateTransactionError('k').code, 'SIP_TRANSACTION_DUPLICATE');
    assert.equal(new TransactionKeyError('callId', 'x').field, 'callId');
    assert.equal(new TransactionTerminatedError('respond').code, 'SIP_TRANSACTION_TERMINATED');
  });

  it('describeEvent names events for logs', () => {
    assert.equal(describeEvent({ type: 'timer', timer: 'G' }), 'timer:G');
    assert.equal(describeEvent({ type: 'receivedResponse', status: 180 }), 'receivedResponse(180)');
    assert.equal(describeEvent({ type: 'receivedAck' }), 'receivedAck');
  });
});
