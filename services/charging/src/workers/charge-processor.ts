import { foldEvent, isTerminalEvent, type ChargeRecord, type TariffBook } from '@svpn/charging';
import type { Logger } from '@svpn/service-kit';
import { ChargeVersionConflictError, type ChargeStore, type SessionEvent } from '@svpn/store';
import type { ChargingMetrics } from '../metrics.js';
import type { MeterReader } from '../meter/meter-reader.js';

/** Options of {@link ChargeProcessor}. */
export interface ChargeProcessorOptions {
  readonly store: ChargeStore<ChargeRecord>;
  readonly tariffs: TariffBook;
  /** Reads bytes for stop events without them. @defaultValue none: such records keep `bytes` `null` */
  readonly meter?: MeterReader;
  readonly metrics?: ChargingMetrics;
  readonly log?: Logger;
  /** Commits retried after a version conflict before giving up (the event is then retried later). @defaultValue 16 */
  readonly maxConflictRetries?: number;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

/** What processing one event did: `applied` (committed) or `duplicate` (already applied; nothing written). */
export interface ChargeProcessResult {
  readonly outcome: 'applied' | 'duplicate';
  readonly record: ChargeRecord;
}

/**
 * Applies one session event to its charge record durably and exactly once in effect: read the
 * record, fold and rate the event (`@svpn/charging` `foldEvent`), then commit the new record and
 * the event id in one atomic step guarded by the record version. Concurrent consumers of the same
 * session conflict and retry from a fresh read; a redelivered event (a consumer crashed after
 * committing but before `XACK`) is recognised by the fold or by the store and changes nothing.
 */
export class ChargeProcessor {
  readonly #options: ChargeProcessorOptions;
  readonly #maxRetries: number;
  readonly #now: () => number;

  constructor(options: ChargeProcessorOptions) {
    this.#options = options;
    this.#maxRetries = options.maxConflictRetries ?? 16;
    this.#now = options.now ?? Date.now;
  }

  async process(event: SessionEvent): Promise<ChargeProcessResult> {
    const { store, tariffs, metrics } = this.#options;
    let metered: SessionEvent | undefined;
    for (let attempt = 0; ; attempt++) {
      const stored = await store.get(event.sessionId);
      const previous = stored?.record;
      if (previous?.fold.appliedSeqs.includes(event.seq)) {
        metrics?.duplicatesIgnored.inc({ layer: 'fold' });
        return { outcome: 'duplicate', record: previous };
      }
      metered ??= await this.#withBytes(event);
      const next = foldEvent(previous, metered, tariffs);
      try {
        const result = await store.commit({
          eventId: event.eventId,
          expectedVersion: stored?.version ?? 0,
          record: next,
        });
        if (result.outcome === 'duplicate') {
          metrics?.duplicatesIgnored.inc({ layer: 'store' });
          return { outcome: 'duplicate', record: (await store.get(event.sessionId))?.record ?? next };
        }
        this.#observe(event, previous, next);
        return { outcome: 'applied', record: next };
      } catch (error) {
        if (!(error instanceof ChargeVersionConflictError) || attempt >= this.#maxRetries) throw error;
        metrics?.conflictRetries.inc();
      }
    }
  }

  /** A terminal event without bytes gets them from the meter, read once (before the first commit attempt). */
  async #withBytes(event: SessionEvent): Promise<SessionEvent> {
    const { meter, metrics, log } = this.#options;
    if (meter === undefined || !isTerminalEvent(event)) return event;
    if (event.bytes !== undefined && event.bytes !== null) return event;
    const pe = event.ingressPe ?? null;
    const peSessionId = event.peSessionId ?? null;
    if (pe === null || peSessionId === null) return event;
    try {
      const bytes = await meter.readBytes({ pe, peSessionId, endAt: event.endAt ?? event.at });
      return bytes === null ? event : { ...event, bytes };
    } catch (error) {
      metrics?.meterFailures.inc();
      log?.warn({ err: error, sessionId: event.sessionId, pe }, 'meter read failed');
      return event;
    }
  }

  #observe(event: SessionEvent, previous: ChargeRecord | undefined, next: ChargeRecord): void {
    const { metrics, log } = this.#options;
    metrics?.eventsProcessed.inc({ type: event.type });
    metrics?.eventLag.set(Math.max(0, (this.#now() - event.at) / 1000));
    const closedNow = next.status === 'closed' && previous?.status !== 'closed';
    // Complete (every event from start to end applied): the cost is final. A closed but incomplete
    // record is re-rated when the events a stop overtook arrive.
    if (next.complete && previous?.complete !== true && next.cost !== null && next.currency !== null)
      metrics?.chargedMinorUnits.inc({ currency: next.currency }, next.cost);
    if (closedNow) {
      metrics?.recordsClosed.inc({ reason: next.reason ?? 'unknown' });
      log?.info(
        { sessionId: next.sessionId, customer: next.customer, cost: next.cost, currency: next.currency },
        'charge record closed',
      );
    }
    if (
      next.status === 'closed' &&
      next.ratingError !== null &&
      (closedNow || previous?.ratingError === null)
    ) {
      metrics?.ratingFailures.inc();
      log?.error({ sessionId: next.sessionId, ratingError: next.ratingError }, 'charge record not rated');
    }
  }
}
