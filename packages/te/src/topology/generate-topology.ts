import { defaultBandwidthConstraints } from '../ledger/bandwidth-constraints.js';
import { SeededRandom } from '../util/prng.js';
import { Topology, type TeLink } from './topology.js';

/** Options of {@link generateTopology}. */
export interface GenerateTopologyOptions {
  /** Number of routers (≥ 2). */
  nodes: number;
  /**
   * Average number of neighbours per router (each neighbour relation is one two-way link, i.e. two
   * directional links). 1 000 nodes at degree 6 give 3 000 two-way / 6 000 directional links.
   * @defaultValue 3
   */
  avgDegree?: number;
  /** Seed: the same options always give the same topology. @defaultValue 1 */
  seed?: number;
  /** Share of routers that are PEs (the rest are P routers). @defaultValue 0.3 */
  peFraction?: number;
  /** Link capacities to draw from, bit/s. @defaultValue [1e9, 10e9, 40e9, 100e9] */
  capacitiesBps?: readonly number[];
  /** Number of SRLG ids to draw from (each link gets 0–2 of them). @defaultValue nodes / 4 */
  srlgCount?: number;
}

/**
 * A seeded random provider network for benchmarks and property tests: routers placed in a unit
 * square, a spanning tree joining each router to a near earlier one (so the graph is connected),
 * then extra links between near routers until the requested average degree is reached. TE metric
 * and delay grow with distance (≈ 2 000 km across, 5 µs/km); admin groups use 4 low bits.
 */
export function generateTopology(options: GenerateTopologyOptions): Topology {
  const n = Math.floor(options.nodes);
  if (!(n >= 2)) throw new RangeError('generateTopology: nodes must be ≥ 2');
  const avgDegree = options.avgDegree ?? 3;
  const rnd = new SeededRandom(options.seed ?? 1);
  const peFraction = options.peFraction ?? 0.3;
  const capacities = options.capacitiesBps ?? [1e9, 10e9, 40e9, 100e9];
  const srlgCount = Math.max(1, Math.floor(options.srlgCount ?? n / 4));

  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rnd.next();
    y[i] = rnd.next();
  }
  const dist = (a: number, b: number): number =>
    Math.hypot((x[a] as number) - (x[b] as number), (y[a] as number) - (y[b] as number));
  const pad = String(n - 1).length;
  const nodeId = (i: number): string => `R${String(i).padStart(pad, '0')}`;
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: nodeId(i),
    kind: rnd.next() < peFraction ? ('PE' as const) : ('P' as const),
    routerId: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  }));

  const adjacent = new Set<number>();
  const key = (a: number, b: number): number => (a < b ? a * n + b : b * n + a);
  const pairs: [number, number][] = [];
  const join = (a: number, b: number): boolean => {
    if (a === b || adjacent.has(key(a, b))) return false;
    adjacent.add(key(a, b));
    pairs.push([a, b]);
    return true;
  };
  const sample = 24;
  // Spanning tree: router i joins the nearest of a few earlier routers drawn at random.
  for (let i = 1; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < Math.min(sample, i); k++) {
      const j = i <= sample ? k : rnd.int(i);
      const d = dist(i, j);
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    join(i, best);
  }
  // Extra links: a random router joins the nearest of a few random others it is not yet joined to.
  const target = Math.max(n - 1, Math.round((n * avgDegree) / 2));
  const maxPairs = (n * (n - 1)) / 2;
  let guard = 0;
  while (pairs.length < Math.min(target, maxPairs) && guard++ < target * 50) {
    const a = rnd.int(n);
    let best = -1;
    let bestD = Infinity;
    for (let k = 0; k < sample; k++) {
      const b = rnd.int(n);
      if (b === a || adjacent.has(key(a, b))) continue;
      const d = dist(a, b);
      if (d < bestD) {
        bestD = d;
        best = b;
      }
    }
    if (best >= 0) join(a, best);
  }

  const links: Omit<TeLink, 'index'>[] = [];
  pairs.forEach(([a, b], k) => {
    const km = dist(a, b) * 2000;
    const cap = rnd.pick(capacities);
    const teMetric = Math.max(1, Math.round(km));
    const delayUs = Math.round(km * 5) + 10;
    const groups = rnd.int(16);
    const srlgs: number[] = [];
    const nSrlg = rnd.int(3);
    for (let s = 0; s < nSrlg; s++) srlgs.push(rnd.int(srlgCount));
    const sorted = [...new Set(srlgs)].sort((p, q) => p - q);
    const id = `L${k}`;
    const A = nodeId(a);
    const B = nodeId(b);
    const common = {
      bundleId: id,
      maxReservableBps: cap,
      teMetric,
      delayUs,
      adminGroups: groups,
      srlgs: sorted,
    };
    const bc = defaultBandwidthConstraints(cap);
    links.push({
      ...common,
      id: `${id}:${A}->${B}`,
      reverseId: `${id}:${B}->${A}`,
      from: A,
      to: B,
      bandwidthConstraints: bc,
    });
    links.push({
      ...common,
      id: `${id}:${B}->${A}`,
      reverseId: `${id}:${A}->${B}`,
      from: B,
      to: A,
      bandwidthConstraints: bc,
    });
  });
  return Topology.create({ nodes, links, adminGroupNames: { gold: 0, silver: 1, bronze: 2, lab: 3 } });
}
