import type { SessionEvent } from '@svpn/store';
import { DEMO_T0 as T0, MBPS, demoSessionEvent } from '@svpn/test-support';

export { T0, MBPS };

/** A demo session's event (acme, standard profile, answered at T0). */
export function event(
  type: SessionEvent['type'],
  seq: number,
  overrides: Partial<SessionEvent> = {},
  sessionId = 'sess-1',
): SessionEvent {
  return {
    ...demoSessionEvent(type, seq, sessionId),
    ingressPe: 'PE1',
    peSessionId: sessionId,
    lspId: 'lsp-1',
    ...overrides,
  };
}

/**
 * start (10 Mbit/s) → modify at +30 s (20 Mbit/s) → stop at +75 s: under the test tariff
 * (10 per Mbit/s·min, 60-s increments) it costs 350 (see @svpn/charging rate tests).
 */
export function threeEvents(sessionId = 'sess-1', overrides: Partial<SessionEvent> = {}): SessionEvent[] {
  return [
    event('start', 0, overrides, sessionId),
    event('modify', 1, { at: T0 + 30_000, grantedBps: 20 * MBPS, ...overrides }, sessionId),
    event(
      'stop',
      2,
      { at: T0 + 75_000, endAt: T0 + 75_000, grantedBps: 20 * MBPS, reason: 'bye', ...overrides },
      sessionId,
    ),
  ];
}

/** The tariff book of the service tests. */
export const TEST_TARIFFS = {
  default: 'standard',
  tariffs: [{ id: 'standard', currency: 'EUR', pricePerMbpsMinute: 10, incrementS: 60 }],
};
