/**
 * Provisioning state (DESIGN §5, OSCARS "intent separate from actual state"):
 *
 * - **desired** — what should exist on the provider network: sessions (their UNI attachments and
 *   marking), the LSPs they ride and CE memberships. Written by the `Provisioner` before it queues
 *   any job, so a job never creates state nobody desires.
 * - **actual** — what the workers observed on the PEs after each successful job (labels, sizes, the
 *   revision each object was converged to). Deleted when a removal job succeeds.
 *
 * A reconciler compares both with the PEs' own state and converges them. Every desired change bumps
 * the object's `revision`; jobs carry the revision they were queued for and their BullMQ ids derive
 * from it, so an unchanged intent (a retransmission) yields the same jobs.
 *
 * A desired session keeps its `intent` (active / released) apart from its observed `phase`:
 *
 * ```
 *   put ──► deploying ──(all steps confirmed)──► active ──(put v+1)──► modifying ──► active
 *              │                                   │  ▲                    │
 *              │                         PE lost state  └── repaired ──┐   │
 *              │                                   ▼                   │   │
 *              │                               repairing ──────────────┘   │
 *              └─ deadline passed / step failed ──► failed ◄───────────────┘   (intent released)
 *   release ──► releasing ──(nothing left on any PE)──► record deleted
 * ```
 */

/** Whether the object should exist. */
export type IntentState = 'active' | 'released';

/** Where a desired session stands (see the diagram above). */
export type SessionProvisioningPhase =
  'deploying' | 'modifying' | 'repairing' | 'active' | 'releasing' | 'failed';

/** Where a desired membership stands. */
export type MembershipPhase = 'deploying' | 'active' | 'releasing' | 'failed';

/** An explicit route (RFC 3209 §4.3): node ids, or link ids. */
export type LspRoute = { readonly nodes: readonly string[] } | { readonly links: readonly string[] };

/** A UNI attachment: the CE behind a PE interface. */
export interface EndpointRecord {
  readonly pe: string;
  readonly ce: string;
  readonly interface: string;
}

/** The LSP part of a session intent, as submitted. */
export interface SessionLspRecord {
  readonly lspId: string;
  readonly route: LspRoute;
  readonly setupPriority: number;
  readonly holdingPriority: number;
  readonly penultimateHopPopping: boolean;
  /** The aggregate size the caller asked for, `null` to add the session's bandwidth to the LSP. */
  readonly bandwidthBps: number | null;
}

/** Why provisioning gave up on an object. */
export interface FailureRecord {
  readonly code: string;
  readonly message: string;
}

