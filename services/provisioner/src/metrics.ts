import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Job counts of one PE queue (BullMQ states). */
export type QueueCounts = Readonly<Record<string, number>>;

/**
 * The provisioner's Prometheus metrics (DESIGN §7 / issue 4 item 7: provisioning job latency, queue
 * depths, failures), registered on the registry given.
 */
export class ProvisionerMetrics {
  /** Job run time on the worker, by job type and outcome (`applied`, `unchanged`, `skipped`, `failed`). */
  readonly jobDuration: Histogram<'type' | 'outcome'>;
  /** Failed job attempts by job type, PE error code and whether it was the last attempt. */
  readonly jobFailures: Counter<'type' | 'code' | 'final'>;
  /** Whole flows as the Provisioner API ran them (setup, modify, release, membership), by outcome. */
  readonly flowDuration: Histogram<'flow' | 'outcome'>;
  /** Reconciler passes by result (`converged`, `pending`, `skipped`, `error`). */
  readonly reconcileRuns: Counter<'result'>;
  /** What reconciler passes did, by action. */
  readonly reconcileActions: Counter<'action'>;
  /** Jobs per PE queue and state, read from BullMQ when scraped. */
  readonly queueDepth: Gauge<'pe' | 'state'>;
  #sources: (() => Promise<Record<string, QueueCounts>>)[] = [];

  constructor(registry: Registry) {
    this.jobDuration = new Histogram({
      name: 'svpn_provisioning_job_duration_seconds',
      help: 'Provisioning job run time on the worker, by job type and outcome',
      labelNames: ['type', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.jobFailures = new Counter({
      name: 'svpn_provisioning_job_failures_total',
      help: 'Failed provisioning job attempts, by job type, PE error code and whether it was the last attempt',
      labelNames: ['type', 'code', 'final'],
      registers: [registry],
    });
    this.flowDuration = new Histogram({
      name: 'svpn_provisioning_flow_duration_seconds',
      help: 'Provisioning flows (setup, modify, release, membership) from intent to confirmed actual state, by outcome',
      labelNames: ['flow', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.reconcileRuns = new Counter({
      name: 'svpn_provisioning_reconcile_runs_total',
      help: 'Reconciler passes by result',
      labelNames: ['result'],
      registers: [registry],
    });
    this.reconcileActions = new Counter({
      name: 'svpn_provisioning_reconcile_actions_total',
      help: 'Reconciler actions (orphans removed, steps repaired, sessions failed, records collected)',
      labelNames: ['action'],
      registers: [registry],
    });
    const sources = (): (() => Promise<Record<string, QueueCounts>>)[] => this.#sources;
    this.queueDepth = new Gauge({
      name: 'svpn_provisioning_queue_depth',
      help: 'Jobs in each PE queue, by BullMQ state',
      labelNames: ['pe', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const source of sources()) {
          const counts = await source().catch(() => ({}) as Record<string, QueueCounts>);
          for (const [pe, byState] of Object.entries(counts)) {
            for (const [state, n] of Object.entries(byState)) this.set({ pe, state }, n);
          }
        }
      },
    });
  }

  /** Adds a source of queue counts for the depth gauge (the job runner's queues). */
  trackQueues(source: () => Promise<Record<string, QueueCounts>>): void {
    this.#sources.push(source);
  }
}
