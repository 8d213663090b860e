/**
 * After a crash the SIP dialogs of this gateway's sessions are gone, but their records, ledger
 * flows, PE state, SLA usage and open charge records are not (DESIGN §5). On start, every session
 * recorded under our gateway id is ended: resources are released and a `stop` event closes its
 * charge record, so no ended session goes unrecorded and nothing stays reserved.
 */
import type { Logger } from '@svpn/service-kit';
import { sessionEventId, type SessionRecord, type SessionStore } from '@svpn/store';
import type { AdmissionPort, EventsPort, PolicyPort, ProvisioningPort } from '../ports.js';

/** The seq of a recovery `stop`: after any event the crashed process can have published. */
export const RECOVERY_STOP_SEQ = 999_999;

export interface OrphanRecoveryDeps {
  gatewayId: string;
  domain: string;
  sessions: SessionStore;
  admission: Pick<AdmissionPort, 'release'>;
  provisioning: Pick<ProvisioningPort, 'release'>;
  policy: Pick<PolicyPort, 'releaseUsage'>;
  events: EventsPort;
  log: Logger;
  now: () => number;
}

export async function recoverOrphanSessions(d: OrphanRecoveryDeps): Promise<SessionRecord[]> {
  const orphans = (await d.sessions.listActive()).filter((s) => s.gatewayId === d.gatewayId);
  for (const r of orphans) {
    const log = d.log.child({ sessionId: r.sessionId, callId: r.callId });
    const results = await Promise.allSettled([
      d.provisioning.release(r.sessionId),
      d.admission.release(r.sessionId),
      d.policy.releaseUsage(r.sessionId),
    ]);
    for (const failed of results.filter((x) => x.status === 'rejected')) {
      log.error(
        { err: (failed as PromiseRejectedResult).reason },
        'orphan release step failed; the reconciler retries',
      );
    }
    const endAt = d.now();
    try {
      await d.events.publish({
        type: 'stop',
        eventId: sessionEventId(r.sessionId, RECOVERY_STOP_SEQ),
        sessionId: r.sessionId,
        seq: RECOVERY_STOP_SEQ,
        at: endAt,
        customer: r.customerId,
        vpnId: r.vpnId,
        caller: `sip:${r.caller}@${d.domain}`,
        callee: `sip:${r.callee}@${d.domain}`,
        grantedBps: Math.round(r.grantedBps),
        serviceClass: r.serviceClass,
        precedence: r.precedence as 'routine',
        dscp: r.dscp,
        setupAt: r.setupAt,
        answerAt: r.answerAt ?? null,
        endAt,
        reason: 'error',
        lspId: r.lspId,
        ingressPe: r.ingress.pe,
        peSessionId: r.sessionId,
      });
    } catch (error) {
      log.error({ err: error }, 'recovery stop event not published');
    }
    await d.sessions.delete(r.sessionId);
    log.warn({}, 'ended a session orphaned by a restart');
  }
  return orphans;
}
