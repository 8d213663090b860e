import { SvpnError } from '@svpn/errors';
import type { JobType } from './job-types.js';

/**
 * Typed errors of the provisioning contracts. Two families:
 *
 * - {@link PeAdapterError}: what a {@link PeAdapter} throws when a PE operation fails, with
 *   `retryable` saying whether the worker should retry with backoff or give up at once
 *   (BullMQ `UnrecoverableError`).
 * - {@link ProvisioningError} subclasses: what the provisioner's API (`Provisioner`) rejects with, so
 *   the gateway can map them to SIP (503 + Retry-After for PE trouble, 500 for a bad intent).
 */

/** Stable codes of a failed PE operation, independent of the adapter behind it. */
export type PeErrorCode =
  /** The PE answered with an error (it may accept a later retry). */
  | 'SVPN_PE_REFUSED'
  /** No answer within the deadline; whether the change applied is unknown. */
  | 'SVPN_PE_TIMEOUT'
  /** Signalling stopped half-way; partial state is left for a retry or a teardown to converge. */
  | 'SVPN_PE_PARTIAL'
  /** The PE lost its state while handling the operation. */
  | 'SVPN_PE_REBOOTED'
  /** Admission control failed on a hop (RFC 3209 §4.7.4 PathErr): a retry cannot help. */
  | 'SVPN_PE_NO_BANDWIDTH'
  /** The PE has no VRF for the VPN: the membership was never advertised there. */
  | 'SVPN_PE_UNKNOWN_VPN'
  /** The object exists on the PE with other parameters. */
  | 'SVPN_PE_CONFLICT'
  /** The object the operation names does not exist on the PE. */
  | 'SVPN_PE_NOT_FOUND'
  /** The LSP exists but is not up (partial or down), so it cannot be resized. */
  | 'SVPN_PE_LSP_NOT_UP'
  /** The request is invalid for this network (unknown PE/node/link, bad value): a bug upstream. */
  | 'SVPN_PE_INVALID'
  /** The PE has no label left. */
  | 'SVPN_PE_EXHAUSTED'
  /** Anything else the adapter could not classify. */
  | 'SVPN_PE_FAILED';

/** Codes whose failures a retry may cure. */
const RETRYABLE: ReadonlySet<PeErrorCode> = new Set<PeErrorCode>([
  'SVPN_PE_REFUSED',
  'SVPN_PE_TIMEOUT',
  'SVPN_PE_PARTIAL',
  'SVPN_PE_REBOOTED',
  'SVPN_PE_LSP_NOT_UP',
  'SVPN_PE_FAILED',
]);

/** Whether a PE error code names a failure a retry with backoff may cure. */
export function isRetryablePeCode(code: PeErrorCode): boolean {
  return RETRYABLE.has(code);
}

/** A PE operation failed. `retryable` tells the worker whether to retry or give up. */
export class PeAdapterError extends SvpnError<PeErrorCode> {
  readonly pe: string;
  readonly operation: JobType;
  readonly retryable: boolean;

  constructor(
    code: PeErrorCode,
    pe: string,
    operation: JobType,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.pe = pe;
    this.operation = operation;
    this.retryable = options.retryable ?? isRetryablePeCode(code);
  }
}

/** Stable codes of the provisioner API. */
export type ProvisioningErrorCode =
  | 'SVPN_PROVISIONING_FAILED'
  | 'SVPN_PROVISIONING_TIMEOUT'
  | 'SVPN_PROVISIONING_INVALID_INTENT'
  | 'SVPN_PROVISIONING_INVALID_PAYLOAD'
  | 'SVPN_PROVISIONING_CONFLICT'
  | 'SVPN_PROVISIONING_UNKNOWN_SESSION'
  | 'SVPN_PROVISIONING_CLOSED';

/** Base of the provisioner API's errors. */
export class ProvisioningError extends SvpnError<ProvisioningErrorCode> {}

