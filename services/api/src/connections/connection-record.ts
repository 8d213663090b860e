/**
 * A connection as stored: the contract's {@link Connection} plus what the driver keeps to act on it
 * (the route, the policy grant, which SIP call is current). JSON-serialisable, so a restarted process
 * picks it up where the previous one left it.
 */
import { sessionIdFor } from '@svpn/sip-gateway-service';
import type { Connection, Criteria } from '@svpn/api-contract';

/** What policy granted for the current version (the gateway will decide the same for the INVITE). */
export interface GrantInfo {
  grantedBps: number;
  classType: number;
  setupPriority: number;
  holdingPriority: number;
  level: string;
  mayShrink: boolean;
  minBps: number;
  dscp: number;
}

export interface ConnectionInternal {
  /** Number of the SIP call the booking is made for; a new call after each release. */
  callSeq: number;
  /** Whether the current call's session id holds a ledger booking and SLA usage. */
  booked: boolean;
  ingressPe: string;
  egressPe: string;
  /** The destination has no SIP stack of its own: the API's agent registers and answers for it. */
  hostedDestination: boolean;
  grant: GrantInfo | null;
  /** The committed version's grant and criteria while a modify is pending (for its abort). */
  previous: { criteria: Criteria; grant: GrantInfo } | null;
}

export interface ConnectionRecord {
  connection: Connection;
  internal: ConnectionInternal;
}

/** Call-ID of the n-th call of a connection. */
export function callIdOf(connectionId: string, seq: number): string {
  return `${connectionId}.${seq}@svpn-api`;
}

/** From tag of the n-th call of a connection. */
export function fromTagOf(connectionId: string, seq: number): string {
  return `${connectionId.slice(2, 14)}x${seq}`;
}

/**
 * The gateway's session id for a call (`sessionIdFor` of Call-ID and From tag): the API books the ledger under the id the gateway
 * will derive when the INVITE arrives, so the booking and the call are one reservation.
 */
export function sessionIdOf(connectionId: string, seq: number): string {
  return sessionIdFor(callIdOf(connectionId, seq), fromTagOf(connectionId, seq));
}
