import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tspec } from '@svpn/qos';
import {
  AggregateManager,
  AggregationConfigInvalidError,
  DuplicateFlowError,
  UnknownAggregateError,
  UnknownFlowError,
  type AggregationLayer,
  type AggregationResult,
} from '../../src/index.js';
import { ledgerFor, topology, type LinkRow } from './network.js';

/** A flow of n G.711-like packets: r = n × 10 000 B/s in 200 B packets. */
const voice = (n: number): Tspec => ({ r: n * 10_000, b: 200, p: n * 10_000, m: 200, M: 200 });
/** A Tspec of exactly `bps` bit/s in 1000 B packets. */
const rate = (bps: number): Tspec => ({ r: bps / 8, b: 1_000, p: bps / 8, m: 1_000, M: 1_000 });

/** PE1 → P → PE2 (metric 2) and PE1 → Q → PE2 (metric 2, Q links bigger), one layer, two MPLS labels. */
function provider(rows: LinkRow[] = [], layer: Partial<AggregationLayer> = {}) {
  const topo = topology([
    ['PE1', 'P', 10_000_000],
    ['P', 'PE2', 10_000_000],
    ['PE3', 'P', 10_000_000],
    ...rows,
  ]);
  const ledger = ledgerFor(topo);
  const manager = new AggregateManager(ledger, {
    layers: [{ name: 'provider', topology: topo, overheadBytes: 8, bulkBps: 1_000_000, ...layer }],
  });
  return { topo, ledger, manager };
}

function ok(r: AggregationResult): Extract<AggregationResult, { ok: true }> {
  assert.ok(r.ok, JSON.stringify(r));
  return r;
}

const AGG = 'aggregate:provider:PE1->PE2:CT0:routine';

