import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PE_QUEUE_PREFIX, peIdOfQueue, peQueueName, queueKeyPrefix } from '../src/index.js';

describe('PE queues', () => {
  it('names one queue per PE, svpn-pe-<peId>, and reads the PE back', () => {
    assert.equal(peQueueName('PE1'), 'svpn-pe-PE1');
    assert.equal(peIdOfQueue(peQueueName('PE-west.7')), 'PE-west.7');
    assert.equal(peIdOfQueue('other-queue'), null);
    assert.equal(PE_QUEUE_PREFIX, 'svpn-pe-');
  });

  it('refuses PE ids BullMQ or the pe-sim id rules cannot carry', () => {
    for (const bad of ['', 'PE:1', 'PE 1', 'PE{1}', 'a|b']) assert.throws(() => peQueueName(bad), RangeError);
  });

  it('keeps every queue of a deployment under one hash tag', () => {
    assert.equal(queueKeyPrefix(), 'svpn:{provisioning-queues}');
    assert.equal(queueKeyPrefix('t7'), 't7:{provisioning-queues}');
  });
});
