/**
 * What the gateway needs from the rest of svpn, as small interfaces (DESIGN §3: services talk only
 * through Redis and HTTP). `svpn up` wires in-process adapters; a scaled deployment wires HTTP
 * clients and queue producers with the same shapes.
 */
import type { Decision, DecisionRequest } from '@svpn/policy';
import type { ProvisionResult, SessionIntent, MembershipIntent } from '@svpn/provisioning';
import type { SessionEvent } from '@svpn/store';

/** Policy decisions, digest material and site data (services/policy). */
export interface PolicyPort {
  /** H(A1) for the digest check (RFC 7616 §3.4.2); undefined for unknown users. */
  credentials(username: string, realm: string, algorithm: 'MD5' | 'SHA-256'): Promise<string | undefined>;
  /** The decision for one request; `currentBps` set for a change of an existing session. */
  decide(request: DecisionRequest, sessionId: string): Promise<Decision>;
  /** Whether the application may use the VPN (REGISTER authorization, DESIGN §4). */
  membership(
    application: string,
    vpn: string,
  ): Promise<{ member: boolean; vpnId?: string; rd?: string; routeTargets?: string[] }>;
  /** The customer site a CE is: its customer and the PE / interface it attaches to. */
  site(ce: string): Promise<{ customerId: string; pe: string; interface: string } | undefined>;
  /** The customer an application belongs to. */
  customerOf(application: string): Promise<string | undefined>;
  /** The session stops counting against its customer's SLA. */
  releaseUsage(sessionId: string): Promise<void>;
}

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
}

/** The provisioning queue (services/provisioner), waited on with a deadline. */
export interface ProvisioningPort {
  provision(intent: SessionIntent): Promise<ProvisionResult>;
  release(sessionId: string): Promise<void>;
  advertiseMembership(intent: MembershipIntent): Promise<void>;
}

/** The session event stream charging and the API consume (start / modify / preempt / stop). */
export interface EventsPort {
  publish(event: SessionEvent): Promise<void>;
}
