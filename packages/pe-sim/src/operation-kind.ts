/**
 * The provisioning operations a simulated PE accepts: the provisioner's job types (DESIGN.md §4),
 * taken from the `@svpn/provisioning` contract so the two cannot drift. Faults and latency are
 * configured per operation kind.
 */
import { JOB_TYPES, isJobType, type JobType } from '@svpn/provisioning';

export const OPERATION_KINDS: typeof JOB_TYPES = JOB_TYPES;

/** One provisioning operation kind. */
export type OperationKind = JobType;

/** Whether `value` names an operation kind. */
export function isOperationKind(value: unknown): value is OperationKind {
  return isJobType(value);
}
