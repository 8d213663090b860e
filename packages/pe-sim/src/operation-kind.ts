/**
 * The provisioning operations a simulated PE accepts, named as the provisioner's job types
 * (DESIGN.md §4). Faults and latency are configured per operation kind.
 */
export const OPERATION_KINDS = [
  'uni.add-session',
  'uni.modify-session',
  'uni.remove-session',
  'bgp.advertise-membership',
  'bgp.withdraw-membership',
  'ldp.bind',
  'ldp.release',
  'rsvp-te.signal',
  'rsvp-te.resize',
  'rsvp-te.teardown',
  'marking.apply',
] as const;

/** One provisioning operation kind. */
export type OperationKind = (typeof OPERATION_KINDS)[number];

const KINDS: ReadonlySet<string> = new Set(OPERATION_KINDS);

/** Whether `value` names an operation kind. */
export function isOperationKind(value: unknown): value is OperationKind {
  return typeof value === 'string' && KINDS.has(value);
}
