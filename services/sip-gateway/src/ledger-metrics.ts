/**
 * Reserved bandwidth per link and per aggregate tunnel, read from the admission leader's ledger when
 * Prometheus scrapes `/metrics` (issue 4 item 7). Only the process that holds the ledger (the
 * admission leader, DESIGN §5) exports these; a gateway admitting through the leader's HTTP API has
 * no ledger and no link gauges.
 *
 * ```
 * svpn_link_reserved_bps{link,from,to,class_type,priority}  Reserved(CTc, q) now, non-zero series only
 * svpn_link_reserved_total_bps{link,from,to}                everything reserved on the link now
 * svpn_link_max_reservable_bps{link,from,to}                RFC 3630 §2.5.7 maximum reservable bandwidth
 * svpn_link_unreserved_bps{link,from,to,class_type}         RFC 4124 Unreserved TE-Class ⟨CTc, 7⟩ now
 * svpn_tunnel_reserved_bps{lsp,ingress,egress,class_type,level}  the aggregate's size (RFC 3175 bulk)
 * svpn_tunnel_required_bps{lsp,ingress,egress,class_type,level}  what its sessions need
 * svpn_tunnel_sessions{lsp,ingress,egress,class_type,level}      sessions it carries
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc4124#section-4
 * @see https://www.rfc-editor.org/rfc/rfc3175#section-1.4.4
 */
import { Gauge, type Registry } from 'prom-client';
import {
  CLASS_TYPE_COUNT,
  LOWEST_PRIORITY,
  PRIORITY_COUNT,
  type AggregateView,
  type Topology,
} from '@svpn/te';

/** What {@link registerLedgerMetrics} reads: the ledger's physical links and its aggregates. */
export interface LedgerMetricsSource {
  /** The provider network; only its (physical, directional) links get link series. */
  readonly topology: Topology;
  /** The admission engine's ledger (`AdmissionEngine.ledger`). */
  readonly ledger: {
    onLink(
      linkId: string,
      interval: { start: number; end: number },
    ): readonly { bandwidthBps: number; classType: number; holdingPriority: number }[];
    unreserved(
      linkId: string,
      classType: number,
      priority: number,
      interval: { start: number; end: number },
    ): number;
  };
  /** The admission engine's aggregates (`AdmissionEngine.manager.aggregates()`). */
  aggregates(): readonly AggregateView[];
  /** The scrape instant. @defaultValue Date.now */
  readonly now?: () => number;
}

/** The gauges {@link registerLedgerMetrics} registers (they fill themselves when scraped). */
export interface LedgerMetrics {
  readonly linkReserved: Gauge<'link' | 'from' | 'to' | 'class_type' | 'priority'>;
  readonly linkReservedTotal: Gauge<'link' | 'from' | 'to'>;
  readonly linkMaxReservable: Gauge<'link' | 'from' | 'to'>;
  readonly linkUnreserved: Gauge<'link' | 'from' | 'to' | 'class_type'>;
  readonly tunnelReserved: Gauge<TunnelLabel>;
  readonly tunnelRequired: Gauge<TunnelLabel>;
  readonly tunnelSessions: Gauge<TunnelLabel>;
}

type TunnelLabel = 'lsp' | 'ingress' | 'egress' | 'class_type' | 'level';

/**
 * Registers the link and tunnel gauges on `registry`. Each scrape reads the ledger once: the
 * reservations active at `now()` on every link of the topology, summed by class type and holding
 * priority (RFC 4124 `Reserved(CTb, q)`), and the aggregates' sizes.
 */
