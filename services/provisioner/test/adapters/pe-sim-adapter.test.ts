import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  NoBandwidthError,
  PeFailedHalfWayError,
  PeRefusedError,
  PeTimeoutError,
  UnknownVpnError,
} from '@svpn/pe-sim';
import { PeAdapterError } from '@svpn/provisioning';
import { toPeAdapterError } from '../../src/adapters/pe-sim-adapter.js';

describe('toPeAdapterError', () => {
  const cases: [Error, string, boolean][] = [
    [new PeRefusedError('PE1', 'uni.add-session', 'f1'), 'SVPN_PE_REFUSED', true],
    [new PeTimeoutError('PE1', 'uni.add-session', 100), 'SVPN_PE_TIMEOUT', true],
    [new PeFailedHalfWayError('l', 'rsvp-te.signal', 1, 3), 'SVPN_PE_PARTIAL', true],
    [new NoBandwidthError('l', 1, 'P2-P3', 2, 1), 'SVPN_PE_NO_BANDWIDTH', false],
    [new UnknownVpnError('PE1', 'v'), 'SVPN_PE_UNKNOWN_VPN', false],
    [new ConflictError('other parameters'), 'SVPN_PE_CONFLICT', false],
    [new Error('connection reset'), 'SVPN_PE_FAILED', true],
  ];
  for (const [error, code, retryable] of cases) {
    test(`${error.constructor.name} → ${code} (${retryable ? 'retry' : 'give up'})`, () => {
      const mapped = toPeAdapterError(error, 'PE1', 'uni.add-session');
      assert.ok(mapped instanceof PeAdapterError);
      assert.equal(mapped.code, code);
      assert.equal(mapped.retryable, retryable);
      assert.equal(mapped.cause, error);
      assert.equal(mapped.pe, 'PE1');
    });
  }
});