/** A session as the gateway wants it. */
export interface DesiredSession {
  readonly sessionId: string;
  /** The caller's version (1 at setup, +1 per re-INVITE). */
  readonly version: number;
  /** Bumped by every change of the desired state (job ids derive from it). */
  readonly revision: number;
  readonly intent: IntentState;
  readonly phase: SessionProvisioningPhase;
  readonly vpnId: string;
  readonly bandwidthBps: number;
  readonly dscp: number;
  readonly serviceClass: string | null;
  /** Ingress first. */
  readonly endpoints: readonly EndpointRecord[];
  readonly lsp: SessionLspRecord | null;
  /** The current deploy / modify / repair must be confirmed by then (ms since the epoch); `null` when settled. */
  readonly deadlineMs: number | null;
  readonly failure: FailureRecord | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** An LSP as the sessions riding it want it. */
export interface DesiredLsp {
  readonly lspId: string;
  /** The ingress PE (the queue its jobs go to). */
  readonly ingress: string;
  readonly route: LspRoute;
  readonly setupPriority: number;
  readonly holdingPriority: number;
  readonly penultimateHopPopping: boolean;
  readonly bandwidthBps: number;
  /**
   * Session id → the bandwidth it added to the LSP (given back when it leaves). A Map, and stored as
   * a list of pairs: session ids as object keys cost V8 a hidden class and an interned string per
   * session on every parse and copy (profiled: 40 % of the bytes a call allocated).
   */
  readonly contributions: ReadonlyMap<string, number>;
  /** `released` once no session rides it: the LSP is to be torn down. */
  readonly intent: IntentState;
  readonly revision: number;
  /** The revision at which it was (re)created: `rsvp-te.signal` rather than `rsvp-te.resize`. */
  readonly createdRevision: number;
  readonly updatedAtMs: number;
}

/** A CE's VPN membership at a PE, as the registrar wants it. */
export interface DesiredMembership {
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly rd: string;
  readonly importTargets: readonly string[];
  readonly exportTargets: readonly string[];
  readonly prefixes: readonly string[];
  readonly revision: number;
  readonly intent: IntentState;
  readonly phase: MembershipPhase;
  readonly updatedAtMs: number;
}

/** An LSP as a worker observed it after its last successful job. */
export interface ActualLsp {
  readonly lspId: string;
  readonly ingress: string;
  readonly status: string;
  readonly bandwidthBps: number;
  readonly ingressLabel: number | null;
  readonly hopLabels: readonly (number | null)[];
  /** The desired revision the LSP was converged to. */
  readonly revision: number;
  readonly observedAtMs: number;
}

/** A session's UNI attachment on one PE as a worker observed it. */
export interface ActualEndpoint {
  readonly sessionId: string;
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly interface: string;
  readonly bandwidthBps: number;
  /** The DSCP in effect. */
  readonly dscp: number;
  readonly lspId: string | null;
  /** The desired revision the UNI session was converged to (0: never). */
  readonly uniRevision: number;
  /** The desired revision the marking was applied for (0: never). */
  readonly markingRevision: number;
  readonly observedAtMs: number;
}

/** What a worker may change on an actual endpoint record (absent fields stay). */
export type ActualEndpointPatch = Partial<Omit<ActualEndpoint, 'sessionId' | 'pe' | 'observedAtMs'>>;

/** A membership as a worker observed it. */
export interface ActualMembership {
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
  readonly vpnLabel: number;
  readonly revision: number;
  readonly observedAtMs: number;
}

/** The key of a membership. */
export interface MembershipKey {
  readonly pe: string;
  readonly vpnId: string;
  readonly ce: string;
}

/** A session intent to store. */
export interface SessionIntentInput {
  readonly sessionId: string;
  readonly version: number;
  readonly vpnId: string;
  readonly bandwidthBps: number;
  readonly dscp: number;
  readonly serviceClass: string | null;
  readonly endpoints: readonly EndpointRecord[];
  readonly lsp: SessionLspRecord | null;
  /** When the deploy/modify this starts must be confirmed by (ms since the epoch). */
  readonly deadlineMs: number;
  /**
   * Accept other parameters under the same version (a rollback to the previous parameters after a
   * failed modify). @defaultValue false: the same version with other parameters is a conflict
   */
  readonly replaceSameVersion?: boolean;
}

/** The outcome of a session intent write. */
export interface SessionIntentChange {
  readonly session: DesiredSession;
  /** The record before the write (`null` for a new session). */
  readonly previous: DesiredSession | null;
  /** The LSPs the change touched, as they are now: the session's LSP first, then one it left. */
  readonly lsps: readonly DesiredLsp[];
  /** False when the desired state already said this (a retransmission): nothing was written. */
  readonly changed: boolean;
}

/** Options of {@link ProvisioningStore.releaseSessionIntent}. */
export interface ReleaseSessionOptions {
  /** @defaultValue 'releasing' */
  readonly phase?: 'releasing' | 'failed';
  readonly failure?: FailureRecord;
  /** The LSP's size once the session left. @defaultValue its size minus the session's contribution */
  readonly lspBandwidthBps?: number;
  readonly fence?: Fence;
}

/** Fields {@link ProvisioningStore.setSessionPhase} may change. */
export interface SessionPhasePatch {
  readonly phase: SessionProvisioningPhase;
  readonly deadlineMs?: number | null;
  readonly failure?: FailureRecord | null;
}

/** A membership intent to store. */
export interface MembershipIntentInput extends MembershipKey {
  readonly rd: string;
  readonly importTargets: readonly string[];
  readonly exportTargets: readonly string[];
  readonly prefixes: readonly string[];
}

/** The outcome of a membership intent write. */
export interface MembershipIntentChange {
  readonly membership: DesiredMembership;
  readonly changed: boolean;
}

/** A time-limited exclusive lease with a fencing token that grows with every new holder. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  readonly expiresAtMs: number;
}

/** A session's desired record and what the network holds of it (`null` where a record is absent). */
export interface SessionView {
  readonly intent: DesiredSession | null;
  /** In the order of the PEs asked for. */
  readonly endpoints: readonly (ActualEndpoint | null)[];
  /** In the order of the LSP ids asked for. */
  readonly lsps: readonly (ActualLsp | null)[];
}

/** A write guard: the write applies only while `token` is the current holder's of the lease `name`. */
export interface Fence {
  readonly name: string;
  readonly token: number;
}

/**
 * Desired and actual provisioning state. Every write is atomic; writes that depend on what is stored
 * are compare-and-set (`revision`) or fenced by a lease token, so several provisioner and reconciler
 * processes can share one store. Implementations: {@link RedisProvisioningStore} and
 * {@link MemoryProvisioningStore}, held to one conformance suite.
 */
export interface ProvisioningStore {
  // --- desired sessions (and the LSPs they ride) ---

