import { NoPathError, PathRequestInvalidError, UnknownLinkError, type NoPathReason } from '../errors.js';
import {
  CLASS_TYPE_COUNT,
  PRIORITY_COUNT,
  LOWEST_PRIORITY,
  unreservedAtInstant,
} from '../ledger/bandwidth-constraints.js';
import type { ReservationLedger } from '../ledger/reservation-ledger.js';
import type { TeLink, Topology } from '../topology/topology.js';
import { SeededRandom } from '../util/prng.js';

/**
 * How CSPF chooses among paths of equal TE metric and equal hop count:
 * - `least-fill`: the path whose tightest link has the most unreserved bandwidth left (spreads load);
 * - `most-fill`: the path whose tightest link has the least left (packs load, keeps big links free);
 * - `random`: a seeded random choice (same seed, same choice).
 */
export type TieBreak = 'least-fill' | 'most-fill' | 'random';

/** Admin-group (resource class) affinities: a 32-bit mask or names from the topology's `adminGroups`. */
export interface AdminGroupAffinity {
  /** The link must have at least one of these groups. */
  includeAny?: number | readonly string[];
  /** The link must have all of these groups. */
  includeAll?: number | readonly string[];
  /** The link must have none of these groups. */
  exclude?: number | readonly string[];
}

/** One hop of an explicit route: a node, reached directly from the previous hop (strict) or by any path (loose). */
export interface ExplicitHop {
  node: string;
  /** RFC 3209 §4.3.3.1 L bit. @defaultValue false (strict) */
  loose?: boolean;
}

/** A path computation request. */
export interface PathRequest {
  /** Ingress node id. */
  from: string;
  /** Egress node id. */
  to: string;
  /** Bandwidth the path must have unreserved on every link, bit/s. @defaultValue 0 */
  bandwidthBps?: number;
  /** Class type CT0…CT7. @defaultValue 0 */
  classType?: number;
  /**
   * Setup priority 0…7: links are pruned on "Unreserved TE-Class ⟨CT, setupPriority⟩", i.e. bandwidth
   * held at worse holding priorities counts as available (it could be preempted).
   * @defaultValue 7
   */
  setupPriority?: number;
  /** Interval the bandwidth is needed over, [start, end). @defaultValue all time */
  start?: number;
  /** @defaultValue Infinity */
  end?: number;
  adminGroups?: AdminGroupAffinity;
  /** Hops the path must visit, in order (RFC 3209 ERO). The egress is appended as a loose hop if absent. */
  explicitRoute?: readonly ExplicitHop[];
  /** Directional link ids not to use. */
  excludeLinks?: readonly string[];
  /** Node ids not to traverse (as transit; ingress and egress cannot be excluded). */
  excludeNodes?: readonly string[];
  /** Links in any of these SRLGs are not used. */
  excludeSrlgs?: readonly number[];
  /** @defaultValue 'least-fill' */
  tieBreak?: TieBreak;
  /** Seed for `tieBreak: 'random'`. @defaultValue 1 */
  seed?: number;
  /**
   * Also compute a secondary path disjoint from the primary: `link` shares no link (either
   * direction) with it, `srlg` shares no link and no SRLG.
   */
  disjoint?: 'link' | 'srlg';
}

/** A computed path. */
export interface TePath {
  /** Node ids from ingress to egress. */
  nodes: string[];
  /** Directional link ids, in order. */
  links: string[];
  /** Sum of TE metrics. */
  teMetric: number;
  hops: number;
  /** Sum of link delays, µs. */
  delayUs: number;
  /** Least unreserved bandwidth (for the class type at the setup priority) along the path, bit/s. */
  minUnreservedBps: number;
}

/** Result of {@link computePath}: the primary and, when asked for, the disjoint secondary. */
export interface PathResult {
  primary: TePath;
  secondary?: TePath;
}

/**
 * Buffers reused across searches on one topology (sized by its nodes and links), so a path
 * computation allocates almost nothing. Searches are synchronous and never nest, so one set per
 * topology suffices.
 */