describe('AggregateManager: one layer', () => {
  it('the first flow opens an aggregate of one bulk step on the CSPF path; the flow rides its tunnel link', () => {
    const { ledger, manager } = provider();
    const r = ok(
      manager.addFlow({ id: 'f1', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }),
    );
    assert.deepEqual(
      r.actions.map((a) => [a.target, a.id, a.action, a.toBps]),
      [
        ['aggregate', AGG, 'create', 1_000_000],
        ['flow', 'f1', 'create', 80_000],
      ],
    );
    assert.deepEqual(ledger.get(AGG)?.links, ['PE1->P', 'P->PE2']);
    assert.equal(ledger.get(AGG)?.bandwidthBps, 1_000_000);
    assert.deepEqual(ledger.get('f1')?.links, ['tunnel:provider:PE1->PE2:CT0:routine']);
    assert.equal(ledger.constraintsOf('tunnel:provider:PE1->PE2:CT0:routine').maxReservableBps, 1_000_000);
    // RFC 3209 priorities of the level (routine = 4/4 by default) on both.
    assert.equal(ledger.get(AGG)?.setupPriority, 4);
    assert.equal(ledger.get('f1')?.holdingPriority, 4);
  });

  it('CSPF avoids a link that lacks room at the level’s setup priority', () => {
    const { ledger, manager } = provider([
      ['PE1', 'Q', 10_000_000],
      ['Q', 'PE2', 10_000_000],
    ]);
    // Fill PE1→P with something routine cannot preempt.
    assert.ok(ledger.admit({ id: 'busy', links: ['PE1->P'], bandwidthBps: 9_500_000, setupPriority: 2 }).ok);
    ok(manager.addFlow({ id: 'f1', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }));
    assert.deepEqual(ledger.get(AGG)?.links, ['PE1->Q', 'Q->PE2']);
  });

  it('grows in bulk steps and shrinks only below size − bulk − hysteresis (RFC 3175 §1.4.4)', () => {
    const { manager } = provider([], { hysteresisBps: 200_000 });
    const size = () => manager.aggregate(AGG)?.sizeBps;
    // Each 480 kbit/s flow needs ⌈60 000·1008/1000⌉ = 60 480 B/s = 483 840 bit/s in the tunnel.
    const steps: [op: () => AggregationResult, required: number, size: number][] = [
      [
        () =>
          manager.addFlow({ id: 'a', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }),
        483_840,
        1_000_000,
      ],
      [
        () =>
          manager.addFlow({ id: 'b', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }),
        967_680,
        1_000_000,
      ],
      [
        () =>
          manager.addFlow({ id: 'c', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }),
        1_451_520,
        2_000_000,
      ],
      [
        () =>
          manager.addFlow({ id: 'd', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }),
        1_935_360,
        2_000_000,
      ],
      [
        () =>
          manager.addFlow({ id: 'e', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }),
        2_419_200,
        3_000_000,
      ],
      // 1 935 360 ≥ 3 000 000 − 1 000 000 − 200 000 = 1 800 000: keep.
      [() => manager.removeFlow('e'), 1_935_360, 3_000_000],
      // 1 451 520 < 1 800 000: shrink to the smallest covering step.
      [() => manager.removeFlow('d'), 1_451_520, 2_000_000],
      [() => manager.removeFlow('c'), 967_680, 2_000_000],
      [() => manager.removeFlow('b'), 483_840, 1_000_000],
    ];
    for (const [op, required, expected] of steps) {
      ok(op());
      assert.equal(manager.aggregate(AGG)?.requiredBps, required);
      assert.equal(size(), expected);
    }
  });

  it('releasing the last flow releases the aggregate and its tunnel link: the ledger is exactly as before', () => {
    const { ledger, manager } = provider();
    const empty = JSON.stringify(ledger.snapshot());
    ok(manager.addFlow({ id: 'f1', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }));
    ok(manager.addFlow({ id: 'f2', ingress: 'PE3', egress: 'PE2', level: 'flash', tspec: voice(2) }));
    const r = ok(manager.removeFlow('f1'));
    assert.deepEqual(
      r.actions.map((a) => [a.id, a.action]),
      [
        ['f1', 'end'],
        [AGG, 'end'],
      ],
    );
    ok(manager.removeFlow('f2'));
    assert.deepEqual(manager.aggregates(), []);
    assert.equal(JSON.stringify(ledger.snapshot()), empty);
  });

  it('one aggregate per class type and per precedence level (seed 003 §2.3.3)', () => {
    const { manager } = provider([], {});
    ok(manager.addFlow({ id: 'a', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }));
    ok(manager.addFlow({ id: 'b', ingress: 'PE1', egress: 'PE2', level: 'flash', tspec: voice(1) }));
    ok(
      manager.addFlow({
        id: 'c',
        ingress: 'PE1',
        egress: 'PE2',
        level: 'routine',
        classType: 0,
        tspec: voice(1),
      }),
    );
    assert.deepEqual(
      manager.aggregates().map((a) => [a.id, a.contents.map((c) => c.id)]),
      [
        ['aggregate:provider:PE1->PE2:CT0:flash', ['b']],
        [AGG, ['a', 'c']],
      ],
    );
    assert.equal(manager.aggregateFor({ ingress: 'PE1', egress: 'PE2', level: 'flash' })?.contents.length, 1);
  });

  it('resizeFlow grows and shrinks the flow and its aggregate', () => {
    const { ledger, manager } = provider();
    ok(manager.addFlow({ id: 'a', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(480_000) }));
    const grow = ok(manager.resizeFlow('a', rate(1_600_000)));
    assert.deepEqual(
      grow.actions.map((a) => [a.id, a.action, a.fromBps, a.toBps]),
      [
        [AGG, 'grow', 1_000_000, 2_000_000],
        ['a', 'grow', 480_000, 1_600_000],
      ],
    );
    assert.equal(ledger.get('a')?.bandwidthBps, 1_600_000);
    ok(manager.resizeFlow('a', rate(80_000)));
    assert.equal(manager.aggregate(AGG)?.sizeBps, 1_000_000);
    assert.equal(ledger.get('a')?.bandwidthBps, 80_000);
  });
});

