import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyPreemption,
  planPreemption,
  PreemptionInfeasibleError,
  PreemptionNotAllowedError,
  PreemptionStaleError,
  type PreemptionPlan,
  type ReservationLedger,
  type ReservationRequest,
} from '../../src/index.js';
import { ledgerOver, rdm } from '../helpers/one-link.js';

function setup(): ReservationLedger {
  const ledger = ledgerOver({ L1: rdm(100), L2: rdm(100) });
  for (const [id, links, bw, h] of [
    ['low', ['L1', 'L2'], 60, 6],
    ['lower', ['L1'], 40, 7],
    ['high', ['L2'], 40, 1],
  ] as const) {
    assert.ok(
      ledger.admit({ id, links: [...links], bandwidthBps: bw, setupPriority: h, holdingPriority: h }).ok,
    );
  }
  return ledger;
}

const request: ReservationRequest = {
  id: 'flash',
  links: ['L1', 'L2'],
  bandwidthBps: 50,
  setupPriority: 2,
  holdingPriority: 2,
};

describe('applyPreemption', () => {
  it('releases or reduces the victims and admits the request in one commit', () => {
    const ledger = setup();
    const plan = planPreemption(ledger, request, {
      victimPolicy: (r) => (r.id === 'low' ? { minBandwidthBps: 5 } : undefined),
    });
    // L2 holds low 60 + high 40: low must give 50 (high is more important than the request).
    assert.deepEqual(
      plan.victims.map((v) => [v.id, v.action, v.newBandwidthBps]),
      [['low', 'shrink', 10]],
    );
    const applied = applyPreemption(ledger, request, plan);
    assert.equal(applied.reservation.id, 'flash');
    assert.deepEqual(
      applied.reduced.map((r) => [r.id, r.bandwidthBps]),
      [['low', 60]],
    );
    assert.equal(ledger.get('low')?.bandwidthBps, 10);
    assert.equal(ledger.get('lower')?.bandwidthBps, 40);
    assert.equal(ledger.get('high')?.bandwidthBps, 40);
    assert.equal(ledger.get('flash')?.bandwidthBps, 50);
    assert.deepEqual(ledger.overbooked(), []);
  });

  it('an infeasible plan throws TE_PREEMPTION_INFEASIBLE and changes nothing', () => {
    const ledger = setup();
    const before = JSON.stringify(ledger.snapshot());
    const big = { ...request, bandwidthBps: 70 };
    const plan = planPreemption(ledger, big);
    assert.equal(plan.feasible, false);
    assert.throws(
      () => applyPreemption(ledger, big, plan),
      (err: unknown) =>
        err instanceof PreemptionInfeasibleError &&
        err.code === ('TE_PREEMPTION_INFEASIBLE' as string) &&
        err.link === 'L2' &&
        err.availableWithPreemptionBps === 60,
    );
    assert.equal(JSON.stringify(ledger.snapshot()), before);
  });

  it('a plan naming an equal or more important reservation throws TE_PREEMPTION_NOT_ALLOWED and changes nothing', () => {
    const ledger = setup();
    const before = JSON.stringify(ledger.snapshot());
    const plan = planPreemption(ledger, request);
    const forged: PreemptionPlan = {
      ...plan,
      victims: [...plan.victims, { ...plan.victims[0]!, id: 'high', action: 'end' }],
    };
    assert.throws(() => applyPreemption(ledger, request, forged), { code: 'TE_PREEMPTION_NOT_ALLOWED' });
    // A reservation being grown cannot be its own victim.
    const grow = { resize: 'lower', bandwidthBps: 45 };
    const self: PreemptionPlan = {
      ...planPreemption(ledger, grow),
      feasible: true,
      victims: [{ ...plan.victims[0]!, id: 'lower', action: 'end' }],
    };
    assert.throws(() => applyPreemption(ledger, grow, self), { code: 'TE_PREEMPTION_NOT_ALLOWED' });
    const equal = { ...request, setupPriority: 6, holdingPriority: 6, bandwidthBps: 1, id: 'eq' };
    const equalPlan: PreemptionPlan = {
      ...planPreemption(ledger, equal),
      feasible: true,
      victims: [{ ...plan.victims[0]!, id: 'low', action: 'end' }],
    };
    assert.throws(() => applyPreemption(ledger, equal, equalPlan), PreemptionNotAllowedError);
    assert.equal(JSON.stringify(ledger.snapshot()), before);
  });

  it('a shrink that does not lower the bandwidth is refused', () => {
    const ledger = setup();
    const plan = planPreemption(ledger, request);
    const bad: PreemptionPlan = {
      ...plan,
      victims: [{ ...plan.victims[0]!, action: 'shrink', newBandwidthBps: 60 }],
    };
    assert.throws(() => applyPreemption(ledger, request, bad), { code: 'TE_PREEMPTION_NOT_ALLOWED' });
  });

  it('a plan made stale by a later admission throws TE_PREEMPTION_STALE and leaves the ledger as it was', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    assert.ok(ledger.admit({ id: 'low', links: ['L'], bandwidthBps: 50, setupPriority: 6 }).ok);
    const flash = { id: 'flash', links: ['L'], bandwidthBps: 80, setupPriority: 2 };
    const plan = planPreemption(ledger, flash, { victimPolicy: () => ({ minBandwidthBps: 1 }) });
    assert.deepEqual(
      plan.victims.map((v) => [v.id, v.newBandwidthBps]),
      [['low', 20]],
    );
    // Something more important takes the free half before the plan is carried out.
    assert.ok(ledger.admit({ id: 'squatter', links: ['L'], bandwidthBps: 50, setupPriority: 0 }).ok);
    const before = JSON.stringify(ledger.snapshot());
    assert.throws(
      () => applyPreemption(ledger, flash, plan),
      (err: unknown) => err instanceof PreemptionStaleError && err.refusal?.link === 'L',
    );
    assert.equal(JSON.stringify(ledger.snapshot()), before);
  });

  it('a victim that vanished makes the plan stale', () => {
    const ledger = setup();
    const plan = planPreemption(ledger, request);
    ledger.release(plan.victims[0]!.id);
    assert.throws(() => applyPreemption(ledger, request, plan), { code: 'TE_PREEMPTION_STALE' });
  });

  it('grows an existing reservation (resize) after reducing a less important one', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'p', links: ['L'], bandwidthBps: 40, setupPriority: 3, holdingPriority: 3 });
    ledger.admit({ id: 'r', links: ['L'], bandwidthBps: 60, setupPriority: 4, holdingPriority: 4 });
    const grow = { resize: 'p', bandwidthBps: 55 };
    const plan = planPreemption(ledger, grow, { victimPolicy: () => ({ minBandwidthBps: 0 }) });
    const applied = applyPreemption(ledger, grow, plan);
    assert.equal(applied.reservation.bandwidthBps, 55);
    assert.equal(ledger.get('r')?.bandwidthBps, 45);
  });
});
