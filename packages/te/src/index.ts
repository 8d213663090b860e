export * from './errors.js';
export * from './topology/topology.js';
export * from './topology/topology-document.js';
export * from './topology/generate-topology.js';
export * from './ledger/bandwidth-constraints.js';
export * from './ledger/reservation-ledger.js';
export { SeededRandom } from './util/prng.js';
export * from './cspf/compute-path.js';
export { BinaryHeap } from './cspf/binary-heap.js';
export * from './ledger/tspec-bandwidth.js';
// --- preemption and aggregation (packages/te part 3) ---
export * from './preemption/preemption-errors.js';
export * from './preemption/plan-preemption.js';
export * from './preemption/apply-preemption.js';
export * from './aggregation/aggregation-errors.js';
export * from './aggregation/aggregate-sizing.js';
export * from './aggregation/plan-deaggregation.js';
export * from './aggregation/aggregate-manager.js';
// --- end preemption and aggregation ---