describe('AggregateManager: refusals leave everything as it was', () => {
  it('no room and nothing preemptable: TE_NO_BANDWIDTH (or TE_NO_PATH from CSPF), nothing changed', () => {
    const { ledger, manager } = provider();
    ok(manager.addFlow({ id: 'a', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: rate(4_000_000) }));
    assert.ok(ledger.admit({ id: 'flash', links: ['P->PE2'], bandwidthBps: 5_000_000, setupPriority: 0 }).ok);
    const before = JSON.stringify(ledger.snapshot());
    const views = JSON.stringify([manager.aggregates(), manager.flows()]);
    const r = manager.resizeFlow('a', rate(6_000_000));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.refusal.code, 'TE_NO_BANDWIDTH');
      assert.equal(r.refusal.link, 'P->PE2');
      assert.equal(r.refusal.reservationId, AGG);
    }
    const r2 = manager.addFlow({
      id: 'b',
      ingress: 'PE3',
      egress: 'PE2',
      level: 'routine',
      tspec: rate(2_000_000),
    });
    assert.equal(r2.ok, false);
    if (!r2.ok) assert.equal(r2.refusal.code, 'TE_NO_PATH');
    assert.equal(JSON.stringify(ledger.snapshot()), before);
    assert.equal(JSON.stringify([manager.aggregates(), manager.flows()]), views);
  });

  it('a nested add whose carrier grew but whose own link is full is undone entirely', () => {
    const core = topology([
      ['P1', 'X', 5_000_000],
      ['X', 'P2', 5_000_000],
    ]);
    const edge = topology([
      ['A', 'P1', 500_000],
      ['P2', 'B', 10_000_000],
    ]);
    const ledger = ledgerFor(core, edge);
    const manager = new AggregateManager(ledger, {
      layers: [
        {
          name: 'edge',
          topology: edge,
          overheadBytes: 8,
          bulkBps: 100_000,
          carriers: [{ from: 'P1', to: 'P2', layer: 'core' }],
        },
        { name: 'core', topology: core, overheadBytes: 24, bulkBps: 1_000_000 },
      ],
    });
    const empty = JSON.stringify(ledger.snapshot());
    // A→P1 has 500 kbit/s; the edge aggregate would need 700 kbit/s.
    assert.ok(ledger.admit({ id: 'x', links: ['A->P1'], bandwidthBps: 1, setupPriority: 0 }).ok);
    const withX = JSON.stringify(ledger.snapshot());
    const r = manager.addFlow({ id: 'f', ingress: 'A', egress: 'B', level: 'routine', tspec: rate(640_000) });
    assert.equal(r.ok, false);
    assert.equal(JSON.stringify(ledger.snapshot()), withX);
    assert.deepEqual(manager.aggregates(), []);
    ledger.release('x');
    assert.equal(JSON.stringify(ledger.snapshot()), empty);
  });
});

