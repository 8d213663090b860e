import {
  DuplicateReservationError,
  ReservationInvalidError,
  SnapshotInvalidError,
  UnknownLinkError,
  UnknownReservationError,
} from '../errors.js';
import {
  CLASS_TYPE_COUNT,
  LOWEST_PRIORITY,
  PRIORITY_COUNT,
  checkBandwidthConstraints,
  unreservedAtInstant,
  type BandwidthConstraints,
} from './bandwidth-constraints.js';
import { IntervalIndex, type Interval } from './interval-index.js';
import { LinkTable } from './link-table.js';

export type { Interval } from './interval-index.js';

/** A request to reserve bandwidth on every link of a path over [start, end). */
export interface ReservationRequest {
  /** Unique id chosen by the caller (session id, LSP id, aggregate id …). */
  id: string;
  /** Who holds it (VPN session, aggregate tunnel, operator …). Free text. @defaultValue '' */
  owner?: string;
  /** Directional link ids, in path order; each link at most once. */
  links: readonly string[];
  /** Bandwidth in bit/s (≥ 0), already including encapsulation overhead. */
  bandwidthBps: number;
  /** DiffServ-TE class type CT0…CT7 (RFC 4124 §2). @defaultValue 0 */
  classType?: number;
  /** RSVP-TE setup priority 0…7, 0 highest (RFC 3209 §4.7.4). @defaultValue 7 */
  setupPriority?: number;
  /** RSVP-TE holding priority 0…7, must not be worse (numerically greater) than the setup priority. @defaultValue setupPriority */
  holdingPriority?: number;
  /** Inclusive start, in the caller's time unit (ms since the epoch suggested). @defaultValue 0 */
  start?: number;
  /** Exclusive end; +Infinity for open-ended. @defaultValue Infinity */
  end?: number;
}

/** A reservation held in the ledger. Values handed out are copies: changing them changes nothing. */
export interface Reservation extends Interval {
  readonly id: string;
  readonly owner: string;
  readonly links: readonly string[];
  readonly bandwidthBps: number;
  readonly classType: number;
  readonly setupPriority: number;
  readonly holdingPriority: number;
  readonly start: number;
  readonly end: number;
}

/** Why a reservation (or a resize) was refused on one link of its path. */
export interface Refusal {
  code: 'TE_NO_BANDWIDTH';
  /** The first link of the path (in path order) that lacks room. */
  link: string;
  requestedBps: number;
  /** What that link could still take for this class type over the interval without preempting anything. */
  availableBps: number;
  /** What it could take if every reservation at a holding priority worse than the setup priority were preempted. */
  availableWithPreemptionBps: number;
  classType: number;
  setupPriority: number;
  start: number;
  end: number;
}

/** Outcome of {@link ReservationLedger.admit} and {@link ReservationLedger.resize}. */
export type AdmitResult = { ok: true; reservation: Reservation } | { ok: false; refusal: Refusal };

/** One operation of an atomic {@link ReservationLedger.commit}. */
export type LedgerOperation =
  | { op: 'admit'; request: ReservationRequest }
  | { op: 'release'; id: string }
  | { op: 'resize'; id: string; bandwidthBps: number };

/** Outcome of {@link ReservationLedger.commit}: all operations applied, or none (the first refusal says why). */
export type CommitResult =
  { ok: true; reservations: Reservation[] } | { ok: false; index: number; refusal: Refusal };

/** A filter for {@link ReservationLedger.onLink}. */
export interface LinkReservationFilter {
  /** Only reservations whose holding priority is numerically greater (less important) than this. */
  holdingPriorityWorseThan?: number;
  /** Only reservations whose holding priority is at most this (the set that counts at level p). */
  holdingPriorityAtMost?: number;
  /** Only this class type. */
  classType?: number;
}

/** One elementary time slice of a link: constant usage over [start, end). */
export interface LinkSlice {
  start: number;
  end: number;
  /** `reserved[ct][q]` = Reserved(CTct, holding priority q), bit/s. */
  reserved: number[][];
}

