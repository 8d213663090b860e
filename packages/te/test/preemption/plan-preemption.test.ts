import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DuplicateReservationError,
  planPreemption,
  UnknownLinkError,
  UnknownReservationError,
  type PreemptionPlan,
  type ReservationLedger,
  type ReservationRequest,
} from '../../src/index.js';
import { ledgerOver, mam, rdm } from '../helpers/one-link.js';

/** Admits rows `id | links | bw | ct | holding | start | end` (setup = holding); every row must fit. */
function book(
  ledger: ReservationLedger,
  rows: [id: string, links: string[], bw: number, ct: number, holding: number, start: number, end: number][],
): void {
  for (const [id, links, bw, ct, holding, start, end] of rows) {
    const r = ledger.admit({
      id,
      links,
      bandwidthBps: bw,
      classType: ct,
      setupPriority: holding,
      holdingPriority: holding,
      start,
      end,
    });
    assert.ok(r.ok, `fixture row ${id} must fit`);
  }
}

function actions(plan: PreemptionPlan): string[] {
  return plan.victims.map((v) =>
    v.action === 'end' ? `end ${v.id}` : `shrink ${v.id} to ${v.newBandwidthBps}`,
  );
}

const req = (over: Partial<ReservationRequest> & { bandwidthBps: number }): ReservationRequest => ({
  id: 'new',
  links: ['L'],
  setupPriority: 0,
  holdingPriority: 0,
  start: 0,
  end: 100,
  ...over,
});

describe('planPreemption: nothing to preempt', () => {
  it('a request that fits already needs no victim; the plan is the admit alone', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [['a', ['L'], 60, 0, 7, 0, 100]]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 40 }));
    assert.equal(plan.feasible, true);
    assert.deepEqual(plan.victims, []);
    assert.deepEqual(plan.freedBps, { L: 0 });
    assert.deepEqual(
      plan.operations.map((o) => o.op),
      ['admit'],
    );
  });
});

describe('planPreemption: RFC 3209 §4.7.4 — setup priority s preempts holding priority h only if s < h', () => {
  it('an equal holding priority is never preempted: infeasible, and the blocking link says what is left', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [['a', ['L'], 100, 0, 4, 0, 100]]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 10, setupPriority: 4, holdingPriority: 4 }));
    assert.equal(plan.feasible, false);
    assert.deepEqual(plan.blocking, { link: 'L', availableWithPreemptionBps: 0 });
    assert.deepEqual(plan.victims, []);
    assert.deepEqual(plan.operations, []);
  });

  it('a more important holding priority is never preempted', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['important', ['L'], 70, 0, 1, 0, 100],
      ['routine', ['L'], 30, 0, 5, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 40, setupPriority: 3, holdingPriority: 3 }));
    assert.equal(plan.feasible, false);
    assert.deepEqual(plan.blocking, { link: 'L', availableWithPreemptionBps: 30 });
  });

  it('a strictly less important one is preempted (s = 3 < h = 4)', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [['a', ['L'], 100, 0, 4, 0, 100]]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 10, setupPriority: 3, holdingPriority: 3 }));
    assert.equal(plan.feasible, true);
    assert.deepEqual(actions(plan), ['end a']);
    assert.deepEqual(plan.freedBps, { L: 100 });
    assert.deepEqual(
      plan.operations.map((o) => o.op),
      ['release', 'admit'],
    );
  });
});

