import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { applyEvent, rateRecord, TariffBook, type ChargeRecord } from '@svpn/charging';
import { MemoryChargeStore, type ChargeCommit, type ChargeCommitResult, type ChargeStore } from '@svpn/store';
import { ChargeProcessor, createChargingMetrics, type MeterReader } from '../../src/index.js';
import { event, T0, TEST_TARIFFS, threeEvents } from '../support/events.js';

const tariffs = TariffBook.parse(TEST_TARIFFS);

function setup(
  meter?: MeterReader,
  store: ChargeStore<ChargeRecord> = new MemoryChargeStore<ChargeRecord>(),
) {
  const registry = new Registry();
  const metrics = createChargingMetrics(registry);
  const processor = new ChargeProcessor({
    store,
    tariffs,
    metrics,
    now: () => T0 + 80_000,
    ...(meter ? { meter } : {}),
  });
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
    return values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return { store, processor, value };
}

describe('ChargeProcessor', () => {
  test('start, modify, stop → one closed record with the right cost', async () => {
    const { store, processor, value } = setup();
    for (const e of threeEvents()) assert.equal((await processor.process(e)).outcome, 'applied');
    const stored = await store.get('sess-1');
    assert.equal(stored?.version, 3);
    assert.equal(stored?.record.status, 'closed');
    assert.equal(stored?.record.cost, 350);
    assert.equal(stored?.record.currency, 'EUR');
    assert.equal(stored?.record.complete, true);
    assert.equal(await value('svpn_charging_events_processed_total'), 3);
    assert.equal(await value('svpn_charging_records_closed_total', { reason: 'bye' }), 1);
    assert.equal(await value('svpn_charging_charged_minor_units_total', { currency: 'EUR' }), 350);
    assert.equal(await value('svpn_charging_event_lag_seconds'), 5);
  });

  test('the same events again change nothing and count as duplicates', async () => {
    const { store, processor, value } = setup();
    for (const e of threeEvents()) await processor.process(e);
    for (const e of threeEvents()) assert.equal((await processor.process(e)).outcome, 'duplicate');
    const stored = await store.get('sess-1');
    assert.equal(stored?.version, 3);
    assert.equal(stored?.record.cost, 350);
    assert.equal(await value('svpn_charging_duplicates_ignored_total', { layer: 'fold' }), 3);
    assert.equal(await value('svpn_charging_records_closed_total'), 1);
  });

  test('a version conflict (another consumer wrote first) is retried from a fresh read', async () => {
    const inner = new MemoryChargeStore<ChargeRecord>();
    let interfere = true;
    // A store that lets a competing writer apply the modify just before our first commit.
    const racing: ChargeStore<ChargeRecord> = {
      get: (id) => inner.get(id),
      isApplied: (id, eventId) => inner.isApplied(id, eventId),
      query: (q) => inner.query(q),
      async commit(change: ChargeCommit<ChargeRecord>): Promise<ChargeCommitResult> {
        if (interfere && change.eventId === 'sess-1:2') {
          interfere = false;
          const current = await inner.get('sess-1');
          const [, modify] = threeEvents();
          await inner.commit({
            eventId: modify!.eventId,
            expectedVersion: current!.version,
            record: rateRecord(applyEvent(current!.record, modify!), tariffs),
          });
        }
        return inner.commit(change);
      },
    };
    const { processor, value } = setup(undefined, racing);
    const [start, , stop] = threeEvents();
    await processor.process(start!);
    assert.equal((await processor.process(stop!)).outcome, 'applied');
    const stored = await inner.get('sess-1');
    assert.equal(stored?.version, 3);
    assert.equal(stored?.record.cost, 350, 'the modify applied by the competitor is in the cost');
    assert.equal(await value('svpn_charging_conflict_retries_total'), 1);
  });

  test('a redelivered event after a commit without ack is a store-level duplicate', async () => {
    const store = new MemoryChargeStore<ChargeRecord>();
    const { processor, value } = setup(undefined, store);
    const [start] = threeEvents();
    await processor.process(start!);
    // Another process's view: the record it read is older than the one committed since.
    const stale: ChargeStore<ChargeRecord> = {
      get: async () => null,
      isApplied: (id, eventId) => store.isApplied(id, eventId),
      query: (q) => store.query(q),
      commit: (change) => store.commit(change),
    };
    const other = new ChargeProcessor({
      store: stale,
      tariffs,
      metrics: createChargingMetrics(new Registry()),
    });
    assert.equal((await other.process(start!)).outcome, 'duplicate');
    assert.equal((await store.get('sess-1'))?.version, 1);
    assert.equal(await value('svpn_charging_events_processed_total'), 1);
  });

  test('concurrent processors on one store end with the same record as a sequential fold', async () => {
    const store = new MemoryChargeStore<ChargeRecord>();
    const a = setup(undefined, store).processor;
    const b = setup(undefined, store).processor;
    const events = threeEvents();
    await Promise.all([
      a.process(events[2]!),
      b.process(events[0]!),
      a.process(events[1]!),
      b.process(events[2]!),
    ]);
    const stored = await store.get('sess-1');
    let expected: ChargeRecord | undefined;
    for (const e of events) expected = applyEvent(expected, e);
    assert.deepEqual(stored?.record, rateRecord(expected!, tariffs));
    assert.equal(stored?.version, 3);
  });

  test('a stop without bytes is metered (once) at its end; a stop with bytes is not', async () => {
    const reads: unknown[] = [];
    const meter: MeterReader = {
      async readBytes(query) {
        reads.push(query);
        return 9_375_000;
      },
    };
    const { store, processor } = setup(meter);
    for (const e of threeEvents()) await processor.process(e);
    assert.deepEqual(reads, [{ pe: 'PE1', peSessionId: 'sess-1', endAt: T0 + 75_000 }]);
    assert.equal((await store.get('sess-1'))?.record.bytes, 9_375_000);
    const withBytes = threeEvents('sess-2');
    withBytes[2] = { ...withBytes[2]!, bytes: 5 };
    for (const e of withBytes) await processor.process(e);
    assert.equal(reads.length, 1);
    assert.equal((await store.get('sess-2'))?.record.bytes, 5);
  });

  test('a failing meter leaves bytes unknown, counts the failure and still closes the record', async () => {
    const meter: MeterReader = {
      readBytes: async () => {
        throw new Error('PE unreachable');
      },
    };
    const { store, processor, value } = setup(meter);
    for (const e of threeEvents()) await processor.process(e);
    const record = (await store.get('sess-1'))?.record;
    assert.equal(record?.status, 'closed');
    assert.equal(record?.bytes, null);
    assert.equal(record?.cost, 350);
    assert.equal(await value('svpn_charging_meter_failures_total'), 1);
  });

  test('an unknown profile without a default tariff closes unrated and counts a rating failure', async () => {
    const store = new MemoryChargeStore<ChargeRecord>();
    const registry = new Registry();
    const metrics = createChargingMetrics(registry);
    const processor = new ChargeProcessor({
      store,
      tariffs: TariffBook.parse({ tariffs: [{ id: 'standard', currency: 'EUR' }] }),
      metrics,
    });
    for (const e of threeEvents('s', { chargingProfile: 'gold' })) await processor.process(e);
    const record = (await store.get('s'))?.record;
    assert.equal(record?.status, 'closed');
    assert.equal(record?.cost, null);
    assert.match(record?.ratingError ?? '', /TARIFF_NOT_FOUND/);
    const failures = (await registry.getMetricsAsJSON()).find(
      (m) => m.name === 'svpn_charging_rating_failures_total',
    );
    assert.equal(failures?.values[0]?.value, 1);
    assert.equal(event('start', 0).customer, 'acme');
  });
});