/** A link the ledger knows: id and bandwidth constraints (a `TeLink` fits). */
export interface LedgerLink {
  readonly id: string;
  readonly bandwidthConstraints: BandwidthConstraints;
}

/** The JSON form of a ledger ({@link ReservationLedger.snapshot}). `end: null` stands for +Infinity. */
export interface LedgerSnapshot {
  format: 'svpn-te-ledger';
  version: 1;
  links: { id: string; model: BandwidthConstraints['model']; maxReservableBps: number; bc: number[] }[];
  reservations: (Omit<Reservation, 'end' | 'links'> & { end: number | null; links: string[] })[];
}

/** Options of {@link ReservationLedger}. */
export interface ReservationLedgerOptions {
  /**
   * Relative tolerance for capacity comparisons, so float sums of fractional bit rates do not
   * refuse a request that fits exactly: a request fits when bw ≤ available + tolerance × BC0.
   * @defaultValue 1e-9
   */
  relativeTolerance?: number;
}

interface LinkState {
  readonly id: string;
  /** Index of the link in the flat {@link LinkTable} arrays. */
  readonly slot: number;
  constraints: BandwidthConstraints;
  /** Null while the link holds no reservation, so an emptied ledger is exactly an empty one. */
  index: IntervalIndex<StoredReservation> | null;
}

interface StoredReservation {
  id: string;
  owner: string;
  links: readonly string[];
  bandwidthBps: number;
  classType: number;
  setupPriority: number;
  holdingPriority: number;
  start: number;
  end: number;
}

// Hot-path aliases, bound once: when this package runs transpiled to CommonJS (tsx), every use of an
// imported binding is a getter call on the other module's exports.
const unreservedAt = unreservedAtInstant;

const DEFAULTS: Required<ReservationLedgerOptions> = { relativeTolerance: 1e-9 };

/**
 * The reservation ledger: per directional link, every reservation with its class type, setup and
 * holding priority, bandwidth and half-open interval [start, end), checked against the link's
 * DiffServ-TE bandwidth constraints (RDM, RFC 4127, or MAM, RFC 4125) at the peak over the interval.
 *
 * Pure and synchronous: no timers, no IO; time is a number the caller passes. Each link has its own
 * interval tree, so admission on a path touches only that path's links and only the reservations
 * overlapping the requested interval there.
 *
 * Admission here never preempts: a request is admitted when every link has room for it with every
 * existing reservation left in place (the RFC "Unreserved TE-Class" at priority 7, the level at which
 * all holding priorities count). Preemption is built on top with {@link onLink},
 * {@link unreserved} at the setup priority and an atomic {@link commit}.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4124#section-4
 * @see https://www.rfc-editor.org/rfc/rfc4125#section-4
 * @see https://www.rfc-editor.org/rfc/rfc4127#section-5
 */
export class ReservationLedger {
  /** Every link: its constraints and, while it holds reservations, its interval tree. */
  readonly #links = new Map<string, LinkState>();
  readonly #byId = new Map<string, StoredReservation>();
  /** Links by slot (undefined once removed). */
  readonly #bySlot: (LinkState | undefined)[] = [];
  /** Constraints, usage sums and time bounds of every link, by slot: the fast path. */
  readonly #table = new LinkTable();
  /** Topology link index → slot, per topology asked about (rebuilt after a link is removed). */
  #slotMaps = new WeakMap<object, Int32Array>();
  /** Number of links whose tree is non-empty. */
  #activeLinks = 0;
  /** Scratch buffers for the sweep (the ledger is not re-entrant). */
  readonly #hits: StoredReservation[] = [];
  readonly #usage = new Float64Array(CLASS_TYPE_COUNT);
  readonly #options: Required<ReservationLedgerOptions>;

  /** A ledger over these links (a `Topology`'s `links` map, or any iterable of {id, bandwidthConstraints}). */
  constructor(
    links: { readonly links: ReadonlyMap<string, LedgerLink> } | Iterable<LedgerLink>,
    options: ReservationLedgerOptions = {},
  ) {
    this.#options = { ...DEFAULTS, ...options };
    const iterable: Iterable<LedgerLink> = 'links' in links ? links.links.values() : links;
    for (const l of iterable) this.defineLink(l.id, l.bandwidthConstraints);
  }