describe('planPreemption: victim choice — least important first, then fewest, then newest', () => {
  it('least important first: two small h7 victims rather than one h6 victim that alone would do', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['big6', ['L'], 80, 0, 6, 0, 100],
      ['a7', ['L'], 10, 0, 7, 0, 100],
      ['b7', ['L'], 10, 0, 7, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 15 }));
    assert.deepEqual(actions(plan).sort(), ['end a7', 'end b7']);
  });

  it('fewest victims within a tier: the one 30 rather than the two 10s', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['c', ['L'], 30, 0, 7, 0, 100],
      ['a', ['L'], 10, 0, 7, 0, 100],
      ['b', ['L'], 10, 0, 7, 0, 100],
      ['keep', ['L'], 50, 0, 2, 0, 100],
    ]);
    assert.deepEqual(actions(planPreemption(ledger, req({ bandwidthBps: 25 }))), ['end c']);
  });

  it('newest first on ties: the later start goes', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['early', ['L'], 50, 0, 7, 0, 100],
      ['late', ['L'], 50, 0, 7, 5, 100],
    ]);
    assert.deepEqual(actions(planPreemption(ledger, req({ bandwidthBps: 20, start: 10 }))), ['end late']);
  });

  it('newest first on ties: with equal starts the admission order (sequenceOf) decides, else the id', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['x', ['L'], 50, 0, 7, 0, 100],
      ['y', ['L'], 50, 0, 7, 0, 100],
    ]);
    assert.deepEqual(actions(planPreemption(ledger, req({ bandwidthBps: 20 }))), ['end y']);
    const admitted = new Map([
      ['y', 1],
      ['x', 2],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 20 }), {
      sequenceOf: (r) => admitted.get(r.id),
    });
    assert.deepEqual(actions(plan), ['end x']);
  });

  it('a less important victim that turns out unneeded once a more important one must go is dropped', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['x7', ['L'], 10, 0, 7, 0, 100],
      ['y6', ['L'], 90, 0, 6, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 50 }));
    assert.deepEqual(actions(plan), ['end y6']);
    assert.deepEqual(plan.freedBps, { L: 90 });
  });

  it('…but when the more important one may shrink, it keeps the most and the least important goes first', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['x7', ['L'], 10, 0, 7, 0, 100],
      ['y6', ['L'], 90, 0, 6, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 50 }), {
      victimPolicy: (r) => (r.id === 'y6' ? { minBandwidthBps: 20 } : undefined),
    });
    assert.deepEqual(actions(plan), ['end x7', 'shrink y6 to 50']);
    assert.deepEqual(plan.freedBps, { L: 50 });
  });
});

describe('planPreemption: RFC 4495 bandwidth reduction instead of ending', () => {
  const setup = (): ReservationLedger => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['voice', ['L'], 80, 0, 5, 0, 100],
      ['hold', ['L'], 20, 0, 1, 0, 100],
    ]);
    return ledger;
  };

  it('a victim whose floor allows it is reduced to what is left, not ended', () => {
    const plan = planPreemption(setup(), req({ bandwidthBps: 40 }), {
      victimPolicy: () => ({ minBandwidthBps: 30 }),
    });
    assert.deepEqual(actions(plan), ['shrink voice to 40']);
    assert.deepEqual(plan.operations[0], { op: 'resize', id: 'voice', bandwidthBps: 40 });
  });

  it('below its floor it is ended', () => {
    const plan = planPreemption(setup(), req({ bandwidthBps: 40 }), {
      victimPolicy: () => ({ minBandwidthBps: 50 }),
    });
    assert.deepEqual(actions(plan), ['end voice']);
  });

  it('asked to give everything up, a reducible victim is ended (reduction to zero is a tear-down)', () => {
    const plan = planPreemption(setup(), req({ bandwidthBps: 80 }), {
      victimPolicy: () => ({ minBandwidthBps: 0 }),
    });
    assert.deepEqual(actions(plan), ['end voice']);
  });
});

