import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  encodeRouteTarget,
  InvalidArgumentError,
  parseRouteTarget,
  parseRouteTargets,
  routeTargetsMatch,
} from '../../src/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('Route Target extended community (RFC 4360 §4, RFC 5668)', () => {
  it('encodes type, sub-type 0x02 (Route Target) and the value', () => {
    assert.equal(hex(encodeRouteTarget(parseRouteTarget('65000:100'))), '0002fde800000064');
    assert.equal(hex(encodeRouteTarget(parseRouteTarget('target:192.0.2.1:7'))), '0102c00002010007');
    assert.equal(hex(encodeRouteTarget(parseRouteTarget('4200000000:5'))), '0202fa56ea000005');
  });

  it('canonicalises lists: "target:" dropped, asdot to asplain, sorted, no duplicates', () => {
    assert.deepEqual(parseRouteTargets(['target:65000:2', '65000:1', '1.0:3', '65000:1'], 'rts'), [
      '65000:1',
      '65000:2',
      '65536:3',
    ]);
  });

  it('names the offending entry', () => {
    assert.throws(
      () => parseRouteTargets(['65000:1', 'bogus'], 'importTargets'),
      (e: unknown) => e instanceof InvalidArgumentError && e.field === 'importTargets[1]',
    );
  });

  it('RFC 4364 §4.3.5: a route is imported when one of its RTs is among the import targets', () => {
    assert.equal(routeTargetsMatch(['65000:1', '65000:2'], ['65000:2']), true);
    assert.equal(routeTargetsMatch(['65000:1'], ['65000:2', '65000:3']), false);
    assert.equal(routeTargetsMatch([], ['65000:1']), false);
    assert.equal(routeTargetsMatch(['65000:1'], []), false);
  });
});
