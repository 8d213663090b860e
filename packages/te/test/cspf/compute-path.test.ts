import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  NoPathError,
  PathRequestInvalidError,
  ReservationLedger,
  SeededRandom,
  Topology,
  UnknownNodeError,
  computePath,
  defaultBandwidthConstraints,
  generateTopology,
  parseTopology,
  type NoPathReason,
  type TeLink,
} from '../../src/index.js';

const demo = parseTopology(
  readFileSync(new URL('../../../../deploy/demo/topology.yaml', import.meta.url), 'utf8'),
);
const id = (bundle: string, from: string, to: string): string => `${bundle}:${from}->${to}`;

/** A topology from `a b metric capacity [srlgs] [groups]` two-way links. */
function graph(
  spec: [a: string, b: string, metric: number, capacity: number, srlgs?: number[], groups?: number][],
): Topology {
  const names = [...new Set(spec.flatMap(([a, b]) => [a, b]))];
  const nodes = names.map((n, i) => ({ id: n, kind: 'P' as const, routerId: `10.0.0.${i + 1}` }));
  const links: Omit<TeLink, 'index'>[] = [];
  for (const [a, b, teMetric, cap, srlgs = [], groups = 0] of spec) {
    const common = {
      bundleId: `${a}${b}`,
      maxReservableBps: cap,
      teMetric,
      delayUs: teMetric * 10,
      adminGroups: groups,
      srlgs,
      bandwidthConstraints: defaultBandwidthConstraints(cap),
    };
    links.push({ ...common, id: `${a}${b}:${a}->${b}`, reverseId: `${a}${b}:${b}->${a}`, from: a, to: b });
    links.push({ ...common, id: `${a}${b}:${b}->${a}`, reverseId: `${a}${b}:${a}->${b}`, from: b, to: a });
  }
  return Topology.create({ nodes, links, adminGroupNames: { red: 0, blue: 1 } });
}

function reason(fn: () => unknown): NoPathReason {
  try {
    fn();
  } catch (err) {
    if (err instanceof NoPathError) {
      assert.equal(err.code, 'TE_NO_PATH');
      return err.reason;
    }
    throw err;
  }
  assert.fail('expected NoPathError');
}

