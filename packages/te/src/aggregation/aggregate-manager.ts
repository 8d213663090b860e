import {
  addOverhead,
  DEFAULT_PRECEDENCE_MAP,
  isPrecedenceLevel,
  sumTspecs,
  validateTspec,
  type PrecedenceLevel,
  type PrecedenceMap,
  type Tspec,
} from '@svpn/qos';
import { computePath } from '../cspf/compute-path.js';
import {
  DuplicateReservationError,
  NoPathError,
  ReservationInvalidError,
  UnknownLinkError,
} from '../errors.js';
import { CLASS_TYPE_COUNT, type BandwidthConstraints } from '../ledger/bandwidth-constraints.js';
import type {
  LedgerOperation,
  Refusal,
  Reservation,
  ReservationLedger,
  ReservationRequest,
} from '../ledger/reservation-ledger.js';
import { reservationBandwidthBps } from '../ledger/tspec-bandwidth.js';
import { applyPreemption } from '../preemption/apply-preemption.js';
import { planPreemption, type PreemptionRequest, type VictimPolicy } from '../preemption/plan-preemption.js';
import { Topology, type TeLink, type TeNode } from '../topology/topology.js';
import { aggregateTspec, nextAggregateSize } from './aggregate-sizing.js';
import {
  AggregationConfigInvalidError,
  DuplicateFlowError,
  FlowInvalidError,
  UnknownAggregateError,
  UnknownFlowError,
} from './aggregation-errors.js';
import { planDeaggregation } from './plan-deaggregation.js';

/** An adjacency of a layer that is realised by an aggregate of another (outer) layer. */
export interface AggregationCarrier {
  /** Node of this layer where the carrying aggregate starts (its aggregator). */
  from: string;
  /** Node of this layer where it ends (its de-aggregator). */
  to: string;
  /** The layer whose aggregates carry this adjacency. */
  layer: string;
  /** TE metric of the adjacency for routing in this layer. @defaultValue 1 */
  teMetric?: number;
}

/** One layer of aggregation: a routing domain whose aggregates add one header to what they carry. */
export interface AggregationLayer {
  /** Unique name, e.g. `provider`, `interface`, `inner`. */
  name: string;
  /** The layer's own links (each must be a link of the ledger); aggregates are routed on them by CSPF. */
  topology: Topology;
  /** Bytes each packet gains on entering an aggregate of this layer (8 for two MPLS labels, 73 for ESP tunnel mode, …). */
  overheadBytes: number;
  /** Bulk step of the aggregates' size, bit/s. @defaultValue 1 000 000 */
  bulkBps?: number;
  /** Extra slack before an aggregate shrinks, bit/s. @defaultValue 0 */
  hysteresisBps?: number;
  /** Adjacencies of this layer carried by aggregates of other layers (nesting). @defaultValue none */
  carriers?: readonly AggregationCarrier[];
}

/** Caller input for {@link AggregateManager}. */
export interface AggregateManagerOptions {
  /** The layers, in any order; carriers must not form a cycle. */
  layers: readonly AggregationLayer[];
  /** The layer flows enter when they name none. @defaultValue the first layer */
  flowLayer?: string;
  /** Level ↔ RSVP-TE ↔ RFC 3181 priorities. @defaultValue `DEFAULT_PRECEDENCE_MAP` */
  precedence?: PrecedenceMap;
  /** Whether growing reservations may preempt less important ones. @defaultValue true */
  preemption?: boolean;
  /** RFC 4495 policy for victims the manager does not own. @defaultValue none (they are ended) */
  victimPolicy?: (reservation: Reservation) => VictimPolicy | undefined;
  /** Admission order of reservations the manager does not own (newest-first tie-break). @defaultValue none */
  sequenceOf?: (reservation: Reservation) => number | undefined;
  /** Start of every reservation the manager makes; they are open-ended. @defaultValue 0 */
  start?: number;
}

/** A session to carry: it rides in the aggregate of its (layer, ingress, egress, class type, level). */
export interface FlowSpec {
  /** Unique id; also the id of the flow's own ledger reservation. */
  id: string;
  /** Node where the flow enters its aggregate (the aggregator, e.g. the ingress PE). */
  ingress: string;
  /** Node where it leaves it (the de-aggregator, e.g. the egress PE). */
  egress: string;
  /** DiffServ-TE class type. @defaultValue 0 */
  classType?: number;
  /** Precedence level; sets the priorities of the flow and of the aggregates carrying it. */
  level: PrecedenceLevel;
  /** Token bucket as it enters the aggregate (RFC 2210 units: B and B/s); m ≥ 1. */
  tspec: Tspec;
  /** @defaultValue the manager's flow layer */
  layer?: string;
  /**
   * RFC 4495: the least bandwidth (8·r, bit/s) the flow can live with, e.g. after a codec change.
   * @defaultValue none: the flow cannot be reduced, only ended
   */
  minBandwidthBps?: number;
  /** RFC 3181 defending priority. @defaultValue the level's, from the precedence map */
  defendingPriority?: number;
  /** Links the flow's own reservation crosses before entering the aggregate (enclave side). @defaultValue none */
  linksBefore?: readonly string[];
  /** Links it crosses after leaving the aggregate. @defaultValue none */
  linksAfter?: readonly string[];
  /** Owner text of the flow's reservation. @defaultValue 'flow' */
  owner?: string;
}

/** What an operation did, in order. */
export interface AggregationAction {
  target: 'aggregate' | 'flow' | 'reservation';
  id: string;
  /** `create`/`grow`/`shrink` follow demand; `reduce` (RFC 4495) and `end` may be forced. */
  action: 'create' | 'grow' | 'shrink' | 'reduce' | 'end';
  fromBps: number;
  toBps: number;
  /** `demand`: contents changed; `preemption`: a more important reservation took the room; `deaggregation`: the carrying aggregate shrank; `reduction`: {@link AggregateManager.reduceAggregate}. */
  cause: 'demand' | 'preemption' | 'deaggregation' | 'reduction';
  /** For `preemption`: the reservation whose admission or growth preempted this one. */
  preemptedBy?: string;
  /** For `deaggregation`: the node that chose (the carrying aggregate's egress) and that aggregate. */
  deaggregator?: string;
  outerAggregateId?: string;
}

/** Why an operation was refused (nothing was changed). */
export interface AggregationRefusal {
  code: 'TE_NO_BANDWIDTH' | 'TE_NO_PATH';
  /** The reservation (aggregate or flow) that could not be made or grown. */
  reservationId: string;
  link?: string;
  requestedBps?: number;
  availableBps?: number;
  availableWithPreemptionBps?: number;
  detail: string;
}

/** Outcome of the manager's operations. */
export type AggregationResult =
  { ok: true; actions: AggregationAction[] } | { ok: false; refusal: AggregationRefusal };

/** Where an aggregate or a flow runs: the fields its aggregate's id is made of. */
interface AggregationKey {
  layer: string;
  /** RFC 3175 aggregator and de-aggregator. */
  ingress: string;
  egress: string;
  classType: number;
  level: PrecedenceLevel;
}

