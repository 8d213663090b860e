import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { JOB_TYPES, jobId, jobIdOf, jobObjectId, type JobSpec } from '../src/index.js';

describe('jobId', () => {
  it('is <type>/<object>/r<revision>, the same for the same inputs', () => {
    assert.equal(jobId('uni.add-session', 's-1', 3), 'uni.add-session/s-1/r3');
    assert.equal(jobId('uni.add-session', 's-1', 3), jobId('uni.add-session', 's-1', 3));
    assert.equal(jobId('rsvp-te.teardown', 'lsp-7', 2, 'undo'), 'rsvp-te.teardown/lsp-7/r2/undo');
  });

  it('never contains ":" (BullMQ rejects it in custom ids) and is never an integer', () => {
    const id = jobId('uni.add-session', 'call:42@host', 1);
    assert.equal(id.includes(':'), false);
    assert.equal(id, 'uni.add-session/call%3A42%40host/r1');
  });

  it('differs whenever the type, object, revision or tag differs (injective)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...JOB_TYPES),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.nat(1000),
        fc.constantFrom(...JOB_TYPES),
        fc.string({ minLength: 1, maxLength: 12 }),
        fc.nat(1000),
        (t1, o1, r1, t2, o2, r2) => {
          const same = t1 === t2 && o1 === o2 && r1 === r2;
          assert.equal(jobId(t1, o1, r1) === jobId(t2, o2, r2), same);
          assert.notEqual(jobId(t1, o1, r1), jobId(t1, o1, r1, 'rc1'));
        },
      ),
    );
  });

  it('rejects negative or fractional revisions, empty objects and malformed tags', () => {
    assert.throws(() => jobId('ldp.bind', 'x', -1), RangeError);
    assert.throws(() => jobId('ldp.bind', 'x', 1.5), RangeError);
    assert.throws(() => jobId('ldp.bind', '', 1), RangeError);
    assert.throws(() => jobId('ldp.bind', 'x', 1, 'Bad Tag'), RangeError);
  });
});

describe('jobObjectId', () => {
  const meta = { revision: 4, origin: 'setup' as const };
  const cases: [JobSpec, string][] = [
    [{ type: 'uni.remove-session', payload: { pe: 'PE1', sessionId: 's1', ...meta } }, 's1'],
    [{ type: 'rsvp-te.resize', payload: { pe: 'PE1', lspId: 'lsp-1', bandwidthBps: 5, ...meta } }, 'lsp-1'],
    [{ type: 'bgp.withdraw-membership', payload: { pe: 'PE1', vpnId: 'v', ce: 'CE1', ...meta } }, 'v|CE1'],
    [{ type: 'ldp.bind', payload: { pe: 'PE1', fec: '192.0.2.1/32', ...meta } }, '192.0.2.1/32'],
    [{ type: 'marking.apply', payload: { pe: 'PE1', target: { sessionId: 's1' }, dscp: 46, ...meta } }, 's1'],
    [
      {
        type: 'marking.apply',
        payload: { pe: 'PE1', target: { serviceClass: 'telephony' }, dscp: 46, ...meta },
      },
      'class=telephony',
    ],
  ];
  for (const [spec, object] of cases) {
    it(`${spec.type} acts on ${object}`, () => {
      assert.equal(jobObjectId(spec), object);
      assert.equal(jobIdOf(spec), jobId(spec.type, object, 4));
    });
  }
});
