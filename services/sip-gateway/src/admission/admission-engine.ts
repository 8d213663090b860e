/**
 * Admission: the TE ledger with aggregate tunnels, as a stateful PCE holds it (DESIGN §5). Each
 * session is a flow in the aggregate of its (ingress PE, egress PE, class type, precedence level);
 * aggregates are sized in bulk steps over a CSPF path and may preempt less important ones, whose
 * de-aggregators then reduce or end the sessions they carry (RFC 3175, RFC 3209, RFC 4495).
 *
 * A scheduled connection (the northbound API's reserve with a start or end time) is booked apart:
 * a reservation of its own over a CSPF path for exactly its window [start, end), so it holds
 * capacity only then and connections in disjoint windows can share the same links. Aggregates are
 * open-ended, so they count a booking wherever its window lies; a booking never preempts (it is
 * refused when its window lacks room) but may be preempted by a more important aggregate, and is
 * then reported as ended like a preempted flow.
 *
 * Every change is written to a {@link FlowJournal} before the caller hears of it; on start the
 * engine replays the journal in admission order, which rebuilds the same ledger. The victims of a
 * preemption are published as notices ({@link PreemptionNoticePort}) before the journal writes of
 * the same change, so whoever holds a victim — another gateway, the API's booking — learns of it,
 * not only the caller of the admission that preempted.
 */
import { randomUUID } from 'node:crypto';
import {
  addOverhead,
  DEFAULT_PRECEDENCE_MAP,
  type PrecedenceLevel,
  isPrecedenceLevel,
  tspecFromBitRate,
  MPLS_LABEL_BYTES,
} from '@svpn/qos';
import type { FlowWindow, PreemptionCause, PreemptionNotice } from '@svpn/store';
import {
  AggregateManager,
  type AggregationAction,
  computePath,
  type FlowSpec,
  type FlowView,
  LOWEST_PRIORITY,
  NoPathError,
  ReservationLedger,
  type ReservationRequest,
  type Topology,
} from '@svpn/te';
import type { AdmissionPort, AdmissionRequest, AdmissionResult, PreemptionAction } from '../ports.js';

/** An admission request as the engine takes it: the port's, plus whether it books a scheduled connection. */
export interface ScheduledAdmissionRequest extends AdmissionRequest {
  /**
   * The request books a scheduled connection (the northbound API's reserve). When its window is
   * bounded — a finite `end`, or a `start` still to come — the engine reserves exactly
   * [max(start, now), end) on a path of its own instead of adding an open-ended flow to an aggregate.
   * @defaultValue false: a SIP session, carried by an aggregate whatever its duration cap (the call
   * controller ends it at its duration itself)
   */
  scheduled?: boolean;
}

/** One journalled flow or booking: enough to admit it again in the same order. */
export interface JournalEntry {
  seq: number;
  spec: FlowSpec;
  /** A scheduled booking's window and path; absent for an aggregate flow (and in older entries). */
  window?: FlowWindow;
}

/** A read-only picture of a scheduled booking. */
export interface BookingView {
  /** The session id; also the id of its ledger reservation. */
  id: string;
  /** The LSP the booking is signalled as (its own, not an aggregate). */
  lspId: string;
  ingress: string;
  egress: string;
  classType: number;
  level: PrecedenceLevel;
  /** What the session asked for, bit/s (8·r of its Tspec). */
  bandwidthBps: number;
  /** What the links carry for it: its Tspec after the tunnel's header, bit/s. */
  lspBandwidthBps: number;
  start: number;
  /** +Infinity for a booking that starts later and has no end. */
  end: number;
  links: string[];
  setupPriority: number;
  holdingPriority: number;
}

/** A scheduled booking as the engine holds it. */
interface Booking {
  spec: FlowSpec;
  start: number;
  end: number;
  links: string[];
  lspBandwidthBps: number;
  setupPriority: number;
  holdingPriority: number;
}