  // ------------------------------------------------------------------------------------------
  // Links

  /**
   * Adds a link, or replaces its constraints (e.g. after a capacity change, or for a virtual link
   * such as an aggregate tunnel that inner reservations ride in). Existing reservations stay even if
   * they no longer fit; {@link overbooked} finds them.
   */
  defineLink(id: string, constraints: BandwidthConstraints): void {
    const problems = checkBandwidthConstraints(constraints);
    if (problems.length > 0)
      throw new ReservationInvalidError(
        `link ${id}`,
        problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      );
    const frozen = Object.freeze({ ...constraints, bc: Object.freeze([...constraints.bc]) });
    const state = this.#links.get(id);
    if (state) {
      state.constraints = frozen;
      this.#table.setConstraints(state.slot, frozen);
      return;
    }
    const slot = this.#bySlot.length;
    const fresh: LinkState = { id, slot, constraints: frozen, index: null };
    this.#links.set(id, fresh);
    this.#bySlot.push(fresh);
    this.#table.setConstraints(slot, frozen);
  }

  /** Forgets a link that holds no reservation; returns false when it still holds some. */
  removeLink(id: string): boolean {
    const state = this.#link(id);
    if (state.index) return false;
    this.#links.delete(id);
    this.#bySlot[state.slot] = undefined;
    this.#table.clearConstraints(state.slot);
    this.#slotMaps = new WeakMap();
    return true;
  }

  /** The constraints of a link (throws `UnknownLinkError`). */
  constraintsOf(linkId: string): BandwidthConstraints {
    return this.#linkConstraints(linkId);
  }