export function registerLedgerMetrics(registry: Registry, source: LedgerMetricsSource): LedgerMetrics {
  const now = source.now ?? Date.now;
  const registers = [registry];
  const links = source.topology.linkList;
  const linkLabels = (l: (typeof links)[number]): { link: string; from: string; to: string } => ({
    link: l.id,
    from: l.from,
    to: l.to,
  });

  /** `Reserved(CTc, q)` of every link at the scrape instant (index `c * PRIORITY_COUNT + q`), and the total. */
  const readUsage = (): Map<string, { reserved: Float64Array; total: number }> => {
    const instant = now();
    const interval = { start: instant, end: instant + 1 };
    const usage = new Map<string, { reserved: Float64Array; total: number }>();
    for (const l of links) {
      const reserved = new Float64Array(CLASS_TYPE_COUNT * PRIORITY_COUNT);
      let total = 0;
      for (const r of source.ledger.onLink(l.id, interval)) {
        const slot = r.classType * PRIORITY_COUNT + r.holdingPriority;
        reserved[slot] = (reserved[slot] ?? 0) + r.bandwidthBps;
        total += r.bandwidthBps;
      }
      usage.set(l.id, { reserved, total });
    }
    return usage;
  };

  const linkReserved = new Gauge({
    name: 'svpn_link_reserved_bps',
    help: 'Bandwidth reserved on a directional provider link now, by DiffServ-TE class type and holding priority (non-zero only), bit/s',
    labelNames: ['link', 'from', 'to', 'class_type', 'priority'] as const,
    registers,
    collect() {
      this.reset();
      const usage = readUsage();
      for (const l of links) {
        const u = usage.get(l.id);
        if (u === undefined) continue;
        for (let c = 0; c < CLASS_TYPE_COUNT; c++) {
          for (let q = 0; q < PRIORITY_COUNT; q++) {
            const bps = u.reserved[c * PRIORITY_COUNT + q] ?? 0;
            if (bps > 0) this.set({ ...linkLabels(l), class_type: String(c), priority: String(q) }, bps);
          }
        }
      }
    },
  });
  const linkReservedTotal = new Gauge({
    name: 'svpn_link_reserved_total_bps',
    help: 'Bandwidth reserved on a directional provider link now, all class types and priorities, bit/s',
    labelNames: ['link', 'from', 'to'] as const,
    registers,
    collect() {
      const usage = readUsage();
      for (const l of links) this.set(linkLabels(l), usage.get(l.id)?.total ?? 0);
    },
  });
  const linkMaxReservable = new Gauge({
    name: 'svpn_link_max_reservable_bps',
    help: 'Maximum reservable bandwidth of a directional provider link (RFC 3630 §2.5.7), bit/s',
    labelNames: ['link', 'from', 'to'] as const,
    registers,
    collect() {
      for (const l of links) this.set(linkLabels(l), l.maxReservableBps);
    },
  });
  const linkUnreserved = new Gauge({
    name: 'svpn_link_unreserved_bps',
    help: 'What a directional provider link can still admit now without preemption, per class type its bandwidth constraints define (RFC 4124 Unreserved TE-Class at priority 7), bit/s',
    labelNames: ['link', 'from', 'to', 'class_type'] as const,
    registers,
    collect() {
      const instant = now();
      const interval = { start: instant, end: instant + 1 };
      for (const l of links) {
        // RFC 4124 §4 — a class type without a bandwidth constraint on the link cannot reserve there.
        for (let c = 0; c < l.bandwidthConstraints.bc.length; c++) {
          this.set(
            { ...linkLabels(l), class_type: String(c) },
            source.ledger.unreserved(l.id, c, LOWEST_PRIORITY, interval),
          );
        }
      }
    },
  });

  const tunnelLabels = (a: AggregateView): Record<TunnelLabel, string> => ({
    lsp: a.id,
    ingress: a.ingress,
    egress: a.egress,
    class_type: String(a.classType),
    level: a.level,
  });
  const tunnelGauge = (name: string, help: string, value: (a: AggregateView) => number): Gauge<TunnelLabel> =>
    new Gauge({
      name,
      help,
      labelNames: ['lsp', 'ingress', 'egress', 'class_type', 'level'] as const,
      registers,
      collect() {
        this.reset();
        for (const a of source.aggregates()) this.set(tunnelLabels(a), value(a));
      },
    });
  const tunnelReserved = tunnelGauge(
    'svpn_tunnel_reserved_bps',
    'Size of an aggregate tunnel (LSP) in the ledger, in RFC 3175 bulk steps, bit/s',
    (a) => a.sizeBps,
  );
  const tunnelRequired = tunnelGauge(
    'svpn_tunnel_required_bps',
    'What the sessions an aggregate tunnel carries need, tunnel overhead included, bit/s',
    (a) => a.requiredBps,
  );
  const tunnelSessions = tunnelGauge(
    'svpn_tunnel_sessions',
    'Sessions an aggregate tunnel carries',
    (a) => a.contents.filter((c) => c.kind === 'flow').length,
  );

  return {
    linkReserved,
    linkReservedTotal,
    linkMaxReservable,
    linkUnreserved,
    tunnelReserved,
    tunnelRequired,
    tunnelSessions,
  };
}
