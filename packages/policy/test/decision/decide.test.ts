import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PrecedenceMap } from '@svpn/qos';

import {
  DEFAULT_CLASS_TYPES,
  decide,
  PolicyConfigInvalidError,
  REFUSAL_CODES,
  REFUSALS,
  resolveDecisionOptions,
  type DecisionRequest,
  type Grant,
  type PolicyFacts,
  type RefusalCode,
  type Sla,
} from '../../src/index.js';
import { acme, acmeFacts, acmeSla, acmeStorage, primaryDc } from '../support/policy-fixtures.js';

const NOW = new Date('2025-01-15T11:00:00Z'); // a Wednesday, 12:00 in Paris

/** The acme SLA restricted to weekdays 08:00–20:00 in Paris. */
const weekdaySla: Sla = {
  ...acmeSla,
  timeWindows: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00', timeZone: 'Europe/Paris' },
  ],
};

function request(overrides: Partial<DecisionRequest> = {}): DecisionRequest {
  return {
    application: 'primary-dc',
    vpn: '00000a:00000001',
    serviceClass: 'high-throughput-data',
    bandwidthBps: 500_000_000,
    now: NOW,
    ...overrides,
  };
}

function granted(req: DecisionRequest, facts: PolicyFacts = acmeFacts()): Grant {
  const decision = decide(req, facts);
  assert.equal(decision.allow, true, decision.allow ? '' : `refused: ${decision.code} ${decision.reason}`);
  return decision as Grant;
}