describe('AggregateManager: RFC 4495 reduction and de-aggregation', () => {
  function loaded() {
    const net = provider();
    // Three 240 kbit/s flows (241 920 bit/s each in the tunnel): 725 760 → 1 Mbit/s aggregate.
    for (const [id, defendingPriority, min] of [
      ['old-low', 10_000, 100_000],
      ['new-low', 10_000, undefined],
      ['high', 15_000, 100_000],
    ] as const)
      ok(
        net.manager.addFlow({
          id,
          ingress: 'PE1',
          egress: 'PE2',
          level: 'routine',
          tspec: rate(240_000),
          defendingPriority,
          ...(min === undefined ? {} : { minBandwidthBps: min }),
        }),
      );
    return net;
  }

  it('the de-aggregator (the egress PE) cuts the lowest defending priority first; a flow without a floor is ended', () => {
    const { ledger, manager } = loaded();
    // Reduce to 600 000: 725 760 − 600 000 = 125 760 to shed; the two low flows go first, newest first.
    const r = ok(manager.reduceAggregate(AGG, 600_000));
    assert.deepEqual(
      r.actions.map((a) => [a.id, a.action, a.toBps, a.cause, a.deaggregator]),
      [
        [AGG, 'reduce', 600_000, 'reduction', undefined],
        ['new-low', 'end', 0, 'deaggregation', 'PE2'],
      ],
    );
    assert.equal(ledger.get(AGG)?.bandwidthBps, 600_000);
    assert.equal(ledger.constraintsOf('tunnel:provider:PE1->PE2:CT0:routine').maxReservableBps, 600_000);
    assert.ok(manager.aggregate(AGG)!.requiredBps <= 600_000);
  });

  it('a flow with a floor is reduced to what fits (re-reserving at the stated bandwidth)', () => {
    const { ledger, manager } = loaded();
    ok(manager.removeFlow('new-low'));
    // 483 840 in the tunnel; reduce to 400 000 → old-low may keep 241 920 − 83 840 = 158 080 in the
    // tunnel: ⌊⌊158 080/8⌋·1000/1008⌋ = ⌊19 760·1000/1008⌋ = 19 603 B/s = 156 824 bit/s ≥ its 100 000 floor.
    const r = ok(manager.reduceAggregate(AGG, 400_000));
    assert.deepEqual(
      r.actions.map((a) => [a.id, a.action, a.toBps]),
      [
        [AGG, 'reduce', 400_000],
        ['old-low', 'reduce', 156_824],
      ],
    );
    assert.equal(ledger.get('old-low')?.bandwidthBps, 156_824);
    assert.equal(manager.flow('high')?.bandwidthBps, 240_000);
  });

  it('reduced to zero, the aggregate and everything it carries are torn down', () => {
    const { ledger, manager } = loaded();
    const r = ok(manager.reduceAggregate(AGG, 0));
    assert.deepEqual(r.actions.map((a) => [a.id, a.action]).sort(), [
      [AGG, 'end'],
      ['high', 'end'],
      ['new-low', 'end'],
      ['old-low', 'end'],
    ]);
    assert.equal(ledger.size, 0);
    assert.deepEqual(manager.flows(), []);
  });

  it('a reduction must lower the size', () => {
    const { manager } = loaded();
    assert.throws(() => manager.reduceAggregate(AGG, 1_000_000), { code: 'TE_RESERVATION_INVALID' });
    assert.throws(() => manager.reduceAggregate('nope', 1), UnknownAggregateError);
  });
});

describe('AggregateManager: growth preempts less important reservations', () => {
  it('a foreign reservation is reduced under the caller’s RFC 4495 policy, and reported', () => {
    const topo = topology([
      ['PE1', 'P', 3_000_000],
      ['P', 'PE2', 3_000_000],
    ]);
    const ledger = ledgerFor(topo);
    const manager = new AggregateManager(ledger, {
      layers: [{ name: 'provider', topology: topo, overheadBytes: 8, bulkBps: 1_000_000 }],
      victimPolicy: () => ({ minBandwidthBps: 500_000 }),
    });
    assert.ok(
      ledger.admit({ id: 'bulk-data', links: ['P->PE2'], bandwidthBps: 2_500_000, setupPriority: 6 }).ok,
    );
    const r = ok(
      manager.addFlow({ id: 'f', ingress: 'PE1', egress: 'PE2', level: 'flash', tspec: rate(1_500_000) }),
    );
    assert.deepEqual(
      r.actions.map((a) => [a.target, a.id, a.action, a.toBps, a.preemptedBy]),
      [
        ['reservation', 'bulk-data', 'reduce', 1_000_000, 'aggregate:provider:PE1->PE2:CT0:flash'],
        ['aggregate', 'aggregate:provider:PE1->PE2:CT0:flash', 'create', 2_000_000, undefined],
        ['flow', 'f', 'create', 1_500_000, undefined],
      ],
    );
    assert.equal(ledger.get('bulk-data')?.bandwidthBps, 1_000_000);
  });

  it('a routine flow on a shared access link is reduced for a flash flow, and its aggregate follows', () => {
    const topo = topology([
      ['E', 'PE1', 1_000_000],
      ['PE1', 'P', 10_000_000],
      ['P', 'PE2', 10_000_000],
    ]);
    const ledger = ledgerFor(topo);
    const manager = new AggregateManager(ledger, {
      layers: [{ name: 'provider', topology: topo, overheadBytes: 8, bulkBps: 200_000 }],
    });
    ok(
      manager.addFlow({
        id: 'routine',
        ingress: 'PE1',
        egress: 'PE2',
        level: 'routine',
        tspec: rate(800_000),
        minBandwidthBps: 200_000,
        linksBefore: ['E->PE1'],
      }),
    );
    const r = ok(
      manager.addFlow({
        id: 'flash',
        ingress: 'PE1',
        egress: 'PE2',
        level: 'flash',
        tspec: rate(600_000),
        linksBefore: ['E->PE1'],
      }),
    );
    assert.deepEqual(
      r.actions.filter((a) => a.cause !== 'demand').map((a) => [a.id, a.action, a.toBps, a.preemptedBy]),
      [['routine', 'reduce', 400_000, 'flash']],
    );
    assert.equal(ledger.get('routine')?.bandwidthBps, 400_000);
    // 400 000 in 1000 B packets + 8 B → 403 200 in the tunnel: 1 Mbit/s → 600 kbit/s once below 800 000.
    assert.equal(manager.aggregate(AGG)?.requiredBps, 403_200);
    assert.equal(manager.aggregate(AGG)?.sizeBps, 600_000);
    assert.deepEqual(ledger.overbooked(), []);
  });
});

