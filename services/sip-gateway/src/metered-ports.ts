/**
 * Counts refusals by reason where they are decided (issue 4 item 7: "admissions and refusals by
 * reason"): the ports the call controller uses are wrapped, so every policy refusal (by its stable
 * decision code), every admission refusal (`no-capacity`, `no-path`) and every failed provisioning
 * (by the error's code) increments `svpn_refusals_total{stage, reason}` — initial INVITEs and
 * re-INVITE / UPDATE changes alike. The wrappers change no value and no error.
 *
 * Refusals the controller decides itself (bad SDP, unknown callee, no registration, a callee's
 * own refusal) show only as `svpn_calls_total{outcome="<status>"}`.
 */
import type { Counter } from 'prom-client';
import { SvpnError } from '@svpn/errors';
import type { AdmissionPort, AdmissionResult, PolicyPort, ProvisioningPort } from './ports.js';

/** The stage a refusal came from: the `stage` label of `svpn_refusals_total`. */
export type RefusalStage = 'policy' | 'admission' | 'provisioning';

/** `svpn_refusals_total`'s shape. */
export type RefusalCounter = Pick<Counter<'stage' | 'reason'>, 'inc'>;

/** The policy port, counting every refused decision by its code (`session-bandwidth-exceeded`, …). */
export function meterPolicy(policy: PolicyPort, refusals: RefusalCounter): PolicyPort {
  return {
    credentials: (username, realm, algorithm) => policy.credentials(username, realm, algorithm),
    membership: (application, vpn) => policy.membership(application, vpn),
    site: (ce) => policy.site(ce),
    customerOf: (application) => policy.customerOf(application),
    releaseUsage: (sessionId) => policy.releaseUsage(sessionId),
    async decide(request, sessionId) {
      const decision = await policy.decide(request, sessionId);
      if (!decision.allow) refusals.inc({ stage: 'policy', reason: decision.code });
      return decision;
    },
  };
}

/** The admission port, counting admissions, resizes and moves the ledger refused, by reason. */
export function meterAdmission(admission: AdmissionPort, refusals: RefusalCounter): AdmissionPort {
  const count = (result: AdmissionResult): AdmissionResult => {
    if (!result.ok) refusals.inc({ stage: 'admission', reason: result.reason });
    return result;
  };
  return {
    admit: async (request) => count(await admission.admit(request)),
    resize: async (sessionId, bandwidthBps) => count(await admission.resize(sessionId, bandwidthBps)),
    move: async (sessionId, ingressPe, egressPe) =>
      count(await admission.move(sessionId, ingressPe, egressPe)),
    release: (sessionId) => admission.release(sessionId),
  };
}

/** The provisioning port, counting setups and changes that failed, by the error's stable code. */
export function meterProvisioning(
  provisioning: ProvisioningPort,
  refusals: RefusalCounter,
): ProvisioningPort {
  const metered: ProvisioningPort = {
    async provision(intent) {
      try {
        return await provisioning.provision(intent);
      } catch (error) {
        refusals.inc({ stage: 'provisioning', reason: error instanceof SvpnError ? error.code : 'error' });
        throw error;
      }
    },
    release: (sessionId, options) => provisioning.release(sessionId, options),
    advertiseMembership: (intent) => provisioning.advertiseMembership(intent),
  };
  const withdraw = provisioning.withdrawMembership;
  if (withdraw !== undefined) metered.withdrawMembership = (key) => withdraw.call(provisioning, key);
  return metered;
}
