import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  applyEvent,
  ChargeEventMismatchError,
  isTerminalEvent,
  segmentsOf,
  type ChargeRecord,
  type ChargingEvent,
} from '../../src/index.js';
import { event, MBPS, session, T0 } from '../support/events.js';

const fold = (events: ChargingEvent[], from?: ChargeRecord): ChargeRecord => {
  let record = from;
  for (const e of events) record = applyEvent(record, e);
  assert.ok(record);
  return record;
};

describe('applyEvent', () => {
  test('a start opens a record with the session facts and no cost', () => {
    const r = applyEvent(
      undefined,
      event('start', 0, { lspId: 'lsp-1', ingressPe: 'PE1', peSessionId: 's-1' }),
    );
    assert.equal(r.status, 'open');
    assert.equal(r.customer, 'acme');
    assert.equal(r.vpnId, '00000a:00000001');
    assert.equal(r.grantedBps, 10 * MBPS);
    assert.equal(r.lspId, 'lsp-1');
    assert.equal(r.ingressPe, 'PE1');
    assert.equal(r.answerAt, T0);
    assert.equal(r.endAt, null);
    assert.equal(r.durationS, null);
    assert.equal(r.cost, null);
    assert.deepEqual(r.segments, [{ fromAt: T0, toAt: null, bps: 10 * MBPS }]);
    assert.equal(r.complete, false);
  });

  test('a stop closes it with end, duration (a started second counts), reason and bytes', () => {
    const [start] = session(0);
    const stop = event('stop', 1, { at: T0 + 61_500, endAt: T0 + 61_500, reason: 'bye', bytes: 123 });
    const r = fold([start!, stop]);
    assert.equal(r.status, 'closed');
    assert.equal(r.endAt, T0 + 61_500);
    assert.equal(r.durationMs, 61_500);
    assert.equal(r.durationS, 62);
    assert.equal(r.reason, 'bye');
    assert.equal(r.bytes, 123);
    assert.equal(r.complete, true);
    assert.deepEqual(r.segments, [{ fromAt: T0, toAt: T0 + 61_500, bps: 10 * MBPS }]);
  });

  test('a stop without a reason is a BYE; a terminal preempt without one is "preempted"', () => {
    const [start] = session(0);
    assert.equal(fold([start!, event('stop', 1, { endAt: T0 + 1000 })]).reason, 'bye');
    const preempted = fold([start!, event('preempt', 1, { at: T0 + 1000, endAt: T0 + 1000 })]);
    assert.equal(preempted.reason, 'preempted');
    assert.equal(preempted.status, 'closed');
    assert.equal(preempted.preemptedAt, T0 + 1000);
  });

  test('a preempt without endAt reduces the bandwidth (RFC 4495) and keeps the session open', () => {
    const [start] = session(0);
    const r = fold([start!, event('preempt', 1, { at: T0 + 30_000, grantedBps: 2 * MBPS })]);
    assert.equal(r.status, 'open');
    assert.equal(r.preemptedAt, T0 + 30_000);
    assert.equal(r.grantedBps, 2 * MBPS);
    assert.deepEqual(r.segments, [
      { fromAt: T0, toAt: T0 + 30_000, bps: 10 * MBPS },
      { fromAt: T0 + 30_000, toAt: null, bps: 2 * MBPS },
    ]);
    assert.equal(isTerminalEvent({ type: 'preempt', endAt: null }), false);
  });

  test('modify splits the session into segments; latest bandwidth is the record grantedBps', () => {
    const r = fold(
      session(
        90,
        [
          [30, 20 * MBPS],
          [60, 5 * MBPS],
        ],
        10 * MBPS,
      ),
    );
    assert.equal(r.grantedBps, 5 * MBPS);
    assert.deepEqual(r.segments, [
      { fromAt: T0, toAt: T0 + 30_000, bps: 10 * MBPS },
      { fromAt: T0 + 30_000, toAt: T0 + 60_000, bps: 20 * MBPS },
      { fromAt: T0 + 60_000, toAt: T0 + 90_000, bps: 5 * MBPS },
    ]);
  });

  test('a modify that keeps the bandwidth (class change) does not split a segment', () => {
    const r = fold(session(90, [[30, 10 * MBPS]]));
    assert.equal(r.segments.length, 1);
  });

  test('a duplicate event (same seq) returns the same record object', () => {
    const events = session(60, [[30, 20 * MBPS]]);
    const r = fold(events);
    for (const e of events) assert.equal(applyEvent(r, e), r);
  });

  test('an event of another session is refused', () => {
    const r = fold(session(60));
    assert.throws(() => applyEvent(r, event('stop', 5, { endAt: T0 }, 's-2')), ChargeEventMismatchError);
  });

  test('out of order: a stop before its start makes a closed, incomplete record; the start completes it', () => {
    const [start, modify, stop] = session(90, [[30, 20 * MBPS]]);
    const early = fold([stop!]);
    assert.equal(early.status, 'closed');
    assert.equal(early.complete, false);
    // Without the start, the earliest known bandwidth stands for the time before it.
    assert.deepEqual(early.segments, [{ fromAt: T0, toAt: T0 + 90_000, bps: 20 * MBPS }]);
    const withModify = fold([modify!], early);
    assert.equal(withModify.complete, false);
    const complete = fold([start!], withModify);
    assert.equal(complete.complete, true);
    assert.deepEqual(complete, fold([start!, modify!, stop!]));
  });

  test('a late modify (lower seq, arriving after the stop) still splits the right segment', () => {
    const [start, modify, stop] = session(90, [[30, 20 * MBPS]]);
    const r = fold([start!, stop!, modify!]);
    assert.deepEqual(r.segments, [
      { fromAt: T0, toAt: T0 + 30_000, bps: 10 * MBPS },
      { fromAt: T0 + 30_000, toAt: T0 + 90_000, bps: 20 * MBPS },
    ]);
  });

  test('events after the closing event do not change the facts or the end', () => {
    const [start, stop] = session(60);
    const late = event('modify', 2, { at: T0 + 70_000, grantedBps: 99 * MBPS, customer: 'globex' });
    const r = fold([start!, stop!, late]);
    assert.equal(r.customer, 'acme');
    assert.equal(r.endAt, T0 + 60_000);
    assert.deepEqual(r.segments, [{ fromAt: T0, toAt: T0 + 60_000, bps: 10 * MBPS }]);
    assert.deepEqual(r.fold.appliedSeqs, [0, 1, 2]);
  });

  test('the earliest terminal event closes the session: a preempt, then a BYE-stop', () => {
    const [start] = session(0);
    const preempt = event('preempt', 1, { at: T0 + 10_000, endAt: T0 + 10_000, reason: 'preempted' });
    const stop = event('stop', 2, { at: T0 + 12_000, endAt: T0 + 12_000, reason: 'bye', bytes: 777 });
    for (const order of [
      [start!, preempt, stop],
      [stop, preempt, start!],
      [preempt, stop, start!],
    ]) {
      const r = fold(order);
      assert.equal(r.reason, 'preempted');
      assert.equal(r.endAt, T0 + 10_000);
      assert.equal(r.bytes, 777, 'bytes still come from the later stop');
      assert.equal(r.fold.closedBySeq, 1);
    }
  });

  test('an unanswered session closes with no segments', () => {
    const r = fold([
      event('start', 0, { answerAt: null }),
      event('stop', 1, { answerAt: null, endAt: T0 + 5000, reason: 'cancel' }),
    ]);
    assert.equal(r.status, 'closed');
    assert.equal(r.answerAt, null);
    assert.equal(r.durationS, null);
    assert.deepEqual(r.segments, []);
  });

  test('answerAt may arrive in a later event than the start', () => {
    const r = fold([
      event('start', 0, { answerAt: null }),
      event('modify', 1, { at: T0 + 2000, answerAt: T0 + 2000 }),
      event('stop', 2, { at: T0 + 62_000, endAt: T0 + 62_000, answerAt: T0 + 2000 }),
    ]);
    assert.equal(r.answerAt, T0 + 2000);
    assert.equal(r.durationS, 60);
  });

  test('property: any order, with any duplicates, folds to the same record', () => {
    const base = session(
      125,
      [
        [10, 20 * MBPS],
        [40, 5 * MBPS],
        [40, 7 * MBPS],
        [100, 50 * MBPS],
      ],
      1 * MBPS,
    );
    base[base.length - 1] = { ...base[base.length - 1]!, bytes: 42 };
    const expected = fold(base);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(base, { minLength: base.length, maxLength: base.length }),
        fc.array(fc.nat(base.length - 1), { maxLength: 6 }),
        (order, dupes) => {
          const events = [...order];
          for (const i of dupes) events.splice(i % (events.length + 1), 0, base[i]!);
          assert.deepEqual(fold(events), expected);
        },
      ),
      { numRuns: 200, seed: 4 },
    );
  });
});