type Refusal = Extract<AdmissionResult, { ok: false }>;

/** Where admitted flows are persisted (Redis in production, memory in tests). */
export interface FlowJournal {
  load(): Promise<JournalEntry[]>;
  put(entry: JournalEntry): Promise<void>;
  remove(id: string): Promise<void>;
}

export class MemoryFlowJournal implements FlowJournal {
  readonly entries = new Map<string, JournalEntry>();
  async load(): Promise<JournalEntry[]> {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }
  async put(entry: JournalEntry): Promise<void> {
    this.entries.set(entry.spec.id, structuredClone(entry));
  }
  async remove(id: string): Promise<void> {
    this.entries.delete(id);
  }
}

/**
 * Where the victims of a preemption are announced (the Redis stream of preemption notices). `publish`
 * must hand its writes to the journal's connection before it returns — the engine sends the journal
 * writes of the same change right after, and Redis runs one connection's commands in order, so a
 * persisted change always has its notices.
 */
export interface PreemptionNoticePort {
  publish(notices: PreemptionNotice[]): Promise<void>;
}

/** What the ledger holds for a session now: a flow's or a booking's bandwidth and tunnel. */
export interface Holding {
  sessionId: string;
  /** What the session holds, bit/s (less than it asked for after an RFC 4495 reduction). */
  bandwidthBps: number;
  lspId: string;
  booking: boolean;
}

export interface AdmissionEngineOptions {
  topology: Topology;
  journal: FlowJournal;
  /** Where preemption victims are announced. @defaultValue nowhere (only the caller hears of them) */
  notices?: PreemptionNoticePort;
  /** Aggregate bulk step (RFC 3175 §1.4.4), bit/s. @defaultValue 10 Mbit/s */
  bulkBps?: number;
  /** Extra slack before an aggregate shrinks, bit/s. @defaultValue 0 */
  hysteresisBps?: number;
  /** Header bytes the provider tunnel adds per packet. @defaultValue two MPLS labels (8) */
  overheadBytes?: number;
  /** Seconds a caller refused for capacity should wait before trying again. @defaultValue 30 */
  retryAfterS?: number;
  /** The clock of booking windows (ms since the epoch, as callers send them). @defaultValue Date.now */
  now?: () => number;
}

export class AdmissionEngine implements AdmissionPort {
  readonly ledger: ReservationLedger;
  readonly manager: AggregateManager;
  private seq = 0;
  private readonly retryAfterS: number;
  private readonly now: () => number;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly booked = new Map<string, Booking>();
  /** The earliest end of a booking held (+Infinity when none): nothing to expire before it. */
  private nextExpiry = Number.POSITIVE_INFINITY;

  private constructor(private readonly options: AdmissionEngineOptions) {
    this.ledger = new ReservationLedger(options.topology);
    this.manager = new AggregateManager(this.ledger, {
      layers: [
        {
          name: 'provider',
          topology: options.topology,
          overheadBytes: options.overheadBytes ?? 2 * MPLS_LABEL_BYTES,
          bulkBps: options.bulkBps ?? 10_000_000,
          hysteresisBps: options.hysteresisBps ?? 0,
        },
      ],
    });
    this.retryAfterS = options.retryAfterS ?? 30;
    this.now = options.now ?? Date.now;
  }

  /** Builds the engine and replays the journal (the restart path of a PCE). */
  static async open(options: AdmissionEngineOptions): Promise<AdmissionEngine> {
    const engine = new AdmissionEngine(options);
    const now = engine.now();
    for (const entry of await options.journal.load()) {
      engine.seq = Math.max(engine.seq, entry.seq);
      if (entry.window !== undefined) {
        const end = entry.window.end ?? Number.POSITIVE_INFINITY;
        // A booking whose window is over holds nothing any more: it is not replayed.
        const booked =
          end > now &&
          (engine.book(entry.spec, entry.window.start, end, now, entry.window.links).ok ||
            engine.book(entry.spec, entry.window.start, end, now).ok);
        if (!booked) await options.journal.remove(entry.spec.id);
        continue;
      }
      const result = engine.manager.addFlow(entry.spec);
      // A flow that no longer fits (the topology shrank meanwhile) is dropped from the journal.
      if (!result.ok) await options.journal.remove(entry.spec.id);
      else await engine.settle(result.actions, entry.spec.id, 'replay').write;
    }
    return engine;
  }