describe('CSPF on the demo network', () => {
  it('shortest TE metric: PE1 → PE4 over the 1G core (metric 42)', () => {
    const { primary } = computePath(demo, undefined, { from: 'PE1', to: 'PE4', bandwidthBps: 100e6 });
    assert.deepEqual(primary.nodes, ['PE1', 'P2', 'P3', 'PE4']);
    assert.deepEqual(primary.links, [
      id('PE1-P2', 'PE1', 'P2'),
      id('P2-P3', 'P2', 'P3'),
      id('PE4-P3', 'P3', 'PE4'),
    ]);
    assert.equal(primary.teMetric, 42);
    assert.equal(primary.hops, 3);
    assert.equal(primary.delayUs, 200 + 4000 + 160);
    assert.equal(primary.minUnreservedBps, 1e9);
  });

  it('prunes the bottleneck when it lacks the bandwidth: 2G goes round by P1–P4', () => {
    const { primary } = computePath(demo, undefined, { from: 'PE1', to: 'PE4', bandwidthBps: 2e9 });
    assert.deepEqual(primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    assert.equal(primary.teMetric, 65);
  });

  it('prunes on the class type: CT1 may use only 40 % of the 1G core (RDM BC1)', () => {
    const fits = computePath(demo, undefined, { from: 'PE1', to: 'PE4', bandwidthBps: 400e6, classType: 1 });
    assert.deepEqual(fits.primary.nodes, ['PE1', 'P2', 'P3', 'PE4']);
    const detour = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE4',
      bandwidthBps: 401e6,
      classType: 1,
    });
    assert.deepEqual(detour.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    // CT1 on the MAM detour: BC1 = 30 % of 2.5G = 750M.
    assert.equal(
      reason(() =>
        computePath(demo, undefined, { from: 'PE1', to: 'PE4', bandwidthBps: 751e6, classType: 1 }),
      ),
      'insufficient-bandwidth',
    );
  });

  it('uses the ledger at the setup priority: preemptable bandwidth counts as available', () => {
    const ledger = new ReservationLedger(demo);
    ledger.admit({ id: 'bulk', links: [id('P2-P3', 'P2', 'P3')], bandwidthBps: 900e6, setupPriority: 5 });
    const low = computePath(demo, ledger, { from: 'PE1', to: 'PE4', bandwidthBps: 200e6, setupPriority: 7 });
    assert.deepEqual(low.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    const same = computePath(demo, ledger, { from: 'PE1', to: 'PE4', bandwidthBps: 200e6, setupPriority: 5 });
    assert.deepEqual(same.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    const high = computePath(demo, ledger, { from: 'PE1', to: 'PE4', bandwidthBps: 200e6, setupPriority: 4 });
    assert.deepEqual(high.primary.nodes, ['PE1', 'P2', 'P3', 'PE4']);
    // The reverse direction is a different link and is untouched.
    const back = computePath(demo, ledger, { from: 'PE4', to: 'PE1', bandwidthBps: 900e6 });
    assert.deepEqual(back.primary.nodes, ['PE4', 'P3', 'P2', 'PE1']);
  });

  it('checks the requested interval only', () => {
    const ledger = new ReservationLedger(demo);
    ledger.admit({
      id: 'later',
      links: [id('P2-P3', 'P2', 'P3')],
      bandwidthBps: 1e9,
      start: 1000,
      end: 2000,
    });
    const before = computePath(demo, ledger, {
      from: 'PE1',
      to: 'PE4',
      bandwidthBps: 1e6,
      start: 0,
      end: 1000,
    });
    assert.deepEqual(before.primary.nodes, ['PE1', 'P2', 'P3', 'PE4']);
    const during = computePath(demo, ledger, {
      from: 'PE1',
      to: 'PE4',
      bandwidthBps: 1e6,
      start: 500,
      end: 1500,
    });
    assert.deepEqual(during.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
  });

  it('admin groups: include-all, include-any, exclude (RFC 3209 §4.7.4)', () => {
    const gold = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE4',
      adminGroups: { includeAll: ['gold'] },
    });
    assert.deepEqual(gold.primary.nodes, ['PE1', 'P1', 'P2', 'P3', 'PE4']); // PE1–P2 is silver only
    const leasedOrGold = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE4',
      bandwidthBps: 2e9,
      adminGroups: { includeAny: ['gold', 'leased'] },
    });
    assert.deepEqual(leasedOrGold.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    assert.equal(
      reason(() =>
        computePath(demo, undefined, {
          from: 'PE1',
          to: 'PE4',
          bandwidthBps: 2e9,
          adminGroups: { exclude: ['leased'] },
        }),
      ),
      'insufficient-bandwidth',
    );
    assert.equal(
      reason(() =>
        computePath(demo, undefined, { from: 'PE1', to: 'PE4', adminGroups: { includeAll: 1 << 2 } }),
      ),
      'constraints',
    );
    assert.throws(
      () => computePath(demo, undefined, { from: 'PE1', to: 'PE4', adminGroups: { exclude: ['pink'] } }),
      PathRequestInvalidError,
    );
  });

  it('explicit route: strict and loose hops (RFC 3209 §4.3)', () => {
    const strict = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE4',
      explicitRoute: [{ node: 'PE1' }, { node: 'P1' }, { node: 'P2' }],
    });
    assert.deepEqual(strict.primary.nodes, ['PE1', 'P1', 'P2', 'P3', 'PE4']);
    // Loose P1, then the shortest way on to PE6 (over the core, metric 40, not P1–P4, metric 50).
    const loose = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE6',
      explicitRoute: [{ node: 'P1', loose: true }],
    });
    assert.deepEqual(loose.primary.nodes, ['PE1', 'P1', 'P2', 'P3', 'P4', 'PE6']);
    assert.equal(loose.primary.teMetric, 50);
    const viaP3 = computePath(demo, undefined, {
      from: 'PE2',
      to: 'PE6',
      explicitRoute: [{ node: 'P3', loose: true }, { node: 'P4' }],
    });
    assert.deepEqual(viaP3.primary.nodes, ['PE2', 'P1', 'P2', 'P3', 'P4', 'PE6']);
    // P3 is not adjacent to PE1: a strict hop there is impossible.
    assert.equal(
      reason(() => computePath(demo, undefined, { from: 'PE1', to: 'PE4', explicitRoute: [{ node: 'P3' }] })),
      'constraints',
    );
    // Visiting P2 twice would loop.
    assert.equal(
      reason(() =>
        computePath(demo, undefined, {
          from: 'PE1',
          to: 'PE3',
          explicitRoute: [{ node: 'P2' }, { node: 'P1' }, { node: 'P2' }],
        }),
      ),
      'constraints',
    );
    assert.throws(
      () => computePath(demo, undefined, { from: 'PE1', to: 'PE4', explicitRoute: [{ node: 'X' }] }),
      PathRequestInvalidError,
    );
  });

  it('exclusions: links, nodes, SRLGs', () => {
    const noCore = computePath(demo, undefined, { from: 'PE1', to: 'PE4', excludeSrlgs: [100] });
    assert.deepEqual(noCore.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    const noP2 = computePath(demo, undefined, { from: 'PE1', to: 'PE4', excludeNodes: ['P2'] });
    assert.deepEqual(noP2.primary.nodes, ['PE1', 'P1', 'P4', 'P3', 'PE4']);
    const noLink = computePath(demo, undefined, {
      from: 'PE1',
      to: 'PE4',
      excludeLinks: [id('PE1-P2', 'PE1', 'P2')],
    });
    assert.deepEqual(noLink.primary.nodes, ['PE1', 'P1', 'P2', 'P3', 'PE4']);
    assert.equal(
      reason(() => computePath(demo, undefined, { from: 'PE1', to: 'PE4', excludeNodes: ['P3'] })),
      'constraints',
    );
  });

  it('SRLG-disjoint secondary avoids the primary’s ducts', () => {
    const { primary, secondary } = computePath(demo, undefined, { from: 'PE1', to: 'PE5', disjoint: 'srlg' });
    assert.deepEqual(primary.nodes, ['PE1', 'P2', 'P3', 'PE5']);
    assert.deepEqual(secondary?.nodes, ['PE1', 'P1', 'P4', 'PE5']);
    const used = new Set(primary.links.flatMap((l) => demo.link(l).srlgs));
    for (const l of secondary!.links)
      for (const s of demo.link(l).srlgs) assert.ok(!used.has(s), `SRLG ${s} shared`);
  });

  it('PE2 has a single uplink: no SRLG-disjoint secondary exists', () => {
    assert.equal(
      reason(() => computePath(demo, undefined, { from: 'PE2', to: 'PE5', disjoint: 'srlg' })),
      'no-disjoint-path',
    );
  });

  it('bad input', () => {
    assert.throws(() => computePath(demo, undefined, { from: 'PE1', to: 'NOPE' }), UnknownNodeError);
    assert.throws(
      () => computePath(demo, undefined, { from: 'PE1', to: 'PE2', bandwidthBps: -1 }),
      PathRequestInvalidError,
    );
    assert.throws(
      () => computePath(demo, undefined, { from: 'PE1', to: 'PE2', classType: 9 }),
      PathRequestInvalidError,
    );
  });
});