/** A read-only picture of an aggregate. */
export interface AggregateView extends AggregationKey {
  id: string;
  setupPriority: number;
  holdingPriority: number;
  defendingPriority: number;
  /** Ledger links of its reservation (carriers' tunnels included). */
  links: string[];
  /** Aggregates of outer layers it rides in, in path order. */
  carriers: string[];
  /** The ledger link its contents ride on (capacity = `sizeBps`). */
  virtualLinkId: string;
  /** Its reservation, bit/s. */
  sizeBps: number;
  /** 8 × Σ r of its contents after this layer's overhead (addOverhead, then sumTspecs). */
  requiredBps: number;
  /** Its reservation as a Tspec (what an outer layer carries). */
  tspec: Tspec;
  contents: { kind: 'flow' | 'aggregate'; id: string }[];
}

/** A read-only picture of a flow. */
export interface FlowView extends AggregationKey {
  id: string;
  tspec: Tspec;
  /** Its reservation, 8·r bit/s. */
  bandwidthBps: number;
  minBandwidthBps: number | undefined;
  defendingPriority: number;
  aggregateId: string;
  links: string[];
}

interface LayerState {
  name: string;
  topology: Topology;
  /** The topology plus one link per carrier adjacency (undefined when there are none). */
  view: Topology | undefined;
  carrierByLink: Map<string, AggregationCarrier>;
  overheadBytes: number;
  bulkBps: number;
  hysteresisBps: number;
}

interface FlowState extends AggregationKey {
  id: string;
  owner: string;
  tspec: Tspec;
  minBandwidthBps: number | undefined;
  defendingPriority: number;
  aggregateId: string;
  links: string[];
  sequence: number;
}

interface AggregateState extends AggregationKey {
  id: string;
  setupPriority: number;
  holdingPriority: number;
  defendingPriority: number;
  path: string[];
  carriers: string[];
  virtualLinkId: string;
  sizeBps: number;
  /** True once its reservation and tunnel link are in the ledger. */
  inLedger: boolean;
  contents: Map<string, 'flow' | 'aggregate'>;
  sequence: number;
}

interface Context {
  cause: AggregationAction['cause'];
  preemptedBy?: string;
  deaggregator?: string;
  outerAggregateId?: string;
}

/** Control flow for a refusal deep inside an operation: caught by the transaction, which rolls back. */
class Refused extends Error {
  readonly refusal: AggregationRefusal;

  constructor(refusal: AggregationRefusal) {
    super(refusal.detail);
    this.refusal = refusal;
  }
}

const DEFAULT_BULK_BPS = 1_000_000;

/**
 * RFC 3175-style aggregation on top of the reservation ledger, nested to any depth (seed 003 §2).
 *
 * Flows ride in aggregate tunnels keyed by (layer, ingress, egress, class type, precedence level).
 * Each aggregate holds one ledger reservation along a CSPF path of its layer, sized in bulk steps with
 * hysteresis so that it always covers the sum of the Tspecs it carries after adding the layer's header
 * (`addOverhead` per content, then `sumTspecs`). Its contents ride on a virtual ledger link
 * (`defineLink`) whose capacity is the aggregate's size. An adjacency of a layer may be carried by an
 * aggregate of an outer layer (a *carrier*): an aggregate routed over it is then a content of that
 * carrier, which adds its own header in turn.
 *
 * ```
 *  flow ──► aggregate (interface layer, +H₁) ──► carrier (inner layer, +H₂) ──► real links
 *           ledger: flow on tunnel₁            ledger: agg on … + tunnel₂ + …   ledger: carrier on its path
 * ```
 *
 * Growth that does not fit preempts less important reservations when allowed (RFC 3209 priorities of
 * the level; {@link planPreemption}). An aggregate that is preempted or reduced (RFC 4495) makes its
 * de-aggregator (its egress) reduce or end the reservations it carries, lowest RFC 3181 defending
 * priority first ({@link planDeaggregation}), recursively through inner aggregates down to flows.
 *
 * Every operation is atomic: on a refusal (or a throw) the ledger and the manager are as before.
 * Pure: no timers, no IO. Aggregates and flows are open-ended reservations from `options.start`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3175
 * @see https://www.rfc-editor.org/rfc/rfc4804
 * @see https://www.rfc-editor.org/rfc/rfc4495
 */
export class AggregateManager {
  readonly #ledger: ReservationLedger;
  readonly #layers = new Map<string, LayerState>();
  readonly #flowLayer: string;
  readonly #precedence: PrecedenceMap;
  readonly #preemption: boolean;
  readonly #victimPolicy: ((r: Reservation) => VictimPolicy | undefined) | undefined;
  readonly #sequenceOf: ((r: Reservation) => number | undefined) | undefined;
  readonly #start: number;
  readonly #flows = new Map<string, FlowState>();
  readonly #aggregates = new Map<string, AggregateState>();
  /** Per aggregate: Σ of its contents' Tspecs after its layer's overhead (derived; cleared on rollback). */
  readonly #sumCache = new Map<string, Tspec | null>();
  /** Per aggregate: its reservation as a Tspec (derived; cleared on rollback). */
  readonly #tspecCache = new Map<string, Tspec>();
  /** Per (aggregate, content): the content's Tspec and the same after the aggregate's header. */
  readonly #adjustedCache = new Map<string, { source: Tspec; adjusted: Tspec }>();
  #sequence = 0;
  #journal: (() => void)[] | undefined;
  #actions: AggregationAction[] = [];