interface Workspace {
  /** Per link: 0 not yet decided, 1 usable, 2 pruned. */
  state: Uint8Array;
  residual: Float64Array;
  onRoute: Uint8Array;
  metric: Float64Array;
  hops: Float64Array;
  tie: Float64Array;
  via: Int32Array;
  done: Uint8Array;
  hm: Float64Array;
  hh: Float64Array;
  ht: Float64Array;
  hn: Int32Array;
}

const workspaces = new WeakMap<Topology, Workspace>();
// Bound once (an imported binding read in a loop is a getter call when transpiled to CommonJS).
const unreservedAt = unreservedAtInstant;
const ZERO_USAGE = new Float64Array(CLASS_TYPE_COUNT);

function workspace(topology: Topology): Workspace {
  let ws = workspaces.get(topology);
  if (!ws) {
    const n = topology.nodeList.length;
    const cap = topology.linkCount + 1;
    ws = {
      state: new Uint8Array(topology.linkCount),
      residual: new Float64Array(topology.linkCount),
      onRoute: new Uint8Array(n),
      metric: new Float64Array(n),
      hops: new Float64Array(n),
      tie: new Float64Array(n),
      via: new Int32Array(n),
      done: new Uint8Array(n),
      hm: new Float64Array(cap),
      hh: new Float64Array(cap),
      ht: new Float64Array(cap),
      hn: new Int32Array(cap),
    };
    workspaces.set(topology, ws);
  }
  return ws;
}

/** What a search may use; built once per request. */
interface SearchContext {
  topology: Topology;
  workspace: Workspace;
  /** For each link index: 0 not yet decided, 1 usable, 2 pruned. */
  state: Uint8Array;
  residual: Float64Array;
  usable: (link: TeLink) => boolean;
  tieBreak: TieBreak;
  randomKey: Float64Array | undefined;
}

/**
 * Constrained shortest path first: prunes links that lack the unreserved bandwidth (at the setup
 * priority and class type, over the interval), fail the admin-group affinities or are excluded,
 * then runs Dijkstra (binary heap) on the TE metric. Ties: fewest hops, then the `tieBreak`
 * criterion, then lowest node index — the result is fully deterministic.
 *
 * Explicit routes are expanded hop by hop: a strict hop must be the far end of one usable link from
 * the previous hop; a loose hop is reached by a constrained shortest path that avoids nodes already
 * on the route. The secondary (disjoint) path is computed by removing the primary's links (both
 * directions), and for `srlg` every link sharing one of their SRLGs, and running CSPF again
 * ("remove and rerun", not Suurballe: on trap topologies it can miss a disjoint pair that exists).
 *
 * @throws NoPathError (`TE_NO_PATH`) with the reason; PathRequestInvalidError for malformed requests.
 * @see https://www.rfc-editor.org/rfc/rfc3209#section-4.3 (ERO)
 * @see https://www.rfc-editor.org/rfc/rfc3209#section-4.7.4 (resource affinities, priorities)
 */
export function computePath(
  topology: Topology,
  ledger: ReservationLedger | undefined,
  request: PathRequest,
): PathResult {
  const req = normalise(topology, request);
  const primary = search(topology, ledger, req, {});
  if (!primary) throw diagnose(topology, ledger, req);
  if (!req.disjoint) return { primary };

  const banned = new Set<string>();
  const bannedSrlgs = new Set<number>();
  for (const id of primary.links) {
    const l = topology.link(id);
    banned.add(l.id);
    if (l.reverseId) banned.add(l.reverseId);
    if (req.disjoint === 'srlg') for (const s of l.srlgs) bannedSrlgs.add(s);
  }
  const secondary = search(topology, ledger, { ...req, explicitRoute: [] }, { banned, bannedSrlgs });
  if (!secondary)
    throw new NoPathError(
      'no-disjoint-path',
      req.from,
      req.to,
      `no ${req.disjoint}-disjoint secondary path avoids ${primary.links.join(', ')}`,
    );
  return { primary, secondary };
}

// ---------------------------------------------------------------------------------------------

