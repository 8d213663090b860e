import type { ChargingEvent } from '../../src/index.js';

export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const MBPS = 1_000_000;

/** A session's event with the demo facts; `seq` and `type` say which. */
export function event(
  type: ChargingEvent['type'],
  seq: number,
  overrides: Partial<ChargingEvent> = {},
  sessionId = 's-1',
): ChargingEvent {
  return {
    eventId: `${sessionId}:${seq}`,
    type,
    sessionId,
    seq,
    at: T0,
    customer: 'acme',
    vpnId: '00000a:00000001',
    caller: 'sip:primary-dc@svpn.example.net',
    callee: 'sip:backup-dc@svpn.example.net',
    grantedBps: 10 * MBPS,
    serviceClass: 'high-throughput-data',
    precedence: 'routine',
    dscp: 10,
    chargingProfile: 'standard',
    setupAt: T0,
    answerAt: T0,
    ...overrides,
  };
}

/** start at T0 (answered), modifies at the given offsets/bandwidths, stop after `endS` seconds. */
export function session(
  endS: number,
  modifies: [offsetS: number, bps: number][] = [],
  startBps = 10 * MBPS,
): ChargingEvent[] {
  const out = [event('start', 0, { grantedBps: startBps })];
  let bps = startBps;
  modifies.forEach(([offsetS, modBps], i) => {
    bps = modBps;
    out.push(event('modify', i + 1, { at: T0 + offsetS * 1000, grantedBps: modBps }));
  });
  out.push(
    event('stop', modifies.length + 1, {
      at: T0 + endS * 1000,
      endAt: T0 + endS * 1000,
      grantedBps: bps,
      reason: 'bye',
    }),
  );
  return out;
}