  /** @throws AggregationConfigInvalidError when the layers do not fit together or name links the ledger lacks. */
  constructor(ledger: ReservationLedger, options: AggregateManagerOptions) {
    this.#ledger = ledger;
    this.#precedence = options.precedence ?? DEFAULT_PRECEDENCE_MAP;
    this.#preemption = options.preemption ?? true;
    this.#victimPolicy = options.victimPolicy;
    this.#sequenceOf = options.sequenceOf;
    this.#start = options.start ?? 0;
    const issues: string[] = [];
    if (!Number.isFinite(this.#start)) issues.push('start must be a finite number');
    const layers = options.layers ?? [];
    if (layers.length === 0) issues.push('at least one layer is needed');
    const names = new Set(layers.map((l) => l.name));
    for (const spec of layers) {
      const state = this.#buildLayer(spec, names, issues);
      if (state) {
        if (this.#layers.has(state.name)) issues.push(`layer "${state.name}" is defined twice`);
        else this.#layers.set(state.name, state);
      }
    }
    // Carriers must nest: no layer may (transitively) carry itself.
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string, trail: string[]): void => {
      if (done.has(name)) return;
      if (visiting.has(name)) {
        issues.push(`carriers form a cycle: ${[...trail, name].join(' → ')}`);
        return;
      }
      visiting.add(name);
      for (const c of this.#layers.get(name)?.carrierByLink.values() ?? []) visit(c.layer, [...trail, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of this.#layers.keys()) visit(name, []);
    this.#flowLayer = options.flowLayer ?? layers[0]?.name ?? '';
    if (layers.length > 0 && !this.#layers.has(this.#flowLayer))
      issues.push(`flowLayer "${this.#flowLayer}" is not a layer`);
    if (issues.length > 0) throw new AggregationConfigInvalidError(issues);
  }

  // ------------------------------------------------------------------------------------------
  // Operations

  /**
   * Carries a new flow: finds or creates its aggregate (and the carriers below it), grows them as
   * needed — preempting less important reservations when allowed — and books the flow's own
   * reservation on the aggregate's tunnel link (and its access links).
   */
  addFlow(spec: FlowSpec): AggregationResult {
    const flow = this.#validateFlow(spec);
    return this.#transaction(() => {
      const layer = this.#layer(flow.layer);
      const hint = 8 * addOverhead(flow.tspec, layer.overheadBytes).r;
      const aggregate = this.#ensureAggregate(
        layer,
        flow.ingress,
        flow.egress,
        flow.classType,
        flow.level,
        hint,
      );
      flow.aggregateId = aggregate.id;
      flow.links = [...flow.links, aggregate.virtualLinkId, ...(spec.linksAfter ?? [])];
      this.#mapSet(this.#flows, flow.id, flow);
      this.#addContent(aggregate, 'flow', flow.id);
      this.#fit(aggregate);
      const bw = reservationBandwidthBps(flow.tspec);
      this.#admit({
        id: flow.id,
        owner: flow.owner,
        links: flow.links,
        bandwidthBps: bw,
        classType: flow.classType,
        ...this.#precedence.toRsvp(flow.level),
        start: this.#start,
      });
      this.#act(
        { target: 'flow', id: flow.id, action: 'create', fromBps: 0, toBps: bw },
        { cause: 'demand' },
      );
    });
  }

  /** Ends a flow; its aggregate shrinks (with hysteresis) or, when empty, is released, and so on outwards. */
  removeFlow(id: string): AggregationResult {
    const flow = this.#flow(id);
    return this.#transaction(() => {
      const aggregate = this.#aggregate(flow.aggregateId);
      const bw = this.#ledgerRelease(flow.id).bandwidthBps;
      this.#mapDelete(this.#flows, flow.id);
      this.#removeContent(aggregate, flow.id);
      this.#act({ target: 'flow', id: flow.id, action: 'end', fromBps: bw, toBps: 0 }, { cause: 'demand' });
      this.#fit(aggregate);
    });
  }

  /** Changes a flow's Tspec (a codec change, a re-INVITE): growing may preempt; shrinking may shrink the aggregates. */
  resizeFlow(id: string, tspec: Tspec): AggregationResult {
    const flow = this.#flow(id);
    checkTspec(tspec);
    return this.#transaction(() => {
      const aggregate = this.#aggregate(flow.aggregateId);
      const from = reservationBandwidthBps(flow.tspec);
      const to = reservationBandwidthBps(tspec);
      this.#set(flow, 'tspec', tspec);
      this.#invalidate(aggregate.id);
      if (to <= from) {
        this.#ledgerResize(flow.id, to);
        this.#fit(aggregate);
      } else {
        this.#fit(aggregate);
        this.#resize(flow.id, to);
      }
      this.#act(
        { target: 'flow', id, action: to >= from ? 'grow' : 'shrink', fromBps: from, toBps: to },
        { cause: 'demand' },
      );
    });
  }

  /**
   * RFC 4495 bandwidth reduction of an aggregate from outside (a ResvErr asking it to reserve at most
   * `sizeBps`): its reservation drops to that size at once and its de-aggregator (the egress) reduces
   * or ends what it carries, lowest defending priority first. 0 ends the aggregate.
   */
  reduceAggregate(id: string, sizeBps: number): AggregationResult {
    const aggregate = this.#aggregate(id);
    if (
      typeof sizeBps !== 'number' ||
      !Number.isFinite(sizeBps) ||
      sizeBps < 0 ||
      sizeBps >= aggregate.sizeBps
    )
      throw new ReservationInvalidError(
        'sizeBps',
        `must be ≥ 0 and below the current ${aggregate.sizeBps} bit/s`,
      );
    return this.#transaction(() => {
      if (sizeBps === 0) this.#ledgerRelease(id);
      else this.#ledgerResize(id, sizeBps);
      this.#forcedReduction(aggregate, aggregate.sizeBps, sizeBps, { cause: 'reduction' }, undefined);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  /** Every aggregate, by id. */
  aggregates(): AggregateView[] {
    return [...this.#aggregates.keys()].sort().map((id) => this.aggregate(id) as AggregateView);
  }

  aggregate(id: string): AggregateView | undefined {
    const a = this.#aggregates.get(id);
    if (!a) return undefined;
    return {
      id: a.id,
      ...keyOf(a),
      setupPriority: a.setupPriority,
      holdingPriority: a.holdingPriority,
      defendingPriority: a.defendingPriority,
      links: [...a.path],
      carriers: [...a.carriers],
      virtualLinkId: a.virtualLinkId,
      sizeBps: a.sizeBps,
      requiredBps: this.#required(a),
      tspec: this.#aggregateTspec(a),
      contents: [...a.contents].map(([cid, kind]) => ({ kind, id: cid })),
    };
  }

  /** The aggregate of a key, if it exists. */
  aggregateFor(key: {
    layer?: string;
    ingress: string;
    egress: string;
    classType?: number;
    level: PrecedenceLevel;
  }): AggregateView | undefined {
    return this.aggregate(
      aggregateId(key.layer ?? this.#flowLayer, key.ingress, key.egress, key.classType ?? 0, key.level),
    );
  }

  /** Every flow, by id. */
  flows(): FlowView[] {
    return [...this.#flows.keys()].sort().map((id) => this.flow(id) as FlowView);
  }

  flow(id: string): FlowView | undefined {
    const f = this.#flows.get(id);
    if (!f) return undefined;
    return {
      id: f.id,
      ...keyOf(f),
      tspec: { ...f.tspec },
      bandwidthBps: reservationBandwidthBps(f.tspec),
      minBandwidthBps: f.minBandwidthBps,
      defendingPriority: f.defendingPriority,
      aggregateId: f.aggregateId,
      links: [...f.links],
    };
  }

  /** The header bytes a layer's aggregates add. */
  overheadBytesOf(layer: string): number {
    return this.#layer(layer).overheadBytes;
  }

  /** RFC 4495 policy the manager applies to a reservation it owns (used for preemption planning). */
  readonly victimPolicy = (r: Reservation): VictimPolicy | undefined => {
    const a = this.#aggregates.get(r.id);
    if (a) return { minBandwidthBps: this.#aggregateFloor(a) };
    const f = this.#flows.get(r.id);
    if (f) return f.minBandwidthBps === undefined ? undefined : { minBandwidthBps: f.minBandwidthBps };
    return this.#victimPolicy?.(r);
  };

  /** Admission order of a reservation: the manager's own sequence for its aggregates and flows. */
  readonly sequenceOf = (r: Reservation): number | undefined =>
    this.#aggregates.get(r.id)?.sequence ?? this.#flows.get(r.id)?.sequence ?? this.#sequenceOf?.(r);

  // ------------------------------------------------------------------------------------------
  // Aggregates: creation, sizing, release

  #ensureAggregate(
    layer: LayerState,
    ingress: string,
    egress: string,
    classType: number,
    level: PrecedenceLevel,
    hintBps: number,
  ): AggregateState {
    const id = aggregateId(layer.name, ingress, egress, classType, level);
    const existing = this.#aggregates.get(id);
    if (existing) return existing;
    if (this.#ledger.has(id)) throw new DuplicateReservationError(id);
    const { setupPriority, holdingPriority } = this.#precedence.toRsvp(level);
    const route = this.#route(layer, id, ingress, egress, hintBps, classType, setupPriority);
    const state: AggregateState = {
      id,
      layer: layer.name,
      ingress,
      egress,
      classType,
      level,
      setupPriority,
      holdingPriority,
      defendingPriority: this.#precedence.toRfc3181(level).defendingPriority,
      path: [],
      carriers: [],
      virtualLinkId: tunnelLinkId(layer.name, ingress, egress, classType, level),
      sizeBps: 0,
      inLedger: false,
      contents: new Map(),
      sequence: ++this.#sequence,
    };
    this.#mapSet(this.#aggregates, id, state);
    for (const hop of route) {
      if (typeof hop === 'string') {
        state.path.push(hop);
        continue;
      }
      const carrier = this.#ensureAggregate(
        this.#layer(hop.layer),
        hop.from,
        hop.to,
        classType,
        level,
        hintBps,
      );
      state.path.push(carrier.virtualLinkId);
      state.carriers.push(carrier.id);
      this.#addContent(carrier, 'aggregate', id);
    }
    return state;
  }

  /**
   * Routes an aggregate in its layer: CSPF on the layer's own links, with the ledger (so links lacking
   * room at the level's setup priority are avoided). With carriers, the adjacencies are chosen first on
   * the layer's view (its links plus one per carrier), then each stretch of own links is routed by CSPF.
   */
  #route(
    layer: LayerState,
    id: string,
    from: string,
    to: string,
    bandwidthBps: number,
    classType: number,
    setupPriority: number,
  ): (string | AggregationCarrier)[] {
    const cspf = (
      topology: Topology,
      a: string,
      b: string,
      ledger: ReservationLedger | undefined,
    ): string[] => {
      try {
        return computePath(topology, ledger, {
          from: a,
          to: b,
          bandwidthBps: ledger ? bandwidthBps : 0,
          classType,
          setupPriority,
          start: this.#start,
        }).primary.links;
      } catch (err) {
        if (err instanceof NoPathError)
          throw new Refused({
            code: 'TE_NO_PATH',
            reservationId: id,
            requestedBps: bandwidthBps,
            detail: err.message,
          });
        throw err;
      }
    };
    if (!layer.view) return cspf(layer.topology, from, to, this.#ledger);
    const out: (string | AggregationCarrier)[] = [];
    let segmentFrom: string | undefined;
    let at = from;
    const flush = (): void => {
      if (segmentFrom !== undefined) out.push(...cspf(layer.topology, segmentFrom, at, this.#ledger));
      segmentFrom = undefined;
    };
    for (const linkId of cspf(layer.view, from, to, undefined)) {
      const carrier = layer.carrierByLink.get(linkId);
      const link = layer.view.link(linkId);
      if (carrier) {
        flush();
        out.push(carrier);
      } else if (segmentFrom === undefined) segmentFrom = link.from;
      at = link.to;
    }
    flush();
    return out;
  }

  /** Brings an aggregate's size in line with its contents: grow, shrink (hysteresis), or release when empty. */
  #fit(a: AggregateState): void {
    if (!this.#aggregates.has(a.id)) return;
    if (a.contents.size === 0) {
      this.#releaseAggregate(a);
      return;
    }
    const layer = this.#layer(a.layer);
    const target = nextAggregateSize(this.#required(a), a.inLedger ? a.sizeBps : 0, layer);
    if (a.inLedger && target === a.sizeBps) {
      // The size holds, but the Tspec the carriers see may not: a content with a smaller minimum
      // policed unit means more packets, so more of the carrier layer's per-packet overhead.
      for (const c of a.carriers) this.#fit(this.#aggregate(c));
      return;
    }
    if (!a.inLedger || target > a.sizeBps) this.#grow(a, target);
    else this.#shrink(a, target);
  }

  #grow(a: AggregateState, target: number): void {
    const from = a.inLedger ? a.sizeBps : 0;
    this.#setSize(a, target);
    // The carriers first: the tunnels this aggregate rides on must have room for its new size.
    for (const c of a.carriers) this.#fit(this.#aggregate(c));
    if (!a.inLedger) {
      this.#admit({
        id: a.id,
        owner: `aggregate:${a.layer}`,
        links: a.path,
        bandwidthBps: target,
        classType: a.classType,
        setupPriority: a.setupPriority,
        holdingPriority: a.holdingPriority,
        start: this.#start,
      });
      this.#set(a, 'inLedger', true);
    } else this.#resize(a.id, target);
    this.#defineTunnel(a, target);
    this.#act(
      { target: 'aggregate', id: a.id, action: from === 0 ? 'create' : 'grow', fromBps: from, toBps: target },
      {
        cause: 'demand',
      },
    );
  }

  #shrink(a: AggregateState, target: number): void {
    const from = a.sizeBps;
    this.#ledgerResize(a.id, target);
    this.#defineTunnel(a, target);
    this.#setSize(a, target);
    this.#act(
      { target: 'aggregate', id: a.id, action: 'shrink', fromBps: from, toBps: target },
      { cause: 'demand' },
    );
    for (const c of a.carriers) this.#fit(this.#aggregate(c));
  }

  /** Releases an aggregate that carries nothing, then lets its carriers follow. */
  #releaseAggregate(a: AggregateState): void {
    if (a.inLedger) {
      this.#ledgerRelease(a.id);
      this.#removeTunnel(a);
      this.#act(
        { target: 'aggregate', id: a.id, action: 'end', fromBps: a.sizeBps, toBps: 0 },
        { cause: 'demand' },
      );
    }
    this.#mapDelete(this.#aggregates, a.id);
    for (const c of a.carriers) {
      const carrier = this.#aggregate(c);
      this.#removeContent(carrier, a.id);
      this.#fit(carrier);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Forced reductions: preemption and RFC 4495, de-aggregation

  /**
   * An aggregate's reservation was cut to `sizeBps` (0 = ended) by preemption or a reduction request;
   * the ledger already holds the new size. Its de-aggregator reduces or ends contents until they fit,
   * the tunnel link follows, and the carriers (except `except`, which is handling this) resize.
   */
  #forcedReduction(
    a: AggregateState,
    fromBps: number,
    sizeBps: number,
    ctx: Context,
    except: string | undefined,
  ): void {
    this.#actCut('aggregate', a.id, fromBps, sizeBps, ctx);
    const inner: Context = { cause: 'deaggregation', deaggregator: a.egress, outerAggregateId: a.id };
    if (sizeBps > 0) {
      this.#setSize(a, sizeBps);
      this.#deaggregate(a, inner);
    } else {
      // RFC 4495 — reduced to zero: everything it carries is torn down.
      for (const [id, kind] of [...a.contents]) this.#endContent(kind, id, a, inner);
    }
    const carriers = a.carriers.filter((c) => c !== except);
    if (a.contents.size === 0) {
      if (this.#ledger.has(a.id)) this.#ledgerRelease(a.id);
      this.#removeTunnel(a);
      this.#mapDelete(this.#aggregates, a.id);
      for (const c of a.carriers) this.#removeContent(this.#aggregate(c), a.id);
    } else this.#defineTunnel(a, sizeBps);
    for (const c of carriers) this.#fit(this.#aggregate(c));
  }

  /**
   * RFC 4495 §3.1, seed 003 §2.2 — the de-aggregator picks carried reservations to reduce or end until
   * their overhead-adjusted sum fits the aggregate again, lowest defending priority first.
   */
  #deaggregate(a: AggregateState, ctx: Context): void {
    for (let round = 0; round <= a.contents.size + 1; round++) {
      const excess = this.#required(a) - a.sizeBps;
      if (excess <= 0) return;
      const items = [...a.contents].map(([id, kind]) => ({
        id,
        kind,
        contributionBps: 8 * this.#adjusted(a, kind, id).r,
        defendingPriority:
          kind === 'flow'
            ? (this.#flows.get(id) as FlowState).defendingPriority
            : this.#aggregate(id).defendingPriority,
        sequence:
          kind === 'flow' ? (this.#flows.get(id) as FlowState).sequence : this.#aggregate(id).sequence,
      }));
      const reductions = new Map<string, { ownBps: number; tspec: Tspec; contributionBps: number }>();
      const steps = planDeaggregation(items, excess, (item, allowed) => {
        const reduced = this.#reduced(a, item.kind, item.id, allowed);
        if (reduced) reductions.set(item.id, reduced);
        return reduced?.contributionBps ?? 0;
      });
      if (steps.length === 0) return;
      for (const step of steps) {
        const { kind, id } = step.item;
        const reduced = step.action === 'reduce' ? reductions.get(id) : undefined;
        if (reduced) this.#reduceContent(kind, id, reduced.ownBps, reduced.tspec, a, ctx);
        else this.#endContent(kind, id, a, ctx);
      }
    }
  }

  /**
   * What a carried reservation becomes when it may take at most `allowedBps` of the aggregate
   * (after the aggregate's header): its own rate r′ = ⌊⌊allowed/8⌋·m/(m+H)⌋ B/s, so that
   * addOverhead(r′) ≤ allowed; undefined when that is below what it can live with.
   */
  #reduced(
    a: AggregateState,
    kind: 'flow' | 'aggregate',
    id: string,
    allowedBps: number,
  ): { ownBps: number; tspec: Tspec; contributionBps: number } | undefined {
    const H = this.#layer(a.layer).overheadBytes;
    const t = this.#contentTspec(kind, id);
    const bytes = Math.floor(allowedBps / 8);
    const r = H === 0 ? bytes : Math.floor((bytes * t.m) / (t.m + H));
    const ownBps = 8 * r;
    if (!(ownBps > 0)) return undefined;
    let tspec: Tspec;
    if (kind === 'flow') {
      const f = this.#flows.get(id) as FlowState;
      if (f.minBandwidthBps === undefined || ownBps < f.minBandwidthBps) return undefined;
      if (r >= f.tspec.r) return undefined;
      tspec = scaleTspec(f.tspec, r);
    } else {
      const inner = this.#aggregate(id);
      if (ownBps < this.#aggregateFloor(inner) || ownBps >= inner.sizeBps) return undefined;
      tspec = aggregateTspec(ownBps, this.#adjustedSum(inner) ?? ZERO_TSPEC);
    }
    return { ownBps, tspec, contributionBps: 8 * addOverhead(tspec, H).r };
  }

  #reduceContent(
    kind: 'flow' | 'aggregate',
    id: string,
    ownBps: number,
    tspec: Tspec,
    outer: AggregateState,
    ctx: Context,
  ): void {
    // A reservation already cut further by the same preemption keeps the smaller size.
    const current = this.#ledger.get(id)?.bandwidthBps ?? 0;
    if (ownBps < current) this.#ledgerResize(id, ownBps);
    if (kind === 'flow') {
      const f = this.#flows.get(id) as FlowState;
      const from = reservationBandwidthBps(f.tspec);
      this.#set(f, 'tspec', tspec);
      this.#invalidate(outer.id);
      this.#act({ target: 'flow', id, action: 'reduce', fromBps: from, toBps: ownBps }, ctx);
      return;
    }
    const inner = this.#aggregate(id);
    this.#forcedReduction(inner, inner.sizeBps, ownBps, ctx, outer.id);
  }

  #endContent(kind: 'flow' | 'aggregate', id: string, outer: AggregateState, ctx: Context): void {
    // A reservation the same preemption already ended is gone from the ledger.
    if (this.#ledger.has(id)) this.#ledgerRelease(id);
    if (kind === 'flow') {
      const f = this.#flows.get(id) as FlowState;
      this.#mapDelete(this.#flows, id);
      this.#removeContent(outer, id);
      this.#act(
        { target: 'flow', id, action: 'end', fromBps: reservationBandwidthBps(f.tspec), toBps: 0 },
        ctx,
      );
      return;
    }
    const inner = this.#aggregate(id);
    this.#forcedReduction(inner, inner.sizeBps, 0, ctx, outer.id);
  }

  /** The least size at which an aggregate still carries something: its cheapest content at its floor. */
  #aggregateFloor(a: AggregateState): number {
    const H = this.#layer(a.layer).overheadBytes;
    let least = Infinity;
    for (const [id, kind] of a.contents) {
      let t: Tspec;
      if (kind === 'flow') {
        const f = this.#flows.get(id) as FlowState;
        t = f.minBandwidthBps === undefined ? f.tspec : scaleTspec(f.tspec, Math.ceil(f.minBandwidthBps / 8));
      } else {
        const inner = this.#aggregate(id);
        t = aggregateTspec(
          Math.min(inner.sizeBps, this.#aggregateFloor(inner)),
          this.#adjustedSum(inner) ?? ZERO_TSPEC,
        );
      }
      least = Math.min(least, 8 * addOverhead(t, H).r);
    }
    return least === Infinity ? 0 : least;
  }

  // ------------------------------------------------------------------------------------------
  // Ledger access with preemption

  /** Admits, preempting less important reservations when the ledger refuses and preemption is on. */
  #admit(request: ReservationRequest): void {
    const result = this.#ledger.admit(request);
    if (result.ok) {
      this.#record(() => this.#ledger.release(request.id));
      return;
    }
    this.#preempt(request, result.refusal);
  }

  /** Grows a reservation, preempting when needed. */
  #resize(id: string, bandwidthBps: number): void {
    const before = (this.#ledger.get(id) as Reservation).bandwidthBps;
    const result = this.#ledger.resize(id, bandwidthBps);
    if (result.ok) {
      this.#record(() => mustFit(this.#ledger.resize(id, before), id));
      return;
    }
    this.#preempt({ resize: id, bandwidthBps }, result.refusal);
  }

  #preempt(request: PreemptionRequest, refusal: Refusal): void {
    const id = 'resize' in request ? request.resize : request.id;
    const refuse = (available?: number): never => {
      throw new Refused({
        code: 'TE_NO_BANDWIDTH',
        reservationId: id,
        link: refusal.link,
        requestedBps: refusal.requestedBps,
        availableBps: refusal.availableBps,
        availableWithPreemptionBps: available ?? refusal.availableWithPreemptionBps,
        detail: `${id}: ${refusal.link} has ${refusal.availableBps} bit/s, ${refusal.requestedBps} asked`,
      });
    };
    if (!this.#preemption) refuse();
    const plan = planPreemption(this.#ledger, request, {
      victimPolicy: this.victimPolicy,
      sequenceOf: this.sequenceOf,
    });
    if (!plan.feasible) refuse(plan.blocking?.availableWithPreemptionBps);
    const before = 'resize' in request ? (this.#ledger.get(id) as Reservation).bandwidthBps : 0;
    const applied = applyPreemption(this.#ledger, request, plan);
    const inverse: LedgerOperation[] = [
      'resize' in request ? { op: 'resize', id, bandwidthBps: before } : { op: 'release', id },
      ...applied.reduced.map((r): LedgerOperation => ({
        op: 'resize',
        id: r.id,
        bandwidthBps: r.bandwidthBps,
      })),
      ...applied.released.map((r): LedgerOperation => ({ op: 'admit', request: asRequest(r) })),
    ];
    this.#record(() => {
      const undone = this.#ledger.commit(inverse);
      if (!undone.ok) throw new Error(`AggregateManager: rollback of the preemption for ${id} was refused`);
    });
    // The ledger already holds the victims' new sizes: bring the aggregates' states in line first, so
    // that a cascade reaching another victim sees what the ledger holds.
    const sizeOf = (v: (typeof plan.victims)[number]): number =>
      v.action === 'end' ? 0 : (v.newBandwidthBps as number);
    const managed = new Set<string>();
    for (const v of plan.victims) {
      const a = this.#aggregates.get(v.id);
      if (a) this.#setSize(a, sizeOf(v));
      if (a || this.#flows.has(v.id)) managed.add(v.id);
    }
    for (const v of plan.victims) {
      const ctx: Context = { cause: 'preemption', preemptedBy: id };
      const size = sizeOf(v);
      const a = this.#aggregates.get(v.id);
      const f = this.#flows.get(v.id);
      if (managed.has(v.id) && !a && !f) continue; // already torn down by an earlier victim's cascade
      if (a) this.#forcedReduction(a, v.bandwidthBps, size, ctx, undefined);
      else if (f) {
        const outer = this.#aggregate(f.aggregateId);
        this.#actCut('flow', f.id, v.bandwidthBps, size, ctx);
        if (size === 0) {
          this.#mapDelete(this.#flows, f.id);
          this.#removeContent(outer, f.id);
        } else {
          this.#set(f, 'tspec', scaleTspec(f.tspec, size / 8));
          this.#invalidate(outer.id);
        }
        this.#fit(outer);
      } else this.#actCut('reservation', v.id, v.bandwidthBps, size, ctx);
    }
  }

  #ledgerRelease(id: string): Reservation {
    const r = this.#ledger.release(id);
    this.#record(() => mustFit(this.#ledger.admit(asRequest(r)), id));
    return r;
  }

  /** A resize that cannot need preemption (shrinking). */
  #ledgerResize(id: string, bandwidthBps: number): void {
    const before = (this.#ledger.get(id) as Reservation).bandwidthBps;
    mustFit(this.#ledger.resize(id, bandwidthBps), id);
    this.#record(() => mustFit(this.#ledger.resize(id, before), id));
  }

  #defineTunnel(a: AggregateState, sizeBps: number): void {
    let previous: BandwidthConstraints | undefined;
    try {
      previous = this.#ledger.constraintsOf(a.virtualLinkId);
    } catch (err) {
      if (!(err instanceof UnknownLinkError)) throw err;
    }
    // The inner layer's view of the tunnel: one link whose capacity is the aggregate's reservation.
    this.#ledger.defineLink(a.virtualLinkId, {
      model: 'RDM',
      maxReservableBps: sizeBps,
      bc: new Array<number>(a.classType + 1).fill(sizeBps),
    });
    this.#record(() => {
      if (previous) this.#ledger.defineLink(a.virtualLinkId, previous);
      else this.#ledger.removeLink(a.virtualLinkId);
    });
  }

  #removeTunnel(a: AggregateState): void {
    const previous = this.#ledger.constraintsOf(a.virtualLinkId);
    if (!this.#ledger.removeLink(a.virtualLinkId))
      throw new Error(`AggregateManager: tunnel ${a.virtualLinkId} still carries reservations`);
    this.#record(() => this.#ledger.defineLink(a.virtualLinkId, previous));
  }

  // ------------------------------------------------------------------------------------------
  // Tspec sums

  #contentTspec(kind: 'flow' | 'aggregate', id: string): Tspec {
    return kind === 'flow'
      ? (this.#flows.get(id) as FlowState).tspec
      : this.#aggregateTspec(this.#aggregate(id));
  }

  /** A content's Tspec after the aggregate's header (`addOverhead`), cached while the content is unchanged. */
  #adjusted(a: AggregateState, kind: 'flow' | 'aggregate', id: string): Tspec {
    const source = this.#contentTspec(kind, id);
    const key = `${a.id}\n${id}`;
    const hit = this.#adjustedCache.get(key);
    if (hit && hit.source === source) return hit.adjusted;
    const adjusted = addOverhead(source, this.#layer(a.layer).overheadBytes);
    this.#adjustedCache.set(key, { source, adjusted });
    return adjusted;
  }

  /** Σ of the contents' Tspecs after this aggregate's header (addOverhead each, then sumTspecs); null when empty. */
  #adjustedSum(a: AggregateState): Tspec | null {
    const cached = this.#sumCache.get(a.id);
    if (cached !== undefined) return cached;
    const parts = [...a.contents].map(([id, kind]) => this.#adjusted(a, kind, id));
    const sum = parts.length === 0 ? null : sumOf(parts);
    this.#sumCache.set(a.id, sum);
    return sum;
  }

  #required(a: AggregateState): number {
    const sum = this.#adjustedSum(a);
    return sum === null ? 0 : 8 * sum.r;
  }

  #aggregateTspec(a: AggregateState): Tspec {
    let t = this.#tspecCache.get(a.id);
    if (!t) {
      t = aggregateTspec(a.sizeBps, this.#adjustedSum(a) ?? ZERO_TSPEC);
      this.#tspecCache.set(a.id, t);
    }
    return t;
  }

  /** Forgets the cached sums of an aggregate and of every aggregate carrying it. */
  #invalidate(id: string): void {
    this.#sumCache.delete(id);
    this.#tspecCache.delete(id);
    for (const c of this.#aggregates.get(id)?.carriers ?? []) this.#invalidate(c);
  }

  #setSize(a: AggregateState, sizeBps: number): void {
    this.#set(a, 'sizeBps', sizeBps);
    this.#tspecCache.delete(a.id);
    for (const c of a.carriers) this.#invalidate(c);
  }

  #addContent(a: AggregateState, kind: 'flow' | 'aggregate', id: string): void {
    this.#mapSet(a.contents, id, kind);
    this.#invalidate(a.id);
  }

  #removeContent(a: AggregateState, id: string): void {
    this.#mapDelete(a.contents, id);
    this.#adjustedCache.delete(`${a.id}\n${id}`);
    this.#invalidate(a.id);
  }

  // ------------------------------------------------------------------------------------------
  // Transactions

  #transaction(body: () => void): AggregationResult {
    if (this.#journal) throw new Error('AggregateManager: operations do not nest');
    this.#journal = [];
    this.#actions = [];
    try {
      body();
      const actions = this.#actions;
      this.#journal = undefined;
      this.#actions = [];
      return { ok: true, actions };
    } catch (err) {
      const journal = this.#journal ?? [];
      this.#journal = undefined;
      this.#actions = [];
      this.#sumCache.clear();
      this.#tspecCache.clear();
      this.#adjustedCache.clear();
      for (let i = journal.length - 1; i >= 0; i--) (journal[i] as () => void)();
      if (err instanceof Refused) return { ok: false, refusal: err.refusal };
      throw err;
    }
  }

  #record(undo: () => void): void {
    this.#journal?.push(undo);
  }

  #set<T extends object, K extends keyof T>(target: T, key: K, value: T[K]): void {
    const before = target[key];
    target[key] = value;
    this.#record(() => {
      target[key] = before;
    });
  }

  #mapSet<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const before = map.get(key);
    map.set(key, value);
    this.#record(() => {
      if (had) map.set(key, before as V);
      else map.delete(key);
    });
  }

  #mapDelete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const before = map.get(key) as V;
    if (this.#journal === undefined) {
      map.delete(key);
      return;
    }
    // A refusal must leave everything as it was, iteration order included (the views list
    // contents and flows in it): the undo puts the key back in its place, ahead of the keys that
    // followed it (a walk of the map, paid only inside a transaction). Undos run newest first, so
    // those keys are all there again when it runs.
    const after: K[] = [];
    let seen = false;
    for (const k of map.keys()) {
      if (seen) after.push(k);
      else if (k === key) seen = true;
    }
    map.delete(key);
    this.#record(() => {
      map.set(key, before);
      for (const k of after) {
        const v = map.get(k) as V;
        map.delete(k);
        map.set(k, v);
      }
    });
  }

  /** A forced cut of a reservation to `toBps`: `reduce`, or `end` at 0. */
  #actCut(
    target: AggregationAction['target'],
    id: string,
    fromBps: number,
    toBps: number,
    ctx: Context,
  ): void {
    this.#act({ target, id, action: toBps === 0 ? 'end' : 'reduce', fromBps, toBps }, ctx);
  }

  #act(action: Omit<AggregationAction, 'cause'>, ctx: Context): void {
    const out: AggregationAction = { ...action, cause: ctx.cause };
    if (ctx.preemptedBy !== undefined) out.preemptedBy = ctx.preemptedBy;
    if (ctx.deaggregator !== undefined) out.deaggregator = ctx.deaggregator;
    if (ctx.outerAggregateId !== undefined) out.outerAggregateId = ctx.outerAggregateId;
    this.#actions.push(out);
  }

  // ------------------------------------------------------------------------------------------
  // Validation and lookups

  #layer(name: string): LayerState {
    const layer = this.#layers.get(name);
    if (!layer) throw new FlowInvalidError('layer', `unknown layer "${name}"`);
    return layer;
  }

  #aggregate(id: string): AggregateState {
    const a = this.#aggregates.get(id);
    if (!a) throw new UnknownAggregateError(id);
    return a;
  }

  #flow(id: string): FlowState {
    const f = this.#flows.get(id);
    if (!f) throw new UnknownFlowError(id);
    return f;
  }

  #buildLayer(spec: AggregationLayer, names: ReadonlySet<string>, issues: string[]): LayerState | undefined {
    const where = `layer "${String(spec?.name)}"`;
    if (typeof spec?.name !== 'string' || spec.name === '') {
      issues.push('every layer needs a name');
      return undefined;
    }
    if (!(spec.topology instanceof Topology)) {
      issues.push(`${where}: topology must be a Topology`);
      return undefined;
    }
    if (!Number.isInteger(spec.overheadBytes) || spec.overheadBytes < 0)
      issues.push(`${where}: overheadBytes must be a whole number ≥ 0`);
    const bulkBps = spec.bulkBps ?? DEFAULT_BULK_BPS;
    if (!Number.isFinite(bulkBps) || bulkBps <= 0) issues.push(`${where}: bulkBps must be > 0`);
    const hysteresisBps = spec.hysteresisBps ?? 0;
    if (!Number.isFinite(hysteresisBps) || hysteresisBps < 0)
      issues.push(`${where}: hysteresisBps must be ≥ 0`);
    for (const link of spec.topology.linkList) {
      try {
        this.#ledger.constraintsOf(link.id);
      } catch {
        issues.push(`${where}: link "${link.id}" is not in the ledger`);
      }
    }
    const carrierByLink = new Map<string, AggregationCarrier>();
    const carrierLinks: Omit<TeLink, 'index'>[] = [];
    for (const [i, c] of (spec.carriers ?? []).entries()) {
      const at = `${where} carriers[${i}]`;
      if (!names.has(c.layer) || c.layer === spec.name)
        issues.push(`${at}: "${c.layer}" is not another layer`);
      if (!spec.topology.nodes.has(c.from) || !spec.topology.nodes.has(c.to) || c.from === c.to)
        issues.push(`${at}: from/to must be two nodes of the layer's topology`);
      const id = `carrier:${c.layer}:${c.from}->${c.to}`;
      if (spec.topology.links.has(id) || carrierByLink.has(id))
        issues.push(`${at}: adjacency ${id} is defined twice`);
      carrierByLink.set(id, c);
      carrierLinks.push({
        id,
        bundleId: id,
        reverseId: undefined,
        from: c.from,
        to: c.to,
        maxReservableBps: Number.MAX_SAFE_INTEGER,
        teMetric: c.teMetric ?? 1,
        delayUs: 0,
        adminGroups: 0,
        srlgs: [],
        bandwidthConstraints: {
          model: 'RDM',
          maxReservableBps: Number.MAX_SAFE_INTEGER,
          bc: [Number.MAX_SAFE_INTEGER],
        },
      });
    }
    let view: Topology | undefined;
    if (carrierLinks.length > 0 && issues.length === 0) {
      const nodes = spec.topology.nodeList.map((n: TeNode) => ({
        id: n.id,
        kind: n.kind,
        routerId: n.routerId,
      }));
      const links = spec.topology.linkList.map((l: TeLink): Omit<TeLink, 'index'> => {
        const { index: _index, ...rest } = l;
        return rest;
      });
      view = Topology.create({
        nodes,
        links: [...links, ...carrierLinks],
        adminGroupNames: Object.fromEntries(spec.topology.adminGroupNames),
      });
    }
    return {
      name: spec.name,
      topology: spec.topology,
      view,
      carrierByLink,
      overheadBytes: spec.overheadBytes,
      bulkBps,
      hysteresisBps,
    };
  }

  #validateFlow(spec: FlowSpec): FlowState {
    if (typeof spec !== 'object' || spec === null) throw new FlowInvalidError('flow', 'must be an object');
    if (typeof spec.id !== 'string' || spec.id === '')
      throw new FlowInvalidError('id', 'must be a non-empty string');
    if (this.#flows.has(spec.id) || this.#ledger.has(spec.id)) throw new DuplicateFlowError(spec.id);
    const layerName = spec.layer ?? this.#flowLayer;
    const layer = this.#layer(layerName);
    const nodes = (layer.view ?? layer.topology).nodes;
    for (const field of ['ingress', 'egress'] as const)
      if (typeof spec[field] !== 'string' || !nodes.has(spec[field]))
        throw new FlowInvalidError(field, `must be a node of layer "${layerName}"`);
    if (spec.ingress === spec.egress) throw new FlowInvalidError('egress', 'must differ from ingress');
    const classType = spec.classType ?? 0;
    if (!Number.isInteger(classType) || classType < 0 || classType >= CLASS_TYPE_COUNT)
      throw new FlowInvalidError('classType', 'must be an integer 0…7');
    if (!isPrecedenceLevel(spec.level)) throw new FlowInvalidError('level', 'must be a precedence level');
    checkTspec(spec.tspec);
    if (
      spec.minBandwidthBps !== undefined &&
      (typeof spec.minBandwidthBps !== 'number' ||
        !Number.isFinite(spec.minBandwidthBps) ||
        spec.minBandwidthBps < 0)
    )
      throw new FlowInvalidError('minBandwidthBps', 'must be a finite number ≥ 0');
    const defendingPriority =
      spec.defendingPriority ?? this.#precedence.toRfc3181(spec.level).defendingPriority;
    if (!Number.isInteger(defendingPriority) || defendingPriority < 0 || defendingPriority > 0xffff)
      throw new FlowInvalidError('defendingPriority', 'must be an integer 0…65535');
    const before = [...(spec.linksBefore ?? [])];
    for (const link of [...before, ...(spec.linksAfter ?? [])]) this.#ledger.constraintsOf(link);
    return {
      id: spec.id,
      owner: spec.owner ?? 'flow',
      layer: layerName,
      ingress: spec.ingress,
      egress: spec.egress,
      classType,
      level: spec.level,
      tspec: { ...spec.tspec },
      minBandwidthBps: spec.minBandwidthBps,
      defendingPriority,
      aggregateId: '',
      links: before,
      sequence: ++this.#sequence,
    };
  }
}

