import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of `@svpn/te`. Every error carries a stable `code` (`TE_…`) that callers switch on;
 * messages are for people and may change.
 */

/** Stable error codes of this package. */
export type TeErrorCode =
  | 'TE_TOPOLOGY_INVALID'
  | 'TE_TOPOLOGY_PARSE'
  | 'TE_NODE_UNKNOWN'
  | 'TE_LINK_UNKNOWN'
  | 'TE_RESERVATION_INVALID'
  | 'TE_RESERVATION_DUPLICATE'
  | 'TE_RESERVATION_UNKNOWN'
  | 'TE_SNAPSHOT_INVALID'
  | 'TE_PATH_REQUEST_INVALID'
  | 'TE_NO_PATH';

/** Base of every error thrown by `@svpn/te`. */
export class TeError extends SvpnError<TeErrorCode> {}

/** One problem found in a topology document, located by a path such as `links[3].maxReservableBps`. */
export interface TopologyIssue {
  path: string;
  message: string;
}

/** A topology document failed validation; `issues` lists every problem found, in document order. */
export class TopologyInvalidError extends TeError {
  readonly issues: readonly TopologyIssue[];

  constructor(issues: readonly TopologyIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `  ${i.path}: ${i.message}`);
    if (issues.length > 20) shown.push(`  … and ${issues.length - 20} more`);
    super('TE_TOPOLOGY_INVALID', `invalid topology (${issues.length} problem(s)):\n${shown.join('\n')}`);
    this.issues = issues;
  }
}

/** The topology text is not parseable YAML / JSON. */
export class TopologyParseError extends TeError {
  constructor(message: string, cause: unknown) {
    super('TE_TOPOLOGY_PARSE', message, { cause });
  }
}

/** A node id that the topology does not hold. */
export class UnknownNodeError extends TeError {
  readonly nodeId: string;

  constructor(nodeId: string) {
    super('TE_NODE_UNKNOWN', `unknown node "${nodeId}"`);
    this.nodeId = nodeId;
  }
}

/** A directional link id that the topology / ledger does not hold. */
export class UnknownLinkError extends TeError {
  readonly linkId: string;

  constructor(linkId: string) {
    super('TE_LINK_UNKNOWN', `unknown link "${linkId}"`);
    this.linkId = linkId;
  }
}

/** A reservation request or resize that is malformed (a caller bug, not a capacity refusal). */
export class ReservationInvalidError extends TeError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('TE_RESERVATION_INVALID', `${field}: ${message}`);
    this.field = field;
  }
}

/** A reservation id that is already in the ledger. */
export class DuplicateReservationError extends TeError {
  readonly reservationId: string;

  constructor(reservationId: string) {
    super('TE_RESERVATION_DUPLICATE', `reservation "${reservationId}" already exists`);
    this.reservationId = reservationId;
  }
}

/** A reservation id that the ledger does not hold. */
export class UnknownReservationError extends TeError {
  readonly reservationId: string;

  constructor(reservationId: string) {
    super('TE_RESERVATION_UNKNOWN', `unknown reservation "${reservationId}"`);
    this.reservationId = reservationId;
  }
}

/** A ledger snapshot that cannot be restored. */
export class SnapshotInvalidError extends TeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TE_SNAPSHOT_INVALID', message, options);
  }
}

/** A path request that is malformed (unknown ERO node, bad admin-group name, …). */
export class PathRequestInvalidError extends TeError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('TE_PATH_REQUEST_INVALID', `${field}: ${message}`);
    this.field = field;
  }
}

/**
 * Why CSPF found no path:
 * - `unreachable`: no path exists even on the unconstrained topology;
 * - `insufficient-bandwidth`: paths exist that honour every other constraint, but none has the
 *   unreserved bandwidth at the request's setup priority and class type over its interval;
 * - `constraints`: admin groups, exclusions or the explicit route leave no path;
 * - `no-disjoint-path`: the primary was found but no link-/SRLG-disjoint secondary exists.
 */
export type NoPathReason = 'unreachable' | 'insufficient-bandwidth' | 'constraints' | 'no-disjoint-path';

/** CSPF found no path that satisfies the request. */
export class NoPathError extends TeError {
  readonly reason: NoPathReason;
  readonly from: string;
  readonly to: string;

  constructor(reason: NoPathReason, from: string, to: string, detail: string) {
    super('TE_NO_PATH', `no path ${from} → ${to} (${reason}): ${detail}`);
    this.reason = reason;
    this.from = from;
    this.to = to;
  }
}
