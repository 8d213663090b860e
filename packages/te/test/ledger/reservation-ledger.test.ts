import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DuplicateReservationError,
  ReservationInvalidError,
  ReservationLedger,
  SnapshotInvalidError,
  UnknownLinkError,
  UnknownReservationError,
} from '../../src/index.js';
import { ledgerOver, mam, rdm } from '../helpers/one-link.js';

/** Admits rows of `link | bw | start | end` in order; returns which were admitted. */
function book(
  ledger: ReservationLedger,
  rows: [link: string, bw: number, start: number, end: number][],
): boolean[] {
  return rows.map(
    ([link, bw, start, end], i) =>
      ledger.admit({ id: `r${i}`, links: [link], bandwidthBps: bw, start, end }).ok,
  );
}

describe('time: half-open intervals, peak over the interval', () => {
  // Capacity 100 on L.
  const table: {
    name: string;
    rows: [link: string, bw: number, start: number, end: number][];
    admitted: boolean[];
  }[] = [
    {
      name: 'a reservation ending at t does not overlap one starting at t',
      //      link  bw  start end
      rows: [
        ['L', 100, 0, 10],
        ['L', 100, 10, 20],
      ],
      admitted: [true, true],
    },
    {
      name: 'one instant of overlap is enough to refuse',
      rows: [
        ['L', 100, 0, 10],
        ['L', 1, 9, 20],
      ],
      admitted: [true, false],
    },
    {
      name: 'two equal reservations starting at the same instant both count',
      rows: [
        ['L', 50, 5, 10],
        ['L', 50, 5, 10],
        ['L', 1, 5, 6],
      ],
      admitted: [true, true, false],
    },
    {
      name: 'capacity is checked at the peak, not the average: [0,10)+[10,20) leave 40 over [0,20)',
      rows: [
        ['L', 60, 0, 10],
        ['L', 30, 10, 20],
        ['L', 40, 0, 20],
        ['L', 1, 0, 20],
      ],
      admitted: [true, true, true, false],
    },
    {
      name: 'a booking ahead does not block the present',
      rows: [
        ['L', 100, 1000, Infinity],
        ['L', 100, 0, 1000],
        ['L', 1, 999, 1001],
      ],
      admitted: [true, true, false],
    },
    {
      name: 'open-ended reservations overlap every later interval',
      rows: [
        ['L', 70, 0, Infinity],
        ['L', 30, 1e12, 1e12 + 1],
        ['L', 31, 5e12, 6e12],
      ],
      admitted: [true, true, false],
    },
    {
      name: 'reservations on another link are unrelated',
      rows: [
        ['M', 100, 0, 10],
        ['L', 100, 0, 10],
      ],
      admitted: [true, true],
    },
  ];
  for (const { name, rows, admitted } of table) {
    it(name, () => {
      const ledger = ledgerOver({ L: rdm(100), M: rdm(100) });
      assert.deepEqual(book(ledger, rows), admitted);
    });
  }

  it('unreserved over an interval is the least over its instants', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    book(ledger, [
      ['L', 20, 0, 10],
      ['L', 50, 5, 15],
      ['L', 10, 15, 30],
    ]);
    assert.equal(ledger.unreserved('L', 0, 7, { start: 0, end: 5 }), 80);
    assert.equal(ledger.unreserved('L', 0, 7, { start: 0, end: 6 }), 30);
    assert.equal(ledger.unreserved('L', 0, 7, { start: 10, end: 15 }), 50);
    assert.equal(ledger.unreserved('L', 0, 7, { start: 15, end: 40 }), 90);
    assert.equal(ledger.unreserved('L', 0, 7, { start: 30, end: 40 }), 100);
    assert.equal(ledger.unreserved('L', 0, 7), 30);
  });

  it('slices tile the interval with the usage per class type and holding priority', () => {
    const ledger = ledgerOver({ L: rdm(100, 50) });
    ledger.admit({
      id: 'a',
      links: ['L'],
      bandwidthBps: 20,
      start: 0,
      end: 10,
      classType: 1,
      setupPriority: 4,
    });
    ledger.admit({ id: 'b', links: ['L'], bandwidthBps: 30, start: 5, end: 15 });
    const slices = ledger.slices('L', { start: 0, end: 20 });
    assert.deepEqual(
      slices.map((s) => [s.start, s.end, s.reserved[1]![4], s.reserved[0]![7]]),
      [
        [0, 5, 20, 0],
        [5, 10, 20, 30],
        [10, 15, 0, 30],
        [15, 20, 0, 0],
      ],
    );
  });
});

