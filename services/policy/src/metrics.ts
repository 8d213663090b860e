import { Counter, type Registry } from 'prom-client';
import type { Decision } from '@svpn/policy';

/** The policy service's Prometheus metrics. */
export interface PolicyMetrics {
  /** `svpn_policy_decisions_total{outcome, sip_status}`: outcome is `allowed` or the refusal code. */
  readonly decisions: Counter<'outcome' | 'sip_status'>;
  record(decision: Decision): void;
}

export function createPolicyMetrics(registry: Registry): PolicyMetrics {
  const decisions = new Counter({
    name: 'svpn_policy_decisions_total',
    help: 'Policy decisions by outcome (allowed, or the refusal code) and the SIP status they map to',
    labelNames: ['outcome', 'sip_status'] as const,
    registers: [registry],
  });
  return {
    decisions,
    record(decision) {
      decisions.inc({ outcome: decision.code, sip_status: String(decision.sipStatus) });
    },
  };
}
