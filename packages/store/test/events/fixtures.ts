import type { SessionEvent } from '../../src/index.js';

export const T0 = Date.UTC(2026, 0, 1);
export const validStart: SessionEvent = {
  eventId: 'sess-1:0',
  type: 'start',
  sessionId: 'sess-1',
  seq: 0,
  at: T0 + 50,
  customer: 'acme',
  vpnId: '00000a:00000001',
  caller: 'sip:primary-dc@svpn.example.net',
  callee: 'sip:backup-dc@svpn.example.net',
  grantedBps: 100_000_000,
  serviceClass: 'high-throughput-data',
  precedence: 'routine',
  dscp: 10,
  chargingProfile: 'standard',
  setupAt: T0,
  answerAt: T0 + 50,
  lspId: 'lsp-1',
  ingressPe: 'PE1',
  peSessionId: 'sess-1',
};
