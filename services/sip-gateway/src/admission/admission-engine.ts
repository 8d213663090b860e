/**
 * Admission: the TE ledger with aggregate tunnels, as a stateful PCE holds it (DESIGN §5). Each
 * session is a flow in the aggregate of its (ingress PE, egress PE, class type, precedence level);
 * aggregates are sized in bulk steps over a CSPF path and may preempt less important ones, whose
 * de-aggregators then reduce or end the sessions they carry (RFC 3175, RFC 3209, RFC 4495).
 *
 * Every change is written to a {@link FlowJournal} before the caller hears of it; on start the
 * engine replays the journal in admission order, which rebuilds the same ledger.
 */
import { type PrecedenceLevel, isPrecedenceLevel, tspecFromBitRate, MPLS_LABEL_BYTES } from '@svpn/qos';
import {
  AggregateManager,
  type AggregationAction,
  type FlowSpec,
  type FlowView,
  ReservationLedger,
  type Topology,
} from '@svpn/te';
import type { AdmissionPort, AdmissionRequest, AdmissionResult, PreemptionAction } from '../ports.js';

/** One journalled flow: enough to admit it again in the same order. */
export interface JournalEntry {
  seq: number;
  spec: FlowSpec;
}

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

export interface AdmissionEngineOptions {
  topology: Topology;
  journal: FlowJournal;
  /** Aggregate bulk step (RFC 3175 §1.4.4), bit/s. @defaultValue 10 Mbit/s */
  bulkBps?: number;
  /** Extra slack before an aggregate shrinks, bit/s. @defaultValue 0 */
  hysteresisBps?: number;
  /** Header bytes the provider tunnel adds per packet. @defaultValue two MPLS labels (8) */
  overheadBytes?: number;
  /** Seconds a caller refused for capacity should wait before trying again. @defaultValue 30 */
  retryAfterS?: number;
}

export class AdmissionEngine implements AdmissionPort {
  readonly ledger: ReservationLedger;
  readonly manager: AggregateManager;
  private seq = 0;
  private readonly retryAfterS: number;
  private chain: Promise<unknown> = Promise.resolve();

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
  }

  /** Builds the engine and replays the journal (the restart path of a PCE). */
  static async open(options: AdmissionEngineOptions): Promise<AdmissionEngine> {
    const engine = new AdmissionEngine(options);
    for (const entry of await options.journal.load()) {
      const result = engine.manager.addFlow(entry.spec);
      // A flow that no longer fits (the topology shrank meanwhile) is dropped from the journal.
      if (!result.ok) await options.journal.remove(entry.spec.id);
      engine.seq = Math.max(engine.seq, entry.seq);
    }
    return engine;
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

  admit(request: AdmissionRequest): Promise<AdmissionResult> {
    return this.serial(async (persist) => {
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
      if (this.manager.flow(spec.id) !== undefined) return this.describe(spec.id, []);
      if (request.ingressPe === request.egressPe) {
        return {
          ok: true,
          lspId: `local-${request.ingressPe}`,
          route: [request.ingressPe],
          links: [],
          lspBandwidthBps: 0,
          preempted: [],
        };
      }
      let result;
      try {
        result = this.manager.addFlow(spec);
      } catch (error) {
        return this.refuse('no-path', (error as Error).message);
      }
      if (!result.ok) {
        return this.refuse(refusalReason(result.refusal.code), result.refusal.detail);
      }
      persist(this.journalActions(result.actions, spec));
      return this.describe(spec.id, this.victims(result.actions, spec.id));
    });
  }

  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult> {
    return this.serial(async (persist) => {
      const flow = this.manager.flow(sessionId);
      if (flow === undefined) {
        return this.refuse('no-capacity', `session ${sessionId} holds no reservation`);
      }
      const tspec = tspecFromBitRate(bandwidthBps);
      const result = this.manager.resizeFlow(sessionId, tspec);
      if (!result.ok) {
        return this.refuse('no-capacity', result.refusal.detail);
      }
      persist(this.journalActions(result.actions));
      return this.describe(sessionId, this.victims(result.actions, sessionId));
    });
  }

  release(sessionId: string): Promise<{ lspId: string; lspBandwidthBps: number } | undefined> {
    return this.serial(async (persist) => {
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
        return this.refuse(refusalReason(result.refusal.code), result.refusal.detail);
      }
      if (result === undefined) {
        persist(this.options.journal.remove(sessionId));
        return {
          ok: true,
          lspId: `local-${ingressPe}`,
          route: [ingressPe],
          links: [],
          lspBandwidthBps: 0,
          preempted: [],
        };
      }
      persist(this.journalActions(result.actions, moved));
      return this.describe(sessionId, this.victims(result.actions, sessionId));
    });
  }

  /** A refusal: the caller may retry after the configured Retry-After. */
  private refuse(reason: 'no-path' | 'no-capacity', detail: string): AdmissionResult {
    return { ok: false, reason, detail, retryAfterS: this.retryAfterS };
  }

  /** The session's tunnel, route and the tunnel's size now. */
  private describe(sessionId: string, preempted: PreemptionAction[]): AdmissionResult {
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

  /** Flows the operation ended or reduced to make room: the gateway BYEs or re-INVITEs them. */
  private victims(actions: AggregationAction[], self: string): PreemptionAction[] {
    const out: PreemptionAction[] = [];
    for (const a of actions) {
      if (a.target !== 'flow' || a.id === self) continue;
      if (a.action === 'end') out.push({ sessionId: a.id, action: 'end' });
      else if (a.action === 'reduce')
        out.push({ sessionId: a.id, action: 'shrink', newBandwidthBps: a.toBps });
    }
    return out;
  }

  /**
   * Persists what changed: the new flow, resized victims, removed victims — every write sent now, in
   * this order (none waits for another), acknowledged together.
   */
  private journalActions(actions: AggregationAction[], added?: FlowSpec): Promise<void> {
    const writes: Promise<void>[] = [];
    if (added !== undefined) writes.push(this.options.journal.put({ seq: ++this.seq, spec: added }));
    for (const a of actions) {
      if (a.target !== 'flow' || a.id === added?.id) continue;
      const flow = this.manager.flow(a.id);
      if (flow === undefined) writes.push(this.options.journal.remove(a.id));
      else writes.push(this.options.journal.put({ seq: ++this.seq, spec: sessionFlowSpec(flow) }));
    }
    return Promise.all(writes).then(() => undefined);
  }
}

/** A refusal code of the aggregate manager as an admission refusal reason. */
function refusalReason(code: string): 'no-path' | 'no-capacity' {
  return code === 'TE_NO_PATH' ? 'no-path' : 'no-capacity';
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