describe('CSPF tie-breaks (equal TE metric)', () => {
  // S–A–D and S–B–D both metric 2, bottlenecks 30 and 70; S–C–E–D metric 2 too but three hops.
  const t = graph([
    ['S', 'A', 1, 30],
    ['A', 'D', 1, 100],
    ['S', 'B', 1, 70],
    ['B', 'D', 1, 100],
    ['S', 'C', 0.5, 1000],
    ['C', 'E', 0.5, 1000],
    ['E', 'D', 1, 1000],
  ]);

  it('fewest hops first, then least-fill picks the largest bottleneck', () => {
    assert.deepEqual(computePath(t, undefined, { from: 'S', to: 'D' }).primary.nodes, ['S', 'B', 'D']);
  });
  it('most-fill picks the smallest bottleneck', () => {
    assert.deepEqual(computePath(t, undefined, { from: 'S', to: 'D', tieBreak: 'most-fill' }).primary.nodes, [
      'S',
      'A',
      'D',
    ]);
  });
  it('random is repeatable per seed and reaches both paths across seeds', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 16; seed++) {
      const a = computePath(t, undefined, {
        from: 'S',
        to: 'D',
        tieBreak: 'random',
        seed,
      }).primary.nodes.join(' ');
      const b = computePath(t, undefined, {
        from: 'S',
        to: 'D',
        tieBreak: 'random',
        seed,
      }).primary.nodes.join(' ');
      assert.equal(a, b);
      seen.add(a);
    }
    assert.deepEqual([...seen].sort(), ['S A D', 'S B D']);
  });
  it('least-fill follows the ledger’s residuals', () => {
    const ledger = new ReservationLedger(t);
    ledger.admit({ id: 'x', links: ['BD:B->D'], bandwidthBps: 80 });
    assert.deepEqual(computePath(t, ledger, { from: 'S', to: 'D' }).primary.nodes, ['S', 'A', 'D']);
  });
});