const ZERO_TSPEC: Tspec = Object.freeze({ r: 0, b: 0, p: 0, m: 0, M: 0 });

/** The id of the aggregate of a key; also the id of its ledger reservation. */
export function aggregateId(
  layer: string,
  ingress: string,
  egress: string,
  classType: number,
  level: string,
): string {
  return `aggregate:${keyString(layer, ingress, egress, classType, level)}`;
}

/** The id of the virtual ledger link an aggregate's contents ride on. */
export function tunnelLinkId(
  layer: string,
  ingress: string,
  egress: string,
  classType: number,
  level: string,
): string {
  return `tunnel:${keyString(layer, ingress, egress, classType, level)}`;
}

function keyString(layer: string, ingress: string, egress: string, classType: number, level: string): string {
  return `${layer}:${ingress}->${egress}:CT${classType}:${level}`;
}

/** The key fields of a state, copied into its view. */
function keyOf(x: AggregationKey): AggregationKey {
  return { layer: x.layer, ingress: x.ingress, egress: x.egress, classType: x.classType, level: x.level };
}

/**
 * `sumTspecs` (r, b, p add, exact and rounded up; m least; M largest), with a fast path: when every
 * part is a whole number of bytes (what `addOverhead` returns for H > 0), the float sums are exact
 * and already whole, so they equal the exact result.
 */