interface NormalisedRequest {
  from: string;
  to: string;
  bandwidthBps: number;
  classType: number;
  setupPriority: number;
  start: number;
  end: number;
  includeAny: number;
  includeAll: number;
  exclude: number;
  explicitRoute: readonly ExplicitHop[];
  excludeLinks: ReadonlySet<string>;
  excludeNodes: ReadonlySet<string>;
  excludeSrlgs: ReadonlySet<number>;
  tieBreak: TieBreak;
  seed: number;
  disjoint: 'link' | 'srlg' | undefined;
}

interface Relaxations {
  /** Also skip these links (secondary search). */
  banned?: ReadonlySet<string>;
  bannedSrlgs?: ReadonlySet<number>;
  /** Ignore bandwidth (diagnosis). */
  ignoreBandwidth?: boolean;
  /** Ignore admin groups, exclusions and the explicit route (diagnosis). */
  ignoreConstraints?: boolean;
}

function normalise(topology: Topology, r: PathRequest): NormalisedRequest {
  topology.node(r.from);
  topology.node(r.to);
  const bandwidthBps = r.bandwidthBps ?? 0;
  if (!Number.isFinite(bandwidthBps) || bandwidthBps < 0)
    throw new PathRequestInvalidError('bandwidthBps', 'must be a finite number ≥ 0');
  const classType = r.classType ?? 0;
  if (!Number.isInteger(classType) || classType < 0 || classType >= CLASS_TYPE_COUNT)
    throw new PathRequestInvalidError('classType', 'must be an integer 0…7');
  const setupPriority = r.setupPriority ?? LOWEST_PRIORITY;
  if (!Number.isInteger(setupPriority) || setupPriority < 0 || setupPriority >= PRIORITY_COUNT)
    throw new PathRequestInvalidError('setupPriority', 'must be an integer 0…7');
  const start = r.start ?? -Infinity;
  const end = r.end ?? Infinity;
  if (!(end > start)) throw new PathRequestInvalidError('end', 'must be greater than start');
  for (const [i, hop] of (r.explicitRoute ?? []).entries())
    if (!topology.nodes.has(hop.node))
      throw new PathRequestInvalidError(`explicitRoute[${i}].node`, `unknown node "${hop.node}"`);
  for (const id of r.excludeLinks ?? []) if (!topology.links.has(id)) throw new UnknownLinkError(id);
  const tieBreak = r.tieBreak ?? 'least-fill';
  if (tieBreak !== 'least-fill' && tieBreak !== 'most-fill' && tieBreak !== 'random')
    throw new PathRequestInvalidError('tieBreak', 'must be "least-fill", "most-fill" or "random"');
  if (r.disjoint !== undefined && r.disjoint !== 'link' && r.disjoint !== 'srlg')
    throw new PathRequestInvalidError('disjoint', 'must be "link" or "srlg"');
  return {
    from: r.from,
    to: r.to,
    bandwidthBps,
    classType,
    setupPriority,
    start,
    end,
    includeAny: mask(topology, r.adminGroups?.includeAny, 'adminGroups.includeAny'),
    includeAll: mask(topology, r.adminGroups?.includeAll, 'adminGroups.includeAll'),
    exclude: mask(topology, r.adminGroups?.exclude, 'adminGroups.exclude'),
    explicitRoute: r.explicitRoute ?? [],
    excludeLinks: new Set(r.excludeLinks ?? []),
    excludeNodes: new Set(r.excludeNodes ?? []),
    excludeSrlgs: new Set(r.excludeSrlgs ?? []),
    tieBreak,
    seed: r.seed ?? 1,
    disjoint: r.disjoint,
  };
}

function mask(topology: Topology, value: number | readonly string[] | undefined, field: string): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new PathRequestInvalidError(field, 'must be a 32-bit mask');
    return value >>> 0;
  }
  let m = 0;
  for (const name of value) {
    const bit = topology.adminGroupNames.get(name);
    if (bit === undefined) throw new PathRequestInvalidError(field, `unknown admin group "${name}"`);
    m |= 1 << bit;
  }
  return m >>> 0;
}

