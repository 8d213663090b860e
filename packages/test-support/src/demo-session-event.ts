/**
 * The demo session the charging tests rate (the charging package's rules and the charging service
 * that applies them): acme's VPN, primary-dc calling backup-dc for 10 Mbit/s of high-throughput data
 * at routine precedence, set up and answered at {@link DEMO_T0}.
 */

/** When the demo session is set up and answered (2026-01-15T12:00:00Z). */
export const DEMO_T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** 1 Mbit/s in bit/s. */
export const MBPS = 1_000_000;

/** The demo session's event `seq` of `type`: the facts a session event carries, before overrides. */
export function demoSessionEvent<T extends string>(type: T, seq: number, sessionId: string) {
  return {
    eventId: `${sessionId}:${seq}`,
    type,
    sessionId,
    seq,
    at: DEMO_T0,
    customer: 'acme',
    vpnId: '00000a:00000001',
    caller: 'sip:primary-dc@svpn.example.net',
    callee: 'sip:backup-dc@svpn.example.net',
    grantedBps: 10 * MBPS,
    serviceClass: 'high-throughput-data',
    precedence: 'routine' as const,
    dscp: 10,
    chargingProfile: 'standard',
    setupAt: DEMO_T0,
    answerAt: DEMO_T0,
  };
}