  /** Ids of every link the ledger knows. */
  linkIds(): string[] {
    return [...this.#links.keys()];
  }

  // ------------------------------------------------------------------------------------------
  // Operations

  /**
   * Admits a reservation on every link of its path, or on none: when one link lacks room the
   * ledger is unchanged and the refusal names the first such link and what it could take.
   * Throws typed errors for malformed requests, unknown links and duplicate ids.
   */
  admit(request: ReservationRequest): AdmitResult {
    const r = this.#validate(request);
    if (this.#byId.has(r.id)) throw new DuplicateReservationError(r.id);
    const refusal = this.#check(r, r.bandwidthBps, undefined);
    if (refusal) return { ok: false, refusal };
    this.#insert(r);
    return { ok: true, reservation: copy(r) };
  }

  /** Releases a reservation on all its links and returns it (throws `UnknownReservationError`). */
  release(id: string): Reservation {
    const r = this.#byId.get(id);
    if (!r) throw new UnknownReservationError(id);
    this.#remove(r);
    return copy(r);
  }

  /**
   * Changes a reservation's bandwidth. Shrinking always succeeds; growing is admitted like a new
   * request for the difference (the reservation's own share is counted once, not twice).
   */
  resize(id: string, bandwidthBps: number): AdmitResult {
    const r = this.#byId.get(id);
    if (!r) throw new UnknownReservationError(id);
    checkBandwidth(bandwidthBps, 'bandwidthBps');
    if (bandwidthBps > r.bandwidthBps) {
      const refusal = this.#check(r, bandwidthBps, r);
      if (refusal) return { ok: false, refusal };
    }
    this.#setBandwidth(r, bandwidthBps);
    return { ok: true, reservation: copy(r) };
  }

  /**
   * Applies admits, releases and resizes in order, atomically: if one is refused (or throws), the
   * ones before it are undone and the ledger is exactly as before. The building block for
   * preemption (release or shrink the victims, then admit, in one step).
   */
  commit(operations: readonly LedgerOperation[]): CommitResult {
    const undo: (() => void)[] = [];
    const done: Reservation[] = [];
    const rollback = (): void => {
      for (let i = undo.length - 1; i >= 0; i--) (undo[i] as () => void)();
    };
    try {
      for (let i = 0; i < operations.length; i++) {
        const op = operations[i] as LedgerOperation;
        switch (op.op) {
          case 'admit': {
            const result = this.admit(op.request);
            if (!result.ok) {
              rollback();
              return { ok: false, index: i, refusal: result.refusal };
            }
            const id = result.reservation.id;
            undo.push(() => this.#remove(this.#byId.get(id) as StoredReservation));
            done.push(result.reservation);
            break;
          }
          case 'release': {
            const stored = this.#byId.get(op.id);
            const released = this.release(op.id);
            undo.push(() => this.#insert(stored as StoredReservation));
            done.push(released);
            break;
          }
          case 'resize': {
            const before = this.#byId.get(op.id)?.bandwidthBps;
            const result = this.resize(op.id, op.bandwidthBps);
            if (!result.ok) {
              rollback();
              return { ok: false, index: i, refusal: result.refusal };
            }
            const id = op.id;
            undo.push(() => {
              this.#setBandwidth(this.#byId.get(id) as StoredReservation, before as number);
            });
            done.push(result.reservation);
            break;
          }
          default: {
            const never: never = op;
            throw new ReservationInvalidError(
              `operations[${i}].op`,
              `unknown operation ${JSON.stringify(never)}`,
            );
          }
        }
      }
    } catch (err) {
      rollback();
      throw err;
    }
    return { ok: true, reservations: done };
  }

  // ------------------------------------------------------------------------------------------
  // Queries

  /** Number of reservations held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Number of links that hold at least one reservation (0 for an empty ledger). */
  get activeLinkCount(): number {
    return this.#activeLinks;
  }

  get(id: string): Reservation | undefined {
    const r = this.#byId.get(id);
    return r ? copy(r) : undefined;
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Every reservation, sorted by id. */
  reservations(): Reservation[] {
    return [...this.#byId.values()].map(copy).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Reservations on a link that overlap [start, end) (default: all time), in (start, id) order,
   * optionally filtered: e.g. `{ holdingPriorityWorseThan: s }` lists what a setup at priority s
   * could preempt there (RFC 3209 §4.7.4: s preempts h only if s < h).
   */
  onLink(
    linkId: string,
    interval: Partial<Interval> = {},
    filter: LinkReservationFilter = {},
  ): Reservation[] {
    const { index } = this.#link(linkId);
    const { start, end } = normaliseInterval(interval);
    if (!index) return [];
    const out: Reservation[] = [];
    for (const r of index.overlapping(start, end)) {
      if (
        filter.holdingPriorityWorseThan !== undefined &&
        !(r.holdingPriority > filter.holdingPriorityWorseThan)
      )
        continue;
      if (filter.holdingPriorityAtMost !== undefined && !(r.holdingPriority <= filter.holdingPriorityAtMost))
        continue;
      if (filter.classType !== undefined && r.classType !== filter.classType) continue;
      out.push(copy(r));
    }
    return out;
  }

  /**
   * "Unreserved TE-Class ⟨CTc, p⟩" of a link over [start, end): the least, over every instant of the
   * interval, of what the bandwidth-constraints model leaves for class type `classType` counting only
   * reservations at holding priority ≤ `priority` (RFC 4127 §5, RFC 4125 §4). Clamped at 0.
   * `priority` 7 (the default) counts everything: what can be admitted without preemption.
   */
  unreserved(
    linkId: string,
    classType: number,
    priority: number = LOWEST_PRIORITY,
    interval: Partial<Interval> = {},
  ): number {
    checkIndex(classType, CLASS_TYPE_COUNT, 'classType');
    checkIndex(priority, PRIORITY_COUNT, 'priority');
    const { start, end } = normaliseInterval(interval);
    const u = this.#unreserved(linkId, classType, priority, start, end, undefined);
    return u > 0 ? u : 0;
  }

  /**
   * {@link unreserved} without argument checks, for inner loops (CSPF): `classType` and `priority`
   * must be integers 0…7 and `end > start`.
   * @internal
   */
  unreservedUnchecked(
    linkId: string,
    classType: number,
    priority: number,
    start: number,
    end: number,
  ): number {
    const u = this.#unreserved(linkId, classType, priority, start, end, undefined);
    return u > 0 ? u : 0;
  }

  /**
   * Slot numbers of a topology's links in this ledger (`-1` for a link the ledger does not know),
   * indexed by `TeLink.index`; cached per topology.
   * @internal for CSPF
   */
  slotsFor(topology: { readonly linkList: readonly { readonly id: string }[] }): Int32Array {
    let slots = this.#slotMaps.get(topology);
    if (!slots) {
      slots = Int32Array.from(topology.linkList, (l) => this.#links.get(l.id)?.slot ?? -1);
      this.#slotMaps.set(topology, slots);
    }
    return slots;
  }

  /**
   * {@link unreservedUnchecked} by slot number (from {@link slotsFor}): no map lookup; for an
   * empty link or one whose reservations all cover the rest of the interval, a few array reads.
   * @internal for CSPF
   */
  unreservedBySlot(slot: number, classType: number, priority: number, start: number, end: number): number {
    const table = this.#table;
    const u = table.covers(slot, end)
      ? table.unreserved(slot, classType, priority)
      : this.#unreservedIn(this.#bySlot[slot] as LinkState, classType, priority, start, end, undefined);
    return u > 0 ? u : 0;
  }

  /** The 8 × 8 table `[priority][classType]` of {@link unreserved} for a link (what an IGP would flood per TE-class). */
  unreservedTable(linkId: string, interval: Partial<Interval> = {}): number[][] {
    const { start, end } = normaliseInterval(interval);
    const table: number[][] = [];
    for (let p = 0; p < PRIORITY_COUNT; p++) {
      const row: number[] = [];
      for (let c = 0; c < CLASS_TYPE_COUNT; c++)
        row.push(Math.max(0, this.#unreserved(linkId, c, p, start, end, undefined)));
      table.push(row);
    }
    return table;
  }

  /**
   * The link's usage cut into elementary slices of constant usage within [start, end) — boundaries at
   * every reservation start and end — each with `reserved[ct][q]`. Slices with nothing reserved are
   * included, so the slices tile the interval (clipped to finite bounds of the reservations).
   */
  slices(linkId: string, interval: Partial<Interval> = {}): LinkSlice[] {
    const { index } = this.#link(linkId);
    const { start, end } = normaliseInterval(interval);
    const items = index?.overlapping(start, end) ?? [];
    const cuts = new Set<number>([start, end]);
    for (const r of items) {
      if (r.start > start) cuts.add(r.start);
      if (r.end < end) cuts.add(r.end);
    }
    const times = [...cuts].sort((a, b) => a - b);
    const out: LinkSlice[] = [];
    for (let i = 0; i + 1 < times.length; i++) {
      const s = times[i] as number;
      const e = times[i + 1] as number;
      const reserved = Array.from({ length: CLASS_TYPE_COUNT }, () =>
        new Array<number>(PRIORITY_COUNT).fill(0),
      );
      for (const r of items)
        if (r.start <= s && r.end > s)
          (reserved[r.classType] as number[])[r.holdingPriority]! += r.bandwidthBps;
      out.push({ start: s, end: e, reserved });
    }
    return out;
  }

  /** Links whose reservations break their constraints somewhere (possible only after {@link defineLink} lowered a capacity, or a restore). */
  overbooked(): string[] {
    const out: string[] = [];
    for (const [linkId, { constraints: bc, index }] of this.#links) {
      if (!index) continue;
      const tol = this.#tolerance(bc);
      for (let c = 0; c < CLASS_TYPE_COUNT; c++) {
        const has = index.overlapping(-Infinity, Infinity).some((r) => r.classType === c);
        if (has && this.#unreserved(linkId, c, LOWEST_PRIORITY, -Infinity, Infinity, undefined) < -tol) {
          out.push(linkId);
          break;
        }
      }
    }
    return out.sort();
  }

  // ------------------------------------------------------------------------------------------
  // Persistence

  /** A JSON-ready copy of the ledger: link constraints and reservations, sorted by id. */
  snapshot(): LedgerSnapshot {
    const links = [...this.#links.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, { constraints: c }]) => ({
        id,
        model: c.model,
        maxReservableBps: c.maxReservableBps,
        bc: [...c.bc],
      }));
    const reservations = this.reservations().map((r) => ({
      id: r.id,
      owner: r.owner,
      links: [...r.links],
      bandwidthBps: r.bandwidthBps,
      classType: r.classType,
      setupPriority: r.setupPriority,
      holdingPriority: r.holdingPriority,
      start: r.start,
      end: r.end === Infinity ? null : r.end,
    }));
    return { format: 'svpn-te-ledger', version: 1, links, reservations };
  }

  /**
   * Rebuilds a ledger from {@link snapshot} output (parsed JSON). With `links` (the current topology),
   * its links' constraints replace the stored ones and stored links it lacks (virtual links) are kept.
   * Reservations are restored as they were, without admission checks; see {@link overbooked}.
   */
  static restore(
    snapshot: unknown,
    links?: { readonly links: ReadonlyMap<string, LedgerLink> } | Iterable<LedgerLink>,
    options: ReservationLedgerOptions = {},
  ): ReservationLedger {
    const s = snapshot as Partial<LedgerSnapshot> | null;
    if (!s || typeof s !== 'object' || s.format !== 'svpn-te-ledger' || s.version !== 1)
      throw new SnapshotInvalidError('not an svpn-te-ledger version 1 snapshot');
    if (!Array.isArray(s.links) || !Array.isArray(s.reservations))
      throw new SnapshotInvalidError('snapshot must have "links" and "reservations" lists');
    const ledger = new ReservationLedger([], options);
    try {
      for (const l of s.links)
        ledger.defineLink(l.id, { model: l.model, maxReservableBps: l.maxReservableBps, bc: l.bc });
      if (links) {
        const iterable: Iterable<LedgerLink> = 'links' in links ? links.links.values() : links;
        for (const l of iterable) ledger.defineLink(l.id, l.bandwidthConstraints);
      }
      for (const raw of s.reservations) {
        const r = ledger.#validate({ ...raw, end: raw.end === null ? Infinity : raw.end });
        if (ledger.#byId.has(r.id)) throw new DuplicateReservationError(r.id);
        ledger.#insert(r);
      }
    } catch (err) {
      throw new SnapshotInvalidError(
        `snapshot cannot be restored: ${err instanceof Error ? err.message : String(err)}`,
        {
          cause: err,
        },
      );
    }
    return ledger;
  }

  // ------------------------------------------------------------------------------------------
  // Internals

  #link(linkId: string): LinkState {
    const state = this.#links.get(linkId);
    if (!state) throw new UnknownLinkError(linkId);
    return state;
  }

  #linkConstraints(linkId: string): BandwidthConstraints {
    return this.#link(linkId).constraints;
  }

  #tolerance(c: BandwidthConstraints): number {
    return this.#options.relativeTolerance * Math.max(1, c.bc[0] ?? 0, c.maxReservableBps);
  }

  /** The first link of r's path lacking room for `bandwidthBps` (with `self` not counted), or undefined. */
  #check(
    r: StoredReservation,
    bandwidthBps: number,
    self: StoredReservation | undefined,
  ): Refusal | undefined {
    for (const linkId of r.links) {
      const c = this.#linkConstraints(linkId);
      const available = this.#unreserved(linkId, r.classType, LOWEST_PRIORITY, r.start, r.end, self);
      if (bandwidthBps > available + this.#tolerance(c)) {
        const withPreemption = this.#unreserved(linkId, r.classType, r.setupPriority, r.start, r.end, self);
        return {
          code: 'TE_NO_BANDWIDTH',
          link: linkId,
          requestedBps: bandwidthBps,
          availableBps: Math.max(0, available),
          availableWithPreemptionBps: Math.max(0, withPreemption),
          classType: r.classType,
          setupPriority: r.setupPriority,
          start: r.start,
          end: r.end,
        };
      }
    }
    return undefined;
  }

  /**
   * Min over the instants of [start, end) of the model's unreserved bandwidth for `ct`, counting
   * reservations with holding priority ≤ `priority`, except `exclude`. A sweep over the boundary
   * instants of the overlapping reservations: all changes at one instant are applied before the
   * instant is evaluated, so one ending at t and one starting at t never count together, while two
   * starting at t both do.
   */
  #unreserved(
    linkId: string,
    ct: number,
    priority: number,
    start: number,
    end: number,
    exclude: StoredReservation | undefined,
  ): number {
    return this.#unreservedIn(this.#link(linkId), ct, priority, start, end, exclude);
  }

  #unreservedIn(
    state: LinkState,
    ct: number,
    priority: number,
    start: number,
    end: number,
    exclude: StoredReservation | undefined,
  ): number {
    const { constraints, index, slot } = state;
    const table = this.#table;
    // Fast path: every reservation on the link has started before `end` and lasts at least until
    // `end` — so in the interval's last instants all of them are active at once: that is the peak.
    // An empty link qualifies too.
    if (table.covers(slot, end) || !index) {
      return exclude && exclude.holdingPriority <= priority
        ? table.unreserved(slot, ct, priority, exclude.classType, exclude.bandwidthBps)
        : table.unreserved(slot, ct, priority);
    }
    const usage = this.#usage;
    const hits = this.#hits;
    hits.length = 0;
    index.overlapping(start, end, hits);
    usage.fill(0);
    let n = 0;
    let endsInside = false;
    for (const r of hits) {
      if (r.holdingPriority > priority || r === exclude || r.bandwidthBps === 0) continue;
      hits[n++] = r;
      usage[r.classType]! += r.bandwidthBps;
      if (r.end < end) endsInside = true;
    }
    hits.length = n;
    // Nothing ends inside the interval: usage only grows, so the peak is everything at once (at the
    // latest start). The common case — open-ended sessions — needs no sweep.
    if (!endsInside) return unreservedAt(constraints, usage, ct);
    usage.fill(0);
    // Events: +bw at max(start, r.start); −bw at r.end when it ends inside the interval.
    const times: number[] = [];
    const deltas: number[] = [];
    const classes: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = hits[i] as StoredReservation;
      times.push(r.start > start ? r.start : start);
      deltas.push(r.bandwidthBps);
      classes.push(r.classType);
      if (r.end < end) {
        times.push(r.end);
        deltas.push(-r.bandwidthBps);
        classes.push(r.classType);
      }
    }
    const order = Array.from(times.keys()).sort((a, b) => (times[a] as number) - (times[b] as number));
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < order.length;) {
      const t = times[order[i] as number] as number;
      let rose = false;
      // All changes at one instant are applied before it is evaluated: one reservation ending at t
      // and another starting at t never count together, two starting at t both do.
      for (; i < order.length && times[order[i] as number] === t; i++) {
        const k = order[i] as number;
        const d = deltas[k] as number;
        usage[classes[k] as number]! += d;
        if (d > 0) rose = true;
      }
      // Usage only peaks right after something starts; evaluate there.
      if (rose) {
        const u = unreservedAt(constraints, usage, ct);
        if (u < least) least = u;
      }
    }
    return least;
  }

  #setBandwidth(r: StoredReservation, bandwidthBps: number): void {
    const delta = bandwidthBps - r.bandwidthBps;
    for (const linkId of r.links) {
      const state = this.#links.get(linkId);
      if (state?.index) this.#table.add(state.slot, r.classType, r.holdingPriority, delta);
    }
    r.bandwidthBps = bandwidthBps;
  }

