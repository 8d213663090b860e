/**
 * The operator's topology view: nodes and links of the provider network with, per link, what the
 * TE ledger has reserved on it now, split by holding priority (RFC 3209: 0 best … 7 worst).
 */
import type { Topology as ApiTopology, LinkUse } from '@svpn/api-contract';
import type { ReservationLedger, Topology } from '@svpn/te';

export interface TopologyPort {
  snapshot(): Promise<ApiTopology>;
}

export class LedgerTopology implements TopologyPort {
  constructor(
    private readonly topology: Topology,
    /** The admission leader's ledger (in-process); absent: links show no use. */
    private readonly ledger: () => ReservationLedger | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async snapshot(): Promise<ApiTopology> {
    const at = this.now();
    const byLink = new Map<string, number[]>();
    for (const r of this.ledger()?.reservations() ?? []) {
      if (!(r.start <= at && at < r.end)) continue;
      for (const link of r.links) {
        const row = byLink.get(link) ?? new Array<number>(8).fill(0);
        row[r.holdingPriority] = (row[r.holdingPriority] ?? 0) + r.bandwidthBps;
        byLink.set(link, row);
      }
    }
    const links: LinkUse[] = this.topology.linkList.map((l) => {
      const row = byLink.get(l.id) ?? new Array<number>(8).fill(0);
      const reservedBps = row.reduce((a, b) => a + b, 0);
      return {
        id: l.id,
        from: l.from,
        to: l.to,
        capacityBps: l.maxReservableBps,
        reservedBps,
        utilisation: l.maxReservableBps > 0 ? reservedBps / l.maxReservableBps : 0,
        reservedByPriorityBps: row,
      };
    });
    return {
      nodes: this.topology.nodeList.map((n) => ({ id: n.id, kind: n.kind, routerId: n.routerId })),
      links,
      at: new Date(at).toISOString(),
    };
  }
}
