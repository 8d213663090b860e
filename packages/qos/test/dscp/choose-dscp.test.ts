import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chooseDscp,
  dropPrecedenceFor,
  peakToRateRatio,
  QosConfigInvalidError,
  resolveDscpChoiceOptions,
  RspecInvalidError,
  SERVICE_CLASS_NAMES,
  defaultDscp,
  TspecInvalidError,
  ServiceClassUnknownError,
  type DscpChoiceOptions,
  type DscpRequest,
  type Tspec,
} from '../../src/index.js';

const G711: Tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };
/** 2 Mbit/s video, peaks at 1.3×. */
const VIDEO: Tspec = { r: 250_000, b: 30_000, p: 325_000, m: 100, M: 1400 };
/** Bulk transfer: 10 Mbit/s sustained, bursts to 5× (dp 3). */
const BULK: Tspec = { r: 1_250_000, b: 1_000_000, p: 6_250_000, m: 64, M: 1500 };
/** Bulk transfer with moderate bursts (p/r = 2, dp 2). */
const BULK2: Tspec = { ...BULK, p: 2_500_000 };

describe('chooseDscp', () => {
  const table: ReadonlyArray<{
    name: string;
    req: DscpRequest;
    opts?: DscpChoiceOptions;
    dscp: number;
    rule: string;
  }> = [
    // Rspec → Guaranteed service
    {
      name: 'guaranteed telephony → EF',
      req: { serviceClass: 'telephony', tspec: G711, rspec: { R: 10_000, S: 0 } },
      dscp: 46,
      rule: 'guaranteed-ef',
    },
    {
      name: 'guaranteed telephony, voiceAdmit → VOICE-ADMIT',
      req: { serviceClass: 'telephony', tspec: G711, rspec: { R: 10_000, S: 0 } },
      opts: { voiceAdmit: true },
      dscp: 44,
      rule: 'guaranteed-ef',
    },
    {
      name: 'guaranteed telephony without a Tspec → EF',
      req: { serviceClass: 'telephony', rspec: { R: 10_000, S: 0 } },
      dscp: 46,
      rule: 'guaranteed-ef',
    },
    {
      name: 'guaranteed smooth real-time interactive → EF',
      req: {
        serviceClass: 'real-time-interactive',
        tspec: { ...VIDEO, p: VIDEO.r },
        rspec: { R: 250_000, S: 100 },
      },
      dscp: 46,
      rule: 'guaranteed-ef',
    },
    {
      name: 'guaranteed bursty conferencing → AF4x by burstiness (1.3 → AF41)',
      req: { serviceClass: 'multimedia-conferencing', tspec: VIDEO, rspec: { R: 300_000, S: 0 } },
      dscp: 34,
      rule: 'guaranteed-af',
    },
    {
      name: 'guaranteed bulk data p/r 5 → AF43',
      req: { serviceClass: 'high-throughput-data', tspec: BULK, rspec: { R: 1_250_000, S: 0 } },
      dscp: 38,
      rule: 'guaranteed-af',
    },
    {
      name: 'guaranteed bulk data p/r 2 → AF42',
      req: { serviceClass: 'high-throughput-data', tspec: BULK2, rspec: { R: 1_250_000, S: 0 } },
      dscp: 36,
      rule: 'guaranteed-af',
    },
    {
      name: 'guaranteed data without Tspec → AF41',
      req: { serviceClass: 'standard', rspec: { R: 1, S: 0 } },
      dscp: 34,
      rule: 'guaranteed-af',
    },
    {
      name: 'guaranteed smooth but elastic class → AF41, not EF',
      req: { serviceClass: 'multimedia-streaming', tspec: G711, rspec: { R: 10_000, S: 0 } },
      dscp: 34,
      rule: 'guaranteed-af',
    },
    {
      name: 'guaranteed AF class from config',
      req: { serviceClass: 'high-throughput-data', tspec: BULK2, rspec: { R: 1_250_000, S: 0 } },
      opts: { guaranteedAfClass: 1 },
      dscp: 12,
      rule: 'guaranteed-af',
    },
    // no Rspec: AF classes by burstiness
    {
      name: 'bursty data → AF13',
      req: { serviceClass: 'high-throughput-data', tspec: BULK },
      dscp: 14,
      rule: 'af-drop-precedence',
    },
    {
      name: 'moderate bursts → AF12',
      req: { serviceClass: 'high-throughput-data', tspec: BULK2 },
      dscp: 12,
      rule: 'af-drop-precedence',
    },
    {
      name: 'smooth data → AF11',
      req: { serviceClass: 'high-throughput-data', tspec: { ...BULK, p: BULK.r } },
      dscp: 10,
      rule: 'af-drop-precedence',
    },
    {
      name: 'streaming p/r 1.3 → AF31',
      req: { serviceClass: 'multimedia-streaming', tspec: VIDEO },
      dscp: 26,
      rule: 'af-drop-precedence',
    },
    {
      name: 'low-latency data p/r 5 → AF23',
      req: { serviceClass: 'low-latency-data', tspec: BULK },
      dscp: 22,
      rule: 'af-drop-precedence',
    },
    {
      name: 'conferencing p/r 2 → AF42',
      req: { serviceClass: 'multimedia-conferencing', tspec: BULK2 },
      dscp: 36,
      rule: 'af-drop-precedence',
    },
    {
      name: 'thresholds from config',
      req: { serviceClass: 'high-throughput-data', tspec: BULK2 },
      opts: { dropPrecedenceThresholds: [2, 10] },
      dscp: 10,
      rule: 'af-drop-precedence',
    },
    // class defaults
    {
      name: 'AF class without Tspec → AFx1',
      req: { serviceClass: 'high-throughput-data' },
      dscp: 10,
      rule: 'class-default',
    },
    {
      name: 'telephony without Rspec → EF',
      req: { serviceClass: 'telephony', tspec: G711 },
      dscp: 46,
      rule: 'class-default',
    },
    {
      name: 'broadcast video → CS3',
      req: { serviceClass: 'broadcast-video', tspec: VIDEO },
      dscp: 24,
      rule: 'class-default',
    },
    { name: 'signaling → CS5', req: { serviceClass: 'signaling' }, dscp: 40, rule: 'class-default' },
    {
      name: 'low-priority data → LE',
      req: { serviceClass: 'low-priority-data', tspec: BULK },
      dscp: 1,
      rule: 'class-default',
    },
    // overrides
    {
      name: 'override by name',
      req: { serviceClass: 'low-priority-data' },
      opts: { classes: { 'low-priority-data': 'CS1' } },
      dscp: 8,
      rule: 'class-override',
    },
    {
      name: 'override beats Rspec',
      req: { serviceClass: 'telephony', rspec: { R: 1, S: 0 } },
      opts: { classes: { telephony: 44 } },
      dscp: 44,
      rule: 'class-override',
    },
    {
      name: 'override to an unnamed codepoint',
      req: { serviceClass: 'standard' },
      opts: { classes: { standard: '3' } },
      dscp: 3,
      rule: 'class-override',
    },
  ];
  for (const c of table) {
    it(c.name, () => {
      const got = chooseDscp(c.req, c.opts);
      assert.equal(got.dscp, c.dscp);
      assert.equal(got.rule, c.rule);
      assert.ok(got.reason.startsWith(`${got.serviceClass}: `), got.reason);
    });
  }

  it('reports name, PHB and a reason', () => {
    assert.deepEqual(chooseDscp({ serviceClass: 'telephony', tspec: G711, rspec: { R: 10_000, S: 0 } }), {
      dscp: 46,
      name: 'EF',
      phb: 'EF',
      serviceClass: 'telephony',
      rule: 'guaranteed-ef',
      reason: 'telephony: guaranteed rate R=10000 B/s → EF',
    });
    const unnamed = chooseDscp({ serviceClass: 'standard' }, { classes: { standard: 3 } });
    assert.equal(unnamed.name, undefined);
    assert.equal(unnamed.reason, 'standard: configured marking → DSCP 3');
    assert.equal(chooseDscp({ serviceClass: 'high-throughput-data', tspec: BULK }).phb, 'AF');
  });

  it('with no Tspec or Rspec gives every class its RFC 4594 default', () => {
    for (const name of SERVICE_CLASS_NAMES) {
      assert.equal(chooseDscp({ serviceClass: name }).dscp, defaultDscp(name), name);
    }
  });

  it('marks per precedence level when configured (seed 003 §2.1, RFC 3175 aggregates)', () => {
    const opts: DscpChoiceOptions = {
      byPrecedence: {
        telephony: { flash: 'CS5', 'flash-override': 40 },
        'high-throughput-data': { routine: 8 },
      },
    };
    const flash = chooseDscp({ serviceClass: 'telephony', rspec: { R: 1, S: 0 }, precedence: 'flash' }, opts);
    assert.equal(flash.dscp, 40);
    assert.equal(flash.rule, 'precedence-override');
    assert.equal(flash.reason, 'telephony: configured marking for flash → CS5');
    // a level without its own marking falls through to the normal rules
    assert.equal(
      chooseDscp({ serviceClass: 'telephony', rspec: { R: 1, S: 0 }, precedence: 'routine' }, opts).dscp,
      46,
    );
    assert.equal(chooseDscp({ serviceClass: 'telephony', rspec: { R: 1, S: 0 } }, opts).dscp, 46);
    assert.equal(
      chooseDscp({ serviceClass: 'high-throughput-data', tspec: BULK, precedence: 'routine' }, opts).dscp,
      8,
    );
    // a class override still wins
    assert.equal(
      chooseDscp({ serviceClass: 'telephony', precedence: 'flash' }, { ...opts, classes: { telephony: 44 } })
        .rule,
      'class-override',
    );
  });

  it('accepts a pre-resolved configuration', () => {
    const cfg = resolveDscpChoiceOptions({ voiceAdmit: true });
    assert.equal(chooseDscp({ serviceClass: 'telephony', rspec: { R: 1, S: 0 } }, cfg).dscp, 44);
  });

  it('validates the request: class, Tspec, R ≥ r', () => {
    assert.throws(() => chooseDscp({ serviceClass: 'platinum' }), ServiceClassUnknownError);
    assert.throws(
      () => chooseDscp({ serviceClass: 'telephony', tspec: { ...G711, p: 1 } }),
      TspecInvalidError,
    );
    assert.throws(
      () => chooseDscp({ serviceClass: 'telephony', tspec: G711, rspec: { R: 9000, S: 0 } }),
      (e: unknown) => e instanceof RspecInvalidError && e.rule === 'rate-below-tspec-rate',
    );
    const jumbo: Tspec = { r: 1e6, b: 9000, p: 1e6, m: 64, M: 9000 };
    assert.throws(() => chooseDscp({ serviceClass: 'standard', tspec: jumbo }), TspecInvalidError);
    assert.equal(
      chooseDscp({ serviceClass: 'standard', tspec: jumbo }, { tspecValidation: { mtu: 9000 } }).dscp,
      0,
    );
  });

  it('rejects a bad configuration with a typed error', () => {
    const bad: DscpChoiceOptions[] = [
      { classes: { telephony: 64 } },
      { classes: { telephony: 'XX' } },
      { classes: { gold: 46 } as unknown as DscpChoiceOptions['classes'] },
      { guaranteedAfClass: 5 as 1 },
      { smoothPeakRatio: 0.5 },
      { smoothPeakRatio: NaN },
      { dropPrecedenceThresholds: [3, 2] },
      { dropPrecedenceThresholds: [0.5, 2] },
      { byPrecedence: { telephony: { flash: 99 } } },
      { byPrecedence: { telephony: { urgent: 46 } } as unknown as DscpChoiceOptions['byPrecedence'] },
      { byPrecedence: { gold: { flash: 46 } } as unknown as DscpChoiceOptions['byPrecedence'] },
    ];
    for (const opts of bad) {
      assert.throws(
        () => chooseDscp({ serviceClass: 'standard' }, opts),
        (e: unknown) => e instanceof QosConfigInvalidError && e.code === 'QOS_CONFIG_INVALID',
        JSON.stringify(opts),
      );
    }
  });
});

describe('burstiness', () => {
  it('p/r, with r = 0 handled', () => {
    assert.equal(peakToRateRatio(G711), 1);
    assert.equal(peakToRateRatio(BULK), 5);
    assert.equal(peakToRateRatio({ r: 0, b: 1, p: 0, m: 1, M: 1 }), 1);
    assert.equal(peakToRateRatio({ r: 0, b: 1, p: 5, m: 1, M: 1 }), Infinity);
  });
  it('maps to drop precedence at the thresholds (inclusive)', () => {
    const t: [number, number] = [1.5, 4];
    assert.deepEqual(
      [1, 1.5, 1.51, 4, 4.01, Infinity].map((x) => dropPrecedenceFor(x, t)),
      [1, 1, 2, 2, 3, 3],
    );
  });
});
