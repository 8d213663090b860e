import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics (issue 4 item 7). */
export interface GatewayMetrics {
  registry: Registry;
  calls: Counter<'outcome'>;
  admissions: Counter<'result'>;
  preemptions: Counter<'action'>;
  registrations: Counter<'outcome'>;
  activeSessions: Gauge;
  setupSeconds: Histogram;
}

export function createGatewayMetrics(registry: Registry = new Registry()): GatewayMetrics {
  collectDefaultMetrics({ register: registry });
  return {
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
    }),
    setupSeconds: new Histogram({
      name: 'svpn_session_setup_seconds',
      help: 'INVITE to 200 OK',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
