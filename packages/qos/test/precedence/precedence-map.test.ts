import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_PRECEDENCE_MAP,
  formatResourcePriority,
  isHigherPrecedence,
  PRECEDENCE_LEVELS,
  PrecedenceInvalidError,
  PrecedenceMap,
  QosConfigInvalidError,
  ResourcePriorityInvalidError,
  ResourcePriorityNamespaceUnknownError,
  RFC4412_NAMESPACES,
  type PrecedenceLevel,
  type PrecedenceMapOptions,
} from '../../src/index.js';

const map = DEFAULT_PRECEDENCE_MAP;

describe('PrecedenceMap: Resource-Priority → level', () => {
  const table: ReadonlyArray<[string, PrecedenceLevel]> = [
    ['dsn.routine', 'routine'],
    ['dsn.priority', 'priority'],
    ['dsn.immediate', 'immediate'],
    ['dsn.flash', 'flash'],
    ['dsn.flash-override', 'flash-override'],
    ['drsn.routine', 'routine'],
    ['drsn.priority', 'priority'],
    ['drsn.immediate', 'immediate'],
    ['drsn.flash', 'flash'],
    ['drsn.flash-override', 'flash-override'],
    ['drsn.flash-override-override', 'flash-override'],
    ['q735.4', 'routine'],
    ['q735.3', 'priority'],
    ['q735.2', 'immediate'],
    ['q735.1', 'flash'],
    ['q735.0', 'flash-override'],
    ['ets.4', 'routine'],
    ['ets.3', 'priority'],
    ['ets.2', 'immediate'],
    ['ets.1', 'flash'],
    ['ets.0', 'flash-override'],
    ['wps.4', 'routine'],
    ['wps.3', 'priority'],
    ['wps.2', 'immediate'],
    ['wps.1', 'flash'],
    ['wps.0', 'flash-override'],
  ];
  for (const [value, level] of table) {
    it(`${value} → ${level}`, () => {
      assert.equal(map.levelOf(value), level);
      assert.equal(map.levelOf(value.toUpperCase()), level);
    });
  }

  it('covers every RFC 4412 §12.6 value', () => {
    const all = RFC4412_NAMESPACES.flatMap((ns) => ns.values.map((v) => `${ns.namespace}.${v}`));
    assert.deepEqual(all.sort(), table.map(([v]) => v).sort());
  });

  it('an unknown namespace is a typed error the SIP layer maps to 417', () => {
    assert.throws(
      () => map.levelOf('foo.flash'),
      (e: unknown) =>
        e instanceof ResourcePriorityNamespaceUnknownError &&
        e.code === 'QOS_RESOURCE_PRIORITY_NAMESPACE_UNKNOWN' &&
        e.sipStatus === 417 &&
        e.namespace === 'foo',
    );
  });

  it('an unknown priority in a known namespace is a typed error too', () => {
    assert.throws(
      () => map.levelOf('dsn.urgent'),
      (e: unknown) =>
        e instanceof ResourcePriorityInvalidError && e.value === 'dsn.urgent' && e.sipStatus === 417,
    );
    assert.throws(() => map.levelOf('wps.5'), ResourcePriorityInvalidError);
    assert.throws(() => map.levelOf('dsn'), ResourcePriorityInvalidError);
  });

  it('a header grants the highest level among accepted namespaces and ignores others', () => {
    assert.deepEqual(map.levelFromHeader('dsn.routine, wps.1'), {
      level: 'flash',
      value: { namespace: 'wps', priority: '1' },
    });
    assert.equal(map.levelFromHeader('foo.bar, dsn.immediate').level, 'immediate');
    assert.throws(() => map.levelFromHeader('foo.bar, baz.qux'), { namespace: 'foo', sipStatus: 417 });
    assert.throws(() => map.levelFromHeader('dsn.urgent, wps.1'), ResourcePriorityInvalidError);
  });

  it('lists what it accepts for Accept-Resource-Priority', () => {
    const only = new PrecedenceMap({ acceptedNamespaces: ['DSN', 'wps'] });
    assert.equal(
      formatResourcePriority(only.acceptResourcePriority()),
      'dsn.routine, dsn.priority, dsn.immediate, dsn.flash, dsn.flash-override, wps.4, wps.3, wps.2, wps.1, wps.0',
    );
    assert.equal(map.acceptResourcePriority().length, 26);
    assert.throws(() => only.levelOf('ets.0'), ResourcePriorityNamespaceUnknownError);
  });
});