describe('admit: atomic across the links of a path', () => {
  it('refuses on the first link lacking room and changes nothing', () => {
    const ledger = ledgerOver({ A: rdm(100), B: rdm(10), C: rdm(5) });
    const result = ledger.admit({ id: 'x', links: ['A', 'B', 'C'], bandwidthBps: 20, setupPriority: 3 });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(result.refusal, {
      code: 'TE_NO_BANDWIDTH',
      link: 'B',
      requestedBps: 20,
      availableBps: 10,
      availableWithPreemptionBps: 10,
      classType: 0,
      setupPriority: 3,
      start: 0,
      end: Infinity,
    });
    assert.equal(ledger.size, 0);
    assert.equal(ledger.activeLinkCount, 0);
    assert.equal(ledger.unreserved('A', 0), 100);
  });

  it('reports what preemption could free at the setup priority', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'low', links: ['L'], bandwidthBps: 60, setupPriority: 7 });
    ledger.admit({ id: 'high', links: ['L'], bandwidthBps: 30, setupPriority: 1 });
    const result = ledger.admit({ id: 'mid', links: ['L'], bandwidthBps: 50, setupPriority: 4 });
    assert.ok(!result.ok);
    assert.equal(result.refusal.availableBps, 10);
    assert.equal(result.refusal.availableWithPreemptionBps, 70);
  });

  it('admits on all links when every link has room', () => {
    const ledger = ledgerOver({ A: rdm(100), B: rdm(100) });
    const result = ledger.admit({
      id: 'x',
      owner: 'vpn-7',
      links: ['A', 'B'],
      bandwidthBps: 100,
      start: 5,
      end: 9,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.reservation, {
      id: 'x',
      owner: 'vpn-7',
      links: ['A', 'B'],
      bandwidthBps: 100,
      classType: 0,
      setupPriority: 7,
      holdingPriority: 7,
      start: 5,
      end: 9,
    });
    assert.equal(ledger.unreserved('A', 0, 7, { start: 5, end: 6 }), 0);
    assert.equal(ledger.unreserved('B', 0, 7, { start: 9, end: 10 }), 100);
  });

  it('accepts fractional bit rates that fit exactly despite float rounding', () => {
    const ledger = ledgerOver({ L: rdm(0.3) });
    assert.ok(ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 0.1 }).ok);
    assert.ok(ledger.admit({ id: 'b', links: ['L'], bandwidthBps: 0.2 }).ok);
    assert.ok(!ledger.admit({ id: 'c', links: ['L'], bandwidthBps: 0.001 }).ok);
  });

  it('throws typed errors for malformed requests', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    assert.throws(() => ledger.admit({ id: '', links: ['L'], bandwidthBps: 1 }), ReservationInvalidError);
    assert.throws(() => ledger.admit({ id: 'a', links: [], bandwidthBps: 1 }), ReservationInvalidError);
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L', 'L'], bandwidthBps: 1 }),
      ReservationInvalidError,
    );
    assert.throws(() => ledger.admit({ id: 'a', links: ['Z'], bandwidthBps: 1 }), UnknownLinkError);
    assert.throws(() => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: -1 }), ReservationInvalidError);
    assert.throws(() => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: NaN }), ReservationInvalidError);
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1, classType: 8 }),
      ReservationInvalidError,
    );
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1, setupPriority: 1.5 }),
      ReservationInvalidError,
    );
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1, start: 5, end: 5 }),
      ReservationInvalidError,
    );
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1, start: Infinity }),
      ReservationInvalidError,
    );
    // RFC 3209 §4.7.4: setup priority must not be better than holding priority.
    assert.throws(
      () => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1, setupPriority: 2, holdingPriority: 5 }),
      (err: unknown) =>
        err instanceof ReservationInvalidError &&
        err.code === 'TE_RESERVATION_INVALID' &&
        err.field === 'holdingPriority',
    );
    ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1 });
    assert.throws(() => ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 1 }), DuplicateReservationError);
    assert.equal(ledger.size, 1);
  });
});

