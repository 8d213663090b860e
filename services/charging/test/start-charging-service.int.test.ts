import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { CHARGE_CSV_COLUMNS, parseCsv, TariffBook, type ChargeRecord } from '@svpn/charging';
import { ManualClock, PeSimulator } from '@svpn/pe-sim';
import { loadConfig, silentLogger } from '@svpn/service-kit';
import {
  KeySpace,
  publishSessionEvent,
  RedisChargeStore,
  SessionEventConsumer,
  sessionEventStream,
  type SessionEvent,
} from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  ChargeProcessor,
  ConfigSchema,
  PeSimMeterReader,
  startChargingService,
  type ChargingService,
  type ChargingServiceDeps,
} from '../src/index.js';
import { MBPS, T0, TEST_TARIFFS, threeEvents } from './support/events.js';

let server: RedisServerHandle;
let redis: Redis;
const services: ChargingService[] = [];
before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url);
});
after(async () => {
  for (const s of services) await s.stop();
  redis.disconnect();
  await server.stop();
});

let n = 0;
/** A charging service on a fresh key prefix (its own stream, group and records), consuming. */
async function start(deps: Partial<ChargingServiceDeps> = {}, name = 'svc') {
  const keyPrefix = `chg-t${n++}`;
  const config = loadConfig(
    ConfigSchema,
    {},
    {
      redisUrl: server.url,
      keyPrefix,
      httpPort: 0,
      consumerName: name,
      claimIdleMs: 200,
      blockMs: 50,
      tariffs: JSON.stringify(TEST_TARIFFS),
      meter: 'none',
    },
  );
  const service = await startChargingService(config, {
    redis,
    listen: false,
    meter: null,
    log: silentLogger(),
    ...deps,
  });
  services.push(service);
  return { service, keys: new KeySpace(keyPrefix), config };
}

/** Polls until `check` holds (bounded: 10 s). */
async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(25);
  }
}

const closed = (service: ChargingService, sessionId: string) =>
  until(
    `${sessionId} closed`,
    () => service.store.get(sessionId),
    (s) => s?.record.status === 'closed',
  );

