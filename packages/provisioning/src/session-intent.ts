import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { InvalidIntentError } from './errors.js';
import {
  BgpAdvertiseMembershipRequestSchema,
  BgpWithdrawMembershipRequestSchema,
  BpsSchema,
  DscpSchema,
  ExplicitRouteSchema,
  IdSchema,
  PrioritySchema,
  type BgpAdvertiseMembershipRequest,
  type BgpWithdrawMembershipRequest,
} from './payload-schemas.js';

/** Where a session attaches to the provider network: a CE behind a PE interface. */
export const SessionEndpointSchema = Type.Object(
  { pe: IdSchema, ce: IdSchema, interface: IdSchema },
  { additionalProperties: false },
);
export type SessionEndpoint = Static<typeof SessionEndpointSchema>;

/** The LSP (aggregate tunnel) a session rides, as the gateway's admission chose it. */
export const SessionLspSchema = Type.Object(
  {
    lspId: IdSchema,
    /** The explicit route CSPF computed, ingress PE to egress PE. */
    route: ExplicitRouteSchema,
    setupPriority: PrioritySchema,
    holdingPriority: PrioritySchema,
    penultimateHopPopping: Type.Optional(Type.Boolean()),
    /**
     * The LSP's size once this session rides it (the aggregate the ledger admitted, RFC 3175).
     * @defaultValue its current size plus the session's bandwidth (the session's bandwidth for a new LSP)
     */
    bandwidthBps: Type.Optional(BpsSchema),
  },
  { additionalProperties: false },
);
export type SessionLsp = Static<typeof SessionLspSchema>;

/**
 * What the gateway wants provisioned for one session (DESIGN §4 session setup): the UNI attachments
 * on the ingress (and optionally egress) PE, the LSP carrying it and its marking. Submitted again
 * with a higher `version` for a re-INVITE / UPDATE; the same version again is a retransmission.
 */
export const SessionIntentSchema = Type.Object(
  {
    sessionId: IdSchema,
    /** The gateway's version of this session's parameters: 1 at setup, +1 per change. */
    version: Type.Integer({ minimum: 1 }),
    vpnId: IdSchema,
    bandwidthBps: BpsSchema,
    dscp: DscpSchema,
    /** RFC 4594 service class; lets a class-wide `marking.apply` re-mark the session. */
    serviceClass: Type.Optional(IdSchema),
    /** Ingress first (the caller's CE); an egress endpoint on another PE for the far CE. */
    endpoints: Type.Array(SessionEndpointSchema, { minItems: 1, maxItems: 2 }),
    /** `null`/absent for a session between two CEs of one PE (no core LSP). */
    lsp: Type.Optional(Type.Union([SessionLspSchema, Type.Null()])),
  },
  { additionalProperties: false },
);
export type SessionIntent = Static<typeof SessionIntentSchema>;

/** A CE's membership of a VPN at its PE, as REGISTER asks for it (DESIGN §4 registration). */
export const MembershipIntentSchema = BgpAdvertiseMembershipRequestSchema;
export type MembershipIntent = BgpAdvertiseMembershipRequest;

/** The key of a membership. */
export const MembershipKeySchema = BgpWithdrawMembershipRequestSchema;
export type MembershipKey = BgpWithdrawMembershipRequest;

/** What the network granted a session (the 200 OK's `a=svpn-tunnel`, `a=svpn-label`, `a=svpn-dscp`). */
export interface ProvisionResult {
  readonly sessionId: string;
  readonly version: number;
  /** The desired-state revision this result confirms. */
  readonly revision: number;
  readonly bandwidthBps: number;
  readonly dscp: number;
  readonly lspId: string | null;
  /** The label the ingress PE pushes onto the session's traffic (`null` without an LSP). */
  readonly ingressLabel: number | null;
  /** The labels bound along the LSP, hop by hop. */
  readonly hopLabels: readonly (number | null)[];
  /** The LSP's size now (the aggregate, not the session's share). */
  readonly lspBandwidthBps: number | null;
  readonly endpoints: readonly {
    readonly pe: string;
    readonly ce: string;
    readonly interface: string;
    readonly bandwidthBps: number;
    readonly dscp: number;
  }[];
}

/** What a membership advertisement granted: the VRF's VPN label at the PE. */
export interface MembershipResult {
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly revision: number;
  readonly vpnLabel: number;
}

// Compiled once (faster than the interpreted `Value.Check`): every setup's intent is checked.
const SessionIntentCheck = TypeCompiler.Compile(SessionIntentSchema);
const MembershipIntentCheck = TypeCompiler.Compile(MembershipIntentSchema);

/**
 * Validates a session intent: the schema, then rules the schema cannot say (endpoints on distinct
 * PEs, an LSP route starting at the ingress endpoint's PE). Throws {@link InvalidIntentError}.
 */
export function checkSessionIntent(value: unknown): SessionIntent {
  if (!SessionIntentCheck.Check(value)) {
    throw new InvalidIntentError([...SessionIntentCheck.Errors(value)].map(issue));
  }
  const intent = value as SessionIntent;
  const issues: string[] = [];
  const pes = intent.endpoints.map((e) => e.pe);
  if (new Set(pes).size !== pes.length) {
    issues.push('/endpoints: each endpoint must be on another PE (the UNI session id is per PE)');
  }
  const lsp = intent.lsp;
  if (lsp) {
    if ('nodes' in lsp.route && lsp.route.nodes[0] !== intent.endpoints[0]?.pe) {
      issues.push("/lsp/route/nodes/0: the LSP must start at the ingress endpoint's PE");
    }
    // RFC 3209 §4.7.4 — the setup priority SHOULD NOT be higher than the holding priority.
    if (lsp.setupPriority < lsp.holdingPriority) {
      issues.push('/lsp/setupPriority: must not be higher (numerically lower) than holdingPriority');
    }
  }
  if (issues.length > 0) throw new InvalidIntentError(issues);
  return intent;
}

/** Validates a membership intent (schema only). Throws {@link InvalidIntentError}. */
export function checkMembershipIntent(value: unknown): MembershipIntent {
  if (!MembershipIntentCheck.Check(value)) {
    throw new InvalidIntentError([...MembershipIntentCheck.Errors(value)].map(issue));
  }
  return value as MembershipIntent;
}

function issue(e: { path: string; message: string }): string {
  return `${e.path || '/'}: ${e.message}`;
}