describe('release and resize', () => {
  it('release frees every link and returns the reservation', () => {
    const ledger = ledgerOver({ A: rdm(100), B: rdm(100) });
    ledger.admit({ id: 'x', links: ['A', 'B'], bandwidthBps: 70 });
    const released = ledger.release('x');
    assert.equal(released.bandwidthBps, 70);
    assert.equal(ledger.unreserved('A', 0), 100);
    assert.equal(ledger.has('x'), false);
    assert.throws(() => ledger.release('x'), UnknownReservationError);
  });

  it('resize: shrinking always works; growing counts its own share once', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'x', links: ['L'], bandwidthBps: 60 });
    ledger.admit({ id: 'y', links: ['L'], bandwidthBps: 20 });
    assert.ok(ledger.resize('x', 80).ok);
    assert.equal(ledger.unreserved('L', 0), 0);
    const refused = ledger.resize('x', 81);
    assert.ok(!refused.ok);
    assert.equal(refused.refusal.availableBps, 80);
    assert.equal(ledger.get('x')?.bandwidthBps, 80);
    assert.ok(ledger.resize('x', 10).ok);
    assert.equal(ledger.unreserved('L', 0), 70);
    assert.throws(() => ledger.resize('nope', 1), UnknownReservationError);
    assert.throws(() => ledger.resize('x', -5), ReservationInvalidError);
  });

  it('values handed out are copies', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    const r = ledger.admit({ id: 'x', links: ['L'], bandwidthBps: 10 });
    assert.ok(r.ok);
    (r.reservation as { bandwidthBps: number }).bandwidthBps = 1000;
    assert.equal(ledger.get('x')?.bandwidthBps, 10);
  });
});

describe('queries for preemption', () => {
  it('onLink lists overlapping reservations at holding priority worse than s', () => {
    const ledger = ledgerOver({ L: rdm(1000), M: rdm(1000) });
    ledger.admit({ id: 'p7-early', links: ['L'], bandwidthBps: 1, setupPriority: 7, start: 0, end: 10 });
    ledger.admit({ id: 'p7-late', links: ['L'], bandwidthBps: 1, setupPriority: 7, start: 10, end: 20 });
    ledger.admit({ id: 'p3', links: ['L', 'M'], bandwidthBps: 1, setupPriority: 3, start: 0, end: 20 });
    ledger.admit({
      id: 'p5-ct1',
      links: ['L'],
      bandwidthBps: 1,
      setupPriority: 5,
      start: 5,
      end: 15,
      classType: 0,
    });
    const ids = (xs: { id: string }[]): string[] => xs.map((x) => x.id);
    assert.deepEqual(ids(ledger.onLink('L')), ['p3', 'p7-early', 'p5-ct1', 'p7-late']);
    assert.deepEqual(ids(ledger.onLink('L', { start: 10, end: 12 }, { holdingPriorityWorseThan: 4 })), [
      'p5-ct1',
      'p7-late',
    ]);
    assert.deepEqual(ids(ledger.onLink('L', { start: 0, end: 5 }, { holdingPriorityWorseThan: 3 })), [
      'p7-early',
    ]);
    assert.deepEqual(ids(ledger.onLink('L', {}, { holdingPriorityAtMost: 5 })), ['p3', 'p5-ct1']);
    assert.deepEqual(ids(ledger.onLink('M', { start: 20, end: 30 })), []);
  });

  it('unreservedTable gives the 8 × 8 TE-class figures', () => {
    const ledger = ledgerOver({ L: mam(100, 60, 50) });
    ledger.admit({ id: 'a', links: ['L'], classType: 0, setupPriority: 7, bandwidthBps: 40 });
    ledger.admit({ id: 'b', links: ['L'], classType: 1, setupPriority: 0, bandwidthBps: 30 });
    const t = ledger.unreservedTable('L');
    assert.deepEqual(t[0]!.slice(0, 3), [60, 20, 0]);
    assert.deepEqual(t[7]!.slice(0, 3), [20, 20, 0]);
  });
});

describe('commit: atomic batches', () => {
  it('preemption-style batch: release the victim then admit, in one step', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'victim', links: ['L'], bandwidthBps: 80, setupPriority: 7 });
    const result = ledger.commit([
      { op: 'release', id: 'victim' },
      { op: 'admit', request: { id: 'vip', links: ['L'], bandwidthBps: 90, setupPriority: 0 } },
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.reservations.map((r) => r.id),
      ['victim', 'vip'],
    );
    assert.deepEqual(
      ledger.reservations().map((r) => r.id),
      ['vip'],
    );
  });

  it('a refusal undoes every earlier operation', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 50 });
    ledger.admit({ id: 'b', links: ['L'], bandwidthBps: 20 });
    const before = ledger.snapshot();
    const result = ledger.commit([
      { op: 'resize', id: 'a', bandwidthBps: 10 },
      { op: 'release', id: 'b' },
      { op: 'admit', request: { id: 'c', links: ['L'], bandwidthBps: 40 } },
      { op: 'admit', request: { id: 'd', links: ['L'], bandwidthBps: 60 } },
    ]);
    assert.ok(!result.ok);
    assert.equal(result.index, 3);
    assert.equal(result.refusal.availableBps, 50);
    assert.deepEqual(ledger.snapshot(), before);
  });

  it('a thrown error also undoes earlier operations, then propagates', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 50 });
    const before = ledger.snapshot();
    assert.throws(
      () =>
        ledger.commit([
          { op: 'release', id: 'a' },
          { op: 'release', id: 'missing' },
        ]),
      UnknownReservationError,
    );
    assert.deepEqual(ledger.snapshot(), before);
  });
});

