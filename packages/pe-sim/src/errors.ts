import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of `@svpn/pe-sim`. Every error carries a stable `code` (`PESIM_…`) that callers (the
 * provisioner's workers, the reconciler) switch on; messages are for people and may change.
 */

import type { OperationKind } from './operation-kind.js';

/** Stable error codes of this package. */
export type PeSimErrorCode =
  | 'PESIM_REFUSED'
  | 'PESIM_TIMEOUT'
  | 'PESIM_FAILED_HALF_WAY'
  | 'PESIM_PE_REBOOTED'
  | 'PESIM_NO_BANDWIDTH'
  | 'PESIM_UNKNOWN_PE'
  | 'PESIM_UNKNOWN_NODE'
  | 'PESIM_UNKNOWN_LINK'
  | 'PESIM_UNKNOWN_VPN'
  | 'PESIM_INVALID_PATH'
  | 'PESIM_INVALID_ARGUMENT'
  | 'PESIM_INVALID_TOPOLOGY'
  | 'PESIM_INVALID_FAULT'
  | 'PESIM_TOPOLOGY_MISMATCH'
  | 'PESIM_LABEL_SPACE_EXHAUSTED'
  | 'PESIM_NOT_FOUND'
  | 'PESIM_CONFLICT'
  | 'PESIM_LSP_NOT_UP'
  | 'PESIM_STORE_CORRUPT';

/** Base of every error thrown by `@svpn/pe-sim`. */
export class PeSimError extends SvpnError<PeSimErrorCode> {}

/** An injected `refuse` fault: the PE rejected the operation (as a router answering with an error). */
export class PeRefusedError extends PeSimError {
  readonly pe: string;
  readonly operation: OperationKind;
  readonly faultId: string;

  constructor(pe: string, operation: OperationKind, faultId: string) {
    super('PESIM_REFUSED', `${pe} refused ${operation} (injected fault ${faultId})`);
    this.pe = pe;
    this.operation = operation;
    this.faultId = faultId;
  }
}

/**
 * The PE did not answer within the caller's deadline: an injected `timeout` fault, or latency longer than
 * the deadline. Whether the operation took effect is unknown to the caller (as with a real router); the
 * reconciler finds out from the `list…` queries.
 */
export class PeTimeoutError extends PeSimError {
  readonly pe: string;
  readonly operation: OperationKind;
  readonly deadlineMs: number;

  constructor(pe: string, operation: OperationKind, deadlineMs: number) {
    super('PESIM_TIMEOUT', `${pe} did not answer ${operation} within ${deadlineMs} ms`);
    this.pe = pe;
    this.operation = operation;
    this.deadlineMs = deadlineMs;
  }
}

/**
 * An injected `half-way` fault: the LSP was set up (or resized) on the first `hopsDone` hops only, then
 * signalling failed. That state stays in the simulator for the reconciler (see README "Fault modes").
 */
export class PeFailedHalfWayError extends PeSimError {
  readonly lspId: string;
  readonly operation: OperationKind;
  readonly hopsDone: number;
  readonly hopCount: number;

  constructor(lspId: string, operation: OperationKind, hopsDone: number, hopCount: number) {
    super(
      'PESIM_FAILED_HALF_WAY',
      `${operation} of LSP ${lspId} failed after ${hopsDone} of ${hopCount} hops; partial state is left behind`,
    );
    this.lspId = lspId;
    this.operation = operation;
    this.hopsDone = hopsDone;
    this.hopCount = hopCount;
  }
}

/** An injected `reboot` fault: the PE lost all its state while handling the operation, which did not apply. */
export class PeRebootedError extends PeSimError {
  readonly pe: string;
  readonly operation: OperationKind;

  constructor(pe: string, operation: OperationKind) {
    super('PESIM_PE_REBOOTED', `${pe} rebooted while handling ${operation}; its state is gone`);
    this.pe = pe;
    this.operation = operation;
  }
}

/**
 * RSVP-TE admission failed at a hop: the link lacks unreserved bandwidth (RFC 3209 §4.7.4 — a PathErr
 * "Admission Control failure"). Nothing was reserved on any hop.
 */
export class NoBandwidthError extends PeSimError {
  readonly lspId: string;
  /** Index of the refusing hop (0 = the ingress's outgoing link). */
  readonly hopIndex: number;
  readonly linkId: string;
  readonly requestedBps: number;
  readonly availableBps: number;

  constructor(lspId: string, hopIndex: number, linkId: string, requestedBps: number, availableBps: number) {
    super(
      'PESIM_NO_BANDWIDTH',
      `LSP ${lspId}: link ${linkId} (hop ${hopIndex}) has ${availableBps} bit/s unreserved, ${requestedBps} requested`,
    );
    this.lspId = lspId;
    this.hopIndex = hopIndex;
    this.linkId = linkId;
    this.requestedBps = requestedBps;
    this.availableBps = availableBps;
  }
}

/** The node is not in the topology, or is not a PE where a PE is required. */
export class UnknownPeError extends PeSimError {
  readonly pe: string;

  constructor(pe: string, reason = 'is not a PE of the simulated network') {
    super('PESIM_UNKNOWN_PE', `"${pe}" ${reason}`);
    this.pe = pe;
  }
}

/** A node id that is not in the topology. */
export class UnknownNodeError extends PeSimError {
  readonly node: string;

  constructor(node: string) {
    super('PESIM_UNKNOWN_NODE', `"${node}" is not a node of the simulated network`);
    this.node = node;
  }
}

/** A link id that is not in the topology. */
export class UnknownLinkError extends PeSimError {
  readonly linkId: string;

  constructor(linkId: string) {
    super('PESIM_UNKNOWN_LINK', `"${linkId}" is not a link of the simulated network`);
    this.linkId = linkId;
  }
}

/** The PE has no VRF for the VPN (advertise a membership first). */
export class UnknownVpnError extends PeSimError {
  readonly pe: string;
  readonly vpnId: string;

  constructor(pe: string, vpnId: string) {
    super('PESIM_UNKNOWN_VPN', `${pe} has no VRF for VPN ${vpnId}; advertise a membership there first`);
    this.pe = pe;
    this.vpnId = vpnId;
  }
}

/** An explicit route that is not a loop-free chain of adjacent links. */
export class InvalidPathError extends PeSimError {
  constructor(message: string) {
    super('PESIM_INVALID_PATH', message);
  }
}

/** A request field that fails validation; `field` names it. */
export class InvalidArgumentError extends PeSimError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('PESIM_INVALID_ARGUMENT', `${field}: ${message}`);
    this.field = field;
  }
}