function search(
  topology: Topology,
  ledger: ReservationLedger | undefined,
  req: NormalisedRequest,
  relax: Relaxations,
): TePath | undefined {
  const ignoreConstraints = relax.ignoreConstraints === true;
  const zero = ZERO_USAGE;
  const slots = ledger?.slotsFor(topology);
  const ws = workspace(topology);
  const residual = ws.residual;
  ws.state.fill(0);
  const tolerance = 1e-9;
  const banned = relax.banned && relax.banned.size > 0 ? relax.banned : undefined;
  const bannedSrlgs = relax.bannedSrlgs && relax.bannedSrlgs.size > 0 ? relax.bannedSrlgs : undefined;
  const excludeLinks = req.excludeLinks.size > 0 ? req.excludeLinks : undefined;
  const excludeNodes = req.excludeNodes.size > 0 ? req.excludeNodes : undefined;
  const usable = (l: TeLink): boolean => {
    if (banned?.has(l.id)) return false;
    if (bannedSrlgs && l.srlgs.some((s) => bannedSrlgs.has(s))) return false;
    if (!ignoreConstraints) {
      if (excludeLinks?.has(l.id)) return false;
      if (excludeNodes?.has(l.to) && l.to !== req.to) return false;
      if (req.excludeSrlgs.size > 0 && l.srlgs.some((s) => req.excludeSrlgs.has(s))) return false;
      // RFC 3209 §4.7.4 — resource affinities: exclude-any, include-any, include-all.
      if ((l.adminGroups & req.exclude) !== 0) return false;
      if (req.includeAny !== 0 && (l.adminGroups & req.includeAny) === 0) return false;
      if ((l.adminGroups & req.includeAll) >>> 0 !== req.includeAll) return false;
    }
    // Unreserved TE-Class ⟨CT, setup priority⟩ over the interval (RFC 4124 §4, RFC 3209 §4.7.4):
    // bandwidth held at worse holding priorities counts as available to this setup.
    const slot = slots ? (slots[l.index] as number) : -1;
    const free = !ledger
      ? Math.max(0, unreservedAt(l.bandwidthConstraints, zero, req.classType))
      : slot >= 0
        ? ledger.unreservedBySlot(slot, req.classType, req.setupPriority, req.start, req.end)
        : ledger.unreservedUnchecked(l.id, req.classType, req.setupPriority, req.start, req.end); // throws UnknownLinkError
    residual[l.index] = free;
    if (relax.ignoreBandwidth) return true;
    return free + tolerance * Math.max(1, l.maxReservableBps) >= req.bandwidthBps;
  };
  let randomKey: Float64Array | undefined;
  if (req.tieBreak === 'random') {
    const rnd = new SeededRandom(req.seed);
    randomKey = new Float64Array(topology.linkCount);
    for (let i = 0; i < randomKey.length; i++) randomKey[i] = rnd.next();
  }
  const ctx: SearchContext = {
    topology,
    workspace: ws,
    state: ws.state,
    residual,
    usable,
    tieBreak: req.tieBreak,
    randomKey,
  };

  // Waypoints: ingress, the explicit hops (the first may repeat the ingress), egress.
  const hops: ExplicitHop[] = ignoreConstraints ? [] : [...req.explicitRoute];
  if (hops.length > 0 && hops[0]!.node === req.from) hops.shift();
  if (hops.length === 0 || hops[hops.length - 1]!.node !== req.to) hops.push({ node: req.to, loose: true });

  const onRoute = ws.onRoute;
  onRoute.fill(0);
  for (const n of req.excludeNodes)
    if (!ignoreConstraints && n !== req.from && n !== req.to) onRoute[topology.node(n).index] = 1;
  let at = topology.node(req.from).index;
  onRoute[at] = 1;
  const links: number[] = [];
  for (const hop of hops) {
    const target = topology.node(hop.node).index;
    if (target === at) continue;
    if (onRoute[target]) return undefined; // the route would loop (or the hop is an excluded node)
    let segment: number[] | undefined;
    if (hop.loose) {
      segment = dijkstra(ctx, at, target, onRoute);
    } else {
      // RFC 3209 §4.3.4.1 — a strict hop is reached directly from the previous hop: one link.
      const direct = bestDirectLink(ctx, at, target);
      segment = direct === undefined ? undefined : [direct];
    }
    if (!segment) return undefined;
    for (const li of segment) {
      links.push(li);
      onRoute[topology.node(topology.linkList[li]!.to).index] = 1;
    }
    at = target;
  }
  return toPath(topology, req.from, links, residual);
}

