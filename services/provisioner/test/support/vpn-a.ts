import type { PeSimulator } from '@svpn/pe-sim';

/** Advertises VPN `vpn-a` on PE1 (CE1) and PE4 (CE2) of the demo topology: what a UNI job needs first. */
export async function advertiseVpnA(sim: PeSimulator): Promise<void> {
  for (const [pe, ce] of [
    ['PE1', 'CE1'],
    ['PE4', 'CE2'],
  ] as const) {
    await sim.bgpAdvertiseMembership({
      pe,
      vpnId: 'vpn-a',
      ce,
      rd: '65000:1',
      importTargets: ['65000:1'],
      exportTargets: ['65000:1'],
    });
  }
}
