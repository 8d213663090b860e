import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The gateway's Prometheus metrics (issue 4 item 7; the list with meanings is in docs/operations.md).
 * Link and tunnel gauges of the admission leader are in `ledger-metrics.ts`.
 */
export interface GatewayMetrics {
  registry: Registry;
  /** `svpn_calls_total{outcome}`: INVITEs by the final status sent (`200`, `403`, `488`, `503`, …). */
  calls: Counter<'outcome'>;
  /** `svpn_admissions_total{result}`: `admitted`, `no-capacity`, `no-path`. */
  admissions: Counter<'result'>;
  /** `svpn_refusals_total{stage, reason}`: policy codes, admission reasons, provisioning error codes. */
  refusals: Counter<'stage' | 'reason'>;
  preemptions: Counter<'action'>;
  registrations: Counter<'outcome'>;
  /** Read from {@link GatewayMetrics.watchSessions}'s source when scraped. */
  activeSessions: Gauge;
  setupSeconds: Histogram;
  /** Where `svpn_active_sessions` reads the live session count from at scrape time. */
  watchSessions(source: () => number): void;
}

export function createGatewayMetrics(registry: Registry = new Registry()): GatewayMetrics {
  collectDefaultMetrics({ register: registry });
  let sessions: (() => number) | undefined;
  return {
    watchSessions(source) {
      sessions = source;
    },
    refusals: new Counter({
      name: 'svpn_refusals_total',
      help: 'Session requests and changes refused, by stage (policy, admission, provisioning) and reason code',
      labelNames: ['stage', 'reason'],
      registers: [registry],
    }),
    registry,
    calls: new Counter({
      name: 'svpn_calls_total',
      help: 'INVITEs by final status',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    admissions: new Counter({
      name: 'svpn_admissions_total',
      help: 'admission decisions by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    preemptions: new Counter({
      name: 'svpn_preemptions_total',
      help: 'sessions preempted, by action (end or shrink)',
      labelNames: ['action'],
      registers: [registry],
    }),
    registrations: new Counter({
      name: 'svpn_registrations_total',
      help: 'REGISTERs by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    activeSessions: new Gauge({
      name: 'svpn_active_sessions',
      help: 'sessions bridged by this gateway',
      registers: [registry],
      collect() {
        if (sessions !== undefined) this.set(sessions());
      },
    }),
    setupSeconds: new Histogram({
      name: 'svpn_session_setup_seconds',
      help: 'INVITE to 200 OK',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
