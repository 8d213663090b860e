export * from './errors.js';
export { OPERATION_KINDS, isOperationKind, type OperationKind } from './operation-kind.js';
export { PeSimulator, type PeSimulatorOptions } from './pe-simulator.js';
export type * from './operation-requests.js';
export { systemClock, type SimClock } from './clock/sim-clock.js';
export { ManualClock } from './clock/manual-clock.js';
export {
  parseSimTopology,
  resolveExplicitRoute,
  type ExplicitRoute,
  type ResolvedRoute,
  type SimLink,
  type SimLinkSpec,
  type SimNode,
  type SimNodeKind,
  type SimNodeSpec,
  type SimTopology,
  type SimTopologySpec,
} from './topology/sim-topology.js';
export {
  encodeRouteDistinguisher,
  parseRouteDistinguisher,
  type RouteDistinguisher,
} from './bgp/route-distinguisher.js';
export {
  encodeRouteTarget,
  parseRouteTarget,
  parseRouteTargets,
  routeTargetsMatch,
  type RouteTarget,
} from './bgp/route-target.js';
export {
  buildVrfTable,
  type MembershipRoute,
  type Vrf,
  type VrfTable,
  type VrfTableEntry,
} from './bgp/vrf.js';
export {
  DEFAULT_LABEL_RANGE,
  IMPLICIT_NULL_LABEL,
  MAX_LABEL,
  MIN_UNRESERVED_LABEL,
  checkLabelRange,
  type LabelRange,
} from './labels/label-range.js';
export { parseIpPrefix } from './net/ip-prefix.js';
export {
  computeTrafficCounters,
  type RateHistory,
  type TrafficCounters,
} from './counters/traffic-counters.js';
export {
  HALF_WAY_OPERATIONS,
  checkFaultSpec,
  type Fault,
  type FaultMode,
  type FaultSpec,
} from './faults/fault-spec.js';
export type { Lsp, LspHop, LspStatus } from './rsvp-te/lsp.js';
export type { MarkingRule, MarkingSource, UniSession } from './uni/uni-session.js';
export { DEFAULT_PREFIX, PeSimKeys } from './redis/pe-sim-keys.js';
export { MAX_BPS, MAX_TIME_MS } from './limits.js';