describe('CSPF disjoint secondary and failure reasons', () => {
  // Two routes S→D; the link-disjoint one shares SRLG 9 with the primary.
  const t = graph([
    ['S', 'A', 1, 100, [9]],
    ['A', 'D', 1, 100],
    ['S', 'B', 2, 100, [9]],
    ['B', 'D', 2, 100],
    ['S', 'C', 5, 100],
    ['C', 'D', 5, 100],
    ['X', 'Y', 1, 100],
  ]);

  it('link-disjoint takes the next best path sharing no link', () => {
    const r = computePath(t, undefined, { from: 'S', to: 'D', disjoint: 'link' });
    assert.deepEqual(r.primary.nodes, ['S', 'A', 'D']);
    assert.deepEqual(r.secondary?.nodes, ['S', 'B', 'D']);
  });
  it('SRLG-disjoint also avoids links in the primary’s SRLGs', () => {
    const r = computePath(t, undefined, { from: 'S', to: 'D', disjoint: 'srlg' });
    assert.deepEqual(r.secondary?.nodes, ['S', 'C', 'D']);
  });
  it('no disjoint path', () => {
    assert.equal(
      reason(() => computePath(t, undefined, { from: 'S', to: 'D', disjoint: 'srlg', excludeNodes: ['C'] })),
      'no-disjoint-path',
    );
  });
  it('unreachable vs insufficient-bandwidth', () => {
    assert.equal(
      reason(() => computePath(t, undefined, { from: 'S', to: 'X' })),
      'unreachable',
    );
    assert.equal(
      reason(() => computePath(t, undefined, { from: 'S', to: 'D', bandwidthBps: 101 })),
      'insufficient-bandwidth',
    );
  });
});

