/**
 * Live VPN sessions as the gateway tracks them (DESIGN §5: Redis is the system of record for hot
 * state): one record per session, the set of active sessions, and per-customer usage (active count
 * and reserved bit/s) that the policy's quota checks read.
 */
export type SessionPhase = 'setup' | 'active' | 'modifying' | 'releasing' | 'ended';

export interface SessionEndpointRecord {
  pe: string;
  ce: string;
}

export interface SessionRecord {
  sessionId: string;
  /** Call-ID of the caller's leg. */
  callId: string;
  phase: SessionPhase;
  customerId: string;
  vpnId: string;
  /** Calling application (authenticated user) and called application / URI. */
  caller: string;
  callee: string;
  serviceClass: string;
  precedence: string;
  grantedBps: number;
  dscp: number;
  ingress: SessionEndpointRecord;
  egress: SessionEndpointRecord;
  lspId: string | null;
  label: number | null;
  /** Directional links the session's bandwidth is booked on. */
  links: string[];
  setupAt: number;
  answerAt?: number;
  endAt?: number;
  endReason?: string;
  maxDurationS?: number;
  /** Which gateway instance holds the SIP dialogs. */
  gatewayId: string;
  /** Bumped on every change (the provisioning intent version). */
  version: number;
}

export interface CustomerUsageRecord {
  activeSessions: number;
  reservedBps: number;
}

export interface SessionStore {
  /** Creates or replaces a session; usage follows the change (ended sessions count for nothing). */
  put(record: SessionRecord): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Every session not yet ended. */
  listActive(): Promise<SessionRecord[]>;
  usage(customerId: string): Promise<CustomerUsageRecord>;
  /** Forgets an ended session (records of ended sessions live on in charging). */
  delete(sessionId: string): Promise<void>;
}

function counts(record: SessionRecord | undefined): { sessions: number; bps: number } {
  return record === undefined || record.phase === 'ended'
    ? { sessions: 0, bps: 0 }
    : { sessions: 1, bps: record.grantedBps };
}

export class MemorySessionStore implements SessionStore {
  private readonly records = new Map<string, SessionRecord>();

  async put(record: SessionRecord): Promise<void> {
    this.records.set(record.sessionId, structuredClone(record));
  }

  async get(sessionId: string): Promise<SessionRecord | undefined> {
    const r = this.records.get(sessionId);
    return r === undefined ? undefined : structuredClone(r);
  }

  async listActive(): Promise<SessionRecord[]> {
    return [...this.records.values()].filter((r) => r.phase !== 'ended').map((r) => structuredClone(r));
  }

  async usage(customerId: string): Promise<CustomerUsageRecord> {
    let activeSessions = 0;
    let reservedBps = 0;
    for (const r of this.records.values()) {
      if (r.customerId !== customerId) continue;
      const c = counts(r);
      activeSessions += c.sessions;
      reservedBps += c.bps;
    }
    return { activeSessions, reservedBps };
  }

  async delete(sessionId: string): Promise<void> {
    this.records.delete(sessionId);
  }
}

export { counts as sessionUsageContribution };