describe('snapshot / restore', () => {
  it('round-trips through JSON, Infinity included', () => {
    const ledger = ledgerOver({ L: rdm(100, 40), M: mam(50, 30, 30) });
    ledger.admit({
      id: 'a',
      owner: 'o',
      links: ['L', 'M'],
      bandwidthBps: 12.5,
      classType: 1,
      setupPriority: 2,
      holdingPriority: 1,
    });
    ledger.admit({ id: 'b', links: ['L'], bandwidthBps: 30, start: 100, end: 200 });
    const json = JSON.stringify(ledger.snapshot());
    const restored = ReservationLedger.restore(JSON.parse(json));
    assert.deepEqual(restored.snapshot(), ledger.snapshot());
    assert.equal(restored.get('a')?.end, Infinity);
    assert.equal(restored.unreserved('L', 1), ledger.unreserved('L', 1));
    assert.equal(JSON.parse(json).reservations[0].end, null);
  });

  it('the current topology replaces stored constraints; overbooked() finds links that no longer fit', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.admit({ id: 'a', links: ['L'], bandwidthBps: 80 });
    const restored = ReservationLedger.restore(ledger.snapshot(), [
      { id: 'L', bandwidthConstraints: rdm(50) },
    ]);
    assert.deepEqual(restored.overbooked(), ['L']);
    assert.deepEqual(ledger.overbooked(), []);
  });

  it('rejects malformed snapshots with SnapshotInvalidError', () => {
    assert.throws(() => ReservationLedger.restore(null), SnapshotInvalidError);
    assert.throws(
      () => ReservationLedger.restore({ format: 'svpn-te-ledger', version: 2 }),
      SnapshotInvalidError,
    );
    const bad = {
      format: 'svpn-te-ledger',
      version: 1,
      links: [{ id: 'L', model: 'RDM', maxReservableBps: 10, bc: [10] }],
      reservations: [
        {
          id: 'a',
          owner: '',
          links: ['Z'],
          bandwidthBps: 1,
          classType: 0,
          setupPriority: 7,
          holdingPriority: 7,
          start: 0,
          end: null,
        },
      ],
    };
    assert.throws(() => ReservationLedger.restore(bad), SnapshotInvalidError);
  });

  it('releasing everything restores the empty ledger exactly', () => {
    const ledger = ledgerOver({ L: rdm(100), M: rdm(100) });
    const empty = ledger.snapshot();
    ledger.admit({ id: 'a', links: ['L', 'M'], bandwidthBps: 10 });
    ledger.admit({ id: 'b', links: ['M'], bandwidthBps: 10, start: 3, end: 4 });
    ledger.resize('a', 30);
    ledger.release('b');
    ledger.release('a');
    assert.deepEqual(ledger.snapshot(), empty);
    assert.equal(ledger.activeLinkCount, 0);
    assert.equal(ledger.size, 0);
  });
});

describe('links', () => {
  it('virtual links can be defined, resized and removed when empty', () => {
    const ledger = ledgerOver({ L: rdm(100) });
    ledger.defineLink('agg-1', rdm(10));
    assert.ok(ledger.admit({ id: 'in', links: ['agg-1'], bandwidthBps: 10 }).ok);
    assert.equal(ledger.removeLink('agg-1'), false);
    ledger.defineLink('agg-1', rdm(5));
    assert.deepEqual(ledger.overbooked(), ['agg-1']);
    ledger.release('in');
    assert.equal(ledger.removeLink('agg-1'), true);
    assert.throws(() => ledger.constraintsOf('agg-1'), UnknownLinkError);
    assert.throws(
      () => ledger.defineLink('bad', { model: 'RDM', maxReservableBps: 10, bc: [5, 10] }),
      ReservationInvalidError,
    );
  });
});
