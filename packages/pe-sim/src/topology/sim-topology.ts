import { InvalidPathError, InvalidTopologyError, UnknownLinkError, UnknownNodeError } from '../errors.js';
import { ID_PATTERN, MAX_BPS } from '../limits.js';

/** Role of a router: provider edge (VRFs, UNI) or provider core (transit only). */
export type SimNodeKind = 'PE' | 'P';

/** A router as given in a topology description. Extra fields (e.g. from `@svpn/te`) are ignored. */
export interface SimNodeSpec {
  id: string;
  /** @defaultValue 'PE' */
  kind?: SimNodeKind;
  /** Router id / loopback address, used as BGP next hop and LDP FEC. @defaultValue the node id */
  routerId?: string;
}

/** A directional link as given in a topology description. Extra fields are ignored. */
export interface SimLinkSpec {
  id: string;
  from: string;
  to: string;
  /** Maximum reservable bandwidth in bit/s (an integer ≤ 10 Tbit/s). */
  maxReservableBps: number;
}

/**
 * A plain topology description `{ nodes, links }`: the same document the broker's TE engine loads
 * (arrays, or the `ReadonlyMap`s of an `@svpn/te` `Topology`). Nodes may be given as bare ids (PEs).
 */
export interface SimTopologySpec {
  nodes: readonly (SimNodeSpec | string)[] | ReadonlyMap<string, SimNodeSpec>;
  links: readonly SimLinkSpec[] | ReadonlyMap<string, SimLinkSpec>;
}

/** A validated router. */
export interface SimNode {
  readonly id: string;
  readonly kind: SimNodeKind;
  readonly routerId: string;
}

/** A validated directional link. */
export interface SimLink {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly maxReservableBps: number;
}

/** The simulator's own, validated copy of the topology. */
export interface SimTopology {
  readonly nodes: ReadonlyMap<string, SimNode>;
  readonly links: ReadonlyMap<string, SimLink>;
  /** Links leaving each node, in id order. */
  readonly outgoing: ReadonlyMap<string, readonly SimLink[]>;
  /** A canonical JSON form (sorted), stored in Redis so every process can check it loaded the same network. */
  readonly canonical: string;
}

function values<T>(collection: readonly T[] | ReadonlyMap<string, T>): readonly T[] {
  return Array.isArray(collection) ? collection : [...(collection as ReadonlyMap<string, T>).values()];
}