async function metric(service: ChargingService, name: string): Promise<number> {
  const text = (await service.app.inject({ method: 'GET', url: '/metrics' })).body;
  return text
    .split('\n')
    .filter((l) => l.startsWith(name) && !l.startsWith('#'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function publishAll(keys: KeySpace, events: SessionEvent[]) {
  for (const e of events) await publishSessionEvent(redis, keys, e);
}

describe('charging service on a real redis-server', () => {
  test('start, modify, stop published → one closed record with the right cost, served over HTTP', async () => {
    const { service, keys } = await start();
    await publishAll(keys, threeEvents('s-1'));
    const stored = await closed(service, 's-1');
    assert.equal(stored?.record.cost, 350);
    assert.equal(stored?.version, 3);
    const res = await service.app.inject({ method: 'GET', url: '/v1/charges/s-1' });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as ChargeRecord).cost, 350);
    await until(
      'acks',
      () => redis.xpending(sessionEventStream(keys), 'charging'),
      (p) => Number((p as unknown[])[0]) === 0,
    );
    assert.equal(await metric(service, 'svpn_charging_records_closed_total'), 1);
    assert.equal(await metric(service, 'svpn_charging_events_processed_total'), 3);
  });

  test('the same events published twice → cost unchanged, duplicates counted', async () => {
    const { service, keys } = await start();
    await publishAll(keys, threeEvents('s-2'));
    await closed(service, 's-2');
    await publishAll(keys, threeEvents('s-2'));
    await publishAll(keys, [...threeEvents('s-2')].reverse());
    await until(
      '6 duplicates',
      () => metric(service, 'svpn_charging_duplicates_ignored_total'),
      (v) => v === 6,
    );
    const stored = await service.store.get('s-2');
    assert.equal(stored?.record.cost, 350);
    assert.equal(stored?.version, 3);
    assert.equal(await metric(service, 'svpn_charging_records_closed_total'), 1);
  });

  test('a consumer killed after reading, before processing: another claims the events (XAUTOCLAIM)', async () => {
    const { service, keys } = await start({ consume: false });
    await publishAll(keys, threeEvents('s-3'));
    // "crashed" reads all three into its pending list, then dies without processing or acking.
    const read = await redis.xreadgroup(
      'GROUP',
      'charging',
      'crashed',
      'COUNT',
      10,
      'STREAMS',
      sessionEventStream(keys),
      '>',
    );
    assert.equal((read as [string, unknown[]][])[0]![1].length, 3);
    service.consumer.start();
    const stored = await closed(service, 's-3');
    assert.equal(stored?.record.cost, 350);
    assert.equal(stored?.version, 3);
    const pending = await until(
      'acks',
      () => redis.xpending(sessionEventStream(keys), 'charging'),
      (p) => Number((p as unknown[])[0]) === 0,
    );
    assert.equal(Number((pending as unknown[])[0]), 0);
  });

  test('a consumer killed after committing, before acking: the claimed events change nothing', async () => {
    const { service, keys } = await start({ consume: false });
    await publishAll(keys, threeEvents('s-4'));
    // "crashed" processes every event durably on the shared store, then dies before XACK.
    const store = new RedisChargeStore<ChargeRecord>(redis, keys);
    const processor = new ChargeProcessor({ store, tariffs: TariffBook.parse(TEST_TARIFFS) });
    const crashed = new SessionEventConsumer({
      redis,
      keys,
      group: 'charging',
      consumer: 'crashed',
      blockMs: 0,
      claimIdleMs: 60_000,
      handler: async (event) => {
        await processor.process(event);
        throw new Error('killed before XACK');
      },
    });
    const first = await crashed.pollOnce();
    assert.equal(first.failed, 3);
    await crashed.stop();
    const before = await store.get('s-4');
    assert.equal(before?.record.cost, 350);
    assert.equal(before?.version, 3);

    service.consumer.start();
    await until(
      '3 duplicates',
      () => metric(service, 'svpn_charging_duplicates_ignored_total'),
      (v) => v === 3,
    );
    await until(
      'acks',
      () => redis.xpending(sessionEventStream(keys), 'charging'),
      (p) => Number((p as unknown[])[0]) === 0,
    );
    const afterwards = await store.get('s-4');
    assert.deepEqual(afterwards, before, 'same record, same version: applied exactly once');
    assert.equal(await metric(service, 'svpn_charging_events_processed_total'), 0);
  });

  test('two consumers racing on one session end with the sequential result', async () => {
    const { service, keys, config } = await start({}, 'one');
    const second = await startChargingService(
      { ...config, consumerName: 'two' },
      { redis, listen: false, meter: null, log: silentLogger(), tariffs: TariffBook.parse(TEST_TARIFFS) },
    );
    services.push(second);
    const sessions = ['r-1', 'r-2', 'r-3', 'r-4'];
    for (const id of sessions) await publishAll(keys, threeEvents(id));
    for (const id of sessions) {
      // Closed may come first (a stop overtaking its modify); complete means every event is in.
      const stored = await until(
        `${id} complete`,
        () => service.store.get(id),
        (s) => s?.record.complete === true,
      );
      assert.equal(stored?.version, 3);
      assert.equal(stored?.record.cost, 350);
    }
    const charged =
      (await metric(service, 'svpn_charging_charged_minor_units_total')) +
      (await metric(second, 'svpn_charging_charged_minor_units_total'));
    assert.equal(charged, 4 * 350, 'each session counted once, at its final cost');
  });

  test('CSV export of the records over HTTP', async () => {
    const { service, keys } = await start();
    await publishAll(keys, threeEvents('c-1'));
    await publishAll(keys, threeEvents('c-2', { customer: 'globex' }));
    await closed(service, 'c-1');
    await closed(service, 'c-2');
    const res = await service.app.inject({ method: 'GET', url: '/v1/charges.csv?customer=acme' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    assert.equal(res.headers['content-disposition'], 'attachment; filename="charges-acme.csv"');
    const rows = parseCsv(res.body);
    assert.deepEqual(rows[0], [...CHARGE_CSV_COLUMNS]);
    assert.equal(rows.length, 2);
    const row = Object.fromEntries(CHARGE_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    assert.equal(row['session_id'], 'c-1');
    assert.equal(row['customer'], 'acme');
    assert.equal(row['segments'], '10000000@30s;20000000@45s');
    assert.equal(row['duration_s'], '75');
    assert.equal(row['cost_minor'], '350');
    assert.equal(row['status'], 'closed');
  });

  test('a stop without bytes is metered from the pe-sim session counters', async () => {
    const clock = new ManualClock(T0);
    const sim = new PeSimulator({
      redis,
      prefix: `{pesim-chg-${n}}`,
      clock,
      topology: {
        nodes: [
          { id: 'PE1', kind: 'PE', routerId: '10.0.0.1' },
          { id: 'PE2', kind: 'PE', routerId: '10.0.0.2' },
        ],
        links: [
          { id: 'PE1-PE2', from: 'PE1', to: 'PE2', maxReservableBps: 1_000_000_000 },
          { id: 'PE2-PE1', from: 'PE2', to: 'PE1', maxReservableBps: 1_000_000_000 },
        ],
      },
    });
    await sim.init();
    await sim.bgpAdvertiseMembership({
      pe: 'PE1',
      vpnId: '00000a:00000001',
      ce: 'CE1',
      rd: '65000:1',
      importTargets: ['65000:1'],
      exportTargets: ['65000:1'],
    });
    await sim.uniAddSession({
      pe: 'PE1',
      sessionId: 'm-1',
      vpnId: '00000a:00000001',
      ce: 'CE1',
      interface: 'ge-0/0/1',
      bandwidthBps: 8 * MBPS,
      marking: { dscp: 10 },
    });
    const { service, keys } = await start({ meter: new PeSimMeterReader(sim) });
    clock.advance(60_000);
    // The stop says the session ended at +60 s; the PE is read later (+62 s), before its removal.
    const stop = {
      ...threeEvents('m-1')[2]!,
      seq: 1,
      eventId: 'm-1:1',
      at: T0 + 60_000,
      endAt: T0 + 60_000,
      grantedBps: 8 * MBPS,
    };
    clock.advance(2_000);
    await publishAll(keys, [{ ...threeEvents('m-1')[0]!, grantedBps: 8 * MBPS }, stop]);
    const stored = await closed(service, 'm-1');
    // 8 Mbit/s × 60 s / 8 = 60 000 000 bytes
    assert.equal(stored?.record.bytes, 60_000_000);
  });
});
