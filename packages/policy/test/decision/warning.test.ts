import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { formatBitRate, formatWarning } from '../../src/index.js';

describe('Warning header and bit rates', () => {
  it('RFC 3261 §20.43 — 399, the agent, and the text as a quoted-string', () => {
    assert.equal(
      formatWarning('not a member of VPN 00000a:00000001'),
      '399 svpn "not a member of VPN 00000a:00000001"',
    );
    assert.equal(
      formatWarning('say "hi" \\ bye', 'gw.example.net'),
      '399 gw.example.net "say \\"hi\\" \\\\ bye"',
    );
    assert.equal(formatWarning('line\r\nbreak'), '399 svpn "line  break"');
  });

  it('bit rates in SI units with at most three decimals', () => {
    const cases: [number, string][] = [
      [0, '0 bit/s'],
      [999, '999 bit/s'],
      [64_000, '64 kbit/s'],
      [1_500_000_000, '1.5 Gbit/s'],
      [2_000_000_000, '2 Gbit/s'],
      [123_456_789, '123.457 Mbit/s'],
      [10_000_000_000_000, '10 Tbit/s'],
    ];
    for (const [bps, text] of cases) assert.equal(formatBitRate(bps), text);
  });
});
