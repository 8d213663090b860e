import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRouteDistinguisher, InvalidArgumentError, parseRouteDistinguisher } from '../../src/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('Route Distinguisher (RFC 4364 §4.2)', () => {
  const vectors: [string, 0 | 1 | 2, string, string][] = [
    // text, type, canonical, wire bytes (2-byte type, 6-byte value)
    ['65000:100', 0, '65000:100', '0000fde800000064'],
    ['1:4294967295', 0, '1:4294967295', '00000001ffffffff'],
    ['192.0.2.1:7', 1, '192.0.2.1:7', '0001c00002010007'],
    ['4200000000:5', 2, '4200000000:5', '0002fa56ea000005'],
    ['64086.59904:5', 2, '4200000000:5', '0002fa56ea000005'],
    ['65536:65535', 2, '65536:65535', '000200010000ffff'],
  ];
  for (const [text, type, canonical, wire] of vectors) {
    it(`${text} is type ${type}, ${wire}`, () => {
      const rd = parseRouteDistinguisher(text);
      assert.equal(rd.type, type);
      assert.equal(rd.text, canonical);
      assert.equal(hex(encodeRouteDistinguisher(rd)), wire);
    });
  }

  it('type 0 carries a 2-byte AS number and a 4-byte assigned number', () => {
    const rd = parseRouteDistinguisher('65535:4294967295');
    assert.deepEqual([rd.type, rd.administrator, rd.assignedNumber], [0, 65535, 4294967295]);
  });

  const invalid = [
    '65000',
    ':1',
    '65000:',
    '65000:4294967296', // 4-byte assigned number overflow
    '192.0.2.1:65536', // type 1 assigned number is 2 bytes
    '70000:65536', // type 2 assigned number is 2 bytes
    '4294967296:1', // AS number beyond 4 bytes
    '65536.1:1', // asdot halves are 16 bits
    '192.0.2.256:1',
    'as65000:1',
    '-1:1',
    '01:1',
  ];
  for (const text of invalid) {
    it(`rejects "${text}"`, () => {
      assert.throws(
        () => parseRouteDistinguisher(text),
        (e: unknown) => e instanceof InvalidArgumentError && e.field === 'rd',
      );
    });
  }
});
