/**
 * Per-link utilisation by priority, as the topology view draws it. The ledger books bandwidth on
 * directional links (`<bundle>:<from>-><to>`); the view draws one line per physical link (bundle)
 * and colours it by its busier direction, with the per-priority breakdown of each direction on
 * hover or click. Priorities are RSVP-TE holding priorities, 0 the most important (RFC 3209 §4.7.4).
 * The figures are the operator API's (`GET /v1/topology`, schema `LinkUse`).
 */
import { DEFAULT_PRECEDENCE_MAP, PRECEDENCE_LEVELS, type PrecedenceLevel } from '@svpn/qos';

export interface TopologyNode {
  id: string;
  kind: string;
  routerId?: string;
}

/** One direction of a link and what is reserved on it (`LinkUse` of the API). */
export interface LinkUse {
  id: string;
  from: string;
  to: string;
  capacityBps: number;
  reservedBps: number;
  utilisation: number;
  /** Reserved bit/s at holding priority 0 (highest) … 7. */
  reservedByPriorityBps: number[];
}

export interface TopologySnapshot {
  nodes: TopologyNode[];
  links: LinkUse[];
  at?: string;
}

/** Reserved bit/s at one holding priority. */
export interface PriorityLoad {
  priority: number;
  bps: number;
}

export interface DirectionLoad {
  id: string;
  from: string;
  to: string;
  capacityBps: number;
  reservedBps: number;
  /** Non-zero priorities only, most important first. */
  byPriority: PriorityLoad[];
  /** reserved / capacity (0 when the capacity is 0 and nothing is reserved). */
  utilisation: number;
}

export interface BundleLoad {
  id: string;
  /** The two ends, in the order of the first direction seen. */
  a: string;
  b: string;
  directions: DirectionLoad[];
  /** The busier direction's utilisation. */
  utilisation: number;
}

/** The physical link a directional link id belongs to: `P2-P3:P2->P3` → `P2-P3`. */
export function bundleOf(linkId: string): string {
  const colon = linkId.indexOf(':');
  return colon === -1 ? linkId : linkId.slice(0, colon);
}

function directionLoad(link: LinkUse): DirectionLoad {
  const byPriority: PriorityLoad[] = [];
  link.reservedByPriorityBps.forEach((bps, priority) => {
    if (bps > 0) byPriority.push({ priority, bps });
  });
  const capacityBps = link.capacityBps;
  const reservedBps = link.reservedBps;
  const utilisation = capacityBps > 0 ? reservedBps / capacityBps : reservedBps > 0 ? Infinity : 0;
  return { id: link.id, from: link.from, to: link.to, capacityBps, reservedBps, byPriority, utilisation };
}

/** One entry per physical link, in the order links first appear. */
export function bundleLoads(links: readonly LinkUse[]): BundleLoad[] {
  const bundles = new Map<string, BundleLoad>();
  for (const link of links) {
    const id = bundleOf(link.id);
    let bundle = bundles.get(id);
    if (!bundle) bundles.set(id, (bundle = { id, a: link.from, b: link.to, directions: [], utilisation: 0 }));
    const load = directionLoad(link);
    bundle.directions.push(load);
    bundle.utilisation = Math.max(bundle.utilisation, load.utilisation);
  }
  return [...bundles.values()];
}

/** Reserved bit/s per holding priority summed over every direction of every link. */
export function reservedByPriority(bundles: readonly BundleLoad[]): PriorityLoad[] {
  const sum = new Map<number, number>();
  for (const b of bundles)
    for (const d of b.directions)
      for (const p of d.byPriority) sum.set(p.priority, (sum.get(p.priority) ?? 0) + p.bps);
  return [...sum].sort((x, y) => x[0] - y[0]).map(([priority, bps]) => ({ priority, bps }));
}

const LEVEL_OF_PRIORITY = new Map<number, PrecedenceLevel>();
for (const level of PRECEDENCE_LEVELS) {
  const { holdingPriority } = DEFAULT_PRECEDENCE_MAP.toRsvp(level);
  if (!LEVEL_OF_PRIORITY.has(holdingPriority)) LEVEL_OF_PRIORITY.set(holdingPriority, level);
}

/** `4` → `4 (routine)`: the holding priority and the precedence level that holds it by default. */
export function priorityLabel(priority: number): string {
  const level = LEVEL_OF_PRIORITY.get(priority);
  return level === undefined ? String(priority) : `${priority} (${level})`;
}

/** Stroke colour by utilisation: idle grey, then green, amber, red; past 100 % dark red. */
export function utilisationColour(utilisation: number): string {
  if (!(utilisation > 0)) return '#9aa5b1';
  if (utilisation < 0.5) return '#2f9e44';
  if (utilisation < 0.8) return '#f08c00';
  if (utilisation <= 1) return '#e03131';
  return '#862e9c';
}

/** Stroke width by utilisation: 2 px idle, up to 12 px full. */
export function utilisationWidth(utilisation: number): number {
  const u = Math.min(Math.max(utilisation, 0), 1);
  return Math.round((2 + 10 * u) * 10) / 10;
}