describe('decide: every refusal, with its SIP status (table-driven)', () => {
  const rows: [
    name: string,
    code: RefusalCode,
    status: number,
    req: Partial<DecisionRequest>,
    facts: Partial<PolicyFacts>,
    reason: RegExp,
  ][] = [
    [
      'no such application',
      'unknown-application',
      403,
      {},
      { application: undefined },
      /primary-dc is not provisioned/,
    ],
    [
      'facts for another application',
      'unknown-application',
      403,
      { application: 'backup-dc' },
      {},
      /backup-dc/,
    ],
    [
      'disabled application',
      'application-disabled',
      403,
      {},
      { application: { ...primaryDc, enabled: false } },
      /disabled/,
    ],
    ['customer missing', 'unknown-customer', 403, {}, { customer: undefined }, /customer acme/],
    [
      'facts for another customer',
      'unknown-customer',
      403,
      {},
      { customer: { ...acme, id: 'globex' } },
      /customer acme/,
    ],
    [
      'disabled customer',
      'customer-disabled',
      403,
      {},
      { customer: { ...acme, enabled: false } },
      /acme is disabled/,
    ],
    [
      'unknown VPN',
      'unknown-vpn',
      403,
      { vpn: '00000f:00000001' },
      { vpn: undefined },
      /00000f:00000001 is not provisioned/,
    ],
    ['facts for another VPN', 'unknown-vpn', 403, { vpn: 'globex-grid' }, {}, /globex-grid/],
    [
      'not a member of the VPN',
      'not-a-member',
      403,
      {},
      { application: { ...primaryDc, vpns: ['00000b:00000001'] } },
      /not a member of VPN 00000a:00000001 \(acme-storage\)/,
    ],
    [
      'unknown Resource-Priority namespace',
      'unknown-resource-priority',
      417,
      { resourcePriority: 'acme.gold' },
      {},
      /namespace "acme"/,
    ],
    [
      'unknown value in a known namespace',
      'invalid-resource-priority',
      417,
      { resourcePriority: 'dsn.urgent' },
      {},
      /unknown priority "urgent"/,
    ],
    [
      'malformed Resource-Priority',
      'invalid-resource-priority',
      417,
      { resourcePriority: 'dsn' },
      {},
      /malformed/,
    ],
    ['SLA missing', 'no-sla', 403, {}, { sla: undefined }, /acme has no SLA/],
    [
      'facts hold another SLA',
      'no-sla',
      403,
      {},
      { sla: { ...acmeSla, id: 'globex-grid' } },
      /acme-standard/,
    ],
    [
      'precedence above the entitlement',
      'precedence-not-entitled',
      403,
      { resourcePriority: 'dsn.flash' },
      {},
      /flash exceeds the SLA entitlement dsn.priority/,
    ],
    [
      'precedence above the entitlement in another namespace',
      'precedence-not-entitled',
      403,
      { resourcePriority: 'q735.1' },
      {},
      /flash exceeds/,
    ],
    [
      'outside the SLA time window (Saturday)',
      'outside-time-window',
      403,
      { now: new Date('2025-01-18T11:00:00Z') },
      { sla: weekdaySla },
      /outside the SLA time windows \(mon,tue,wed,thu,fri 08:00-20:00 Europe\/Paris\)/,
    ],
    [
      'a scheduled start outside the window',
      'outside-time-window',
      403,
      { start: new Date('2025-01-15T22:00:00Z') },
      { sla: weekdaySla },
      /2025-01-15T22:00:00.000Z is outside/,
    ],
    ['unknown service class', 'unknown-service-class', 488, { serviceClass: 'platinum' }, {}, /"platinum"/],
    [
      'class not in the SLA',
      'service-class-not-allowed',
      488,
      { serviceClass: 'telephony' },
      {},
      /telephony is not in the SLA/,
    ],
    ['zero bandwidth', 'invalid-bandwidth', 488, { bandwidthBps: 0 }, {}, /not a positive whole number/],
    [
      'fractional bandwidth',
      'invalid-bandwidth',
      488,
      { bandwidthBps: 1.5 },
      {},
      /not a positive whole number/,
    ],
    [
      'over the per-session maximum',
      'session-bandwidth-exceeded',
      488,
      { bandwidthBps: 1_000_000_001 },
      {},
      /1 Gbit\/s per session/,
    ],
    [
      'longer than the SLA allows',
      'duration-exceeded',
      488,
      { durationS: 86_401 },
      {},
      /maximum duration of 86400 s/,
    ],
    [
      'a non-positive duration',
      'duration-exceeded',
      488,
      { durationS: 0 },
      {},
      /not a positive whole number/,
    ],
    [
      'running past the end of the time window',
      'duration-exceeded',
      488,
      { durationS: 8 * 3600 + 1 }, // 12:00 Paris + 8 h 1 s > 20:00
      { sla: weekdaySla },
      /28800 s left/,
    ],
    [
      'the customer already holds its maximum of sessions',
      'session-limit-reached',
      488,
      {},
      { usage: { activeSessions: 10, reservedBps: 100_000_000 } },
      /already holds 10 of 10 sessions/,
    ],
    [
      'the customer total would be exceeded',
      'total-bandwidth-exceeded',
      488,
      { bandwidthBps: 600_000_000 },
      { usage: { activeSessions: 2, reservedBps: 1_500_000_000 } },
      /600 Mbit\/s on top of 1.5 Gbit\/s in use exceeds the SLA total of 2 Gbit\/s/,
    ],
    [
      'a Tspec that breaks RFC 2210 (peak below rate)',
      'invalid-traffic-spec',
      488,
      { tspec: { r: 1000, b: 3000, p: 500, m: 64, M: 1500 } },
      {},
      /.+/,
    ],
  ];

  for (const [name, code, status, req, facts, reason] of rows) {
    it(`${name} → ${status} ${code}`, () => {
      const decision = decide(request(req), acmeFacts(facts));
      assert.equal(decision.allow, false);
      if (decision.allow) return;
      assert.equal(decision.code, code);
      assert.equal(decision.sipStatus, status);
      assert.equal(decision.sipReason, REFUSALS[code].sipReason);
      assert.match(decision.reason, reason);
    });
  }

  it('every refusal code has a row above', () => {
    const covered = new Set(rows.map((r) => r[1]));
    assert.deepEqual(
      REFUSAL_CODES.filter((c) => !covered.has(c)),
      [],
    );
  });

  it('417 lists the accepted values in Accept-Resource-Priority (RFC 4412 §3.2)', () => {
    const decision = decide(request({ resourcePriority: 'acme.gold' }), acmeFacts());
    assert.equal(decision.allow, false);
    if (decision.allow) return;
    assert.match(
      decision.acceptResourcePriority ?? '',
      /^dsn\.routine, dsn\.priority, .*dsn\.flash-override/,
    );
    const map = new PrecedenceMap({ acceptedNamespaces: ['dsn'] });
    const narrowed = decide(request({ resourcePriority: 'wps.1' }), acmeFacts(), { precedenceMap: map });
    assert.equal(narrowed.allow, false);
    if (narrowed.allow) return;
    assert.equal(narrowed.code, 'unknown-resource-priority');
    assert.equal(
      narrowed.acceptResourcePriority,
      'dsn.routine, dsn.priority, dsn.immediate, dsn.flash, dsn.flash-override',
    );
  });

  it('SLA data the broker cannot read refuses instead of crashing', () => {
    const oddEntitlement = acmeFacts({ sla: { ...acmeSla, maxPrecedence: 'acme.gold' } });
    const routine = decide(request(), oddEntitlement);
    assert.equal(routine.allow, true, 'an unreadable entitlement still allows routine');
    const priority = decide(request({ resourcePriority: 'dsn.priority' }), oddEntitlement);
    assert.equal(priority.allow ? 'allowed' : priority.code, 'precedence-not-entitled');
    const oddZone = acmeFacts({
      sla: {
        ...acmeSla,
        timeWindows: [{ days: ['wed'], from: '08:00', to: '20:00', timeZone: 'Mars/Base' }],
      },
    });
    const d = decide(request(), oddZone);
    assert.equal(d.allow ? 'allowed' : `${d.sipStatus} ${d.code}`, '403 outside-time-window');
  });

  it('the first failing check decides (membership before bandwidth)', () => {
    const decision = decide(
      request({ bandwidthBps: 5_000_000_000 }),
      acmeFacts({ application: { ...primaryDc, vpns: [] } }),
    );
    assert.equal(decision.allow ? 'allowed' : decision.code, 'not-a-member');
  });
});