  /** A scheduled booking, if the session holds one. */
  booking(sessionId: string): BookingView | undefined {
    const b = this.booked.get(sessionId);
    if (b === undefined) return undefined;
    return {
      id: b.spec.id,
      lspId: bookingLspId(b.spec.id),
      ingress: b.spec.ingress,
      egress: b.spec.egress,
      classType: b.spec.classType ?? 0,
      level: b.spec.level,
      bandwidthBps: 8 * b.spec.tspec.r,
      lspBandwidthBps: b.lspBandwidthBps,
      start: b.start,
      end: b.end,
      links: [...b.links],
      setupPriority: b.setupPriority,
      holdingPriority: b.holdingPriority,
    };
  }

  /** Every scheduled booking, by id. */
  bookings(): BookingView[] {
    return [...this.booked.keys()].sort().map((id) => this.booking(id) as BookingView);
  }

  /** Whether the session holds capacity: a flow in an aggregate or a scheduled booking. */
  holds(sessionId: string): boolean {
    return this.booked.has(sessionId) || this.manager.flow(sessionId) !== undefined;
  }

  /**
   * What the session holds now, or undefined when it holds nothing (released, preempted, expired).
   * A holder told of a preemption reads this before acting: the notice may be late or repeated.
   */
  holding(sessionId: string): Holding | undefined {
    const booking = this.booked.get(sessionId);
    if (booking !== undefined) {
      return {
        sessionId,
        bandwidthBps: 8 * booking.spec.tspec.r,
        lspId: bookingLspId(sessionId),
        booking: true,
      };
    }
    const flow = this.manager.flow(sessionId);
    if (flow === undefined) return undefined;
    return { sessionId, bandwidthBps: flow.bandwidthBps, lspId: flow.aggregateId, booking: false };
  }

  /**
   * One change at a time: admission has a single writer (DESIGN §5). A change is applied in memory
   * and its journal writes are sent at once, in order, on the journal's connection (`persist`); the
   * next change does not wait for their acknowledgement, but each caller is answered only once its own
   * writes are acknowledged — and Redis runs one connection's commands in order, so every earlier
   * change is persisted by then too. Waiting for each write before the next change capped admissions
   * plus releases at one Redis round trip each, which a busy event loop stretches to milliseconds.
   */
  private serial<T>(fn: (persist: (write: Promise<void>) => void) => Promise<T>): Promise<T> {
    const writes: Promise<void>[] = [];
    const persist = (write: Promise<void>): void => {
      write.catch(() => undefined); // reported to the caller below, never unhandled
      writes.push(write);
    };
    const run = (): Promise<T> => fn(persist);
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next.then(async (value) => {
      await Promise.all(writes);
      return value;
    });
  }

