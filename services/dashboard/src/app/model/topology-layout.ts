/**
 * Where the topology view puts each node: core (P) routers on an inner ellipse in the order the
 * topology lists them, edge (PE) routers on an outer ellipse at the mean angle of the core routers
 * they attach to, spread so no two edge routers overlap. Deterministic, so the drawing does not
 * jump between refreshes; wider than high, for a laptop screen.
 */
import type { LinkUse, TopologyNode } from './link-load.js';

export interface NodePosition {
  x: number;
  y: number;
}

export interface LayoutOptions {
  width: number;
  height: number;
  /** Least angle between two edge routers, radians. @defaultValue π/10 */
  minSeparation?: number;
}

const TAU = 2 * Math.PI;

function normalise(angle: number): number {
  return ((angle % TAU) + TAU) % TAU;
}

/** The circular mean of angles (undefined when they cancel out). */
function meanAngle(angles: readonly number[]): number | undefined {
  let x = 0;
  let y = 0;
  for (const a of angles) {
    x += Math.cos(a);
    y += Math.sin(a);
  }
  if (Math.hypot(x, y) < 1e-9) return undefined;
  return normalise(Math.atan2(y, x));
}

/** Positions of every node, in SVG coordinates (y down). */
export function layoutTopology(
  nodes: readonly TopologyNode[],
  links: readonly Pick<LinkUse, 'from' | 'to'>[],
  options: LayoutOptions,
): Map<string, NodePosition> {
  const { width, height } = options;
  const minSeparation = options.minSeparation ?? Math.PI / 10;
  const cx = width / 2;
  const cy = height / 2;
  const core = nodes.filter((n) => n.kind !== 'PE');
  const edge = nodes.filter((n) => n.kind === 'PE');
  const angles = new Map<string, number>();
  // Core routers start top-left and go round (screen y points down, so angles run clockwise).
  core.forEach((n, i) => angles.set(n.id, normalise((3 * Math.PI) / 4 + (TAU * i) / core.length)));

  const neighbours = new Map<string, Set<string>>();
  for (const l of links) {
    for (const [x, y] of [
      [l.from, l.to],
      [l.to, l.from],
    ] as const) {
      let s = neighbours.get(x);
      if (!s) neighbours.set(x, (s = new Set()));
      s.add(y);
    }
  }
  const wanted = edge.map((n, i) => {
    const coreAngles = [...(neighbours.get(n.id) ?? [])].flatMap((m) => {
      const a = angles.get(m);
      return a === undefined ? [] : [a];
    });
    return { id: n.id, angle: meanAngle(coreAngles) ?? normalise((TAU * i) / Math.max(edge.length, 1)) };
  });
  for (const { id, angle } of spread(wanted, minSeparation)) angles.set(id, angle);

  const positions = new Map<string, NodePosition>();
  const innerX = core.length > 0 && edge.length > 0 ? width * 0.2 : width * 0.38;
  const innerY = core.length > 0 && edge.length > 0 ? height * 0.2 : height * 0.36;
  const outerX = width * 0.42;
  const outerY = height * 0.38;
  for (const n of nodes) {
    const a = angles.get(n.id) ?? 0;
    const [rx, ry] = n.kind === 'PE' ? [outerX, outerY] : [innerX, innerY];
    positions.set(n.id, { x: round(cx + rx * Math.cos(a)), y: round(cy - ry * Math.sin(a)) });
  }
  return positions;
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Pushes angles apart until neighbours are at least `gap` apart (a few relaxation passes around the
 * circle; stable for the same input).
 */
function spread(items: { id: string; angle: number }[], gap: number): { id: string; angle: number }[] {
  const sorted = [...items].sort((x, y) => x.angle - y.angle || (x.id < y.id ? -1 : 1));
  const n = sorted.length;
  if (n < 2) return sorted;
  const effective = Math.min(gap, TAU / n);
  for (let pass = 0; pass < 50; pass++) {
    let moved = false;
    for (let i = 0; i < n; i++) {
      const cur = sorted[i]!;
      const next = sorted[(i + 1) % n]!;
      let d = next.angle - cur.angle;
      if (i === n - 1) d += TAU;
      if (d < effective - 1e-9) {
        const push = (effective - d) / 2;
        cur.angle -= push;
        next.angle += push;
        moved = true;
      }
    }
    if (!moved) break;
  }
  return sorted.map((s) => ({ id: s.id, angle: normalise(s.angle) }));
}
