/**
 * Two cooperating gateways (seed 001 Fig. 2): the harness's gateway (svpn.example.net, the admission
 * leader) and a peer for `EAST` that admits through it, each configured with the other as its peer.
 */
import { freePort } from '@svpn/test-support';
import type { Gateway } from '@svpn/sip-gateway-service';
import { startHarness, type Harness } from '../../../services/sip-gateway/test/support/gateway-harness.js';

export const EAST = 'east.svpn.example.net';

export async function startTwoGateways(): Promise<{ h: Harness; east: Gateway }> {
  const eastPort = await freePort();
  const h = await startHarness({
    digestAlgorithms: 'MD5,SHA-256',
    peers: `${EAST}=sip:127.0.0.1:${eastPort}`,
  });
  const east = await h.startPeer(EAST, {
    sipPort: eastPort,
    peers: `svpn.example.net=sip:127.0.0.1:${h.gateway.sipAddress.port}`,
  });
  return { h, east };
}