/** The topology description does not validate; `issues` lists every problem found. */
export class InvalidTopologyError extends PeSimError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super('PESIM_INVALID_TOPOLOGY', `invalid topology: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** A fault specification that cannot be applied. */
export class InvalidFaultError extends PeSimError {
  constructor(message: string) {
    super('PESIM_INVALID_FAULT', message);
  }
}

/**
 * Redis already holds a simulated network under this prefix with another topology or label range;
 * pass `replace: true` to `init()` to overwrite it.
 */
export class TopologyMismatchError extends PeSimError {
  constructor() {
    super(
      'PESIM_TOPOLOGY_MISMATCH',
      'Redis holds a simulated network under this prefix with a different topology or label range; use another prefix or init({ replace: true })',
    );
  }
}

/** The node has no free label left in its platform label space. */
export class LabelSpaceExhaustedError extends PeSimError {
  readonly node: string;

  constructor(node: string) {
    super('PESIM_LABEL_SPACE_EXHAUSTED', `${node} has no free MPLS label left`);
    this.node = node;
  }
}

/** A session, LSP or binding the operation names does not exist. */
export class NotFoundError extends PeSimError {
  readonly what: string;

  constructor(what: string) {
    super('PESIM_NOT_FOUND', `${what} does not exist`);
    this.what = what;
  }
}

/** The id is already in use with different parameters (an idempotent retry must repeat the same request). */
export class ConflictError extends PeSimError {
  constructor(message: string) {
    super('PESIM_CONFLICT', message);
  }
}

/** The LSP exists but is not up (partial or down), so it cannot be resized. */
export class LspNotUpError extends PeSimError {
  readonly lspId: string;
  readonly status: string;

  constructor(lspId: string, status: string) {
    super('PESIM_LSP_NOT_UP', `LSP ${lspId} is ${status}; tear it down or signal it again first`);
    this.lspId = lspId;
    this.status = status;
  }
}

/** A value read from Redis does not have the expected shape (someone else wrote under our prefix). */
export class StoreCorruptError extends PeSimError {
  constructor(message: string) {
    super('PESIM_STORE_CORRUPT', message);
  }
}
