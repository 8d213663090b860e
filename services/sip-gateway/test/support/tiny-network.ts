/**
 * The gateway tests' smallest network and admission request: PE1 ─10G─ P1 ─1G─ P2 ─10G─ PE2 (two-way
 * links: `<id>:<from>-><to>`), where the 1 Gbit/s core link decides, and a 300 Mbit/s routine
 * request from PE1 to PE2.
 */
import { parseTopology, type Topology } from '@svpn/te';
import type { AdmissionRequest } from '../../src/ports.js';

/**
 * The tiny network under a bandwidth-constraints model, e.g. `{ model: MAM, bcPercent: [100] }`
 * or `{ model: RDM, bcPercent: [100, 40] }` (YAML flow mapping).
 */
export function tinyNetwork(bandwidthConstraints: string): Topology {
  return parseTopology(`
name: tiny
defaults:
  teMetric: 10
  bandwidthConstraints: ${bandwidthConstraints}
nodes:
  - { id: PE1, kind: PE, routerId: 192.0.2.1 }
  - { id: PE2, kind: PE, routerId: 192.0.2.2 }
  - { id: P1, kind: P, routerId: 192.0.2.11 }
  - { id: P2, kind: P, routerId: 192.0.2.12 }
links:
  - { id: PE1-P1, from: PE1, to: P1, maxReservableBps: 10G }
  - { id: P1-P2, from: P1, to: P2, maxReservableBps: 1G }
  - { id: P2-PE2, from: P2, to: PE2, maxReservableBps: 10G }
`);
}

/** A routine 300 Mbit/s PE1 → PE2 request (CT0, setup/holding 4, no shrinking), with `overrides`. */
export function admissionRequest(
  sessionId: string,
  overrides: Partial<AdmissionRequest> = {},
): AdmissionRequest {
  return {
    sessionId,
    ingressPe: 'PE1',
    egressPe: 'PE2',
    bandwidthBps: 300_000_000,
    classType: 0,
    setupPriority: 4,
    holdingPriority: 4,
    level: 'routine',
    start: 0,
    end: Number.POSITIVE_INFINITY,
    mayShrink: false,
    minBps: 300_000_000,
    ...overrides,
  };
}
