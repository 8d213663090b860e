/**
 * What the gateway needs from the rest of svpn, as small interfaces (DESIGN §3: services talk only
 * through Redis and HTTP). `svpn up` wires in-process adapters; a scaled deployment wires HTTP
 * clients and queue producers with the same shapes.
 */
import type { PolicyClient } from '@svpn/policy-service';
import type { MembershipIntent, MembershipKey, ProvisionResult, SessionIntent } from '@svpn/provisioning';
import type { SessionEvent } from '@svpn/store';

/**
 * Policy decisions, digest material and site data (services/policy): the policy service's own
 * client interface, in-process for `svpn up` or over HTTP when scaled out.
 */
export type PolicyPort = Pick<
  PolicyClient,
  'credentials' | 'decide' | 'membership' | 'site' | 'customerOf' | 'releaseUsage'
>;

/** One admission request to the TE engine (the stateful PCE of DESIGN §5). */
export interface AdmissionRequest {
  sessionId: string;
  ingressPe: string;
  egressPe: string;
  /** Bit/s to reserve, transport overhead included (the tunnel adds its own). */
  bandwidthBps: number;
  classType: number;
  setupPriority: number;
  holdingPriority: number;
  /** Precedence level: sessions are aggregated per (ingress, egress, class type, level). */
  level: string;
  start: number;
  end: number;
  /** RFC 4495: whether preemption may shrink this session instead of ending it, and how far. */
  mayShrink: boolean;
  minBps: number;
  /**
   * A scheduled connection of the northbound API: with a bounded window it is booked for that window
   * only (see AdmissionEngine). SIP calls leave it unset. @defaultValue false
   */
  scheduled?: boolean;
}

export interface PreemptionAction {
  sessionId: string;
  action: 'end' | 'shrink';
  newBandwidthBps?: number;
}

export type AdmissionResult =
  | {
      ok: true;
      /** The aggregate tunnel (LSP) the session rides, its route and size after admission. */
      lspId: string;
      route: string[];
      links: string[];
      lspBandwidthBps: number;
      /** Sessions that lose (or lose part of) their bandwidth so this one fits (RFC 3209 / RFC 4495). */
      preempted: PreemptionAction[];
    }
  | { ok: false; reason: 'no-path' | 'no-capacity'; detail: string; retryAfterS: number };

export interface AdmissionPort {
  admit(request: AdmissionRequest): Promise<AdmissionResult>;
  /** Changes a session's bandwidth; only the delta is admitted. The old size stays on refusal. */
  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult>;
  /** Frees the session's share; its tunnel shrinks by bulk steps. Idempotent. */
  release(sessionId: string): Promise<{ lspId: string; lspBandwidthBps: number } | undefined>;
  /**
   * VPN mobility (seed 001 Fig. 1): the session's ends moved to other PEs. The new path is admitted
   * before the old one is given up, in one step of the single writer; on refusal the old stays.
   */
  move(sessionId: string, ingressPe: string, egressPe: string): Promise<AdmissionResult>;
}

/** The provisioning queue (services/provisioner), waited on with a deadline. */
export interface ProvisioningPort {
  provision(intent: SessionIntent): Promise<ProvisionResult>;
  /**
   * Removes the session from the PEs. `lspBandwidthBps`: the size of its aggregate LSP once it left
   * (what the admission release answered), so the LSP shrinks to what the remaining sessions hold
   * rather than by this session's share alone. @defaultValue the share is given back
   */
  release(sessionId: string, options?: { lspBandwidthBps?: number }): Promise<void>;
  advertiseMembership(intent: MembershipIntent): Promise<void>;
  /** `bgp.withdraw-membership` at the PE a site left (VPN mobility). @defaultValue not withdrawn */
  withdrawMembership?(key: MembershipKey): Promise<void>;
}

/**
 * The PE traffic counters (seed 001: the gateway meters the tunnel's use): bytes a session carried
 * up to `at`, read just before `uni.remove-session` so the charge `stop` event carries them.
 */
export interface MeterPort {
  readBytes(pe: string, peSessionId: string, at: number): Promise<number | null>;
}

/** The session event stream charging and the API consume (start / modify / preempt / stop). */
export interface EventsPort {
  publish(event: SessionEvent): Promise<void>;
}
