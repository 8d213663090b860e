import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidPayloadError,
  JOB_PAYLOAD_SCHEMAS,
  JOB_TYPES,
  checkPayload,
  isJobType,
  isRetryablePeCode,
  PeAdapterError,
} from '../src/index.js';

const meta = { revision: 1, origin: 'setup' } as const;

describe('job payload schemas', () => {
  it('has one schema per job type', () => {
    assert.deepEqual(Object.keys(JOB_PAYLOAD_SCHEMAS).sort(), [...JOB_TYPES].sort());
    assert.equal(isJobType('rsvp-te.signal'), true);
    assert.equal(isJobType('rsvp-te.explode'), false);
  });

  it('accepts a complete uni.add-session payload and returns it typed', () => {
    const payload = checkPayload('uni.add-session', {
      pe: 'PE1',
      sessionId: 's1',
      vpnId: '00000a:00000001',
      ce: 'CE1',
      interface: 'ge-0/0/1.100',
      bandwidthBps: 100_000_000,
      marking: { dscp: 10, serviceClass: 'high-throughput-data' },
      lspId: 'lsp-1',
      ...meta,
    });
    assert.equal(payload.marking.dscp, 10);
  });

  it('lists every problem of a bad payload', () => {
    assert.throws(
      () =>
        checkPayload('rsvp-te.signal', {
          pe: 'PE1',
          lspId: 'lsp 1',
          route: { nodes: ['PE1'] },
          bandwidthBps: 0,
          setupPriority: 9,
          holdingPriority: 0,
          ...meta,
        }),
      (e: unknown) => {
        assert.ok(e instanceof InvalidPayloadError);
        assert.equal(e.code, 'SVPN_PROVISIONING_INVALID_PAYLOAD');
        const text = e.issues.join('\n');
        for (const path of ['/lspId', '/bandwidthBps', '/setupPriority'])
          assert.match(text, new RegExp(path));
        return true;
      },
    );
  });

  it('refuses unknown fields, a missing revision and out-of-range DSCPs', () => {
    const base = { pe: 'PE1', target: { sessionId: 's1' }, dscp: 46, ...meta };
    assert.doesNotThrow(() => checkPayload('marking.apply', base));
    assert.throws(() => checkPayload('marking.apply', { ...base, extra: 1 }), InvalidPayloadError);
    assert.throws(() => checkPayload('marking.apply', { ...base, dscp: 64 }), InvalidPayloadError);
    const { revision: _r, ...withoutRevision } = base;
    assert.throws(() => checkPayload('marking.apply', withoutRevision), InvalidPayloadError);
    assert.throws(() => checkPayload('marking.apply', null), InvalidPayloadError);
  });
});

describe('PeAdapterError', () => {
  it('is retryable for transient PE failures and not for admission or validation failures', () => {
    assert.equal(isRetryablePeCode('SVPN_PE_TIMEOUT'), true);
    assert.equal(isRetryablePeCode('SVPN_PE_PARTIAL'), true);
    assert.equal(isRetryablePeCode('SVPN_PE_NO_BANDWIDTH'), false);
    assert.equal(isRetryablePeCode('SVPN_PE_INVALID'), false);
    const e = new PeAdapterError('SVPN_PE_NO_BANDWIDTH', 'PE1', 'rsvp-te.signal', 'no room');
    assert.equal(e.retryable, false);
    assert.equal(e.name, 'PeAdapterError');
    const forced = new PeAdapterError('SVPN_PE_REFUSED', 'PE1', 'uni.add-session', 'x', { retryable: false });
    assert.equal(forced.retryable, false);
  });
});