function decide(ctx: SearchContext, li: number): boolean {
  let s = ctx.state[li] as number;
  if (s === 0) {
    s = ctx.usable(ctx.topology.linkList[li] as TeLink) ? 1 : 2;
    ctx.state[li] = s;
  }
  return s === 1;
}

function initialTie(tieBreak: TieBreak): number {
  return tieBreak === 'least-fill' ? -Infinity : tieBreak === 'most-fill' ? Infinity : 0;
}

/** Tie key after extending a path with link `li` (lower is better). */
function extendTie(ctx: SearchContext, tie: number, li: number): number {
  const free = ctx.residual[li] as number;
  switch (ctx.tieBreak) {
    case 'least-fill':
      // key = −(least residual on the path): a larger bottleneck sorts first.
      return -free > tie ? -free : tie;
    case 'most-fill':
      return free < tie ? free : tie;
    case 'random':
      return tie + (ctx.randomKey as Float64Array)[li]!;
  }
}

function better(m1: number, h1: number, t1: number, m2: number, h2: number, t2: number): boolean {
  if (m1 !== m2) return m1 < m2;
  if (h1 !== h2) return h1 < h2;
  return t1 < t2;
}

function bestDirectLink(ctx: SearchContext, from: number, to: number): number | undefined {
  let best: number | undefined;
  let bm = Infinity;
  let bt = Infinity;
  for (const li of ctx.topology.outgoing[from] as number[]) {
    const l = ctx.topology.linkList[li] as TeLink;
    if (ctx.topology.linkTo[li] !== to || !decide(ctx, li)) continue;
    const t = extendTie(ctx, initialTie(ctx.tieBreak), li);
    if (best === undefined || better(l.teMetric, 1, t, bm, 1, bt)) {
      best = li;
      bm = l.teMetric;
      bt = t;
    }
  }
  return best;
}

/**
 * Dijkstra from `src` to `dst` over usable links, not entering nodes marked in `blocked` (other
 * than `dst`). Labels (metric, hops, tie) compare lexicographically; every component is monotone
 * under extension, so the first time `dst` is popped its label is optimal. The heap is inlined over
 * typed arrays (lazy deletion: stale entries are skipped when popped), and a link's constraints —
 * the ledger lookup included — are evaluated only when it could improve its far end's label.
 */
