import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEvent,
  CHARGE_CSV_COLUMNS,
  chargeCsvHeader,
  csvField,
  parseCsv,
  rateRecord,
  TariffBook,
  toChargeCsv,
  type ChargeRecord,
  type ChargingEvent,
} from '../../src/index.js';
import { event, MBPS, session, T0 } from '../support/events.js';

const book = TariffBook.parse({ tariffs: [{ id: 'standard', currency: 'EUR', pricePerMbpsMinute: 10 }] });
const fold = (events: ChargingEvent[]): ChargeRecord => {
  let record: ChargeRecord | undefined;
  for (const e of events) record = applyEvent(record, e);
  return rateRecord(record!, book);
};

describe('csvField (RFC 4180 §2)', () => {
  const cases: [string | number | null, string][] = [
    ['plain', 'plain'],
    [42, '42'],
    [null, ''],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\r\nbreak', '"line\r\nbreak"'],
    ['lf\nonly', '"lf\nonly"'],
    [' padded', '" padded"'],
    ['sip:a@b;tag=1', 'sip:a@b;tag=1'],
  ];
  for (const [value, want] of cases)
    test(`${JSON.stringify(value)} → ${JSON.stringify(want)}`, () => assert.equal(csvField(value), want));
});

describe('toChargeCsv', () => {
  test('has the fixed header line ending in CRLF', () => {
    assert.equal(
      chargeCsvHeader(),
      'session_id,customer,vpn_id,caller,callee,service_class,precedence,dscp,granted_bps,segments,setup_at,answer_at,end_at,duration_s,bytes,cost_minor,currency,status,reason,charging_profile,lsp_id,complete\r\n',
    );
    assert.equal(toChargeCsv([]), chargeCsvHeader());
  });

  test('one line per record, fields in column order, times in RFC 3339 UTC', () => {
    const events = session(75, [[30, 20 * MBPS]]).map((e) => ({ ...e, lspId: 'lsp-7' }));
    events[2] = { ...events[2]!, bytes: 1234 };
    const text = toChargeCsv([fold(events)]);
    const rows = parseCsv(text);
    assert.equal(rows.length, 2);
    const row = Object.fromEntries(CHARGE_CSV_COLUMNS.map((c, i) => [c, rows[1]![i]]));
    assert.deepEqual(row, {
      session_id: 's-1',
      customer: 'acme',
      vpn_id: '00000a:00000001',
      caller: 'sip:primary-dc@svpn.example.net',
      callee: 'sip:backup-dc@svpn.example.net',
      service_class: 'high-throughput-data',
      precedence: 'routine',
      dscp: '10',
      granted_bps: '20000000',
      segments: '10000000@30s;20000000@45s',
      setup_at: '2026-01-15T12:00:00.000Z',
      answer_at: '2026-01-15T12:00:00.000Z',
      end_at: '2026-01-15T12:01:15.000Z',
      duration_s: '75',
      bytes: '1234',
      cost_minor: '350',
      currency: 'EUR',
      status: 'closed',
      reason: 'bye',
      charging_profile: 'standard',
      lsp_id: 'lsp-7',
      complete: 'true',
    });
    assert.ok(text.endsWith('\r\n'));
    assert.equal(text.split('\r\n').length, 3);
  });

  test('an open record leaves end, duration, cost and currency empty', () => {
    const [, fields] = parseCsv(toChargeCsv([fold([event('start', 0)])]));
    const row = Object.fromEntries(CHARGE_CSV_COLUMNS.map((c, i) => [c, fields![i]]));
    assert.equal(row['end_at'], '');
    assert.equal(row['duration_s'], '');
    assert.equal(row['cost_minor'], '');
    assert.equal(row['status'], 'open');
    assert.equal(row['segments'], '10000000@open');
  });

  test('awkward names round-trip through quoting', () => {
    const caller = 'sip:"Weird, Inc."@example.net\r\nX-Injected: 1';
    const text = toChargeCsv([fold(session(60).map((e) => ({ ...e, caller, customer: 'a,b' })))]);
    const [, fields] = parseCsv(text);
    assert.equal(fields![3], caller);
    assert.equal(fields![1], 'a,b');
    assert.equal(fields!.length, CHARGE_CSV_COLUMNS.length);
    assert.equal(T0 > 0, true);
  });
});
