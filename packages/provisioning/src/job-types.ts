/**
 * The provisioning job types (DESIGN.md §4), one per PE operation. The BullMQ job `name` is the type.
 * Every job addresses one PE and is queued on that PE's queue ({@link peQueueName}); `rsvp-te.*`
 * jobs address the LSP's ingress.
 */
export const JOB_TYPES = [
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

/** One provisioning job type. */
export type JobType = (typeof JOB_TYPES)[number];

/** Jobs on a UNI session attachment (one per session and PE). */
export type UniJobType = 'uni.add-session' | 'uni.modify-session' | 'uni.remove-session';
/** Jobs on a CE's VPN membership at a PE (RFC 4364 VRF and route). */
export type MembershipJobType = 'bgp.advertise-membership' | 'bgp.withdraw-membership';
/** Jobs on an LDP label binding. */
export type LdpJobType = 'ldp.bind' | 'ldp.release';
/** Jobs on an RSVP-TE LSP (queued on its ingress PE). */
export type LspJobType = 'rsvp-te.signal' | 'rsvp-te.resize' | 'rsvp-te.teardown';

/** Jobs that remove state from a PE (the undo half of the flows). */
export const REMOVAL_JOB_TYPES: readonly JobType[] = [
  'uni.remove-session',
  'bgp.withdraw-membership',
  'ldp.release',
  'rsvp-te.teardown',
];

const TYPES: ReadonlySet<string> = new Set(JOB_TYPES);

/** Whether a value names a job type. */
export function isJobType(value: unknown): value is JobType {
  return typeof value === 'string' && TYPES.has(value);
}
