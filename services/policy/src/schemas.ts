import { Type, type Static } from '@sinclair/typebox';
import {
  ApplicationViewSchema,
  CustomerSchema,
  IdSchema,
  NodeIdSchema,
  REFUSAL_CODES,
  SiteSchema,
  SlaSchema,
  USERNAME_PATTERN,
  VpnSchema,
} from '@svpn/policy';
import { PRECEDENCE_LEVELS, SERVICE_CLASS_NAMES } from '@svpn/qos';

/**
 * The wire shapes of the policy API (request and response bodies), as TypeBox schemas: fastify
 * validates every body against them and serializes every 2xx answer through them, so a field not
 * listed here (an H(A1), a password) never leaves the service.
 */

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

// ── decisions ─────────────────────────────────────────────────────────────────────────────────────

/** `POST /v1/decisions`: the request of `decide`, with the session to count it for. */
export const DecisionRequestBody = Type.Object(
  {
    application: Type.String({ pattern: USERNAME_PATTERN }),
    vpn: Type.String({ minLength: 1, maxLength: 64, description: 'VPN-ID (OUI:index hex) or name' }),
    serviceClass: Type.String({ minLength: 1, maxLength: 64 }),
    bandwidthBps: Type.Number({ minimum: 0 }),
    resourcePriority: Type.Optional(Type.String({ maxLength: 256 })),
    tspec: Type.Optional(
      Type.Object(
        { r: Type.Number(), b: Type.Number(), p: Type.Number(), m: Type.Number(), M: Type.Number() },
        { additionalProperties: false },
      ),
    ),
    rspec: Type.Optional(
      Type.Object({ R: Type.Number(), S: Type.Number() }, { additionalProperties: false }),
    ),
    start: Type.Optional(Type.String({ format: 'date-time' })),
    durationS: Type.Optional(Type.Integer()),
    /** The exact end of a booked window for the usage claim (`null`: open-ended); see `DecisionInput.end`. */
    end: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    currentBps: Type.Optional(Type.Number({ minimum: 0 })),
    /**
     * Count an allowed request against the customer's usage under this id (atomically; a session
     * already counted changes its bit/s). Absent: a dry run that counts nothing.
     */
    sessionId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type DecisionRequestBody = Static<typeof DecisionRequestBody>;

const GrantSchema = Type.Object({
  allow: Type.Literal(true),
  code: Type.Literal('allowed'),
  sipStatus: Type.Literal(200),
  reason: Type.String(),
  customerId: Type.String(),
  application: Type.String(),
  vpnId: Type.String(),
  vpnName: Type.String(),
  serviceClass: literals(SERVICE_CLASS_NAMES),
  grantedBps: Type.Number(),
  dscp: Type.Integer(),
  dscpReason: Type.String(),
  precedence: literals(PRECEDENCE_LEVELS),
  setupPriority: Type.Integer(),
  holdingPriority: Type.Integer(),
  preemptionPriority: Type.Integer(),
  defendingPriority: Type.Integer(),
  classType: Type.Integer(),
  maxDurationS: Type.Union([Type.Integer(), Type.Null()]),
  start: Type.String({ format: 'date-time' }),
  chargingProfile: Type.String(),
  mayShrink: Type.Boolean(),
  minBps: Type.Number(),
});

const RefusalSchema = Type.Object({
  allow: Type.Literal(false),
  code: literals(REFUSAL_CODES),
  sipStatus: Type.Union([Type.Literal(403), Type.Literal(417), Type.Literal(488)]),
  sipReason: Type.String(),
  reason: Type.String(),
  acceptResourcePriority: Type.Optional(Type.String()),
});

/** The answer of `POST /v1/decisions`: a grant or a refusal (both 200: the decision was made). */
export const DecisionSchema = Type.Union([GrantSchema, RefusalSchema]);
/** A decision as JSON (the grant's `start` as RFC 3339 text). */
export type DecisionJson = Static<typeof DecisionSchema>;

/** A session's claim: its bit/s and the window it counts in (`start` `null`: stored before claims had windows; `end` `null`: open). */
const SessionUsageSchema = Type.Object({
  sessionId: Type.String(),
  bps: Type.Number(),
  start: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  end: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** `GET /v1/customers/:id/usage`: what is in use now, and what is booked to start later. */
export const UsageSchema = Type.Object({
  customerId: Type.String(),
  at: Type.String({ format: 'date-time' }),
  activeSessions: Type.Integer(),
  reservedBps: Type.Number(),
  sessions: Type.Array(SessionUsageSchema),
  upcoming: Type.Array(SessionUsageSchema),
});

// ── hot-path lookups ──────────────────────────────────────────────────────────────────────────────

export const Ha1AlgorithmSchema = literals(['MD5', 'SHA-256', 'SHA-512-256'] as const);

export const CredentialsQuery = Type.Object(
  { realm: Type.Optional(Type.String({ minLength: 1 })), algorithm: Type.Optional(Ha1AlgorithmSchema) },
  { additionalProperties: false },
);
export type CredentialsQuery = Static<typeof CredentialsQuery>;

export const CredentialsSchema = Type.Object({
  username: Type.String(),
  realm: Type.String(),
  algorithm: Ha1AlgorithmSchema,
  ha1: Type.String(),
});

export const MembershipSchema = Type.Object({
  member: Type.Boolean(),
  vpnId: Type.Optional(Type.String()),
  vpnName: Type.Optional(Type.String()),
  customerId: Type.Optional(Type.String()),
  rd: Type.Optional(Type.String()),
  importTargets: Type.Optional(Type.Array(Type.String())),
  exportTargets: Type.Optional(Type.Array(Type.String())),
  routeTargets: Type.Optional(Type.Array(Type.String())),
});

export const SiteAttachmentSchema = Type.Composite([SiteSchema, Type.Object({ customerId: Type.String() })]);

// ── admin bodies ──────────────────────────────────────────────────────────────────────────────────

const Password = Type.String({ minLength: 8, maxLength: 128 });
const VpnRefs = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 256,
  description: 'VPN-IDs or names',
});

/** `POST /v1/applications`: the password is turned into H(A1) values and forgotten. */
export const ApplicationCreateBody = Type.Object(
  {
    name: Type.String({ pattern: USERNAME_PATTERN }),
    customerId: IdSchema,
    password: Password,
    ce: NodeIdSchema,
    vpns: Type.Optional(VpnRefs),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ApplicationCreateBody = Static<typeof ApplicationCreateBody>;

/** `PUT /v1/applications/:name`: without a password the H(A1) values stay. */
export const ApplicationPutBody = Type.Object(
  {
    customerId: IdSchema,
    password: Type.Optional(Password),
    ce: NodeIdSchema,
    vpns: VpnRefs,
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ApplicationPutBody = Static<typeof ApplicationPutBody>;
export const ApplicationPatchBody = Type.Partial(ApplicationPutBody);
export type ApplicationPatchBody = Static<typeof ApplicationPatchBody>;

export const CustomerCreateBody = Type.Composite(
  [
    Type.Omit(CustomerSchema, ['enabled', 'sites']),
    Type.Object({ enabled: Type.Optional(Type.Boolean()), sites: Type.Optional(Type.Array(SiteSchema)) }),
  ],
  { additionalProperties: false },
);
export type CustomerCreateBody = Static<typeof CustomerCreateBody>;
export const CustomerPutBody = Type.Omit(CustomerCreateBody, ['id']);
export type CustomerPutBody = Static<typeof CustomerPutBody>;
export const CustomerPatchBody = Type.Partial(CustomerPutBody);

export const VpnPutBody = Type.Omit(VpnSchema, ['vpnId']);
export const VpnPatchBody = Type.Partial(VpnPutBody);
export const SlaPutBody = Type.Omit(SlaSchema, ['id']);
export const SlaPatchBody = Type.Partial(SlaPutBody);

export { ApplicationViewSchema, CustomerSchema, SlaSchema, VpnSchema };

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type IdParams = Static<typeof IdParams>;
