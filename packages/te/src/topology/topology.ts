import { TopologyInvalidError, UnknownLinkError, UnknownNodeError, type TopologyIssue } from '../errors.js';
import type { BandwidthConstraints } from '../ledger/bandwidth-constraints.js';

/** Provider-edge or provider (core) router. */
export type NodeKind = 'PE' | 'P';

/** A router of the provider network. */
export interface TeNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** TE router id (RFC 3630 §2.4.1 Router Address), dotted IPv4. */
  readonly routerId: string;
  /** Dense index of the node in `Topology.nodeList` (for array-based algorithms). */
  readonly index: number;
}

/** One direction of a link: TE attributes as an IGP would flood them (RFC 3630 §2.5, RFC 4203 §1.4). */
export interface TeLink {
  /** Directional link id: the file's id for a one-way link, `<id>:<from>-><to>` for each half of a two-way one. */
  readonly id: string;
  /** The id of the link in the topology document (shared by both directions of a two-way link). */
  readonly bundleId: string;
  /** The opposite direction's id, for two-way links. */
  readonly reverseId: string | undefined;
  readonly from: string;
  readonly to: string;
  /** Maximum Reservable Bandwidth, bit/s (RFC 3630 §2.5.7). */
  readonly maxReservableBps: number;
  /** TE default metric (RFC 3630 §2.5.5). */
  readonly teMetric: number;
  /** One-way delay, microseconds. */
  readonly delayUs: number;
  /** Administrative group / resource class bit mask, 32 bits (RFC 3630 §2.5.9). */
  readonly adminGroups: number;
  /** Shared risk link groups (RFC 4203 §1.4). */
  readonly srlgs: readonly number[];
  /** DiffServ-TE bandwidth constraints of this direction (RFC 4124 §4). */
  readonly bandwidthConstraints: BandwidthConstraints;
  /** Dense index of the link in `Topology.linkList`. */
  readonly index: number;
}

/** Programmatic input for {@link Topology.create}: validated, expanded, numbers only. */
export interface TopologySpec {
  nodes: readonly Omit<TeNode, 'index'>[];
  links: readonly Omit<TeLink, 'index'>[];
  /** Admin-group name → bit position (0…31), for requests that name groups. */
  adminGroupNames?: Readonly<Record<string, number>>;
}

/**
 * An immutable provider-network graph: nodes, directional links and their TE attributes, with
 * array indices for fast path computation. Build it with {@link Topology.create}, from a document
 * with `parseTopology` / `topologyFromDocument`, or with `generateTopology`.
 */
export class Topology {
  readonly nodes: ReadonlyMap<string, TeNode>;
  readonly links: ReadonlyMap<string, TeLink>;
  readonly nodeList: readonly TeNode[];
  readonly linkList: readonly TeLink[];
  /** `outgoing[nodeIndex]` = indices of the links leaving that node, sorted by link id. */
  readonly outgoing: readonly (readonly number[])[];
  readonly adminGroupNames: ReadonlyMap<string, number>;
  /** `linkFrom[linkIndex]` / `linkTo[linkIndex]`: node indices of each link's ends. */
  readonly linkFrom: Int32Array;
  readonly linkTo: Int32Array;
  /** `linkMetric[linkIndex]`: TE metric of each link. */
  readonly linkMetric: Float64Array;
  /**
   * Compressed adjacency: the links leaving node i are `adjacencyLinks[adjacencyStart[i] …
   * adjacencyStart[i + 1] − 1]` (same order as `outgoing[i]`).
   */
  readonly adjacencyStart: Int32Array;
  readonly adjacencyLinks: Int32Array;

  private constructor(spec: TopologySpec) {
    const issues: TopologyIssue[] = [];
    const nodeList: TeNode[] = spec.nodes.map((n, index) => Object.freeze({ ...n, index }));
    const nodes = new Map<string, TeNode>();
    for (const n of nodeList) {
      if (nodes.has(n.id))
        issues.push({ path: `nodes[${n.index}].id`, message: `duplicate node id "${n.id}"` });
      else nodes.set(n.id, n);
    }
    const linkList: TeLink[] = spec.links.map((l, index) =>
      Object.freeze({ ...l, srlgs: Object.freeze([...l.srlgs]), index }),
    );
    const links = new Map<string, TeLink>();
    const outgoing: number[][] = nodeList.map(() => []);
    for (const l of linkList) {
      const from = nodes.get(l.from);
      if (links.has(l.id))
        issues.push({ path: `links[${l.index}].id`, message: `duplicate link id "${l.id}"` });
      else if (!from) issues.push({ path: `links[${l.index}].from`, message: `unknown node "${l.from}"` });
      else if (!nodes.has(l.to))
        issues.push({ path: `links[${l.index}].to`, message: `unknown node "${l.to}"` });
      else {
        links.set(l.id, l);
        (outgoing[from.index] as number[]).push(l.index);
      }
    }
    if (issues.length > 0) throw new TopologyInvalidError(issues);
    for (const out of outgoing) out.sort((a, b) => cmpStr(linkList[a]!.id, linkList[b]!.id));
    this.nodes = nodes;
    this.links = links;
    this.nodeList = nodeList;
    this.linkList = linkList;
    this.outgoing = outgoing;
    this.linkFrom = Int32Array.from(linkList, (l) => (nodes.get(l.from) as TeNode).index);
    this.linkTo = Int32Array.from(linkList, (l) => (nodes.get(l.to) as TeNode).index);
    this.linkMetric = Float64Array.from(linkList, (l) => l.teMetric);
    this.adjacencyStart = new Int32Array(nodeList.length + 1);
    for (let i = 0; i < outgoing.length; i++)
      this.adjacencyStart[i + 1] = (this.adjacencyStart[i] as number) + (outgoing[i] as number[]).length;
    this.adjacencyLinks = Int32Array.from(outgoing.flat());
    this.adminGroupNames = new Map(Object.entries(spec.adminGroupNames ?? {}));
  }

  /** Builds a topology from an already expanded specification (throws `TopologyInvalidError` on duplicate ids or dangling node references). */
  static create(spec: TopologySpec): Topology {
    return new Topology(spec);
  }

  /** The node, or throws `UnknownNodeError`. */
  node(id: string): TeNode {
    const n = this.nodes.get(id);
    if (!n) throw new UnknownNodeError(id);
    return n;
  }

  /** The directional link, or throws `UnknownLinkError`. */
  link(id: string): TeLink {
    const l = this.links.get(id);
    if (!l) throw new UnknownLinkError(id);
    return l;
  }

  /** Links leaving a node. */
  linksFrom(nodeId: string): TeLink[] {
    return (this.outgoing[this.node(nodeId).index] as number[]).map((i) => this.linkList[i] as TeLink);
  }

  /** Number of directional links. */
  get linkCount(): number {
    return this.linkList.length;
  }
}

/** Code-unit string order (stable, locale-free). */
export function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
