import type { ChargingEvent } from '../../src/index.js';
import { DEMO_T0 as T0, MBPS, demoSessionEvent } from '@svpn/test-support';

export { T0, MBPS };

/** A session's event with the demo facts; `seq` and `type` say which. */
export function event(
  type: ChargingEvent['type'],
  seq: number,
  overrides: Partial<ChargingEvent> = {},
  sessionId = 's-1',
): ChargingEvent {
  return {
    ...demoSessionEvent(type, seq, sessionId),
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
