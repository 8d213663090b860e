import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { peCodeOf } from '../../src/jobs/job-runner.js';

describe('peCodeOf', () => {
  test('reads the PE error code a worker put in front of the failure reason', () => {
    assert.equal(
      peCodeOf('[SVPN_PE_NO_BANDWIDTH] LSP x: link y has 0 bit/s unreserved'),
      'SVPN_PE_NO_BANDWIDTH',
    );
    assert.equal(peCodeOf('[SVPN_PROVISIONING_INVALID_PAYLOAD] bad'), null, 'not a PE failure');
    assert.equal(peCodeOf('job stalled more than allowable limit'), null);
  });
});
