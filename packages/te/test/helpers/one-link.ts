import { ReservationLedger, type BandwidthConstraints } from '../../src/index.js';

/** A ledger over named links with the given constraints (no topology needed). */
export function ledgerOver(links: Record<string, BandwidthConstraints>): ReservationLedger {
  return new ReservationLedger(
    Object.entries(links).map(([id, bandwidthConstraints]) => ({ id, bandwidthConstraints })),
  );
}

/** RDM constraints with MRB = BC0. */
export function rdm(...bc: number[]): BandwidthConstraints {
  return { model: 'RDM', maxReservableBps: bc[0] ?? 0, bc };
}

/** MAM constraints. */
export function mam(maxReservableBps: number, ...bc: number[]): BandwidthConstraints {
  return { model: 'MAM', maxReservableBps, bc };
}
