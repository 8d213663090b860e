export * from './errors.js';
export * from './topology/topology.js';
export * from './topology/topology-document.js';
export * from './topology/generate-topology.js';
export * from './ledger/bandwidth-constraints.js';
export * from './ledger/reservation-ledger.js';
export { SeededRandom } from './util/prng.js';
