/**
 * What the connection service needs from the rest of svpn, as small interfaces (DESIGN §3): the
 * policy (decisions, H(A1), sites), the admission leader's ledger (the gateway's `/v1/admissions`),
 * the location service, and a SIP user agent acting for the applications. `svpn up` wires real
 * implementations; unit tests wire fakes.
 */
import type { PolicyClient } from '@svpn/policy-service';
import type { AdmissionRequest, AdmissionResult } from '@svpn/sip-gateway-service';

export type PolicyPort = Pick<
  PolicyClient,
  'decide' | 'releaseUsage' | 'credentials' | 'membership' | 'site' | 'application'
>;

/** The admission leader's ledger (the same engine the gateway admits INVITEs through). */
export interface AdmissionPort {
  admit(request: AdmissionRequest): Promise<AdmissionResult>;
  resize(sessionId: string, bandwidthBps: number): Promise<AdmissionResult>;
  release(sessionId: string): Promise<unknown>;
  /**
   * What the session holds in the ledger now (undefined: nothing). A preemption notice is checked
   * against it. @defaultValue absent — notices are taken as they are
   */
  holding?(sessionId: string): Promise<{ bandwidthBps: number } | undefined>;
}

/** Where an application is registered (the gateway's location service), by VPN. */
export interface LocationPort {
  /** The CE of the application's live binding on the VPN, if any. */
  ceOf(application: string, vpnId: string): Promise<{ ce: string | undefined } | undefined>;
}

/** One SIP call the API places for an application (DESIGN §2 INVITE). */
export interface CallRequest {
  callId: string;
  fromTag: string;
  caller: string;
  callerCe: string;
  callee: string;
  /** Register the callee at the API's own agent (an application without a SIP stack). */
  hostCallee?: { ce: string };
  vpnId: string;
  bandwidthBps: number;
  serviceClass: string;
  priority?: string;
  /** `a=svpn-duration`, seconds. */
  durationS?: number;
}

/** What the gateway's 200 OK granted (DESIGN §2 answer attributes). */
export interface CallGrant {
  sessionId: string | null;
  lspId: string | null;
  label: number | null;
  dscp: number | null;
  grantedBps: number | null;
}

/** A failed call: the SIP status and the gateway's Warning. */
export interface SipPort {
  call(request: CallRequest): Promise<CallGrant>;
  /** Sends BYE; resolves when the dialog is gone (no-op when it is gone already). */
  hangUp(callId: string): Promise<void>;
  /** Re-INVITE with a new bandwidth (a committed modify of a live connection). */
  reinvite(callId: string, request: CallRequest): Promise<CallGrant>;
  /** Whether the dialog is up. */
  active(callId: string): boolean;
  /** Called when a dialog ends without our asking (BYE from the gateway, preemption, expiry). */
  onEnded(listener: (callId: string, reason: string) => void): void;
}

/** A SIP call refused; carries the status and the gateway's Warning text. */
export class CallFailedError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly warning: string | undefined,
  ) {
    super(`${status} ${reason}${warning === undefined ? '' : ` (${warning})`}`);
    this.name = 'CallFailedError';
  }
}