  #insert(r: StoredReservation): void {
    this.#byId.set(r.id, r);
    for (const linkId of r.links) {
      const state = this.#link(linkId);
      if (!state.index) {
        state.index = new IntervalIndex<StoredReservation>();
        this.#activeLinks++;
      }
      state.index.insert(r);
      const table = this.#table;
      table.add(state.slot, r.classType, r.holdingPriority, r.bandwidthBps);
      table.maxStart[state.slot] = state.index.maxStart();
      table.minEnd[state.slot] = state.index.minEnd();
    }
  }

  #remove(r: StoredReservation): void {
    this.#byId.delete(r.id);
    for (const linkId of r.links) {
      const state = this.#links.get(linkId);
      if (!state?.index) continue;
      state.index.remove(r);
      const table = this.#table;
      if (state.index.size === 0) {
        // Zeroing the sums (rather than subtracting) means float rounding never outlives the
        // link's last reservation: an emptied link is exactly a fresh one.
        state.index = null;
        table.clearUsage(state.slot);
        this.#activeLinks--;
      } else {
        table.add(state.slot, r.classType, r.holdingPriority, -r.bandwidthBps);
        table.maxStart[state.slot] = state.index.maxStart();
        table.minEnd[state.slot] = state.index.minEnd();
      }
    }
  }

  #validate(request: ReservationRequest): StoredReservation {
    if (typeof request !== 'object' || request === null)
      throw new ReservationInvalidError('request', 'must be an object');
    if (typeof request.id !== 'string' || request.id === '')
      throw new ReservationInvalidError('id', 'must be a non-empty string');
    const owner = request.owner ?? '';
    if (typeof owner !== 'string') throw new ReservationInvalidError('owner', 'must be a string');
    if (!Array.isArray(request.links) || request.links.length === 0)
      throw new ReservationInvalidError('links', 'must list at least one link');
    const seen = new Set<string>();
    for (const linkId of request.links) {
      if (typeof linkId !== 'string')
        throw new ReservationInvalidError('links', 'must hold link ids (strings)');
      this.#linkConstraints(linkId);
      if (seen.has(linkId))
        throw new ReservationInvalidError('links', `link ${linkId} appears twice in the path`);
      seen.add(linkId);
    }
    checkBandwidth(request.bandwidthBps, 'bandwidthBps');
    const classType = request.classType ?? 0;
    checkIndex(classType, CLASS_TYPE_COUNT, 'classType');
    const setupPriority = request.setupPriority ?? LOWEST_PRIORITY;
    checkIndex(setupPriority, PRIORITY_COUNT, 'setupPriority');
    const holdingPriority = request.holdingPriority ?? setupPriority;
    checkIndex(holdingPriority, PRIORITY_COUNT, 'holdingPriority');
    // RFC 3209 §4.7.4 — the setup priority SHOULD NOT be higher than the holding priority
    // (a session that could preempt others but not hold on would cause preemption loops).
    if (holdingPriority > setupPriority)
      throw new ReservationInvalidError(
        'holdingPriority',
        `holding priority ${holdingPriority} is worse than setup priority ${setupPriority} (RFC 3209 §4.7.4)`,
      );
    const start = request.start ?? 0;
    const end = request.end ?? Infinity;
    if (typeof start !== 'number' || !Number.isFinite(start))
      throw new ReservationInvalidError('start', 'must be a finite number');
    if (typeof end !== 'number' || Number.isNaN(end) || !(end > start))
      throw new ReservationInvalidError('end', 'must be a number greater than start (or Infinity)');
    return {
      id: request.id,
      owner,
      links: Object.freeze([...request.links]),
      bandwidthBps: request.bandwidthBps,
      classType,
      setupPriority,
      holdingPriority,
      start,
      end,
    };
  }
}

function copy(r: StoredReservation): Reservation {
  return {
    id: r.id,
    owner: r.owner,
    links: r.links,
    bandwidthBps: r.bandwidthBps,
    classType: r.classType,
    setupPriority: r.setupPriority,
    holdingPriority: r.holdingPriority,
    start: r.start,
    end: r.end,
  };
}

function checkBandwidth(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new ReservationInvalidError(field, 'must be a finite number of bit/s ≥ 0');
}

function checkIndex(value: unknown, count: number, field: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= count)
    throw new ReservationInvalidError(field, `must be an integer 0…${count - 1}`);
}

function normaliseInterval(interval: Partial<Interval>): { start: number; end: number } {
  const start = interval.start ?? -Infinity;
  const end = interval.end ?? Infinity;
  if (Number.isNaN(start) || Number.isNaN(end) || !(end > start))
    throw new ReservationInvalidError('interval', 'end must be greater than start');
  return { start, end };
}