describe('AggregateManager: typed errors for bad input', () => {
  const { ledger, manager } = provider();
  ledger.admit({ id: 'taken', links: ['PE1->P'], bandwidthBps: 1 });
  ok(manager.addFlow({ id: 'f', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }));

  it('duplicate and unknown flows', () => {
    assert.throws(
      () => manager.addFlow({ id: 'f', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }),
      DuplicateFlowError,
    );
    assert.throws(
      () =>
        manager.addFlow({ id: 'taken', ingress: 'PE1', egress: 'PE2', level: 'routine', tspec: voice(1) }),
      { code: 'TE_FLOW_DUPLICATE' },
    );
    assert.throws(() => manager.removeFlow('ghost'), UnknownFlowError);
    assert.throws(() => manager.resizeFlow('ghost', voice(1)), { code: 'TE_FLOW_UNKNOWN' });
  });

  it('malformed flows are TE_FLOW_INVALID', () => {
    const base = { id: 'n', ingress: 'PE1', egress: 'PE2', level: 'routine' as const, tspec: voice(1) };
    for (const bad of [
      { ...base, ingress: 'nowhere' },
      { ...base, egress: 'PE1' },
      { ...base, level: 'urgent' as never },
      { ...base, classType: 8 },
      { ...base, tspec: { ...voice(1), m: 0 } },
      { ...base, tspec: { ...voice(1), p: 1 } },
      { ...base, minBandwidthBps: -1 },
      { ...base, layer: 'nope' },
    ])
      assert.throws(() => manager.addFlow(bad), { code: 'TE_FLOW_INVALID' });
    assert.throws(() => manager.addFlow({ ...base, linksBefore: ['no-such-link'] }), {
      code: 'TE_LINK_UNKNOWN',
    });
  });

  it('inconsistent layers are TE_AGGREGATION_CONFIG_INVALID, with every issue listed', () => {
    const a = topology([['A', 'B', 1]]);
    const b = topology([['C', 'D', 1]]);
    const ledger2 = ledgerFor(a);
    assert.throws(
      () =>
        new AggregateManager(ledger2, {
          layers: [
            { name: 'x', topology: a, overheadBytes: 8, carriers: [{ from: 'A', to: 'B', layer: 'y' }] },
            {
              name: 'y',
              topology: b,
              overheadBytes: -1,
              bulkBps: 0,
              carriers: [{ from: 'C', to: 'D', layer: 'x' }],
            },
          ],
        }),
      (err: unknown) => {
        assert.ok(err instanceof AggregationConfigInvalidError);
        assert.equal(err.code, 'TE_AGGREGATION_CONFIG_INVALID' as string);
        const text = err.issues.join('\n');
        for (const part of ['overheadBytes', 'bulkBps', '"C->D" is not in the ledger', 'cycle'])
          assert.match(text, new RegExp(part));
        return true;
      },
    );
    assert.throws(() => new AggregateManager(ledger2, { layers: [] }), AggregationConfigInvalidError);
  });
});
