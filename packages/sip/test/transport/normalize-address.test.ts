import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addressFamily,
  formatHostPort,
  isSameAddress,
  normalizeAddress,
} from '../../src/transport/normalize-address.js';

describe('normalizeAddress', () => {
  const table: readonly [string, string][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['[2001:DB8:0:0:0:0:0:1]', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    ['Host.Example.COM', 'host.example.com'],
  ];
  for (const [input, expected] of table) {
    it(`RFC 5952 §4 — ${input} → ${expected}`, () => assert.equal(normalizeAddress(input), expected));
  }

  it('tells families apart and rejects names', () => {
    assert.equal(addressFamily('127.0.0.1'), 'IPv4');
    assert.equal(addressFamily('[::1]'), 'IPv6');
    assert.equal(addressFamily('::ffff:10.0.0.1'), 'IPv4');
    assert.equal(addressFamily('example.com'), undefined);
  });

  it('compares spellings and formats host:port', () => {
    assert.ok(isSameAddress('[::1]', '0::1'));
    assert.ok(!isSameAddress('::1', '127.0.0.1'));
    assert.equal(formatHostPort('0:0::1', 5060), '[::1]:5060');
    assert.equal(formatHostPort('192.0.2.1', 5061), '192.0.2.1:5061');
  });
});
