import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkFaultSpec, InvalidFaultError, type FaultSpec } from '../../src/index.js';

const isPe = (id: string): boolean => id === 'PE1';

describe('checkFaultSpec', () => {
  it('applies defaults', () => {
    assert.deepEqual(checkFaultSpec({ pe: 'PE1', op: 'ldp.bind', mode: 'refuse' }, isPe, 9), {
      id: '',
      pe: 'PE1',
      op: 'ldp.bind',
      mode: 'refuse',
      probability: 1,
      count: null,
      afterHops: null,
      applied: false,
      seed: 9,
    });
  });

  const invalid: [string, FaultSpec][] = [
    ['an unknown PE', { pe: 'P1', op: '*', mode: 'refuse' }],
    ['an unknown operation', { pe: '*', op: 'ldp.frob' as 'ldp.bind', mode: 'refuse' }],
    ['an unknown mode', { pe: '*', op: '*', mode: 'explode' as 'refuse' }],
    ['probability 0', { pe: '*', op: '*', mode: 'refuse', probability: 0 }],
    ['probability above 1', { pe: '*', op: '*', mode: 'refuse', probability: 1.5 }],
    ['count 0', { pe: '*', op: '*', mode: 'refuse', count: 0 }],
    ['afterHops without half-way', { pe: '*', op: '*', mode: 'refuse', afterHops: 1 }],
    ['half-way on a one-step operation', { pe: '*', op: 'uni.add-session', mode: 'half-way' }],
    ['applied without timeout', { pe: '*', op: '*', mode: 'refuse', applied: true }],
    ['a negative seed', { pe: '*', op: '*', mode: 'refuse', seed: -1 }],
    ['an id with a space', { id: 'a b', pe: '*', op: '*', mode: 'refuse' }],
  ];
  for (const [what, spec] of invalid) {
    it(`rejects ${what}`, () => {
      assert.throws(() => checkFaultSpec(spec, isPe, 1), InvalidFaultError);
    });
  }

  it('accepts half-way on rsvp-te.resize and on every operation', () => {
    assert.equal(
      checkFaultSpec({ pe: 'PE1', op: 'rsvp-te.resize', mode: 'half-way', afterHops: 0 }, isPe, 1).afterHops,
      0,
    );
    assert.equal(checkFaultSpec({ pe: '*', op: '*', mode: 'half-way' }, isPe, 1).op, '*');
  });
});
