import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatResourcePriority,
  formatResourcePriorityValue,
  parseResourcePriority,
  parseResourcePriorityValue,
  ResourcePriorityInvalidError,
  RFC4412_NAMESPACES,
} from '../../src/index.js';

describe('Resource-Priority (RFC 4412)', () => {
  it('registers dsn, drsn, q735, ets and wps with their values lowest first (§12.6)', () => {
    assert.deepEqual(
      RFC4412_NAMESPACES.map((ns) => [ns.namespace, ns.values.join(' '), ns.algorithm]),
      [
        ['dsn', 'routine priority immediate flash flash-override', 'preemption'],
        ['drsn', 'routine priority immediate flash flash-override flash-override-override', 'preemption'],
        ['q735', '4 3 2 1 0', 'preemption'],
        ['ets', '4 3 2 1 0', 'queue'],
        ['wps', '4 3 2 1 0', 'queue'],
      ],
    );
  });

  it('parses one value, case-insensitively (§3.1)', () => {
    assert.deepEqual(parseResourcePriorityValue('dsn.flash'), { namespace: 'dsn', priority: 'flash' });
    assert.deepEqual(parseResourcePriorityValue(' DSN.Flash-Override '), {
      namespace: 'dsn',
      priority: 'flash-override',
    });
    assert.deepEqual(parseResourcePriorityValue('wps.0'), { namespace: 'wps', priority: '0' });
    assert.deepEqual(parseResourcePriorityValue("x-ns.a_b+c'd~e`f!g%h*i"), {
      namespace: 'x-ns',
      priority: "a_b+c'd~e`f!g%h*i",
    });
  });

  it('parses a header with several values and optional whitespace', () => {
    assert.deepEqual(parseResourcePriority('dsn.flash, wps.2'), [
      { namespace: 'dsn', priority: 'flash' },
      { namespace: 'wps', priority: '2' },
    ]);
    assert.deepEqual(parseResourcePriority('ets.0,q735.1'), [
      { namespace: 'ets', priority: '0' },
      { namespace: 'q735', priority: '1' },
    ]);
  });

  for (const bad of [
    '',
    ' ',
    'dsn',
    'dsn.',
    '.flash',
    'dsn.flash.x',
    'dsn flash',
    'dsn.flash,',
    'dsn.fl ash',
    'dsn.flash;x=1',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseResourcePriority(bad),
        (e: unknown) =>
          e instanceof ResourcePriorityInvalidError &&
          e.code === 'QOS_RESOURCE_PRIORITY_INVALID' &&
          e.sipStatus === 417,
      );
    });
  }

  it('serialises and round-trips', () => {
    assert.equal(formatResourcePriorityValue({ namespace: 'dsn', priority: 'flash' }), 'dsn.flash');
    const header = 'dsn.flash-override, drsn.flash-override-override, q735.0, ets.4, wps.2';
    assert.equal(formatResourcePriority(parseResourcePriority(header)), header);
    assert.throws(
      () => formatResourcePriorityValue({ namespace: 'd sn', priority: 'x' }),
      ResourcePriorityInvalidError,
    );
  });
});
