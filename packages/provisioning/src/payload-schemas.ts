import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { InvalidPayloadError } from './errors.js';
import type { JobType } from './job-types.js';

// ---------------------------------------------------------------------------------------------
// Scalars shared by every schema
// ---------------------------------------------------------------------------------------------

/** An id of a PE, CE, VPN, session, LSP or interface: 1–200 characters without whitespace, `{`, `}` or `|`. */
export const IdSchema = Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\s{}|]+$' });

/** Bit/s: a positive integer up to 10 Tbit/s (what Lua's number formatting keeps exact). */
export const BpsSchema = Type.Integer({ minimum: 1, maximum: 10_000_000_000_000 });

/** DSCP 0…63 (RFC 2474 §3). */
export const DscpSchema = Type.Integer({ minimum: 0, maximum: 63 });

/** RSVP-TE setup / holding priority, 0 (highest) … 7 (RFC 3209 §4.7). */
export const PrioritySchema = Type.Integer({ minimum: 0, maximum: 7 });

/** The intent revision a job converges to (assigned by the provisioning store; 0 for direct jobs). */
export const RevisionSchema = Type.Integer({ minimum: 0 });

/** How a session's traffic is marked on the UNI: a DSCP and optionally its RFC 4594 service class. */
export const MarkingSchema = Type.Object(
  { dscp: DscpSchema, serviceClass: Type.Optional(IdSchema) },
  { additionalProperties: false },
);
export type Marking = Static<typeof MarkingSchema>;

/** An explicit route (RFC 3209 §4.3), ingress to egress: node ids, or link ids to pick among parallel links. */
export const ExplicitRouteSchema = Type.Union([
  Type.Object({ nodes: Type.Array(IdSchema, { minItems: 2 }) }, { additionalProperties: false }),
  Type.Object({ links: Type.Array(IdSchema, { minItems: 1 }) }, { additionalProperties: false }),
]);
export type ExplicitRoute = Static<typeof ExplicitRouteSchema>;

/** Why a job was queued; for logs and metrics only (the work is the same). */
export const JobOriginSchema = Type.Union([
  Type.Literal('setup'),
  Type.Literal('modify'),
  Type.Literal('release'),
  Type.Literal('compensation'),
  Type.Literal('reconcile'),
  Type.Literal('direct'),
]);
export type JobOrigin = Static<typeof JobOriginSchema>;

// ---------------------------------------------------------------------------------------------
// Requests: what a PE adapter is asked to do (one per job type)
// ---------------------------------------------------------------------------------------------

export const UniAddSessionRequestSchema = Type.Object(
  {
    pe: IdSchema,
    sessionId: IdSchema,
    vpnId: IdSchema,
    ce: IdSchema,
    /** The PE interface facing the CE, e.g. `ge-0/0/1.100`. */
    interface: IdSchema,
    bandwidthBps: BpsSchema,
    marking: MarkingSchema,
    /** The LSP carrying the session, if any. */
    lspId: Type.Optional(IdSchema),
  },
  { additionalProperties: false },
);
export type UniAddSessionRequest = Static<typeof UniAddSessionRequestSchema>;