describe('segmentsOf', () => {
  const c = (seq: number, atS: number, bps: number) => ({ seq, at: T0 + atS * 1000, bps });
  const cases: {
    name: string;
    changes: ReturnType<typeof c>[];
    answerS: number | null;
    endS: number | null;
    want: [fromS: number, toS: number | null, bps: number][];
  }[] = [
    { name: 'unanswered', changes: [c(0, 0, 1)], answerS: null, endS: 10, want: [] },
    { name: 'one bandwidth', changes: [c(0, 0, 5)], answerS: 2, endS: 10, want: [[2, 10, 5]] },
    {
      name: 'a change before the answer sets the first bandwidth',
      changes: [c(0, 0, 5), c(1, 1, 7)],
      answerS: 2,
      endS: 10,
      want: [[2, 10, 7]],
    },
    {
      name: 'a change at the end is ignored',
      changes: [c(0, 0, 5), c(1, 10, 7)],
      answerS: 0,
      endS: 10,
      want: [[0, 10, 5]],
    },
    {
      name: 'two changes at one instant: the later seq wins, no empty segment',
      changes: [c(0, 0, 5), c(1, 4, 9), c(2, 4, 3)],
      answerS: 0,
      endS: 10,
      want: [
        [0, 4, 5],
        [4, 10, 3],
      ],
    },
    {
      name: 'a change back to the previous bandwidth at the same instant merges',
      changes: [c(0, 0, 5), c(1, 4, 9), c(2, 4, 5)],
      answerS: 0,
      endS: 10,
      want: [[0, 10, 5]],
    },
    {
      name: 'a change whose at runs backwards takes effect at the earlier seq instant',
      changes: [c(0, 0, 5), c(1, 6, 9), c(2, 3, 2)],
      answerS: 0,
      endS: 10,
      want: [
        [0, 6, 5],
        [6, 10, 2],
      ],
    },
    {
      name: 'open',
      changes: [c(0, 0, 5), c(1, 3, 6)],
      answerS: 0,
      endS: null,
      want: [
        [0, 3, 5],
        [3, null, 6],
      ],
    },
  ];
  for (const k of cases) {
    test(k.name, () => {
      const got = segmentsOf(
        k.changes,
        k.answerS === null ? null : T0 + k.answerS * 1000,
        k.endS === null ? null : T0 + k.endS * 1000,
      );
      assert.deepEqual(
        got.map((s) => [(s.fromAt - T0) / 1000, s.toAt === null ? null : (s.toAt - T0) / 1000, s.bps]),
        k.want,
      );
    });
  }
});