/** Validates a topology description; throws {@link InvalidTopologyError} listing every problem. */
export function parseSimTopology(spec: SimTopologySpec): SimTopology {
  const issues: string[] = [];
  if (spec === null || typeof spec !== 'object' || !spec.nodes || !spec.links) {
    throw new InvalidTopologyError(['expected an object { nodes, links }']);
  }
  const nodes = new Map<string, SimNode>();
  values(spec.nodes).forEach((raw, i) => {
    const node: SimNodeSpec | undefined =
      typeof raw === 'string' ? { id: raw } : raw && typeof raw === 'object' ? raw : undefined;
    if (!node || typeof node.id !== 'string' || !ID_PATTERN.test(node.id)) {
      issues.push(`nodes[${i}].id must be 1–200 characters without whitespace, "{", "}" or "|"`);
      return;
    }
    if (nodes.has(node.id)) issues.push(`nodes[${i}]: duplicate node id "${node.id}"`);
    const kind = node.kind ?? 'PE';
    if (kind !== 'PE' && kind !== 'P') issues.push(`nodes[${i}].kind must be "PE" or "P"`);
    const routerId = node.routerId ?? node.id;
    if (typeof routerId !== 'string' || !ID_PATTERN.test(routerId)) {
      issues.push(`nodes[${i}].routerId must be a string without whitespace`);
    }
    nodes.set(node.id, { id: node.id, kind, routerId });
  });
  const links = new Map<string, SimLink>();
  values(spec.links).forEach((link, i) => {
    if (!link || typeof link !== 'object' || typeof link.id !== 'string' || !ID_PATTERN.test(link.id)) {
      issues.push(`links[${i}].id must be 1–200 characters without whitespace, "{", "}" or "|"`);
      return;
    }
    const where = `links[${i}] ("${link.id}")`;
    if (links.has(link.id)) issues.push(`${where}: duplicate link id`);
    if (typeof link.from !== 'string' || !nodes.has(link.from)) issues.push(`${where}.from is not a node`);
    if (typeof link.to !== 'string' || !nodes.has(link.to)) issues.push(`${where}.to is not a node`);
    if (link.from === link.to) issues.push(`${where} loops back to its own node`);
    const bps = link.maxReservableBps;
    if (typeof bps !== 'number' || !Number.isInteger(bps) || bps < 0 || bps > MAX_BPS) {
      issues.push(`${where}.maxReservableBps must be an integer bit/s in 0…${MAX_BPS}`);
    }
    links.set(link.id, { id: link.id, from: link.from, to: link.to, maxReservableBps: bps });
  });
  if (nodes.size === 0) issues.push('the topology has no nodes');
  if (issues.length > 0) throw new InvalidTopologyError(issues);

  const outgoing = new Map<string, SimLink[]>();
  for (const id of nodes.keys()) outgoing.set(id, []);
  const sortedLinks = [...links.values()].sort((a, b) => cmp(a.id, b.id));
  for (const link of sortedLinks) outgoing.get(link.from)?.push(link);
  const canonical = JSON.stringify({
    nodes: [...nodes.values()].sort((a, b) => cmp(a.id, b.id)).map((n) => [n.id, n.kind, n.routerId]),
    links: sortedLinks.map((l) => [l.id, l.from, l.to, l.maxReservableBps]),
  });
  return { nodes, links, outgoing, canonical };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An explicit route as the broker's CSPF computed it: node ids, or link ids (to pick among parallel links). */
export type ExplicitRoute = { readonly nodes: readonly string[] } | { readonly links: readonly string[] };

/** An explicit route resolved against the topology. */
export interface ResolvedRoute {
  /** Node ids from ingress to egress. */
  readonly nodes: readonly string[];
  /** `links[i]` joins `nodes[i]` to `nodes[i + 1]`. */
  readonly links: readonly SimLink[];
}

/**
 * Resolves an explicit route to a loop-free chain of adjacent links (RFC 3209 §4.3 — strict hops).
 * Given as nodes, consecutive nodes must be joined by a link; among parallel links the lowest id is taken.
 */
export function resolveExplicitRoute(topology: SimTopology, route: ExplicitRoute): ResolvedRoute {
  const hasNodes = 'nodes' in route && route.nodes !== undefined;
  const hasLinks = 'links' in route && route.links !== undefined;
  if (hasNodes === hasLinks) throw new InvalidPathError('give the explicit route as either nodes or links');
  let nodes: string[];
  let links: SimLink[];
  if (hasNodes) {
    nodes = [...(route as { nodes: readonly string[] }).nodes];
    if (nodes.length < 2) throw new InvalidPathError('an explicit route needs at least two nodes');
    for (const id of nodes) if (!topology.nodes.has(id)) throw new UnknownNodeError(id);
    links = [];
    for (let i = 0; i + 1 < nodes.length; i++) {
      const from = nodes[i] as string;
      const to = nodes[i + 1] as string;
      const link = topology.outgoing.get(from)?.find((l) => l.to === to);
      if (!link) throw new InvalidPathError(`no link from ${from} to ${to}`);
      links.push(link);
    }
  } else {
    const ids = (route as { links: readonly string[] }).links;
    if (ids.length < 1) throw new InvalidPathError('an explicit route needs at least one link');
    links = ids.map((id) => {
      const link = topology.links.get(id);
      if (!link) throw new UnknownLinkError(id);
      return link;
    });
    nodes = [(links[0] as SimLink).from];
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as SimLink;
      if (link.from !== nodes[i]) {
        throw new InvalidPathError(
          `link ${link.id} does not start at ${nodes[i]}, where the previous hop ends`,
        );
      }
      nodes.push(link.to);
    }
  }
  if (new Set(nodes).size !== nodes.length)
    throw new InvalidPathError(`the route ${nodes.join(' → ')} has a loop`);
  return { nodes, links };
}