  /**
   * Admits a session, or books a scheduled connection's window (see {@link ScheduledAdmissionRequest}).
   * Idempotent per session id: a session that holds a flow or a booking gets its tunnel described
   * again — the API's INVITE at a booking's start finds the booking and counts nothing twice. A
   * `scheduled` request for a session already booked is the API changing it (an NSI modify or its
   * abort): the booking takes the new window and bandwidth on its path, a flow the new bandwidth.
   */
  admit(request: ScheduledAdmissionRequest): Promise<AdmissionResult> {
    return this.serial(async (persist) => {
      const now = this.now();
      this.expire(now, persist);
      const level: PrecedenceLevel = isPrecedenceLevel(request.level) ? request.level : 'routine';
      const spec: FlowSpec = {
        id: request.sessionId,
        ingress: request.ingressPe,
        egress: request.egressPe,
        classType: request.classType,
        level,
        tspec: tspecFromBitRate(request.bandwidthBps),
        ...(request.mayShrink && request.minBps < request.bandwidthBps
          ? { minBandwidthBps: request.minBps }
          : {}),
        owner: 'session',
      };
      if (this.holds(spec.id)) {
        return request.scheduled === true
          ? this.rebook(spec, request, now, persist)
          : this.describe(spec.id, []);
      }
      if (request.ingressPe === request.egressPe) return localResult(request.ingressPe);
      if (request.scheduled === true && (Number.isFinite(request.end) || request.start > now)) {
        const booked = this.book(spec, request.start, request.end, now);
        if (!booked.ok) return booked;
        persist(this.journalBooking(booked.booking));
        return this.describe(spec.id, []);
      }
      let result;
      try {
        result = this.manager.addFlow(spec);
      } catch (error) {
        return this.refuse('no-path', (error as Error).message);
      }
      if (!result.ok) {
        return this.refuse(
          this.refusalReason(result.refusal.code, spec.ingress, spec.egress),
          result.refusal.detail,
        );
      }
      const settled = this.settle(result.actions, spec.id, 'admit', spec);
      persist(settled.write);
      return this.describe(spec.id, settled.preempted);
    });
  }

  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult> {
    return this.serial(async (persist) => {
      this.expire(this.now(), persist);
      const booking = this.booked.get(sessionId);
      if (booking !== undefined) return this.resizeBooking(booking, bandwidthBps, persist);
      return this.resizeFlow(sessionId, bandwidthBps, persist, 'resize');
    });
  }

  /** A flow's new bandwidth: only the delta is admitted (and may preempt); the old size stays on refusal. */
  private resizeFlow(
    sessionId: string,
    bandwidthBps: number,
    persist: (write: Promise<void>) => void,
    cause: PreemptionCause,
  ): AdmissionResult {
    const flow = this.manager.flow(sessionId);
    if (flow === undefined) {
      return this.refuse('no-capacity', `session ${sessionId} holds no reservation`);
    }
    const tspec = tspecFromBitRate(bandwidthBps);
    const result = this.manager.resizeFlow(sessionId, tspec);
    if (!result.ok) {
      return this.refuse('no-capacity', result.refusal.detail);
    }
    const settled = this.settle(result.actions, sessionId, cause);
    persist(settled.write);
    return this.describe(sessionId, settled.preempted);
  }

  release(sessionId: string): Promise<{ lspId: string; lspBandwidthBps: number } | undefined> {
    return this.serial(async (persist) => {
      this.expire(this.now(), persist);
      if (this.booked.has(sessionId)) {
        this.unbook(sessionId);
        persist(this.options.journal.remove(sessionId));
        // The booking's LSP is its own: nothing is left of it.
        return { lspId: bookingLspId(sessionId), lspBandwidthBps: 0 };
      }
      const flow = this.manager.flow(sessionId);
      if (flow === undefined) {
        persist(this.options.journal.remove(sessionId));
        return undefined;
      }
      const result = this.manager.removeFlow(sessionId);
      persist(this.options.journal.remove(sessionId));
      if (!result.ok) return undefined;
      const aggregate = this.manager.aggregate(flow.aggregateId);
      return { lspId: flow.aggregateId, lspBandwidthBps: aggregate?.sizeBps ?? 0 };
    });
  }

