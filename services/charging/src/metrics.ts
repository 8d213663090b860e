import { Counter, Gauge, type Registry } from 'prom-client';

/** Where a group's backlog is read from when `/metrics` is scraped. */
export type BacklogProbe = () => Promise<{ pending: number; lag: number | null } | null>;

/** The charging service's Prometheus metrics (DESIGN §7). */
export interface ChargingMetrics {
  readonly eventsProcessed: Counter<'type'>;
  readonly duplicatesIgnored: Counter<'layer'>;
  readonly recordsClosed: Counter<'reason'>;
  readonly chargedMinorUnits: Counter<'currency'>;
  readonly conflictRetries: Counter;
  readonly handlerErrors: Counter;
  readonly deadLetters: Counter;
  readonly lostEvents: Counter;
  readonly meterFailures: Counter;
  readonly ratingFailures: Counter;
  readonly eventLag: Gauge;
  /** Points the pending/lag gauges at a consumer group. */
  watchBacklog(probe: BacklogProbe): void;
}

/** Registers the metrics on `registry` (names `svpn_charging_*`). */
export function createChargingMetrics(registry: Registry): ChargingMetrics {
  const registers = [registry];
  let probe: BacklogProbe | undefined;
  let lastBacklog: Promise<{ pending: number; lag: number | null } | null> | undefined;
  const backlog = () =>
    (lastBacklog ??= (probe?.() ?? Promise.resolve(null)).finally(() => (lastBacklog = undefined)));
  new Gauge({
    name: 'svpn_charging_events_pending',
    help: 'Session events delivered to the charging group but not acknowledged (XPENDING)',
    registers,
    async collect() {
      const b = await backlog().catch(() => null);
      if (b !== null) this.set(b.pending);
    },
  });
  new Gauge({
    name: 'svpn_charging_events_lag',
    help: 'Session events on the stream not yet delivered to the charging group (XINFO GROUPS lag)',
    registers,
    async collect() {
      const b = await backlog().catch(() => null);
      if (b !== null && b.lag !== null) this.set(b.lag);
    },
  });
  return {
    eventsProcessed: new Counter({
      name: 'svpn_charging_events_processed_total',
      help: 'Session events applied to a charge record, by event type',
      labelNames: ['type'],
      registers,
    }),
    duplicatesIgnored: new Counter({
      name: 'svpn_charging_duplicates_ignored_total',
      help: 'Session events already applied (fold: seen in the record; store: remembered event id)',
      labelNames: ['layer'],
      registers,
    }),
    recordsClosed: new Counter({
      name: 'svpn_charging_records_closed_total',
      help: 'Charge records closed, by end reason',
      labelNames: ['reason'],
      registers,
    }),
    chargedMinorUnits: new Counter({
      name: 'svpn_charging_charged_minor_units_total',
      help: 'Sum of the final costs of complete records (every event from start to end applied), in minor units',
      labelNames: ['currency'],
      registers,
    }),
    conflictRetries: new Counter({
      name: 'svpn_charging_conflict_retries_total',
      help: 'Commits retried because another consumer changed the record first',
      registers,
    }),
    handlerErrors: new Counter({
      name: 'svpn_charging_handler_errors_total',
      help: 'Events whose processing failed (left pending and retried)',
      registers,
    }),
    deadLetters: new Counter({
      name: 'svpn_charging_dead_letters_total',
      help: 'Events moved to the dead-letter stream (invalid, or failing too often)',
      registers,
    }),
    lostEvents: new Counter({
      name: 'svpn_charging_lost_events_total',
      help: 'Pending events trimmed from the stream before they were processed',
      registers,
    }),
    meterFailures: new Counter({
      name: 'svpn_charging_meter_failures_total',
      help: 'Stop events whose bytes could not be read from the PE counters',
      registers,
    }),
    ratingFailures: new Counter({
      name: 'svpn_charging_rating_failures_total',
      help: 'Closed records that could not be rated (cost null, ratingError set)',
      registers,
    }),
    eventLag: new Gauge({
      name: 'svpn_charging_event_lag_seconds',
      help: 'Time from the last processed event to its processing',
      registers,
    }),
    watchBacklog(p: BacklogProbe) {
      probe = p;
    },
  };
}
