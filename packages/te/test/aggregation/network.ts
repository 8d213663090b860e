import { ReservationLedger, Topology, type TeLink } from '../../src/index.js';

/** One-way links `from->to` with a capacity (RDM, BC0 = capacity, or the given BCs) and TE metric 1. */
export type LinkRow = [from: string, to: string, capacityBps: number, bc?: number[]];

/** A topology of PE nodes and one-way links named `from->to`. */
export function topology(rows: readonly LinkRow[]): Topology {
  const nodes = [...new Set(rows.flatMap(([a, b]) => [a, b]))];
  return Topology.create({
    nodes: nodes.map((id, i) => ({ id, kind: 'PE' as const, routerId: `10.0.${i >> 8}.${i & 255}` })),
    links: rows.map(([from, to, cap, bc]): Omit<TeLink, 'index'> => ({
      id: `${from}->${to}`,
      bundleId: `${from}->${to}`,
      reverseId: undefined,
      from,
      to,
      maxReservableBps: cap,
      teMetric: 1,
      delayUs: 0,
      adminGroups: 0,
      srlgs: [],
      bandwidthConstraints: { model: 'RDM', maxReservableBps: cap, bc: bc ?? [cap] },
    })),
  });
}

/** A ledger over the links of several topologies. */
export function ledgerFor(...topologies: Topology[]): ReservationLedger {
  return new ReservationLedger(topologies.flatMap((t) => t.linkList));
}
