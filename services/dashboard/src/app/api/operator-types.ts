/**
 * The shapes of the operator API answers the dashboard reads (packages/api-contract/openapi.yaml).
 * Only the fields the views use are listed; records the contract leaves open (sessions, tunnels,
 * charges) carry more.
 */
import type { Sla } from '../model/sla-form.js';
import type { TopologySnapshot } from '../model/link-load.js';

export type { Sla, TopologySnapshot };

/** `GET /v1/me`: the calling key, without its secret. */
export interface ApiKeyInfo {
  keyId: string;
  name: string;
  application?: string | null;
  customerId?: string | null;
  scopes: string[];
  createdAt: string;
}

export interface SessionEndpoint {
  pe: string;
  ce: string;
}

/** A live gateway session (`GET /v1/sessions`). */
export interface Session {
  sessionId: string;
  callId?: string;
  phase?: string;
  customerId?: string;
  vpnId?: string;
  caller?: string;
  callee?: string;
  serviceClass?: string;
  precedence?: string;
  grantedBps?: number;
  dscp?: number;
  ingress?: SessionEndpoint;
  egress?: SessionEndpoint;
  lspId?: string | null;
  links?: string[];
  setupAt?: number;
  answerAt?: number;
  maxDurationS?: number;
}

/** An aggregate tunnel (LSP) of the admission engine (`GET /v1/tunnels`). */
export interface Tunnel {
  id: string;
  ingress?: string;
  egress?: string;
  level?: string;
  classType?: number;
  setupPriority?: number;
  holdingPriority?: number;
  sizeBps?: number;
  requiredBps?: number;
  links?: string[];
  contents?: { kind: string; id: string }[];
}

/** Job counts of one PE queue (`GET /v1/queues`). */
export interface QueueCounts {
  pe: string;
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  completed: number;
}

/** A provisioning job (`GET /v1/queues/{pe}/failed`). */
export interface Job {
  id: string;
  name: string;
  state: string;
  attemptsMade: number;
  failedReason?: string | null;
  timestamp?: number | null;
  finishedOn?: number | null;
}

/** A charge record (`GET /v1/charges`); the charging service names the customer `customer`. */
export interface Charge {
  sessionId: string;
  customerId?: string;
  customer?: string;
  vpnId?: string;
  caller?: string;
  callee?: string;
  grantedBps?: number;
  serviceClass?: string;
  precedence?: string;
  setupAt?: number;
  answerAt?: number | null;
  endAt?: number | null;
  durationMs?: number | null;
  bytes?: number | null;
  cost?: number | null;
  currency?: string | null;
  status?: string;
  reason?: string | null;
  complete?: boolean;
}

/** `GET /v1/customers/{id}/charges`. */
export interface CustomerCharges {
  customerId: string;
  charges: Charge[];
  totalMinor: number;
  currency?: string | null;
}

export interface Customer {
  id: string;
  name?: string;
  slaId?: string;
  enabled?: boolean;
}

export interface ConnectionStates {
  reservationState: string;
  provisionState: string;
  lifecycleState: string;
  dataPlaneStatus: { active: boolean; version: number; versionConsistent: boolean };
}

/** An NSI-style connection (`GET /v1/connections`). */
export interface Connection {
  connectionId: string;
  description?: string;
  application: string;
  customerId: string;
  vpnId: string;
  source: { application: string; ce?: string };
  destination: { application: string; ce?: string };
  criteria: {
    version: number;
    bandwidthBps: number;
    serviceClass: string;
    priority?: string | null;
    startTime: string | null;
    endTime: string | null;
  };
  states: ConnectionStates;
  createdAt: string;
  updatedAt: string;
}

/** The customer a charge record belongs to, whichever name the record uses. */
export function chargeCustomer(charge: Charge): string {
  return charge.customerId ?? charge.customer ?? '';
}