function sumOf(parts: readonly Tspec[]): Tspec {
  let r = 0;
  let b = 0;
  let p = 0;
  let m = Infinity;
  let M = -Infinity;
  for (const t of parts) {
    if (!Number.isInteger(t.r) || !Number.isInteger(t.b) || !Number.isInteger(t.p)) return sumTspecs(parts);
    r += t.r;
    b += t.b;
    p += t.p;
    if (t.m < m) m = t.m;
    if (t.M > M) M = t.M;
  }
  if (!Number.isSafeInteger(r) || !Number.isSafeInteger(b) || !Number.isSafeInteger(p))
    return sumTspecs(parts);
  return { r, b, p, m, M };
}

function checkTspec(tspec: Tspec): void {
  try {
    validateTspec(tspec, { requireBucketCoversMaxPacket: false, mtu: 65_535 });
  } catch (err) {
    throw new FlowInvalidError('tspec', err instanceof Error ? err.message : String(err));
  }
  // The overhead of each layer inflates r by (m+H)/m: m must be at least one byte.
  if (!(tspec.m >= 1)) throw new FlowInvalidError('tspec', 'm must be at least 1 byte');
}

/** A flow's Tspec at token rate `r` B/s: r, b and p scale together; m and M stay. */
function scaleTspec(t: Tspec, r: number): Tspec {
  const f = t.r > 0 ? r / t.r : 0;
  return { r, b: t.b * f, p: Math.max(r, t.p * f), m: t.m, M: t.M };
}

function asRequest(r: Reservation): ReservationRequest {
  return {
    id: r.id,
    owner: r.owner,
    links: [...r.links],
    bandwidthBps: r.bandwidthBps,
    classType: r.classType,
    setupPriority: r.setupPriority,
    holdingPriority: r.holdingPriority,
    start: r.start,
    end: r.end,
  };
}

function mustFit(result: { ok: boolean }, id: string): void {
  if (!result.ok)
    throw new Error(
      `AggregateManager: ledger refused to restore ${id} (was it changed outside the manager?)`,
    );
}
