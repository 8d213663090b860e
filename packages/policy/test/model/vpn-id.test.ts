import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { canonicalVpnId, formatVpnId, isVpnId, parseVpnId } from '../../src/index.js';

describe('RFC 2685 VPN-IDs (OUI:index in hex)', () => {
  const cases: [input: string, canonical: string | undefined][] = [
    ['00000a:00000001', '00000a:00000001'],
    ['a:1', '00000a:00000001'],
    ['00000A:0000000F', '00000a:0000000f'],
    [' ffffff:ffffffff ', 'ffffff:ffffffff'],
    ['0:0', '000000:00000000'],
    ['1000000:1', undefined], // OUI is 3 octets
    ['a:100000000', undefined], // index is 4 octets
    ['acme-storage', undefined],
    ['a:', undefined],
    [':1', undefined],
    ['g:1', undefined],
    ['a:1:2', undefined],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} → ${String(canonical)}`, () => {
      assert.equal(canonicalVpnId(input), canonical);
      assert.equal(isVpnId(input), canonical !== undefined);
    });
  }

  it('parses to numbers and formats back', () => {
    assert.deepEqual(parseVpnId('00000b:00000001'), { oui: 11, index: 1 });
    assert.equal(formatVpnId({ oui: 0xabcdef, index: 0x12345678 }), 'abcdef:12345678');
  });
});