  move(sessionId: string, ingressPe: string, egressPe: string): Promise<AdmissionResult> {
    return this.serial(async (persist) => {
      const now = this.now();
      this.expire(now, persist);
      const booking = this.booked.get(sessionId);
      if (booking !== undefined) return this.moveBooking(booking, ingressPe, egressPe, now, persist);
      const flow = this.manager.flow(sessionId);
      if (flow === undefined) {
        return this.refuse('no-capacity', `session ${sessionId} holds no reservation`);
      }
      if (flow.ingress === ingressPe && flow.egress === egressPe) return this.describe(sessionId, []);
      const old = sessionFlowSpec(flow);
      const moved: FlowSpec = { ...old, ingress: ingressPe, egress: egressPe };
      // The single writer swaps the flow in one step: nobody can take the freed share in between,
      // and a refused move puts the old flow back where it was (it fitted a moment ago).
      this.manager.removeFlow(sessionId);
      let result;
      try {
        result = ingressPe === egressPe ? undefined : this.manager.addFlow(moved);
      } catch (error) {
        result = {
          ok: false as const,
          refusal: { code: 'TE_NO_PATH', detail: (error as Error).message },
        };
      }
      if (result !== undefined && !result.ok) {
        this.manager.addFlow(old);
        return this.refuse(
          this.refusalReason(result.refusal.code, ingressPe, egressPe),
          result.refusal.detail,
        );
      }
      if (result === undefined) {
        persist(this.options.journal.remove(sessionId));
        return localResult(ingressPe);
      }
      const settled = this.settle(result.actions, sessionId, 'move', moved);
      persist(settled.write);
      return this.describe(sessionId, settled.preempted);
    });
  }

  // ------------------------------------------------------------------------------------------
  // Scheduled bookings

  /**
   * Books `spec` for [max(start, now), end) over `links`, or over a CSPF path with room for the whole
   * window. Same accounting as a flow in an aggregate: its Tspec after the tunnel's header, the
   * class type, and the RSVP-TE priorities of its precedence level. Bookings do not preempt: CSPF
   * looks for room at the lowest priority, so a window that lacks room is refused.
   */
  private book(
    spec: FlowSpec,
    start: number,
    end: number,
    now: number,
    links?: readonly string[],
  ): { ok: true; booking: Booking } | Refusal {
    const from = Math.max(start, now);
    if (!Number.isFinite(from) || !(end > from)) {
      return this.refuse('no-capacity', `the window of ${spec.id} is over (it ended at ${end})`);
    }
    const classType = spec.classType ?? 0;
    const lspBandwidthBps = 8 * addOverhead(spec.tspec, this.manager.overheadBytesOf('provider')).r;
    const { setupPriority, holdingPriority } = DEFAULT_PRECEDENCE_MAP.toRsvp(spec.level);
    let path: string[];
    try {
      path =
        links === undefined
          ? computePath(this.options.topology, this.ledger, {
              from: spec.ingress,
              to: spec.egress,
              bandwidthBps: lspBandwidthBps,
              classType,
              setupPriority: LOWEST_PRIORITY,
              start: from,
              end,
            }).primary.links
          : [...links];
    } catch (error) {
      const capacity = error instanceof NoPathError && error.reason === 'insufficient-bandwidth';
      return this.refuse(capacity ? 'no-capacity' : 'no-path', (error as Error).message);
    }
    const request: ReservationRequest = {
      id: spec.id,
      owner: 'booking',
      links: path,
      bandwidthBps: lspBandwidthBps,
      classType,
      setupPriority,
      holdingPriority,
      start: from,
      end,
    };
    let admitted;
    try {
      admitted = this.ledger.admit(request);
    } catch (error) {
      // A link the topology no longer has (a replayed path), or an id the ledger holds already.
      return this.refuse('no-path', (error as Error).message);
    }
    if (!admitted.ok) {
      const r = admitted.refusal;
      return this.refuse(
        'no-capacity',
        `${spec.id}: ${r.link} has ${r.availableBps} bit/s over [${from}, ${end}), ${r.requestedBps} asked`,
      );
    }
    const booking: Booking = {
      spec,
      start: from,
      end,
      links: path,
      lspBandwidthBps,
      setupPriority,
      holdingPriority,
    };
    this.booked.set(spec.id, booking);
    this.nextExpiry = Math.min(this.nextExpiry, end);
    return { ok: true, booking };
  }