describe('planPreemption: time slices — a victim only helps where it overlaps', () => {
  //   link | id | bw | hold | start | end      (capacity 100)
  //   L    | a  | 80 | 7    | 0     | 10
  //   L    | b  | 80 | 7    | 10    | 20
  //   L    | c  | 80 | 7    | 30    | 40
  const setup = (): ReservationLedger => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['a', ['L'], 80, 0, 7, 0, 10],
      ['b', ['L'], 80, 0, 7, 10, 20],
      ['c', ['L'], 80, 0, 7, 30, 40],
    ]);
    return ledger;
  };

  it('[5, 15) overlaps a and b: both must go; c (later, elsewhere in time) is untouched', () => {
    assert.deepEqual(actions(planPreemption(setup(), req({ bandwidthBps: 30, start: 5, end: 15 }))).sort(), [
      'end a',
      'end b',
    ]);
  });

  it('[0, 10) overlaps a only; [10, 30) overlaps b only (end instants are exclusive)', () => {
    assert.deepEqual(actions(planPreemption(setup(), req({ bandwidthBps: 30, start: 0, end: 10 }))), [
      'end a',
    ]);
    assert.deepEqual(actions(planPreemption(setup(), req({ bandwidthBps: 30, start: 10, end: 30 }))), [
      'end b',
    ]);
  });

  it('a victim present only on slices that already fit is not chosen', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['long', ['L'], 30, 0, 7, 0, 40], // present throughout, big enough alone in [0, 10) only with short
      ['short', ['L'], 70, 0, 7, 0, 10],
    ]);
    // [0, 40) asks 40: short ∪ long = 100 in [0,10) → lack 40; in [10,40) only long → fits.
    const plan = planPreemption(ledger, req({ bandwidthBps: 40, start: 0, end: 40 }));
    assert.deepEqual(actions(plan), ['end short']);
  });
});

describe('planPreemption: every link of the path', () => {
  //   L1: a (50, on L1+L2), b (50, L1 only)      L2: a, c (50, L2 only)
  it('one victim on both links beats one per link (fewest victims), and freedBps is per link', () => {
    const ledger = ledgerOver({ L1: rdm(100), L2: rdm(100), L3: rdm(100) });
    book(ledger, [
      ['a', ['L1', 'L2'], 50, 0, 7, 0, 100],
      ['b', ['L1'], 50, 0, 7, 0, 100],
      ['c', ['L2'], 50, 0, 7, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ links: ['L1', 'L2', 'L3'], bandwidthBps: 50 }));
    assert.deepEqual(actions(plan), ['end a']);
    assert.deepEqual(plan.freedBps, { L1: 50, L2: 50, L3: 0 });
    assert.deepEqual(plan.victims[0]?.links, ['L1', 'L2']);
  });

  it('the blocking link is the first on the path that stays short', () => {
    const ledger = ledgerOver({ L1: rdm(100), L2: rdm(100), L3: rdm(100) });
    book(ledger, [
      ['p', ['L2'], 100, 0, 0, 0, 100],
      ['q', ['L3'], 100, 0, 0, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ links: ['L1', 'L3', 'L2'], bandwidthBps: 1 }));
    assert.equal(plan.feasible, false);
    assert.equal(plan.blocking?.link, 'L3');
  });
});

describe('planPreemption: class types under RDM (RFC 4127) — BCj bounds CTj and above', () => {
  // RDM BC0 = 100, BC1 = 50. CT0 50 (h7) + CT1 50 (h6): BC0 and BC1 both full.
  const setup = (): ReservationLedger => {
    const ledger = ledgerOver({ L: rdm(100, 50) });
    book(ledger, [
      ['ct0', ['L'], 50, 0, 7, 0, 100],
      ['ct1', ['L'], 50, 1, 6, 0, 100],
    ]);
    return ledger;
  };

  it('a CT1 request: preempting CT0 frees BC0 but not BC1, so the CT1 reservation must go (CT0 stays)', () => {
    const plan = planPreemption(setup(), req({ bandwidthBps: 20, classType: 1 }));
    assert.deepEqual(actions(plan), ['end ct1']);
  });

  it('a CT0 request: a CT1 reservation counts against BC0 too, so either frees room; the least important (CT0, h7) goes', () => {
    const plan = planPreemption(setup(), req({ bandwidthBps: 20, classType: 0 }));
    assert.deepEqual(actions(plan), ['end ct0']);
  });

  it('a CT0 request when CT0 is more important: the CT1 reservation is preempted for it', () => {
    const ledger = ledgerOver({ L: rdm(100, 50) });
    book(ledger, [
      ['ct0', ['L'], 50, 0, 2, 0, 100],
      ['ct1', ['L'], 50, 1, 6, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 20, classType: 0 }), {
      victimPolicy: () => ({ minBandwidthBps: 1 }),
    });
    assert.deepEqual(actions(plan), ['shrink ct1 to 30']);
  });
});