describe('PrecedenceMap: level → Resource-Priority', () => {
  it('round-trips level → value → level in every namespace', () => {
    for (const ns of ['dsn', 'drsn', 'q735', 'ets', 'wps']) {
      for (const level of PRECEDENCE_LEVELS) {
        const value = map.toResourcePriority(level, ns);
        assert.equal(value.namespace, ns);
        assert.equal(map.levelOf(value), level, `${ns} ${level}`);
      }
    }
    assert.deepEqual(map.toResourcePriority('flash'), { namespace: 'dsn', priority: 'flash' });
    assert.deepEqual(map.toResourcePriority('flash-override', 'drsn'), {
      namespace: 'drsn',
      priority: 'flash-override',
    });
    assert.deepEqual(map.toResourcePriority('routine', 'q735'), { namespace: 'q735', priority: '4' });
  });

  it('refuses a namespace it does not accept', () => {
    assert.throws(() => map.toResourcePriority('flash', 'foo'), ResourcePriorityNamespaceUnknownError);
    const partial = new PrecedenceMap({ namespaceLevels: { dsn: { routine: 'routine', flash: 'flash' } } });
    assert.throws(() => partial.toResourcePriority('immediate', 'dsn'), PrecedenceInvalidError);
  });
});

describe('PrecedenceMap: RSVP-TE and RFC 3181', () => {
  it('default ladders', () => {
    assert.deepEqual(
      PRECEDENCE_LEVELS.map((l) => map.toRsvp(l)),
      [4, 3, 2, 1, 0].map((p) => ({ setupPriority: p, holdingPriority: p })),
    );
    assert.deepEqual(
      PRECEDENCE_LEVELS.map((l) => map.toRfc3181(l).preemptionPriority),
      [10_000, 20_000, 30_000, 40_000, 50_000],
    );
  });

  it('higher precedence is a lower RSVP-TE number but a higher RFC 3181 value', () => {
    for (const a of PRECEDENCE_LEVELS) {
      for (const b of PRECEDENCE_LEVELS) {
        if (!isHigherPrecedence(a, b)) continue;
        assert.ok(map.toRsvp(a).setupPriority < map.toRsvp(b).setupPriority, `${a} vs ${b} setup`);
        assert.ok(map.toRsvp(a).holdingPriority < map.toRsvp(b).holdingPriority, `${a} vs ${b} holding`);
        assert.ok(
          map.toRfc3181(a).preemptionPriority > map.toRfc3181(b).preemptionPriority,
          `${a} vs ${b} 3181`,
        );
        assert.ok(
          map.toRfc3181(a).defendingPriority > map.toRfc3181(b).defendingPriority,
          `${a} vs ${b} def`,
        );
      }
    }
  });

  it('round-trips level → RSVP → level and level → RFC 3181 → level', () => {
    for (const level of PRECEDENCE_LEVELS) {
      assert.equal(map.levelFromRsvp(map.toRsvp(level).setupPriority), level);
      assert.equal(map.levelFromRsvp(map.toRsvp(level).holdingPriority, 'holding'), level);
      assert.equal(map.levelFromRfc3181(map.toRfc3181(level).preemptionPriority), level);
      assert.equal(map.levelFromRfc3181(map.toRfc3181(level).defendingPriority, 'defending'), level);
    }
  });

  it('round-trips RSVP → level → RSVP on the ladder, and never raises precedence off it', () => {
    for (const p of [0, 1, 2, 3, 4]) assert.equal(map.toRsvp(map.levelFromRsvp(p)).setupPriority, p);
    // 5..7 are below every svpn level: the lowest level is the nearest
    for (const p of [5, 6, 7]) assert.equal(map.levelFromRsvp(p), 'routine');
  });

  it('round-trips RFC 3181 → level → RFC 3181 on the ladder, rounding down between steps', () => {
    for (const v of [10_000, 20_000, 30_000, 40_000, 50_000]) {
      assert.equal(map.toRfc3181(map.levelFromRfc3181(v)).preemptionPriority, v);
    }
    assert.equal(map.levelFromRfc3181(29_999), 'priority');
    assert.equal(map.levelFromRfc3181(65_535), 'flash-override');
    assert.equal(map.levelFromRfc3181(0), 'routine');
  });

  it('rejects out-of-range priorities', () => {
    for (const p of [-1, 8, 1.5, NaN]) assert.throws(() => map.levelFromRsvp(p), PrecedenceInvalidError);
    for (const p of [-1, 65_536, 0.5]) assert.throws(() => map.levelFromRfc3181(p), PrecedenceInvalidError);
    assert.throws(() => map.toRsvp('urgent' as PrecedenceLevel), PrecedenceInvalidError);
    assert.throws(() => map.toRfc3181('urgent' as PrecedenceLevel), PrecedenceInvalidError);
  });
});