/** Where a flow stopped: the step that failed (or did not finish in time). */
export interface FailedStep {
  readonly type: JobType;
  readonly pe: string;
  readonly jobId: string;
  /** The PE error code behind the failure, when the worker reported one. */
  readonly peCode: PeErrorCode | null;
  readonly reason: string;
}

/** What the provisioner did about a failed flow. */
export interface CompensationReport {
  /**
   * True when every undo step finished: nothing this flow set up is left on any PE. False when undo
   * steps are still pending (no worker answered in time); the reconciler finishes them.
   */
  readonly complete: boolean;
  /** Undo steps run (job types with their PE), in order. */
  readonly steps: readonly string[];
}

/**
 * A PE failed during a session flow (setup, modify or release) and the flow was compensated. The
 * gateway answers 503 with `Retry-After: retryAfterSeconds` (DESIGN §2).
 */
export class ProvisioningFailedError extends ProvisioningError {
  readonly sessionId: string;
  readonly step: FailedStep;
  readonly compensation: CompensationReport;
  readonly retryAfterSeconds: number;
  /**
   * True when the session no longer exists (a failed setup, or a modify whose rollback failed too):
   * the gateway ends the SIP session. False after a modify rolled back to the previous parameters:
   * the session goes on as before (the re-INVITE gets 488/503).
   */
  readonly sessionReleased: boolean;

  constructor(
    sessionId: string,
    step: FailedStep,
    compensation: CompensationReport,
    retryAfterSeconds: number,
    sessionReleased = true,
    code: 'SVPN_PROVISIONING_FAILED' | 'SVPN_PROVISIONING_TIMEOUT' = 'SVPN_PROVISIONING_FAILED',
  ) {
    super(
      code,
      `session ${sessionId}: ${step.type} on ${step.pe} ${code === 'SVPN_PROVISIONING_TIMEOUT' ? 'did not finish in time' : 'failed'} (${step.reason})`,
    );
    this.sessionId = sessionId;
    this.step = step;
    this.compensation = compensation;
    this.retryAfterSeconds = retryAfterSeconds;
    this.sessionReleased = sessionReleased;
  }
}

/** The flow did not finish before its deadline (no worker, a slow PE); it was compensated. */
export class ProvisioningTimeoutError extends ProvisioningFailedError {
  constructor(
    sessionId: string,
    step: FailedStep,
    compensation: CompensationReport,
    retryAfterSeconds: number,
    sessionReleased = true,
  ) {
    super(sessionId, step, compensation, retryAfterSeconds, sessionReleased, 'SVPN_PROVISIONING_TIMEOUT');
  }
}

/** The intent does not validate; `issues` lists every problem (`/path: message`). */
export class InvalidIntentError extends ProvisioningError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super('SVPN_PROVISIONING_INVALID_INTENT', `invalid provisioning intent: ${issues.join('; ')}`);
    this.issues = issues;
  }
}

/** A job payload does not validate against its type's schema (a producer bug, never retried). */
export class InvalidPayloadError extends ProvisioningError {
  readonly jobType: string;
  readonly issues: readonly string[];

  constructor(jobType: string, issues: readonly string[]) {
    super('SVPN_PROVISIONING_INVALID_PAYLOAD', `invalid ${jobType} payload: ${issues.join('; ')}`);
    this.jobType = jobType;
    this.issues = issues;
  }
}

/**
 * The intent contradicts what is already desired: the same version with other parameters, an older
 * version than the stored one, a released session, or an LSP id already used with another route.
 */
export class IntentConflictError extends ProvisioningError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SVPN_PROVISIONING_CONFLICT', message, options);
  }
}

/** The session id is not known to the provisioner. */
export class UnknownSessionError extends ProvisioningError {
  readonly sessionId: string;

  constructor(sessionId: string) {
    super('SVPN_PROVISIONING_UNKNOWN_SESSION', `session ${sessionId} is not provisioned`);
    this.sessionId = sessionId;
  }
}

/** The provisioner was closed while the call was waiting. */
export class ProvisionerClosedError extends ProvisioningError {
  constructor() {
    super('SVPN_PROVISIONING_CLOSED', 'the provisioner is closed');
  }
}