describe('decide: grants', () => {
  it('the demo call: 500 Mbit/s high-throughput-data at routine on acme-storage', () => {
    const g = granted(request({ vpn: 'acme-storage', durationS: 3600 }));
    assert.deepEqual(
      { ...g, start: g.start.toISOString() },
      {
        allow: true,
        code: 'allowed',
        sipStatus: 200,
        reason: '500 Mbit/s high-throughput-data at routine on VPN 00000a:00000001 (acme-storage)',
        customerId: 'acme',
        application: 'primary-dc',
        vpnId: '00000a:00000001',
        vpnName: 'acme-storage',
        serviceClass: 'high-throughput-data',
        grantedBps: 500_000_000,
        dscp: 10, // AF11, RFC 4594 §4.8
        dscpReason: g.dscpReason,
        precedence: 'routine',
        setupPriority: 4,
        holdingPriority: 4,
        preemptionPriority: 10_000,
        defendingPriority: 10_000,
        classType: 0,
        maxDurationS: 3600,
        start: NOW.toISOString(),
        chargingProfile: 'acme-storage',
        mayShrink: true,
        minBps: 100_000_000,
      },
    );
    assert.match(g.dscpReason, /AF11/);
  });

  it('the VPN may be named by any spelling of its VPN-ID', () => {
    assert.equal(granted(request({ vpn: 'A:1' })).vpnId, '00000a:00000001');
  });

  it('precedence up to the entitlement maps to RSVP-TE and RFC 3181 priorities (PrecedenceMap)', () => {
    const g = granted(request({ resourcePriority: 'dsn.priority' }));
    assert.equal(g.precedence, 'priority');
    assert.deepEqual(
      [g.setupPriority, g.holdingPriority, g.preemptionPriority, g.defendingPriority],
      [3, 3, 20_000, 20_000],
    );
    // The highest value in an accepted namespace counts (RFC 4412 multiple values).
    assert.equal(granted(request({ resourcePriority: 'dsn.routine, wps.3' })).precedence, 'priority');
  });

  it('a flash entitlement lets a flash session through', () => {
    const g = granted(
      request({ resourcePriority: 'dsn.flash' }),
      acmeFacts({ sla: { ...acmeSla, maxPrecedence: 'dsn.flash' } }),
    );
    assert.deepEqual([g.precedence, g.setupPriority, g.preemptionPriority], ['flash', 1, 40_000]);
  });

  it('a configured default precedence applies without Resource-Priority', () => {
    const d = decide(request(), acmeFacts(), { defaultPrecedence: 'priority' });
    assert.equal(d.allow && d.precedence, 'priority');
  });

  it('exactly at the limits is allowed (≤, not <)', () => {
    const g = granted(
      request({ bandwidthBps: 1_000_000_000, durationS: 86_400 }),
      acmeFacts({ usage: { activeSessions: 9, reservedBps: 1_000_000_000 } }),
    );
    assert.equal(g.grantedBps, 1_000_000_000);
  });

  it('a change of a session counts only the delta and not a new session (re-INVITE)', () => {
    const usage = { activeSessions: 10, reservedBps: 2_000_000_000 };
    // The session holds 400 Mbit/s of the 2 Gbit/s; asking 400 → 400 still fits, 401 Mbit/s does not.
    assert.equal(
      granted(request({ bandwidthBps: 400_000_000, currentBps: 400_000_000 }), acmeFacts({ usage }))
        .grantedBps,
      400_000_000,
    );
    const more = decide(
      request({ bandwidthBps: 400_000_001, currentBps: 400_000_000 }),
      acmeFacts({ usage }),
    );
    assert.equal(more.allow ? 'allowed' : more.code, 'total-bandwidth-exceeded');
    const fresh = decide(request({ bandwidthBps: 1 }), acmeFacts({ usage }));
    assert.equal(fresh.allow ? 'allowed' : fresh.code, 'session-limit-reached');
  });

  it('maxDurationS is the least of the request, the SLA and the time left in the window', () => {
    assert.equal(granted(request()).maxDurationS, 86_400);
    assert.equal(granted(request({ durationS: 60 })).maxDurationS, 60);
    const windowed = acmeFacts({
      sla: {
        ...acmeSla,
        timeWindows: [{ days: ['wed'], from: '08:00', to: '20:00', timeZone: 'Europe/Paris' }],
      },
    });
    assert.equal(granted(request(), windowed).maxDurationS, 8 * 3600);
    const { maxDurationS: _drop, ...unlimited } = acmeSla;
    assert.equal(granted(request(), acmeFacts({ sla: unlimited })).maxDurationS, null);
  });

  it('a future start is checked against the window at that start', () => {
    const start = new Date('2025-01-15T17:00:00Z'); // 18:00 Paris
    const g = granted(
      request({ start }),
      acmeFacts({
        sla: {
          ...acmeSla,
          timeWindows: [{ days: ['wed'], from: '08:00', to: '20:00', timeZone: 'Europe/Paris' }],
        },
      }),
    );
    assert.equal(g.start.toISOString(), start.toISOString());
    assert.equal(g.maxDurationS, 7200);
    // A start in the past counts from now.
    assert.equal(
      granted(request({ start: new Date('2025-01-01T00:00:00Z') })).start.toISOString(),
      NOW.toISOString(),
    );
  });

  it('shrink floor: min(SLA floor, grant) when the SLA allows shrinking, else the grant', () => {
    assert.equal(granted(request({ bandwidthBps: 50_000_000 })).minBps, 50_000_000);
    assert.equal(
      granted(request(), acmeFacts({ sla: { ...acmeSla, mayShrink: false } })).minBps,
      500_000_000,
    );
    const { minBps: _floor, ...anyAmount } = acmeSla;
    assert.equal(granted(request(), acmeFacts({ sla: anyAmount })).minBps, 1);
  });

  it('DSCP: per-class default, AF drop precedence from the Tspec, configured per-precedence marking', () => {
    assert.equal(granted(request({ serviceClass: 'low-latency-data' })).dscp, 18); // AF21
    assert.equal(
      granted(request({ serviceClass: 'Multimedia Streaming' })).serviceClass,
      'multimedia-streaming',
    );
    const bursty = granted(request({ tspec: { r: 1_000_000, b: 100_000, p: 10_000_000, m: 64, M: 1500 } }));
    assert.equal(bursty.dscp, 14); // AF13: p/r = 10 > 4
    const d = decide(request({ resourcePriority: 'dsn.priority' }), acmeFacts(), {
      dscp: { byPrecedence: { 'high-throughput-data': { priority: 'AF12' } } },
    });
    assert.equal(d.allow && d.dscp, 12);
  });

  it('class type: the default map, or a configured one', () => {
    const facts = acmeFacts({
      sla: { ...acmeSla, serviceClasses: ['telephony', 'high-throughput-data', 'oam'] },
    });
    assert.equal(
      granted(request({ serviceClass: 'telephony' }), facts).classType,
      DEFAULT_CLASS_TYPES.telephony,
    );
    assert.equal(DEFAULT_CLASS_TYPES.telephony, 1);
    assert.equal(granted(request({ serviceClass: 'oam' }), facts).classType, 2);
    const d = decide(request(), facts, { classTypes: { 'high-throughput-data': 3 } });
    assert.equal(d.allow && d.classType, 3);
  });
});

describe('resolveDecisionOptions', () => {
  it('refuses an unknown class, a class type outside 0..7, an unknown level or a bad DSCP', () => {
    assert.throws(
      () => resolveDecisionOptions({ classTypes: { platinum: 1 } as never }),
      PolicyConfigInvalidError,
    );
    assert.throws(() => resolveDecisionOptions({ classTypes: { telephony: 8 } }), /0\.\.7/);
    assert.throws(() => resolveDecisionOptions({ defaultPrecedence: 'urgent' as never }), /urgent/);
    assert.throws(() => resolveDecisionOptions({ dscp: { classes: { telephony: 'XX99' } } }), /dscp:/);
  });

  it('resolved options are reused as they are', () => {
    const options = resolveDecisionOptions({ classTypes: { standard: 5 } });
    const facts = acmeFacts({ sla: { ...acmeSla, serviceClasses: ['standard'] } });
    const d = decide(request({ serviceClass: 'standard' }), facts, options);
    assert.equal(d.allow && d.classType, 5);
    assert.equal(acmeStorage.name, 'acme-storage');
  });
});
