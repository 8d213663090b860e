import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  QosError,
  TspecInvalidError,
  tspecFromBitRate,
  tspecFromPacketFlow,
  tspecToBitRate,
  validateTspec,
  type Tspec,
  type TspecRule,
} from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };

describe('validateTspec', () => {
  it('accepts a well-formed Tspec and returns it unchanged', () => {
    assert.equal(validateTspec(G711), G711);
    assert.deepEqual(validateTspec({ r: 0, b: 1500, p: 0, m: 0, M: 1500 }), {
      r: 0,
      b: 1500,
      p: 0,
      m: 0,
      M: 1500,
    });
    assert.deepEqual(validateTspec({ r: 1.5, b: 2000.25, p: 1.5, m: 64, M: 1500 }).r, 1.5);
  });

  const bad: ReadonlyArray<{ name: string; tspec: Record<string, unknown>; rule: TspecRule; field: string }> =
    [
      { name: 'r NaN', tspec: { ...G711, r: NaN }, rule: 'finite', field: 'r' },
      { name: 'b infinite', tspec: { ...G711, b: Infinity }, rule: 'finite', field: 'b' },
      { name: 'p infinite by default', tspec: { ...G711, p: Infinity }, rule: 'finite', field: 'p' },
      { name: 'M a string', tspec: { ...G711, M: '200' }, rule: 'finite', field: 'M' },
      { name: 'm missing', tspec: { r: 1, b: 200, p: 1, M: 200 }, rule: 'finite', field: 'm' },
      { name: 'r negative', tspec: { ...G711, r: -1 }, rule: 'non-negative', field: 'r' },
      { name: 'm negative', tspec: { ...G711, m: -200 }, rule: 'non-negative', field: 'm' },
      { name: 'm fractional', tspec: { ...G711, m: 199.5 }, rule: 'integer-units', field: 'm' },
      { name: 'M fractional', tspec: { ...G711, M: 200.5, b: 300 }, rule: 'integer-units', field: 'M' },
      { name: 'M zero', tspec: { r: 0, b: 0, p: 0, m: 0, M: 0 }, rule: 'max-packet-zero', field: 'M' },
      { name: 'p < r', tspec: { ...G711, p: 9_999 }, rule: 'peak-below-rate', field: 'p' },
      { name: 'm > M', tspec: { ...G711, m: 201 }, rule: 'min-above-max', field: 'm' },
      { name: 'M > 1500', tspec: { ...G711, M: 1501, b: 2000 }, rule: 'max-above-mtu', field: 'M' },
      { name: 'b < M', tspec: { ...G711, b: 199 }, rule: 'bucket-below-max', field: 'b' },
    ];
  for (const c of bad) {
    it(`rejects ${c.name} with rule ${c.rule}`, () => {
      assert.throws(
        () => validateTspec(c.tspec as unknown as Tspec),
        (err: unknown) => {
          assert.ok(err instanceof TspecInvalidError);
          assert.ok(err instanceof QosError);
          assert.equal(err.code, 'QOS_TSPEC_INVALID');
          assert.equal(err.name, 'TspecInvalidError');
          assert.equal(err.rule, c.rule);
          assert.equal(err.field, c.field);
          return true;
        },
      );
    });
  }

  it('takes the MTU from options', () => {
    const jumbo: Tspec = { r: 1e6, b: 18_000, p: 2e6, m: 64, M: 9000 };
    assert.throws(() => validateTspec(jumbo), { rule: 'max-above-mtu' });
    assert.equal(validateTspec(jumbo, { mtu: 9000 }), jumbo);
    assert.throws(() => validateTspec(G711, { mtu: 199 }), { rule: 'max-above-mtu' });
    assert.throws(() => validateTspec(G711, { mtu: 0 }), { code: 'QOS_TSPEC_INVALID' });
  });

  it('accepts p = +Infinity only when allowed (RFC 2215 §3.6)', () => {
    const t = { ...G711, p: Infinity };
    assert.equal(validateTspec(t, { allowInfinitePeak: true }), t);
    assert.throws(() => validateTspec({ ...G711, r: Infinity }, { allowInfinitePeak: true }), { field: 'r' });
  });

  it('lets b < M through when the rule is switched off', () => {
    const t = { ...G711, b: 100 };
    assert.equal(validateTspec(t, { requireBucketCoversMaxPacket: false }), t);
  });
});

describe('Tspec ↔ bit rate', () => {
  it('r · 8 is the bit rate', () => {
    assert.equal(tspecToBitRate(G711), 80_000);
    assert.equal(tspecToBitRate({ r: 1_040_000, b: 0, p: 0, m: 1, M: 1 }), 8_320_000);
  });

  it('builds a Tspec from a bit rate, rounding r up to whole bytes', () => {
    assert.deepEqual(tspecFromBitRate(80_000), { r: 10_000, b: 1500, p: 10_000, m: 1500, M: 1500 });
    assert.equal(tspecFromBitRate(80_001).r, 10_001);
    assert.equal(tspecFromBitRate(7).r, 1);
    assert.deepEqual(
      tspecFromBitRate(64_000, { maxPacketSize: 200, minPolicedUnit: 100, bucketDepth: 400, peakRate: 9000 }),
      { r: 8000, b: 400, p: 9000, m: 100, M: 200 },
    );
    for (const bits of [0, 8, 80_000, 8_320_000, 1e9])
      assert.equal(tspecToBitRate(tspecFromBitRate(bits)), bits);
    assert.throws(() => tspecFromBitRate(-1), { code: 'QOS_TSPEC_INVALID' });
    assert.throws(() => tspecFromBitRate(NaN), { code: 'QOS_TSPEC_INVALID' });
  });

  it('describes a G.711 call as a packet flow', () => {
    assert.deepEqual(tspecFromPacketFlow({ packetBytes: 200, packetsPerSecond: 50 }), G711);
    assert.deepEqual(tspecFromPacketFlow({ packetBytes: 200, packetsPerSecond: 50, burstPackets: 3 }).b, 600);
    assert.throws(() => tspecFromPacketFlow({ packetBytes: 0, packetsPerSecond: 50 }), {
      rule: 'integer-units',
    });
    assert.throws(() => tspecFromPacketFlow({ packetBytes: 200, packetsPerSecond: -5 }), { rule: 'finite' });
    assert.throws(() => tspecFromPacketFlow({ packetBytes: 200, packetsPerSecond: 5, burstPackets: 0 }), {
      rule: 'bucket-below-max',
    });
  });
});
