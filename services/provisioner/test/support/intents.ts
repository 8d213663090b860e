import type { SessionIntentInput } from '@svpn/store';

/** A store-level session intent: PE1 (CE1) → PE4 (CE2) over LSP `lsp-<id>` along PE1–P1–PE4. */
export function storeIntent(sessionId: string, patch: Partial<SessionIntentInput> = {}): SessionIntentInput {
  return {
    sessionId,
    version: 1,
    vpnId: 'vpn-a',
    bandwidthBps: 10_000_000,
    dscp: 10,
    serviceClass: 'high-throughput-data',
    endpoints: [
      { pe: 'PE1', ce: 'CE1', interface: 'ge-0/0/1' },
      { pe: 'PE4', ce: 'CE2', interface: 'ge-0/0/2' },
    ],
    lsp: {
      lspId: `lsp-${sessionId}`,
      route: { nodes: ['PE1', 'P1', 'PE4'] },
      setupPriority: 4,
      holdingPriority: 4,
      penultimateHopPopping: false,
      bandwidthBps: null,
    },
    deadlineMs: 10_000,
    ...patch,
  };
}
