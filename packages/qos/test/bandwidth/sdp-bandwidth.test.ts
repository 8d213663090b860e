import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  asToBitRate,
  BandwidthInvalidError,
  bitRateToAs,
  bitRateToTias,
  sdpBandwidthToBitRate,
  tiasToBitRate,
  transportOverheadBytes,
} from '../../src/index.js';

describe('b=AS', () => {
  it('is kbit/s of 1 000 bit', () => {
    assert.equal(asToBitRate(64), 64_000);
    assert.equal(asToBitRate(0), 0);
    assert.equal(asToBitRate(8320), 8_320_000);
  });
  it('rounds a bit rate up to whole kbit/s', () => {
    assert.equal(bitRateToAs(80_000), 80);
    assert.equal(bitRateToAs(80_001), 81);
    assert.equal(bitRateToAs(11_680), 12);
    for (const kbps of [0, 1, 12, 80, 88, 100_000]) assert.equal(bitRateToAs(asToBitRate(kbps)), kbps);
  });
  it('rejects what the SDP grammar does not allow', () => {
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      assert.throws(
        () => asToBitRate(bad),
        (e: unknown) => e instanceof BandwidthInvalidError && e.field === 'b=AS',
      );
    }
    assert.throws(() => bitRateToAs(-1), { code: 'QOS_BANDWIDTH_INVALID' });
  });
});

describe('b=TIAS + a=maxprate (RFC 3890)', () => {
  it('per-packet header bytes', () => {
    assert.equal(transportOverheadBytes('ipv4'), 40);
    assert.equal(transportOverheadBytes('ipv6'), 60);
    assert.equal(transportOverheadBytes('ipv4', 'udp'), 28);
    assert.equal(transportOverheadBytes('ipv6', 'udp'), 48);
    assert.equal(transportOverheadBytes('ipv4', 'tcp'), 40);
    assert.equal(transportOverheadBytes('ipv6', 'tcp'), 60);
  });

  const vectors = [
    // issue 3 test vectors
    { tias: 64_000, maxprate: 50, ipVersion: 'ipv4', want: 80_000 },
    { tias: 64_000, maxprate: 50, ipVersion: 'ipv6', want: 88_000 },
    // RFC 3890's own example: audio TIAS 8 480 at 10 packets/s is announced as b=AS:12 over IPv4,
    // the session TIAS 50 780 at 28 packets/s as b=AS:60.
    { tias: 8480, maxprate: 10, ipVersion: 'ipv4', want: 11_680 },
    { tias: 50_780, maxprate: 28, ipVersion: 'ipv4', want: 59_740 },
    // a fractional packet rate rounds the bit rate up: 1000 + 0.5·40·8 = 1160; 1000 + 1/3·320 = 1106.67 → 1107
    { tias: 1000, maxprate: 0.5, ipVersion: 'ipv4', want: 1160 },
    { tias: 1000, maxprate: 1 / 3, ipVersion: 'ipv4', want: 1107 },
    { tias: 0, maxprate: 0, ipVersion: 'ipv6', want: 0 },
  ] as const;
  for (const v of vectors) {
    it(`TIAS ${v.tias} at ${v.maxprate.toFixed(2)} pkt/s over ${v.ipVersion} = ${v.want} bit/s`, () => {
      assert.equal(tiasToBitRate(v), v.want);
    });
  }

  it('matches the b=AS figures RFC 3890 gives for its example', () => {
    assert.equal(bitRateToAs(tiasToBitRate({ tias: 8480, maxprate: 10, ipVersion: 'ipv4' })), 12);
    assert.equal(bitRateToAs(tiasToBitRate({ tias: 50_780, maxprate: 28, ipVersion: 'ipv4' })), 60);
  });

  it('plain UDP or TCP carry fewer or other header bytes', () => {
    assert.equal(tiasToBitRate({ tias: 64_000, maxprate: 50, ipVersion: 'ipv4', transport: 'udp' }), 75_200);
    assert.equal(tiasToBitRate({ tias: 64_000, maxprate: 50, ipVersion: 'ipv6', transport: 'udp' }), 83_200);
    assert.equal(tiasToBitRate({ tias: 64_000, maxprate: 50, ipVersion: 'ipv4', transport: 'tcp' }), 80_000);
  });

  it('converts back to TIAS, rounding down', () => {
    assert.equal(bitRateToTias(80_000, { maxprate: 50, ipVersion: 'ipv4' }), 64_000);
    assert.equal(bitRateToTias(88_000, { maxprate: 50, ipVersion: 'ipv6' }), 64_000);
    assert.equal(bitRateToTias(1107, { maxprate: 1 / 3, ipVersion: 'ipv4' }), 1000);
    for (const tias of [0, 1, 8480, 64_000, 1_000_000]) {
      for (const ipVersion of ['ipv4', 'ipv6'] as const) {
        const bits = tiasToBitRate({ tias, maxprate: 50, ipVersion });
        assert.equal(bitRateToTias(bits, { maxprate: 50, ipVersion }), tias);
      }
    }
    assert.throws(() => bitRateToTias(15_999, { maxprate: 50, ipVersion: 'ipv4' }), {
      code: 'QOS_BANDWIDTH_INVALID',
    });
  });

  it('rejects bad input', () => {
    assert.throws(() => tiasToBitRate({ tias: -1, maxprate: 50, ipVersion: 'ipv4' }), { field: 'b=TIAS' });
    assert.throws(() => tiasToBitRate({ tias: 64_000.5, maxprate: 50, ipVersion: 'ipv4' }), {
      field: 'b=TIAS',
    });
    assert.throws(() => tiasToBitRate({ tias: 64_000, maxprate: NaN, ipVersion: 'ipv4' }), {
      field: 'a=maxprate',
    });
    assert.throws(() => tiasToBitRate({ tias: 64_000, maxprate: -1, ipVersion: 'ipv4' }), {
      field: 'a=maxprate',
    });
  });
});

describe('sdpBandwidthToBitRate', () => {
  it('prefers TIAS + maxprate over AS (RFC 3890)', () => {
    assert.deepEqual(sdpBandwidthToBitRate({ as: 12, tias: 8480, maxprate: 10 }, 'ipv6'), {
      bitsPerSecond: 8480 + 10 * 60 * 8,
      source: 'tias',
    });
  });
  it('falls back to AS when TIAS has no maxprate', () => {
    assert.deepEqual(sdpBandwidthToBitRate({ as: 80, tias: 64_000 }, 'ipv4'), {
      bitsPerSecond: 80_000,
      source: 'as',
    });
    assert.deepEqual(sdpBandwidthToBitRate({ as: 80 }, 'ipv4'), { bitsPerSecond: 80_000, source: 'as' });
  });
  it('refuses a description with no usable figure', () => {
    assert.throws(() => sdpBandwidthToBitRate({}, 'ipv4'), { field: 'b=AS' });
    assert.throws(() => sdpBandwidthToBitRate({ tias: 64_000 }, 'ipv4'), { field: 'a=maxprate' });
    assert.throws(() => sdpBandwidthToBitRate({ maxprate: 50 }, 'ipv4'), { code: 'QOS_BANDWIDTH_INVALID' });
  });
});
