import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CHARGE_CSV_COLUMNS, parseCsv, TariffBook, type ChargeRecord } from '@svpn/charging';
import { MemoryChargeStore } from '@svpn/store';
import { buildApp, ChargeProcessor, parseInstant } from '../../src/index.js';
import { T0, TEST_TARIFFS, threeEvents } from '../support/events.js';

/** An app over a memory store holding: acme sess-a (T0), acme sess-b (T0+1h), globex sess-c (T0+2h, open). */
async function build(options: { csvMaxRows?: number; draining?: () => boolean } = {}) {
  const store = new MemoryChargeStore<ChargeRecord>();
  const processor = new ChargeProcessor({ store, tariffs: TariffBook.parse(TEST_TARIFFS) });
  const hour = 3_600_000;
  for (const e of threeEvents('sess-a')) await processor.process(e);
  for (const e of threeEvents('sess-b', { setupAt: T0 + hour, answerAt: T0 + hour })) {
    const shifted = { ...e, at: e.at + hour, ...(e.endAt ? { endAt: e.endAt + hour } : {}) };
    await processor.process(shifted);
  }
  await processor.process(
    threeEvents('sess-c', { customer: 'globex', setupAt: T0 + 2 * hour, answerAt: T0 + 2 * hour }).map(
      (e) => ({
        ...e,
        at: e.at + 2 * hour,
      }),
    )[0]!,
  );
  const { app } = buildApp({ store, ...options });
  return app;
}

describe('GET /v1/charges', () => {
  test('lists records in setup order with a null cursor at the end', async () => {
    const app = await build();
    const res = await app.inject({ method: 'GET', url: '/v1/charges' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { items: ChargeRecord[]; nextCursor: string | null };
    assert.deepEqual(
      body.items.map((r) => [r.sessionId, r.status, r.cost]),
      [
        ['sess-a', 'closed', 350],
        ['sess-b', 'closed', 350],
        ['sess-c', 'open', null],
      ],
    );
    assert.equal(body.nextCursor, null);
  });

  test('filters by customer and by setup time (RFC 3339 or ms), pages with the cursor', async () => {
    const app = await build();
    const ids = async (url: string) =>
      ((await app.inject({ method: 'GET', url })).json() as { items: ChargeRecord[] }).items.map(
        (r) => r.sessionId,
      );
    assert.deepEqual(await ids('/v1/charges?customer=acme'), ['sess-a', 'sess-b']);
    assert.deepEqual(await ids('/v1/charges?customer=globex'), ['sess-c']);
    assert.deepEqual(await ids('/v1/charges?from=2026-01-15T12:30:00Z'), ['sess-b', 'sess-c']);
    assert.deepEqual(await ids(`/v1/charges?from=${T0}&to=${T0 + 3_600_000}`), ['sess-a']);
    assert.deepEqual(await ids('/v1/charges?to=2026-01-15T13:30:00.000%2B01:00'), ['sess-a']);
    const first = (await app.inject({ method: 'GET', url: '/v1/charges?limit=2' })).json() as {
      items: ChargeRecord[];
      nextCursor: string;
    };
    assert.equal(first.items.length, 2);
    assert.deepEqual(await ids(`/v1/charges?limit=2&cursor=${first.nextCursor}`), ['sess-c']);
  });

  const bad: [string, string][] = [
    ['/v1/charges?from=yesterday', 'SVPN_BAD_REQUEST'],
    ['/v1/charges?from=2026-01-15', 'SVPN_BAD_REQUEST'],
    ['/v1/charges?from=2&to=1', 'SVPN_BAD_REQUEST'],
    ['/v1/charges?limit=0', 'SVPN_VALIDATION'],
    ['/v1/charges?limit=5000', 'SVPN_VALIDATION'],
    ['/v1/charges?cursor=bogus', 'STORE_CHARGE_CURSOR_INVALID'],
  ];
  for (const [url, code] of bad) {
    test(`${url} is a 400 problem (${code})`, async () => {
      const res = await (await build()).inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400);
      assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
      assert.equal(res.json().code, code);
    });
  }
});

describe('GET /v1/charges/:sessionId', () => {
  test('answers the record, or a 404 problem', async () => {
    const app = await build();
    const res = await app.inject({ method: 'GET', url: '/v1/charges/sess-a' });
    assert.equal(res.statusCode, 200);
    const record = res.json() as ChargeRecord;
    assert.equal(record.cost, 350);
    assert.deepEqual(
      record.segments.map((s) => s.bps),
      [10_000_000, 20_000_000],
    );
    const missing = await app.inject({ method: 'GET', url: '/v1/charges/nope' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'SVPN_NOT_FOUND');
  });
});

describe('GET /v1/charges.csv', () => {
  test('is an RFC 4180 attachment with the fixed header and one row per record', async () => {
    const app = await build();
    const res = await app.inject({ method: 'GET', url: '/v1/charges.csv?customer=acme' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8; header=present');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="charges-acme.csv"');
    const rows = parseCsv(res.body);
    assert.deepEqual(rows[0], [...CHARGE_CSV_COLUMNS]);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[1], r[15], r[16], r[17]]),
      [
        ['sess-a', 'acme', '350', 'EUR', 'closed'],
        ['sess-b', 'acme', '350', 'EUR', 'closed'],
      ],
    );
    assert.ok(res.body.endsWith('\r\n'));
  });

  test('refuses an export larger than csvMaxRows with a 422 problem', async () => {
    const app = await build({ csvMaxRows: 2 });
    const res = await app.inject({ method: 'GET', url: '/v1/charges.csv' });
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, 'SVPN_CHARGES_EXPORT_TOO_LARGE');
    assert.equal((await app.inject({ method: 'GET', url: '/v1/charges.csv?customer=acme' })).statusCode, 200);
  });
});

describe('operations', () => {
  test('/healthz, /readyz (503 while draining) and /metrics with the charging metrics', async () => {
    let draining = false;
    const app = await build({ draining: () => draining });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    draining = true;
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const name of [
      'svpn_charging_events_processed_total',
      'svpn_charging_duplicates_ignored_total',
      'svpn_charging_records_closed_total',
      'svpn_charging_event_lag_seconds',
      'svpn_charging_events_pending',
    ])
      assert.ok(metrics.includes(name), name);
  });
});

describe('parseInstant', () => {
  test('ms since the epoch and RFC 3339 with offsets', () => {
    assert.equal(parseInstant('from', undefined), undefined);
    assert.equal(parseInstant('from', '0'), 0);
    assert.equal(parseInstant('from', '2026-01-15T12:00:00Z'), T0);
    assert.equal(parseInstant('from', '2026-01-15T13:00:00.000+01:00'), T0);
    for (const bad of ['-1', '1e3', '2026-13-45T00:00:00Z', '2026-01-15 12:00:00', 'now'])
      assert.throws(() => parseInstant('from', bad), /from must be/);
  });
});
