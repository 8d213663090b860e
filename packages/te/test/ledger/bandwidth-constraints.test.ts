import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkBandwidthConstraints, unreservedAtInstant, violatedConstraints } from '../../src/index.js';
import { ledgerOver, mam, rdm } from '../helpers/one-link.js';

describe('RDM (RFC 4127 §4/§5) — test vector BC = [100, 50, 20]', () => {
  const ledger = ledgerOver({ L: rdm(100, 50, 20) });
  ledger.admit({ id: 'a', links: ['L'], classType: 2, setupPriority: 0, bandwidthBps: 10 });
  ledger.admit({ id: 'b', links: ['L'], classType: 1, setupPriority: 3, bandwidthBps: 30 });
  ledger.admit({ id: 'c', links: ['L'], classType: 0, setupPriority: 7, bandwidthBps: 40 });

  const cases: [ct: number, p: number, expected: number][] = [
    [1, 3, 10], // min(BC1 − (10+30), BC0 − (10+30)) = min(10, 60)
    [0, 7, 20], // BC0 − (10+30+40)
    [0, 0, 90], // BC0 − 10: only the CT2 reservation holds at priority 0
    [2, 0, 10], // min(BC2 − 10, BC1 − 10, BC0 − 10)
  ];
  for (const [ct, p, expected] of cases) {
    it(`unreserved ⟨CT${ct},p${p}⟩ = ${expected}`, () => {
      assert.equal(ledger.unreserved('L', ct, p), expected);
    });
  }
  it('⟨CT2,p7⟩ = min(BC2 − 10, BC1 − 40, BC0 − 80) = 10 and ⟨CT1,p7⟩ = min(BC1 − 40, BC0 − 80) = 10', () => {
    assert.equal(ledger.unreserved('L', 2, 7), 10);
    assert.equal(ledger.unreserved('L', 1, 7), 10);
  });
  it('⟨CT1,p0⟩ counts only the p0 CT2 reservation: min(50 − 10, 100 − 10) = 40', () => {
    assert.equal(ledger.unreserved('L', 1, 0), 40);
  });
  it('a class type without a BC on the link has nothing unreserved', () => {
    assert.equal(ledger.unreserved('L', 3, 7), 0);
  });
});

describe('MAM (RFC 4125 §3/§4) — test vector MRB = 100, BC = [60, 50]', () => {
  const ledger = ledgerOver({ L: mam(100, 60, 50) });
  ledger.admit({ id: 'a', links: ['L'], classType: 0, setupPriority: 7, bandwidthBps: 40 });
  ledger.admit({ id: 'b', links: ['L'], classType: 1, setupPriority: 0, bandwidthBps: 30 });
  const cases: [ct: number, p: number, expected: number][] = [
    [1, 0, 20], // min(BC1 − 30, MRB − 30)
    [0, 7, 20], // min(BC0 − 40, MRB − 70)
    [0, 0, 60], // min(BC0 − 0, MRB − 30)
  ];
  for (const [ct, p, expected] of cases) {
    it(`unreserved ⟨CT${ct},p${p}⟩ = ${expected}`, () => {
      assert.equal(ledger.unreserved('L', ct, p), expected);
    });
  }
});

describe('unreservedAtInstant', () => {
  it('RDM: the inner doll bounds a CT even when the outer ones have room', () => {
    // CT2 holds 20 of BC2 = 20: nothing left for CT2 though BC0 has 80 free.
    assert.equal(unreservedAtInstant(rdm(100, 50, 20), [0, 0, 20], 2), 0);
    assert.equal(unreservedAtInstant(rdm(100, 50, 20), [0, 0, 20], 1), 30);
    assert.equal(unreservedAtInstant(rdm(100, 50, 20), [0, 0, 20], 0), 80);
  });
  it('RDM: lower class types eat into higher ones only through the outer dolls', () => {
    // CT0 = 90 leaves BC0 − 90 = 10 for everyone, though BC2 alone would allow 20.
    assert.equal(unreservedAtInstant(rdm(100, 50, 20), [90, 0, 0], 2), 10);
  });
  it('MAM: each CT is bounded by its own BC and all by the Maximum Reservable Bandwidth', () => {
    assert.equal(unreservedAtInstant(mam(100, 60, 60), [0, 55, 0], 1), 5);
    assert.equal(unreservedAtInstant(mam(100, 60, 60), [50, 45, 0], 0), 5);
    assert.equal(unreservedAtInstant(mam(100, 60, 60), [0, 0, 0], 2), 0); // no BC2
  });
  it('reports negative room when overbooked', () => {
    assert.equal(unreservedAtInstant(rdm(100), [120], 0), -20);
  });
});

describe('checkBandwidthConstraints / violatedConstraints', () => {
  it('RDM requires non-increasing BCs (RFC 4127 §4)', () => {
    assert.deepEqual(checkBandwidthConstraints(rdm(100, 50, 20)), []);
    const problems = checkBandwidthConstraints({ model: 'RDM', maxReservableBps: 100, bc: [100, 20, 50] });
    assert.deepEqual(
      problems.map((p) => p.path),
      ['bc[2]'],
    );
  });
  it('MAM accepts BCs summing above the MRB (RFC 4125 §3 allows it)', () => {
    assert.deepEqual(checkBandwidthConstraints(mam(100, 80, 80)), []);
  });
  it('rejects more than 8 BCs, negative values and a non-positive MRB', () => {
    assert.equal(checkBandwidthConstraints(rdm(9, 8, 7, 6, 5, 4, 3, 2, 1)).length, 1);
    assert.deepEqual(
      checkBandwidthConstraints({ model: 'MAM', maxReservableBps: 0, bc: [-1] }).map((p) => p.path),
      ['maxReservableBps', 'bc[0]'],
    );
  });
  it('names the broken bound', () => {
    assert.deepEqual(violatedConstraints(rdm(100, 50), [60, 60]), [
      { bound: 'BC1', excess: 10 },
      { bound: 'BC0', excess: 20 },
    ]);
    assert.deepEqual(violatedConstraints(mam(100, 60, 60), [50, 55]), [
      { bound: 'MaxReservable', excess: 5 },
    ]);
    assert.deepEqual(violatedConstraints(mam(100, 60), [0, 1]), [{ bound: 'CT1 (no BC1)', excess: 1 }]);
  });
});
