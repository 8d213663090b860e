/**
 * What the e2e tests read after each SIP outcome: the admission ledger, the simulated PEs and the
 * charge record.
 */
import type { Harness } from '../../../services/sip-gateway/test/support/gateway-harness.js';
import { waitFor } from './sipp-peers.js';

/** The charge record fields the tests look at (services/charging `GET /v1/charges/:sessionId`). */
export interface ChargeView {
  sessionId: string;
  customer: string;
  vpnId: string;
  caller: string;
  callee: string;
  grantedBps: number;
  serviceClass: string;
  precedence: string;
  status: string;
  reason: string | null;
  answerAt: number | null;
  endAt: number | null;
  durationMs: number | null;
  bytes: number | null;
  cost: number | null;
  complete: boolean;
  preemptedAt: number | null;
  changes: { seq: number; at: number; bps: number }[];
}

export async function chargeOf(h: Harness, sessionId: string): Promise<ChargeView | undefined> {
  const response = await h.charging.app.inject({ url: `/v1/charges/${encodeURIComponent(sessionId)}` });
  if (response.statusCode === 404) return undefined;
  if (response.statusCode !== 200) throw new Error(`charges answered ${response.statusCode}`);
  const body = response.json() as ChargeView | { record: ChargeView };
  return 'record' in body ? body.record : body;
}

/** Waits for the session's charge record to be closed, rated and complete, and returns it. */
export async function closedCharge(h: Harness, sessionId: string, timeoutMs = 10_000): Promise<ChargeView> {
  let record: ChargeView | undefined;
  await waitFor(
    `closed charge record of ${sessionId}`,
    async () => {
      record = await chargeOf(h, sessionId);
      return record !== undefined && record.endAt !== null && record.complete;
    },
    timeoutMs,
  );
  return record!;
}

/** The ledger's flows (sessions holding bandwidth), by session id. */
export function ledgerFlows(
  h: Harness,
): Map<string, { ingress: string; egress: string; aggregateId: string }> {
  const out = new Map<string, { ingress: string; egress: string; aggregateId: string }>();
  for (const f of h.gateway.admission?.manager.flows() ?? []) {
    out.set(f.id, { ingress: f.ingress, egress: f.egress, aggregateId: f.aggregateId });
  }
  return out;
}

/** What the simulated PEs hold for one session: its UNI attachments, by PE. */
export async function uniSessionsOf(h: Harness, sessionId: string) {
  return (await h.peSim.listSessions()).filter((s) => s.sessionId === sessionId);
}

/** Nothing of any session is left on the PEs or in the ledger (LSPs torn down, labels freed). */
export async function networkIsIdle(h: Harness): Promise<{ idle: boolean; detail: string }> {
  const sessions = await h.peSim.listSessions();
  const lsps = await h.peSim.listLsps();
  const flows = h.gateway.admission?.manager.flows() ?? [];
  // VPN labels of VRFs (owner `vrf:<vpn>`) belong to memberships, which outlive sessions.
  const labels = (await Promise.all([...h.peSim.topology.nodes.keys()].map((id) => h.peSim.listLabels(id))))
    .flat()
    .filter((l) => !l.owner.startsWith('vrf:'));
  const idle = sessions.length === 0 && lsps.length === 0 && flows.length === 0 && labels.length === 0;
  return {
    idle,
    detail: `uni ${sessions.map((s) => `${s.pe}/${s.sessionId}`).join(',')}; lsps ${lsps
      .map((l) => `${l.lspId}:${l.bandwidthBps}`)
      .join(',')}; flows ${flows.map((f) => f.id).join(',')}; labels ${labels.length}`,
  };
}

export async function waitForIdle(h: Harness, timeoutMs = 10_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      'an idle network',
      async () => {
        const state = await networkIsIdle(h);
        last = state.detail;
        return state.idle;
      },
      timeoutMs,
    );
  } catch {
    throw new Error(`the network is not idle: ${last}`);
  }
}