function dijkstra(ctx: SearchContext, src: number, dst: number, blocked: Uint8Array): number[] | undefined {
  const { topology } = ctx;
  const { metric, hops, tie, via, done, hm, hh, ht, hn } = ctx.workspace;
  metric.fill(Infinity);
  hops.fill(Infinity);
  tie.fill(Infinity);
  via.fill(-1);
  done.fill(0);
  const adjacencyStart = topology.adjacencyStart;
  const adjacencyLinks = topology.adjacencyLinks;
  const linkTo = topology.linkTo;
  const linkMetric = topology.linkMetric;
  // Heap of (metric, hops, tie, node) in hm/hh/ht/hn; at most one push per relaxation plus the source.
  let size = 0;
  const less = (i: number, j: number): boolean => {
    const mi = hm[i] as number;
    const mj = hm[j] as number;
    if (mi !== mj) return mi < mj;
    const hi = hh[i] as number;
    const hj = hh[j] as number;
    if (hi !== hj) return hi < hj;
    const ti = ht[i] as number;
    const tj = ht[j] as number;
    if (ti !== tj) return ti < tj;
    return (hn[i] as number) < (hn[j] as number);
  };
  const swap = (i: number, j: number): void => {
    let x = hm[i] as number;
    hm[i] = hm[j] as number;
    hm[j] = x;
    x = hh[i] as number;
    hh[i] = hh[j] as number;
    hh[j] = x;
    x = ht[i] as number;
    ht[i] = ht[j] as number;
    ht[j] = x;
    x = hn[i] as number;
    hn[i] = hn[j] as number;
    hn[j] = x;
  };
  const push = (m: number, h: number, t: number, v: number): void => {
    let i = size++;
    hm[i] = m;
    hh[i] = h;
    ht[i] = t;
    hn[i] = v;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  /** Moves the top entry to slot `size` (just past the heap) and restores the heap. */
  const pop = (): void => {
    size--;
    swap(0, size);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && less(l, m)) m = l;
      if (r < size && less(r, m)) m = r;
      if (m === i) break;
      swap(i, m);
      i = m;
    }
  };

  metric[src] = 0;
  hops[src] = 0;
  tie[src] = initialTie(ctx.tieBreak);
  push(0, 0, tie[src] as number, src);
  while (size > 0) {
    pop();
    const u = hn[size] as number;
    if (done[u]) continue;
    done[u] = 1;
    if (u === dst) break;
    const um = hm[size] as number;
    const uh = (hh[size] as number) + 1;
    const ut = ht[size] as number;
    const last = adjacencyStart[u + 1] as number;
    for (let k = adjacencyStart[u] as number; k < last; k++) {
      const li = adjacencyLinks[k] as number;
      const v = linkTo[li] as number;
      if (done[v] || (blocked[v] && v !== dst)) continue;
      const m = um + (linkMetric[li] as number);
      const vm = metric[v] as number;
      // Cheap rejection before the constraint check: a longer or equally long but hop-heavier
      // label cannot win whatever the tie key.
      if (m > vm || (m === vm && uh > (hops[v] as number))) continue;
      if (!decide(ctx, li)) continue;
      const t = extendTie(ctx, ut, li);
      if (better(m, uh, t, vm, hops[v] as number, tie[v] as number)) {
        metric[v] = m;
        hops[v] = uh;
        tie[v] = t;
        via[v] = li;
        push(m, uh, t, v);
      }
    }
  }
  if (!done[dst]) return undefined;
  const path: number[] = [];
  for (let v = dst; v !== src;) {
    const li = via[v] as number;
    path.push(li);
    v = topology.linkFrom[li] as number;
  }
  return path.reverse();
}

function toPath(topology: Topology, from: string, links: number[], residual: Float64Array): TePath {
  const nodes = [from];
  let teMetric = 0;
  let delayUs = 0;
  let minUnreservedBps = Infinity;
  for (const li of links) {
    const l = topology.linkList[li] as TeLink;
    nodes.push(l.to);
    teMetric += l.teMetric;
    delayUs += l.delayUs;
    if ((residual[li] as number) < minUnreservedBps) minUnreservedBps = residual[li] as number;
  }
  return {
    nodes,
    links: links.map((li) => topology.linkList[li]!.id),
    teMetric,
    hops: links.length,
    delayUs,
    minUnreservedBps,
  };
}

function diagnose(
  topology: Topology,
  ledger: ReservationLedger | undefined,
  req: NormalisedRequest,
): NoPathError {
  let reason: NoPathReason;
  let detail: string;
  if (search(topology, ledger, req, { ignoreBandwidth: true })) {
    reason = 'insufficient-bandwidth';
    detail = `every path that meets the other constraints has a link with less than ${req.bandwidthBps} bit/s unreserved for CT${req.classType} at priority ${req.setupPriority}`;
  } else if (search(topology, ledger, req, { ignoreBandwidth: true, ignoreConstraints: true })) {
    reason = 'constraints';
    detail = 'admin groups, exclusions or the explicit route leave no path';
  } else {
    reason = 'unreachable';
    detail = `${req.to} cannot be reached from ${req.from}`;
  }
  return new NoPathError(reason, req.from, req.to, detail);
}