  /** Forgets a booking and frees its window (idempotent). */
  private unbook(id: string): void {
    this.booked.delete(id);
    if (this.ledger.has(id)) this.ledger.release(id);
  }

  /**
   * Bookings whose window is over hold nothing: they are released (the API releases them at their
   * end too; this covers a missed release). Left in the ledger they would count against aggregates,
   * which are open-ended from time 0, at instants that are past.
   */
  private expire(now: number, persist: (write: Promise<void>) => void): void {
    if (now < this.nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, b] of this.booked) {
      if (b.end <= now) {
        this.unbook(id);
        persist(this.options.journal.remove(id));
      } else next = Math.min(next, b.end);
    }
    this.nextExpiry = next;
  }

  /**
   * The API's booking of a session that holds one already (a modify, or its abort): a booking is
   * re-booked for the requested window and bandwidth on the same path — the session may be live on
   * it — or stays as it was when that is refused; a flow is open-ended, so it covers any window and
   * only its bandwidth follows. The same request again changes nothing.
   */
  private rebook(
    spec: FlowSpec,
    request: ScheduledAdmissionRequest,
    now: number,
    persist: (write: Promise<void>) => void,
  ): AdmissionResult {
    const id = spec.id;
    const booking = this.booked.get(id);
    if (booking === undefined) {
      const flow = this.manager.flow(id);
      if (flow === undefined || flow.tspec.r === spec.tspec.r) return this.describe(id, []);
      return this.resizeFlow(id, request.bandwidthBps, persist, 'rebook');
    }
    const sameWindow =
      booking.end === request.end && Math.max(booking.start, now) === Math.max(request.start, now);
    if (sameWindow && booking.spec.tspec.r === spec.tspec.r) return this.describe(id, []);
    if (sameWindow) return this.resizeBooking(booking, request.bandwidthBps, persist);
    this.unbook(id);
    const next = { ...spec, ingress: booking.spec.ingress, egress: booking.spec.egress };
    const rebooked = this.book(next, request.start, request.end, now, booking.links);
    if (!rebooked.ok) {
      // What it held a moment ago (from now on) fits again.
      this.book(booking.spec, booking.start, booking.end, now, booking.links);
      return rebooked;
    }
    persist(this.journalBooking(rebooked.booking));
    return this.describe(id, []);
  }

  /** Changes a booking's bandwidth over its window; growing is refused when the window lacks room. */
  private resizeBooking(
    booking: Booking,
    bandwidthBps: number,
    persist: (write: Promise<void>) => void,
  ): AdmissionResult {
    const tspec = tspecFromBitRate(bandwidthBps);
    const lspBandwidthBps = 8 * addOverhead(tspec, this.manager.overheadBytesOf('provider')).r;
    const resized = this.ledger.resize(booking.spec.id, lspBandwidthBps);
    if (!resized.ok) {
      const r = resized.refusal;
      return this.refuse(
        'no-capacity',
        `${booking.spec.id}: ${r.link} has ${r.availableBps} bit/s more over its window, ${r.requestedBps} asked`,
      );
    }
    booking.spec = { ...booking.spec, tspec };
    booking.lspBandwidthBps = lspBandwidthBps;
    persist(this.journalBooking(booking));
    return this.describe(booking.spec.id, []);
  }

  /** VPN mobility for a booking: the rest of its window on a path between the new PEs, or nothing changes. */
  private moveBooking(
    booking: Booking,
    ingressPe: string,
    egressPe: string,
    now: number,
    persist: (write: Promise<void>) => void,
  ): AdmissionResult {
    const id = booking.spec.id;
    if (booking.spec.ingress === ingressPe && booking.spec.egress === egressPe) return this.describe(id, []);
    this.unbook(id);
    if (ingressPe === egressPe) {
      persist(this.options.journal.remove(id));
      return localResult(ingressPe);
    }
    const moved = this.book(
      { ...booking.spec, ingress: ingressPe, egress: egressPe },
      booking.start,
      booking.end,
      now,
    );
    if (!moved.ok) {
      // Its own window was free a moment ago: the old booking goes back where it was.
      this.book(booking.spec, booking.start, booking.end, now, booking.links);
      return moved;
    }
    persist(this.journalBooking(moved.booking));
    return this.describe(id, []);
  }

  private journalBooking(b: Booking): Promise<void> {
    return this.options.journal.put({
      seq: ++this.seq,
      spec: b.spec,
      window: { start: b.start, end: Number.isFinite(b.end) ? b.end : null, links: [...b.links] },
    });
  }

  /**
   * A refusal code of the aggregate manager as an admission refusal reason. Its CSPF reports a lack
   * of room on every path as "no path" too; that is a lack of capacity when the topology has a path.
   */
  private refusalReason(code: string, ingress: string, egress: string): 'no-path' | 'no-capacity' {
    if (code !== 'TE_NO_PATH') return 'no-capacity';
    try {
      computePath(this.options.topology, undefined, { from: ingress, to: egress });
      return 'no-capacity';
    } catch {
      return 'no-path';
    }
  }

  /** A refusal: the caller may retry after the configured Retry-After. */
  private refuse(reason: 'no-path' | 'no-capacity', detail: string): Refusal {
    return { ok: false, reason, detail, retryAfterS: this.retryAfterS };
  }

  /** The session's tunnel, route and the tunnel's size now (a booking's own LSP and size). */
  private describe(sessionId: string, preempted: PreemptionAction[]): AdmissionResult {
    const booking = this.booked.get(sessionId);
    if (booking !== undefined) {
      return {
        ok: true,
        lspId: bookingLspId(sessionId),
        route: this.routeOf(booking.links, booking.spec.ingress),
        links: [...booking.links],
        lspBandwidthBps: booking.lspBandwidthBps,
        preempted,
      };
    }
    const flow = this.manager.flow(sessionId);
    const aggregate = flow === undefined ? undefined : this.manager.aggregate(flow.aggregateId);
    if (flow === undefined || aggregate === undefined) {
      return this.refuse('no-capacity', 'the session was preempted');
    }
    return {
      ok: true,
      lspId: aggregate.id,
      route: this.routeOf(aggregate.links, aggregate.ingress),
      links: aggregate.links,
      lspBandwidthBps: aggregate.sizeBps,
      preempted,
    };
  }

  /** Node sequence of a path given as directional link ids. */
  private routeOf(links: string[], ingress: string): string[] {
    const nodes = [ingress];
    for (const id of links) {
      const link = this.options.topology.links.get(id);
      if (link !== undefined) nodes.push(link.to);
    }
    return nodes;
  }

  /**
   * After an aggregate operation: bookings its preemption cut are forgotten (the ledger no longer
   * holds them whole), the victims are announced, the changes are journalled — the notices sent
   * first, so a persisted change never lacks them — and the victims are listed for the caller.
   */
  private settle(
    actions: AggregationAction[],
    self: string,
    cause: PreemptionCause,
    added?: FlowSpec,
  ): { write: Promise<void>; preempted: PreemptionAction[] } {
    const endedBookings = new Set<string>();
    for (const a of actions) {
      if (a.target !== 'reservation' || !this.booked.has(a.id)) continue;
      // Bookings carry no RFC 4495 floor, so preemption ends them; were one only reduced, it would
      // no longer be what was booked — it ends either way.
      this.unbook(a.id);
      endedBookings.add(a.id);
    }
    const preempted = this.victims(actions, self, endedBookings);
    const announced =
      preempted.length === 0 || this.options.notices === undefined
        ? Promise.resolve()
        : this.options.notices.publish(
            this.notices(
              preempted,
              self,
              cause,
              added?.level ?? this.manager.flow(self)?.level,
              endedBookings,
            ),
          );
    announced.catch(() => undefined); // reported through `write`, never unhandled
    const journalled = this.journalActions(actions, added, endedBookings);
    return { write: Promise.all([announced, journalled]).then(() => undefined), preempted };
  }

  /** One notice per victim, as the holders of the victims read them. */
  private notices(
    preempted: PreemptionAction[],
    self: string,
    cause: PreemptionCause,
    level: string | undefined,
    endedBookings: ReadonlySet<string>,
  ): PreemptionNotice[] {
    const at = this.now();
    return preempted.map((p) => ({
      noticeId: `p-${randomUUID()}`,
      sessionId: p.sessionId,
      action: p.action,
      ...(p.action === 'shrink' && p.newBandwidthBps !== undefined
        ? { newBandwidthBps: Math.max(1, Math.round(p.newBandwidthBps)) }
        : {}),
      booking: endedBookings.has(p.sessionId),
      cause,
      preemptorSessionId: self,
      ...(level === undefined ? {} : { preemptorLevel: level }),
      at,
    }));
  }

  /**
   * Flows the operation ended or reduced to make room: the gateway BYEs or re-INVITEs them. A
   * preempted booking is an `end` like an ended flow: its connection is torn down.
   */
  private victims(
    actions: AggregationAction[],
    self: string,
    endedBookings: ReadonlySet<string>,
  ): PreemptionAction[] {
    const out: PreemptionAction[] = [];
    for (const a of actions) {
      if (a.id === self) continue;
      if (a.target === 'reservation' && endedBookings.has(a.id)) {
        out.push({ sessionId: a.id, action: 'end' });
        continue;
      }
      if (a.target !== 'flow') continue;
      if (a.action === 'end') out.push({ sessionId: a.id, action: 'end' });
      else if (a.action === 'reduce')
        out.push({ sessionId: a.id, action: 'shrink', newBandwidthBps: a.toBps });
    }
    return out;
  }

  /**
   * Persists what changed: the new flow, resized victims, removed victims (flows and bookings) —
   * every write sent now, in this order (none waits for another), acknowledged together.
   */
  private journalActions(
    actions: AggregationAction[],
    added: FlowSpec | undefined,
    endedBookings: ReadonlySet<string>,
  ): Promise<void> {
    const writes: Promise<void>[] = [];
    if (added !== undefined) writes.push(this.options.journal.put({ seq: ++this.seq, spec: added }));
    for (const a of actions) {
      if (a.target === 'reservation' && endedBookings.has(a.id)) {
        writes.push(this.options.journal.remove(a.id));
        continue;
      }
      if (a.target !== 'flow' || a.id === added?.id) continue;
      const flow = this.manager.flow(a.id);
      if (flow === undefined) writes.push(this.options.journal.remove(a.id));
      else writes.push(this.options.journal.put({ seq: ++this.seq, spec: sessionFlowSpec(flow) }));
    }
    return Promise.all(writes).then(() => undefined);
  }
}

/** The LSP id of a booking: its own tunnel, named after the session. */
export function bookingLspId(sessionId: string): string {
  return `scheduled:${sessionId}`;
}

/** Both ends on one PE: no core path, nothing to reserve. */
function localResult(pe: string): AdmissionResult {
  return { ok: true, lspId: `local-${pe}`, route: [pe], links: [], lspBandwidthBps: 0, preempted: [] };
}

/** The flow spec a session's flow is (re-)added or journalled with. */
function sessionFlowSpec(flow: FlowView): FlowSpec {
  return {
    id: flow.id,
    ingress: flow.ingress,
    egress: flow.egress,
    classType: flow.classType,
    level: flow.level,
    tspec: flow.tspec,
    ...(flow.minBandwidthBps === undefined ? {} : { minBandwidthBps: flow.minBandwidthBps }),
    owner: 'session',
  };
}