  /**
   * Stores a session intent and updates the LSP it rides (and one it left) in one atomic step.
   * A new session starts `deploying`; a higher version is a change (`modifying`); the same version
   * with the same parameters changes nothing (`changed: false`).
   * @throws {@link IntentReleasedError} the session was released; {@link StaleIntentError} an older
   *   version; {@link IntentConflictStoreError} the same version with other parameters, or an LSP id
   *   in use with another route or priorities
   */
  putSessionIntent(input: SessionIntentInput): Promise<SessionIntentChange>;
  /** Marks the session released (giving its share of the LSP back); `null` if unknown; unchanged if already released. */
  releaseSessionIntent(
    sessionId: string,
    options?: ReleaseSessionOptions,
  ): Promise<SessionIntentChange | null>;
  /** Sets the phase (and deadline / failure) if the session is still at `revision`; `null` otherwise. */
  setSessionPhase(
    sessionId: string,
    revision: number,
    patch: SessionPhasePatch,
    fence?: Fence,
  ): Promise<DesiredSession | null>;
  /** Deletes a released session still at `revision`. */
  deleteSessionIntent(sessionId: string, revision: number, fence?: Fence): Promise<boolean>;
  getSessionIntent(sessionId: string): Promise<DesiredSession | null>;
  /**
   * A session's desired record with the actual records of its endpoints on `pes` and of the LSPs
   * `lspIds`, read together (one round trip): what confirming or cleaning up a flow needs.
   */
  getSessionView(sessionId: string, pes: readonly string[], lspIds: readonly string[]): Promise<SessionView>;
  listSessionIntents(): Promise<DesiredSession[]>;
  getLspIntent(lspId: string): Promise<DesiredLsp | null>;
  listLspIntents(): Promise<DesiredLsp[]>;
  /** Deletes a released LSP still at `revision`. */
  deleteLspIntent(lspId: string, revision: number, fence?: Fence): Promise<boolean>;

  // --- desired memberships ---

  putMembershipIntent(input: MembershipIntentInput): Promise<MembershipIntentChange>;
  releaseMembershipIntent(key: MembershipKey): Promise<MembershipIntentChange | null>;
  setMembershipPhase(
    key: MembershipKey,
    revision: number,
    phase: MembershipPhase,
    fence?: Fence,
  ): Promise<DesiredMembership | null>;
  deleteMembershipIntent(key: MembershipKey, revision: number, fence?: Fence): Promise<boolean>;
  getMembershipIntent(key: MembershipKey): Promise<DesiredMembership | null>;
  listMembershipIntents(): Promise<DesiredMembership[]>;

  // --- actual state (written by workers) ---

  putActualLsp(record: Omit<ActualLsp, 'observedAtMs'>): Promise<ActualLsp>;
  deleteActualLsp(lspId: string): Promise<boolean>;
  getActualLsp(lspId: string): Promise<ActualLsp | null>;
  listActualLsps(): Promise<ActualLsp[]>;
  /** Merges the patch into the endpoint's record, creating it (zero revisions) if absent. */
  updateActualEndpoint(sessionId: string, pe: string, patch: ActualEndpointPatch): Promise<ActualEndpoint>;
  deleteActualEndpoint(sessionId: string, pe: string): Promise<boolean>;
  /** One observed endpoint, or `null`. */
  getActualEndpoint(sessionId: string, pe: string): Promise<ActualEndpoint | null>;
  /** Every observed endpoint, or those of one session. */
  listActualEndpoints(sessionId?: string): Promise<ActualEndpoint[]>;
  putActualMembership(record: Omit<ActualMembership, 'observedAtMs'>): Promise<ActualMembership>;
  deleteActualMembership(key: MembershipKey): Promise<boolean>;
  /** One observed membership, or `null`. */
  getActualMembership(key: MembershipKey): Promise<ActualMembership | null>;
  listActualMemberships(): Promise<ActualMembership[]>;

  // --- leases (one reconciler at a time) ---

  /** Takes the lease if free or already ours (then extended, same token); `null` if another owner holds it. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a lease still held with that token; `null` if it was lost. */
  renewLease(lease: Lease, ttlMs: number): Promise<Lease | null>;
  /** Gives the lease up if still held with that token. */
  releaseLease(lease: Lease): Promise<boolean>;
}