describe('planPreemption: class types under MAM (RFC 4125) — own BC plus the maximum reservable', () => {
  it('a CT1 request blocked by BC1: preempting CT0 cannot help, the CT1 reservation is reduced', () => {
    // MRB 100, BC0 60, BC1 50. CT0 50 (h7), CT1 50 (h6): BC1 full, MRB full.
    const ledger = ledgerOver({ L: mam(100, 60, 50) });
    book(ledger, [
      ['ct0', ['L'], 50, 0, 7, 0, 100],
      ['ct1', ['L'], 50, 1, 6, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 10, classType: 1 }), {
      victimPolicy: () => ({ minBandwidthBps: 1 }),
    });
    assert.deepEqual(actions(plan), ['shrink ct1 to 40']);
  });

  it('a CT1 request blocked only by the maximum reservable: the CT0 reservation frees it', () => {
    // MRB 100, BC0 80, BC1 50. CT0 70 (h7), CT1 30 (h6): BC1 has 20 left, MRB none.
    const ledger = ledgerOver({ L: mam(100, 80, 50) });
    book(ledger, [
      ['ct0', ['L'], 70, 0, 7, 0, 100],
      ['ct1', ['L'], 30, 1, 6, 0, 100],
    ]);
    const plan = planPreemption(ledger, req({ bandwidthBps: 10, classType: 1 }), {
      victimPolicy: () => ({ minBandwidthBps: 1 }),
    });
    assert.deepEqual(actions(plan), ['shrink ct0 to 60']);
  });

  it('a class type the link has no constraint for cannot be made room for', () => {
    const ledger = ledgerOver({ L: mam(100, 60, 50) });
    const plan = planPreemption(ledger, req({ bandwidthBps: 10, classType: 2 }));
    assert.equal(plan.feasible, false);
    assert.deepEqual(plan.blocking, { link: 'L', availableWithPreemptionBps: 0 });
  });
});

describe('planPreemption: growing an existing reservation (resize)', () => {
  it('its own share counts once; the less important neighbour is reduced to what is left', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['agg-priority', ['L'], 40, 0, 3, 0, Infinity],
      ['agg-routine', ['L'], 60, 0, 4, 0, Infinity],
    ]);
    const plan = planPreemption(
      ledger,
      { resize: 'agg-priority', bandwidthBps: 70 },
      { victimPolicy: () => ({ minBandwidthBps: 0 }) },
    );
    assert.equal(plan.kind, 'resize');
    assert.deepEqual(actions(plan), ['shrink agg-routine to 30']);
    assert.deepEqual(plan.operations, [
      { op: 'resize', id: 'agg-routine', bandwidthBps: 30 },
      { op: 'resize', id: 'agg-priority', bandwidthBps: 70 },
    ]);
  });

  it('a shrinking resize needs nothing', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [['r', ['L'], 100, 0, 3, 0, 100]]);
    assert.deepEqual(planPreemption(ledger, { resize: 'r', bandwidthBps: 10 }).victims, []);
  });
});

describe('planPreemption: malformed requests are typed errors', () => {
  const ledger = ledgerOver({ L: rdm(100) });
  book(ledger, [['r', ['L'], 10, 0, 3, 0, 100]]);

  it('duplicate id, unknown link, unknown reservation to resize', () => {
    assert.throws(() => planPreemption(ledger, req({ id: 'r', bandwidthBps: 1 })), DuplicateReservationError);
    assert.throws(() => planPreemption(ledger, req({ links: ['nope'], bandwidthBps: 1 })), UnknownLinkError);
    assert.throws(
      () => planPreemption(ledger, { resize: 'ghost', bandwidthBps: 1 }),
      UnknownReservationError,
    );
  });

  it('bad fields carry TE_RESERVATION_INVALID', () => {
    for (const bad of [
      req({ bandwidthBps: -1 }),
      req({ bandwidthBps: 1, classType: 8 }),
      req({ bandwidthBps: 1, setupPriority: 9 }),
      req({ bandwidthBps: 1, start: 10, end: 10 }),
      req({ bandwidthBps: 1, links: ['L', 'L'] }),
    ])
      assert.throws(() => planPreemption(ledger, bad), { code: 'TE_RESERVATION_INVALID' });
  });
});
