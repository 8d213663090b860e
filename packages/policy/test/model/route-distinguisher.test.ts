import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  canonicalRouteDistinguisher,
  canonicalRouteTarget,
  parseAdministratorAssigned,
} from '../../src/index.js';

describe('RFC 4364 §4.2 Route Distinguishers', () => {
  const good: [string, string, 0 | 1 | 2][] = [
    ['65000:1', '65000:1', 0],
    ['0:4294967295', '0:4294967295', 0],
    ['192.0.2.1:7', '192.0.2.1:7', 1],
    ['4200000000:65535', '4200000000:65535', 2],
    ['1.10:3', '65546:3', 2], // asdot (RFC 5396) reads as asplain 65546
  ];
  for (const [text, canonical, type] of good) {
    it(`${text} is a type ${type} RD, canonical ${canonical}`, () => {
      assert.deepEqual(canonicalRouteDistinguisher(text), { ok: true, value: canonical });
      const parsed = parseAdministratorAssigned(text);
      assert.ok(typeof parsed !== 'string');
      assert.equal(parsed.type, type);
    });
  }
  const bad: [string, RegExp][] = [
    ['65000', /not of the form/],
    ['65000:', /not of the form/],
    ['65000:01', /not a decimal/],
    ['65000:4294967296', /≤ 4294967295/],
    ['192.0.2.1:65536', /≤ 65535/],
    ['4200000000:65536', /≤ 65535/],
    ['4294967296:1', /does not fit in 4 bytes/],
    ['acme:1', /neither an AS number nor an IPv4 address/],
  ];
  for (const [text, error] of bad) {
    it(`${text} is refused`, () => {
      const result = canonicalRouteDistinguisher(text);
      assert.equal(result.ok, false);
      assert.match((result as { error: string }).error, error);
    });
  }
});

describe('route targets (RFC 4364 §4.3.1, RFC 4360 §4)', () => {
  it('accepts the value with or without target: and writes it with', () => {
    assert.deepEqual(canonicalRouteTarget('target:65000:1'), { ok: true, value: 'target:65000:1' });
    assert.deepEqual(canonicalRouteTarget('65000:1'), { ok: true, value: 'target:65000:1' });
    assert.deepEqual(canonicalRouteTarget('Target:192.0.2.1:9'), { ok: true, value: 'target:192.0.2.1:9' });
  });
  it('refuses what is not ASN:n or IPv4:n', () => {
    assert.equal(canonicalRouteTarget('target:').ok, false);
    assert.equal(canonicalRouteTarget('origin:65000:1').ok, false);
  });
});