export const UniModifySessionRequestSchema = Type.Object(
  {
    pe: IdSchema,
    sessionId: IdSchema,
    bandwidthBps: Type.Optional(BpsSchema),
    interface: Type.Optional(IdSchema),
    marking: Type.Optional(MarkingSchema),
    /** `null` detaches the session from its LSP. */
    lspId: Type.Optional(Type.Union([IdSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type UniModifySessionRequest = Static<typeof UniModifySessionRequestSchema>;

export const UniRemoveSessionRequestSchema = Type.Object(
  { pe: IdSchema, sessionId: IdSchema },
  { additionalProperties: false },
);
export type UniRemoveSessionRequest = Static<typeof UniRemoveSessionRequestSchema>;

/** RFC 4364 route distinguisher / route target text: `ASN:nn`, `IPv4:nn` (an optional `target:` on RTs). */
const RouteTextSchema = Type.String({ minLength: 3, maxLength: 64 });

export const BgpAdvertiseMembershipRequestSchema = Type.Object(
  {
    pe: IdSchema,
    vpnId: IdSchema,
    ce: IdSchema,
    rd: RouteTextSchema,
    importTargets: Type.Array(RouteTextSchema, { minItems: 1, maxItems: 64 }),
    exportTargets: Type.Array(RouteTextSchema, { minItems: 1, maxItems: 64 }),
    /** Customer prefixes at the site. */
    prefixes: Type.Optional(Type.Array(Type.String({ minLength: 3, maxLength: 64 }), { maxItems: 1024 })),
  },
  { additionalProperties: false },
);
export type BgpAdvertiseMembershipRequest = Static<typeof BgpAdvertiseMembershipRequestSchema>;

export const BgpWithdrawMembershipRequestSchema = Type.Object(
  { pe: IdSchema, vpnId: IdSchema, ce: IdSchema },
  { additionalProperties: false },
);
export type BgpWithdrawMembershipRequest = Static<typeof BgpWithdrawMembershipRequestSchema>;

export const LdpBindingRequestSchema = Type.Object(
  {
    pe: IdSchema,
    /** The FEC: an IP prefix, e.g. a PE loopback `/32` (RFC 5036 §3.4.1). */
    fec: Type.String({ minLength: 3, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type LdpBindingRequest = Static<typeof LdpBindingRequestSchema>;

export const RsvpTeSignalRequestSchema = Type.Object(
  {
    /** The ingress PE (the first node of the route). */
    pe: IdSchema,
    lspId: IdSchema,
    route: ExplicitRouteSchema,
    bandwidthBps: BpsSchema,
    setupPriority: PrioritySchema,
    holdingPriority: PrioritySchema,
    penultimateHopPopping: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type RsvpTeSignalRequest = Static<typeof RsvpTeSignalRequestSchema>;

export const RsvpTeResizeRequestSchema = Type.Object(
  { pe: IdSchema, lspId: IdSchema, bandwidthBps: BpsSchema },
  { additionalProperties: false },
);
export type RsvpTeResizeRequest = Static<typeof RsvpTeResizeRequestSchema>;

export const RsvpTeTeardownRequestSchema = Type.Object(
  { pe: IdSchema, lspId: IdSchema },
  { additionalProperties: false },
);
export type RsvpTeTeardownRequest = Static<typeof RsvpTeTeardownRequestSchema>;

export const MarkingApplyRequestSchema = Type.Object(
  {
    pe: IdSchema,
    /** One session (a per-session override) or every session of a service class on the PE. */
    target: Type.Union([
      Type.Object({ sessionId: IdSchema }, { additionalProperties: false }),
      Type.Object({ serviceClass: IdSchema }, { additionalProperties: false }),
    ]),
    dscp: DscpSchema,
  },
  { additionalProperties: false },
);
export type MarkingApplyRequest = Static<typeof MarkingApplyRequestSchema>;

// ---------------------------------------------------------------------------------------------
// Payloads: a request plus the job's bookkeeping
// ---------------------------------------------------------------------------------------------

/** Fields every job payload carries besides its request. */
export const JobMetaSchema = Type.Object({
  /**
   * The revision of the desired state the job was queued for. Workers converge to the desired state
   * as it is when they run (a newer revision wins), so jobs may run late or twice without harm.
   */
  revision: RevisionSchema,
  origin: JobOriginSchema,
});
export type JobMeta = Static<typeof JobMetaSchema>;

function payload<T extends TSchema>(request: T) {
  return Type.Composite([request, JobMetaSchema], { additionalProperties: false });
}

/** The TypeBox schema of each job type's payload (BullMQ job `data`). */
export const JOB_PAYLOAD_SCHEMAS = {
  'uni.add-session': payload(UniAddSessionRequestSchema),
  'uni.modify-session': payload(UniModifySessionRequestSchema),
  'uni.remove-session': payload(UniRemoveSessionRequestSchema),
  'bgp.advertise-membership': payload(BgpAdvertiseMembershipRequestSchema),
  'bgp.withdraw-membership': payload(BgpWithdrawMembershipRequestSchema),
  'ldp.bind': payload(LdpBindingRequestSchema),
  'ldp.release': payload(LdpBindingRequestSchema),
  'rsvp-te.signal': payload(RsvpTeSignalRequestSchema),
  'rsvp-te.resize': payload(RsvpTeResizeRequestSchema),
  'rsvp-te.teardown': payload(RsvpTeTeardownRequestSchema),
  'marking.apply': payload(MarkingApplyRequestSchema),
} as const satisfies Record<JobType, TSchema>;

/** The request behind each job type. */
export interface JobRequests {
  'uni.add-session': UniAddSessionRequest;
  'uni.modify-session': UniModifySessionRequest;
  'uni.remove-session': UniRemoveSessionRequest;
  'bgp.advertise-membership': BgpAdvertiseMembershipRequest;
  'bgp.withdraw-membership': BgpWithdrawMembershipRequest;
  'ldp.bind': LdpBindingRequest;
  'ldp.release': LdpBindingRequest;
  'rsvp-te.signal': RsvpTeSignalRequest;
  'rsvp-te.resize': RsvpTeResizeRequest;
  'rsvp-te.teardown': RsvpTeTeardownRequest;
  'marking.apply': MarkingApplyRequest;
}

/** The payload (BullMQ job `data`) of each job type: its request plus {@link JobMeta}. */
export type JobPayloads = { [T in JobType]: JobRequests[T] & JobMeta };

/** A payload of job type `T`. */
export type JobPayload<T extends JobType = JobType> = JobPayloads[T];

/** A job to queue: its type and payload, correlated. */
export type JobSpec = { [T in JobType]: { readonly type: T; readonly payload: JobPayloads[T] } }[JobType];

// Compiled once per job type (faster than the interpreted `Value.Check`): every job is checked when
// queued and again when run.
const PAYLOAD_CHECKS: ReadonlyMap<string, TypeCheck<TSchema>> = new Map(
  Object.entries(JOB_PAYLOAD_SCHEMAS as Record<string, TSchema>).map(([type, schema]) => [
    type,
    TypeCompiler.Compile(schema),
  ]),
);

/**
 * Validates a job payload against its type's schema and returns it typed; throws
 * {@link InvalidPayloadError} listing every problem (workers turn it into an unrecoverable failure).
 */
export function checkPayload<T extends JobType>(type: T, data: unknown): JobPayloads[T] {
  const check = PAYLOAD_CHECKS.get(type);
  if (check === undefined) throw new InvalidPayloadError(String(type), ['unknown job type']);
  if (!check.Check(data)) {
    const issues = [...check.Errors(data)].map((e) => `${e.path || '/'}: ${e.message}`);
    throw new InvalidPayloadError(type, issues.length > 0 ? issues : ['does not match the schema']);
  }
  return data as JobPayloads[T];
}
