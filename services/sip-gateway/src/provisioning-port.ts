import type { Provisioner } from '@svpn/provisioner-service';
import type { ProvisioningPort } from './ports.js';

/**
 * The gateway's provisioning port over the provisioner's API (in this process: `svpn up`, or a
 * gateway that queues jobs for provisioner processes elsewhere). Version 1 of an intent is a setup,
 * a higher one a modify; a release passes the aggregate's size after the session left, so a shared
 * LSP keeps what the ledger still holds for the others.
 */
export function provisionerPort(p: Provisioner): ProvisioningPort {
  return {
    provision: (intent) => (intent.version === 1 ? p.provisionSession(intent) : p.modifySession(intent)),
    release: async (sessionId, options) => {
      await p.releaseSession(
        sessionId,
        options?.lspBandwidthBps === undefined ? {} : { lspBandwidthBps: options.lspBandwidthBps },
      );
    },
    advertiseMembership: async (intent) => {
      await p.advertiseMembership(intent);
    },
    withdrawMembership: async (key) => {
      await p.withdrawMembership(key);
    },
  };
}
