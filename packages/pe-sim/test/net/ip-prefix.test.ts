import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, parseIpPrefix } from '../../src/index.js';

describe('parseIpPrefix', () => {
  it('canonicalises IPv4 and IPv6 prefixes', () => {
    assert.equal(parseIpPrefix('10.0.0.1/32', 'f'), '10.0.0.1/32');
    assert.equal(parseIpPrefix('10.0.0.1', 'f'), '10.0.0.1/32');
    assert.equal(parseIpPrefix('2001:DB8::/32', 'f'), '2001:db8::/32');
    assert.equal(parseIpPrefix('2001:db8::1', 'f'), '2001:db8::1/128');
    assert.equal(parseIpPrefix('0.0.0.0/0', 'f'), '0.0.0.0/0');
  });
  it('rejects what is not a prefix', () => {
    for (const bad of [
      '',
      '10.0.0/24',
      '10.0.0.0/33',
      '10.0.0.0/',
      '10.0.0.0/08',
      '2001:db8::/129',
      'host/1',
    ]) {
      assert.throws(() => parseIpPrefix(bad, 'fec'), InvalidArgumentError, bad);
    }
  });
});