describe('PrecedenceMap: configuration', () => {
  const custom = new PrecedenceMap({
    rsvp: {
      'flash-override': { setupPriority: 1, holdingPriority: 0 },
      flash: { setupPriority: 3, holdingPriority: 2 },
      immediate: { setupPriority: 4, holdingPriority: 4 },
      priority: { setupPriority: 5, holdingPriority: 5 },
      routine: { setupPriority: 7, holdingPriority: 6 },
    },
    rfc3181: {
      routine: { preemptionPriority: 0, defendingPriority: 100 },
      priority: { preemptionPriority: 1, defendingPriority: 200 },
      immediate: { preemptionPriority: 2, defendingPriority: 300 },
      flash: { preemptionPriority: 3, defendingPriority: 400 },
      'flash-override': { preemptionPriority: 65_535, defendingPriority: 65_535 },
    },
    namespaceLevels: {
      ets: { '4': 'immediate', '3': 'immediate', '2': 'flash', '1': 'flash', '0': 'flash-override' },
      esnet: { '0': 'routine', '1': 'priority', '2': 'immediate', '3': 'flash', '4': 'flash-override' },
    },
  });

  it('round-trips both directions with custom ladders', () => {
    for (const level of PRECEDENCE_LEVELS) {
      assert.equal(custom.levelFromRsvp(custom.toRsvp(level).setupPriority), level);
      assert.equal(custom.levelFromRsvp(custom.toRsvp(level).holdingPriority, 'holding'), level);
      assert.equal(custom.levelFromRfc3181(custom.toRfc3181(level).preemptionPriority), level);
      assert.equal(custom.levelFromRfc3181(custom.toRfc3181(level).defendingPriority, 'defending'), level);
    }
    // setup 2 lies between flash (3) and flash-override (1): it is not more important than flash-override,
    // so the conservative answer is flash (the highest level not exceeding what was asked).
    assert.equal(custom.levelFromRsvp(2), 'flash');
    assert.equal(custom.levelFromRsvp(6), 'routine');
    assert.equal(custom.levelFromRsvp(0), 'flash-override');
  });

  it('uses custom and added namespaces', () => {
    assert.equal(custom.levelOf('ets.4'), 'immediate');
    assert.equal(custom.levelOf('esnet.3'), 'flash');
    assert.equal(custom.levelOf('dsn.flash'), 'flash');
    assert.deepEqual(custom.toResourcePriority('immediate', 'ets'), { namespace: 'ets', priority: '4' });
    assert.ok(custom.acceptedNamespaces.includes('esnet'));
  });

  const bad: ReadonlyArray<[string, PrecedenceMapOptions]> = [
    ['RSVP priority out of range', { rsvp: { routine: { setupPriority: 8, holdingPriority: 7 } } }],
    ['holding less important than setup', { rsvp: { routine: { setupPriority: 5, holdingPriority: 6 } } }],
    ['RSVP ladder not strictly decreasing', { rsvp: { priority: { setupPriority: 4, holdingPriority: 4 } } }],
    [
      'RFC 3181 out of range',
      { rfc3181: { 'flash-override': { preemptionPriority: 70_000, defendingPriority: 1 } } },
    ],
    [
      'RFC 3181 ladder not increasing',
      { rfc3181: { flash: { preemptionPriority: 30_000, defendingPriority: 40_000 } } },
    ],
    ['unknown level in a namespace', { namespaceLevels: { dsn: { routine: 'urgent' as PrecedenceLevel } } }],
    ['bad value token', { namespaceLevels: { dsn: { 'rou tine': 'routine' } } }],
    ['empty namespace', { namespaceLevels: { dsn: {} } }],
    ['accepted namespace without levels', { acceptedNamespaces: ['foo'] }],
    ['nothing accepted', { acceptedNamespaces: [] }],
  ];
  for (const [name, opts] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => new PrecedenceMap(opts),
        (e: unknown) => e instanceof QosConfigInvalidError && e.code === 'QOS_CONFIG_INVALID',
      );
    });
  }
});