describe('CSPF agrees with brute force on random graphs', () => {
  it('same (metric, hops) as the best simple path; least-fill bottleneck is the best among those', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 4, max: 9 }),
        fc.integer({ min: 0, max: 60 }),
        (seed, n, bw) => {
          const t = generateTopology({ nodes: n, avgDegree: 2.5, seed, capacitiesBps: [10, 50, 100] });
          // Metrics from the generator are distances; make ties common by coarsening them.
          const spec = t.linkList.map((l) => ({ ...l, teMetric: 1 + (l.teMetric % 3) }));
          const g = Topology.create({ nodes: t.nodeList, links: spec });
          const from = g.nodeList[0]!.id;
          const to = g.nodeList[n - 1]!.id;
          // Brute force over simple paths.
          let best: { metric: number; hops: number; bottleneck: number } | undefined;
          const walk = (
            at: string,
            seen: Set<string>,
            metric: number,
            hops: number,
            bottleneck: number,
          ): void => {
            if (at === to) {
              if (
                !best ||
                metric < best.metric ||
                (metric === best.metric &&
                  (hops < best.hops || (hops === best.hops && bottleneck > best.bottleneck)))
              )
                best = { metric, hops, bottleneck };
              return;
            }
            for (const l of g.linksFrom(at)) {
              if (seen.has(l.to) || l.maxReservableBps < bw) continue;
              seen.add(l.to);
              walk(l.to, seen, metric + l.teMetric, hops + 1, Math.min(bottleneck, l.maxReservableBps));
              seen.delete(l.to);
            }
          };
          walk(from, new Set([from]), 0, 0, Infinity);
          let got: { metric: number; hops: number; bottleneck: number } | undefined;
          try {
            const p = computePath(g, undefined, { from, to, bandwidthBps: bw }).primary;
            got = { metric: p.teMetric, hops: p.hops, bottleneck: p.minUnreservedBps };
          } catch (err) {
            if (!(err instanceof NoPathError)) throw err;
          }
          assert.deepEqual(got, best);
        },
      ),
      { numRuns: 300, seed: 42 },
    );
  });
});

describe('CSPF with a loaded ledger agrees with brute force over the ledger’s answers', () => {
  it('prunes exactly the links whose Unreserved ⟨CT, setup priority⟩ over the interval is short', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 5, max: 8 }), (seed, n) => {
        const g = generateTopology({ nodes: n, avgDegree: 2.5, seed, capacitiesBps: [100] });
        const ledger = new ReservationLedger(g);
        const rnd = new SeededRandom(seed);
        for (let i = 0; i < 25; i++) {
          const l = g.linkList[rnd.int(g.linkCount)]!;
          const start = rnd.int(20);
          const end = rnd.next() < 0.5 ? Infinity : start + 1 + rnd.int(10);
          const setupPriority = rnd.int(8);
          ledger.admit({
            id: `r${i}`,
            links: [l.id],
            bandwidthBps: 10 + rnd.int(60),
            setupPriority,
            classType: 0,
            start,
            end,
          });
        }
        const bw = 1 + rnd.int(60);
        const setupPriority = rnd.int(8);
        const start = rnd.int(20);
        const end = rnd.next() < 0.5 ? Infinity : start + 1 + rnd.int(10);
        const from = g.nodeList[0]!.id;
        const to = g.nodeList[n - 1]!.id;
        const ok = (id: string): boolean => ledger.unreserved(id, 0, setupPriority, { start, end }) >= bw;
        let best = Infinity;
        const walk = (at: string, seen: Set<string>, metric: number): void => {
          if (at === to) {
            best = Math.min(best, metric);
            return;
          }
          for (const l of g.linksFrom(at)) {
            if (seen.has(l.to) || !ok(l.id)) continue;
            seen.add(l.to);
            walk(l.to, seen, metric + l.teMetric);
            seen.delete(l.to);
          }
        };
        walk(from, new Set([from]), 0);
        try {
          const { primary } = computePath(g, ledger, {
            from,
            to,
            bandwidthBps: bw,
            setupPriority,
            start,
            end,
          });
          assert.equal(primary.teMetric, best);
          for (const id of primary.links) assert.ok(ok(id), id);
        } catch (err) {
          if (!(err instanceof NoPathError)) throw err;
          assert.equal(best, Infinity);
        }
      }),
      { numRuns: 200, seed: 77 },
    );
  });
});
