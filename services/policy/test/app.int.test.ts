import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { computeHa1 } from '@svpn/sip';
import { pingRedis } from '@svpn/service-kit';
import { KeySpace, RedisPolicyStore } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';

import { buildApp, seedDemoData } from '../src/index.js';

let server: RedisServerHandle;
const connections: Redis[] = [];
const cleanups: (() => Promise<void>)[] = [];

function connect(): Redis {
  const redis = new Redis(server.url, { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

const WEDNESDAY_NOON_PARIS = new Date('2025-01-15T11:00:00Z');
const SATURDAY_NOON_PARIS = new Date('2025-01-18T11:00:00Z');

interface Harness {
  app: FastifyInstance;
  prefix: string;
  setNow(at: Date): void;
}

/** A policy app on its own key prefix, with the demo data and a clock the test moves (the fastify/demo `build(t)`). */
async function build(): Promise<Harness> {
  const prefix = `t-${randomUUID()}`;
  const redis = connect();
  const store = new RedisPolicyStore(redis, { keys: new KeySpace(prefix) });
  await seedDemoData(store);
  let now = WEDNESDAY_NOON_PARIS;
  const { app } = buildApp({ store, clock: () => now, checks: { redis: () => pingRedis(redis) } });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    await store.close();
  });
  return { app, prefix, setNow: (at) => (now = at) };
}

before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const cleanup of cleanups) await cleanup();
  await Promise.all(connections.map((c) => c.quit().catch(() => c.disconnect())));
  await server.stop();
});

const PROBLEM = 'application/problem+json; charset=utf-8';

describe('POST /v1/decisions on the demo data', () => {
  let h: Harness;
  before(async () => {
    h = await build();
  });
  const decide = async (body: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      payload: {
        application: 'primary-dc',
        vpn: '00000a:00000001',
        serviceClass: 'high-throughput-data',
        ...body,
      },
    });

  it('allows the demo call with everything the gateway needs', async () => {
    const res = await decide({
      bandwidthBps: 500_000_000,
      resourcePriority: 'dsn.priority',
      durationS: 3600,
    });
    assert.equal(res.statusCode, 200);
    const d = res.json();
    assert.deepEqual(
      {
        allow: d.allow,
        sipStatus: d.sipStatus,
        grantedBps: d.grantedBps,
        dscp: d.dscp,
        precedence: d.precedence,
        setupPriority: d.setupPriority,
        holdingPriority: d.holdingPriority,
        classType: d.classType,
        maxDurationS: d.maxDurationS,
        chargingProfile: d.chargingProfile,
        vpnName: d.vpnName,
        customerId: d.customerId,
        start: d.start,
        mayShrink: d.mayShrink,
        minBps: d.minBps,
      },
      {
        allow: true,
        sipStatus: 200,
        grantedBps: 500_000_000,
        dscp: 10,
        precedence: 'priority',
        setupPriority: 3,
        holdingPriority: 3,
        classType: 0,
        maxDurationS: 3600,
        chargingProfile: 'acme-storage',
        vpnName: 'acme-storage',
        customerId: 'acme',
        start: WEDNESDAY_NOON_PARIS.toISOString(),
        mayShrink: true,
        minBps: 100_000_000,
      },
    );
  });

  it('488 over the SLA (1.5 Gbit/s asked, 1 Gbit/s per session)', async () => {
    const d = (await decide({ bandwidthBps: 1_500_000_000 })).json();
    assert.deepEqual([d.allow, d.sipStatus, d.code], [false, 488, 'session-bandwidth-exceeded']);
    assert.match(d.reason, /1\.5 Gbit\/s exceeds the SLA maximum of 1 Gbit\/s per session/);
  });

  it('488 for a class outside the SLA', async () => {
    const d = (await decide({ bandwidthBps: 1_000_000, serviceClass: 'telephony' })).json();
    assert.deepEqual([d.sipStatus, d.code], [488, 'service-class-not-allowed']);
  });

  it('403 for a VPN the application is not a member of', async () => {
    const d = (await decide({ bandwidthBps: 1_000_000, vpn: 'globex-grid' })).json();
    assert.deepEqual([d.allow, d.sipStatus, d.code], [false, 403, 'not-a-member']);
  });

  it('403 for a precedence above the entitlement; globex may use flash; 417 for an unknown namespace', async () => {
    const flash = (await decide({ bandwidthBps: 1_000_000, resourcePriority: 'dsn.flash' })).json();
    assert.deepEqual([flash.sipStatus, flash.code], [403, 'precedence-not-entitled']);
    const globex = (
      await decide({
        application: 'grid-a',
        vpn: 'globex-grid',
        bandwidthBps: 1_000_000,
        resourcePriority: 'dsn.flash',
      })
    ).json();
    assert.deepEqual([globex.allow, globex.precedence, globex.setupPriority], [true, 'flash', 1]);
    const unknown = (await decide({ bandwidthBps: 1_000_000, resourcePriority: 'acme.gold' })).json();
    assert.deepEqual([unknown.sipStatus, unknown.code], [417, 'unknown-resource-priority']);
    assert.match(unknown.acceptResourcePriority, /dsn\.routine/);
  });

  it('403 outside the SLA time window (injected clock), allowed inside with the time left as the cap', async () => {
    const patched = await h.app.inject({
      method: 'PATCH',
      url: '/v1/slas/acme-storage',
      payload: {
        timeWindows: [
          { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '20:00', timeZone: 'Europe/Paris' },
        ],
      },
    });
    assert.equal(patched.statusCode, 200);
    h.setNow(SATURDAY_NOON_PARIS);
    const weekend = (await decide({ bandwidthBps: 1_000_000 })).json();
    assert.deepEqual([weekend.allow, weekend.sipStatus, weekend.code], [false, 403, 'outside-time-window']);
    h.setNow(WEDNESDAY_NOON_PARIS);
    const weekday = (await decide({ bandwidthBps: 1_000_000 })).json();
    assert.deepEqual([weekday.allow, weekday.maxDurationS], [true, 8 * 3600]);
  });

  it('with a sessionId the grant is counted; DELETE /v1/usage/:id releases it', async () => {
    const first = (await decide({ bandwidthBps: 1_000_000_000, sessionId: 'call-1' })).json();
    assert.equal(first.allow, true);
    await decide({ bandwidthBps: 1_000_000_000, sessionId: 'call-2' });
    const third = (await decide({ bandwidthBps: 1, sessionId: 'call-3' })).json();
    assert.deepEqual([third.sipStatus, third.code], [488, 'total-bandwidth-exceeded']);
    const usage = await h.app.inject({ method: 'GET', url: '/v1/customers/acme/usage' });
    // Each claim shows its window: from now until the time left in the SLA window (8 h).
    const window = { start: '2025-01-15T11:00:00.000Z', end: '2025-01-15T19:00:00.000Z' };
    assert.deepEqual(usage.json(), {
      customerId: 'acme',
      at: '2025-01-15T11:00:00.000Z',
      activeSessions: 2,
      reservedBps: 2_000_000_000,
      sessions: [
        { sessionId: 'call-1', bps: 1_000_000_000, ...window },
        { sessionId: 'call-2', bps: 1_000_000_000, ...window },
      ],
      upcoming: [],
    });
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/v1/usage/call-1' })).statusCode, 204);
    assert.equal((await h.app.inject({ method: 'DELETE', url: '/v1/usage/call-1' })).statusCode, 204);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/v1/customers/acme/usage' })).json().activeSessions,
      1,
    );
    assert.equal((await h.app.inject({ method: 'GET', url: '/v1/customers/nobody/usage' })).statusCode, 404);
  });

  it('a booking with start and end counts only in its window; the usage view lists it as upcoming', async () => {
    const b = await build();
    const book = (sessionId: string, start: string, end: string | null, bps = 1_000_000_000) =>
      b.app.inject({
        method: 'POST',
        url: '/v1/decisions',
        payload: {
          application: 'primary-dc',
          vpn: 'acme-storage',
          serviceClass: 'high-throughput-data',
          bandwidthBps: bps,
          start,
          end,
          sessionId,
        },
      });
    // Tomorrow 12:00–13:00: 2 Gbit/s, the customer's whole total then.
    for (const id of ['t-1', 't-2']) {
      const booked = await book(id, '2025-01-16T12:00:00Z', '2025-01-16T13:00:00Z');
      assert.deepEqual([booked.statusCode, booked.json().allow], [200, true], id);
    }
    const overlapping = (await book('t-3', '2025-01-16T12:59:59Z', '2025-01-16T14:00:00Z', 1)).json();
    assert.deepEqual([overlapping.sipStatus, overlapping.code], [488, 'total-bandwidth-exceeded']);
    const after = (await book('t-4', '2025-01-16T13:00:00Z', '2025-01-16T14:00:00Z')).json();
    assert.equal(after.allow, true, 'a booking from 13:00 starts as they end');
    // Now (Wednesday 11:00) the customer holds nothing: the view shows the bookings as upcoming.
    const usage = (await b.app.inject({ method: 'GET', url: '/v1/customers/acme/usage' })).json();
    assert.deepEqual([usage.activeSessions, usage.reservedBps, usage.sessions], [0, 0, []]);
    assert.deepEqual(
      usage.upcoming.map((u: { sessionId: string; start: string; end: string }) => [
        u.sessionId,
        u.start,
        u.end,
      ]),
      [
        ['t-1', '2025-01-16T12:00:00.000Z', '2025-01-16T13:00:00.000Z'],
        ['t-2', '2025-01-16T12:00:00.000Z', '2025-01-16T13:00:00.000Z'],
        ['t-4', '2025-01-16T13:00:00.000Z', '2025-01-16T14:00:00.000Z'],
      ],
    );
    // At 12:30 tomorrow they are in use.
    b.setNow(new Date('2025-01-16T12:30:00Z'));
    const then = (await b.app.inject({ method: 'GET', url: '/v1/customers/acme/usage' })).json();
    assert.deepEqual([then.activeSessions, then.reservedBps, then.upcoming.length], [2, 2_000_000_000, 1]);
    const bad = await book('t-5', '2025-01-16T12:00:00Z', 'soon');
    assert.deepEqual([bad.statusCode, bad.json().code], [400, 'SVPN_VALIDATION']);
  });

  it('a malformed request is a 400 problem, not a refusal', async () => {
    const missing = await h.app.inject({
      method: 'POST',
      url: '/v1/decisions',
      payload: { application: 'primary-dc' },
    });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.headers['content-type'], PROBLEM);
    assert.equal(missing.json().code, 'SVPN_VALIDATION');
    const extra = await decide({ bandwidthBps: 1, bandwidth: 5 });
    assert.equal(extra.statusCode, 400, 'unknown fields are refused, not dropped');
    const badStart = await decide({ bandwidthBps: 1, start: 'tomorrow' });
    assert.equal(badStart.statusCode, 400);
  });

  it('/metrics counts decisions by outcome; /healthz and /readyz answer', async () => {
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /svpn_policy_decisions_total\{outcome="allowed",sip_status="200"\} [1-9]/);
    assert.match(metrics, /svpn_policy_decisions_total\{outcome="not-a-member",sip_status="403"\} 1/);
    assert.equal((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    assert.deepEqual([ready.statusCode, ready.json().checks], [200, { redis: 'ok' }]);
  });
});

describe('hot-path lookups', () => {
  let h: Harness;
  before(async () => {
    h = await build();
  });

  it('GET /v1/credentials/:username answers H(A1) for the realm and algorithm', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/v1/credentials/primary-dc?realm=svpn.example.net&algorithm=MD5',
    });
    assert.equal(res.statusCode, 200);
    const expected = computeHa1({
      username: 'primary-dc',
      realm: 'svpn.example.net',
      password: 'primary-secret',
      algorithm: 'MD5',
    });
    assert.deepEqual(res.json(), {
      username: 'primary-dc',
      realm: 'svpn.example.net',
      algorithm: 'MD5',
      ha1: expected,
    });
    const sha = (await h.app.inject({ method: 'GET', url: '/v1/credentials/backup-dc' })).json();
    assert.equal(sha.algorithm, 'SHA-256');
    assert.equal(
      sha.ha1,
      computeHa1({
        username: 'backup-dc',
        realm: 'svpn.example.net',
        password: 'backup-secret',
        algorithm: 'SHA-256',
      }),
    );
    const otherRealm = await h.app.inject({
      method: 'GET',
      url: '/v1/credentials/primary-dc?realm=example.org',
    });
    assert.deepEqual([otherRealm.statusCode, otherRealm.headers['content-type']], [404, PROBLEM]);
    const badAlgorithm = await h.app.inject({
      method: 'GET',
      url: '/v1/credentials/primary-dc?algorithm=SHA-1',
    });
    assert.equal(badAlgorithm.statusCode, 400);
  });

  it('GET /v1/memberships/:application/:vpn and /v1/sites/:ce', async () => {
    const m = (await h.app.inject({ method: 'GET', url: '/v1/memberships/backup-dc/acme-storage' })).json();
    assert.deepEqual(
      [m.member, m.vpnId, m.rd, m.routeTargets],
      [true, '00000a:00000001', '65000:1', ['target:65000:1']],
    );
    const no = (await h.app.inject({ method: 'GET', url: '/v1/memberships/grid-b/globex-archive' })).json();
    assert.deepEqual(no, { member: false });
    const site = (await h.app.inject({ method: 'GET', url: '/v1/sites/CE2' })).json();
    assert.deepEqual(site, { ce: 'CE2', pe: 'PE4', interface: 'ge-0/0/1.100', customerId: 'acme' });
    assert.equal((await h.app.inject({ method: 'GET', url: '/v1/sites/CE99' })).statusCode, 404);
  });
});

describe('admin CRUD', () => {
  let h: Harness;
  before(async () => {
    h = await build();
  });
  const inject = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

  const bronze = {
    id: 'bronze',
    maxSessionBps: 10_000_000,
    maxTotalBps: 50_000_000,
    maxSessions: 5,
    serviceClasses: ['standard'],
    maxPrecedence: 'dsn.routine',
    mayShrink: false,
    chargingProfile: 'bronze',
  };

  it('SLAs: create (201 + Location), conflict, invalid, read, replace, patch, delete', async () => {
    const created = await inject('POST', '/v1/slas', bronze);
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, '/v1/slas/bronze');
    assert.deepEqual(created.json(), bronze);
    const dup = await inject('POST', '/v1/slas', bronze);
    assert.deepEqual(
      [dup.statusCode, dup.headers['content-type'], dup.json().code],
      [409, PROBLEM, 'SVPN_POLICY_CONFLICT'],
    );
    const invalid = await inject('POST', '/v1/slas', {
      ...bronze,
      id: 'tin',
      maxSessionBps: 60_000_000,
      maxPrecedence: 'x.y',
    });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().code, 'SVPN_POLICY_DATA_INVALID');
    assert.deepEqual(
      invalid.json().errors.map((e: { path: string }) => e.path),
      ['/maxSessionBps', '/maxPrecedence'],
    );
    const schemaInvalid = await inject('POST', '/v1/slas', {
      ...bronze,
      id: 'tin',
      serviceClasses: ['gold'],
    });
    assert.deepEqual([schemaInvalid.statusCode, schemaInvalid.json().code], [400, 'SVPN_VALIDATION']);
    const typo = await inject('POST', '/v1/slas', { ...bronze, id: 'tin', maxSesions: 3 });
    assert.equal(typo.statusCode, 400, 'unknown fields are refused');
    assert.deepEqual(
      (await inject('GET', '/v1/slas')).json().map((s: { id: string }) => s.id),
      ['acme-storage', 'bronze', 'globex-grid'],
    );
    const { id: _id, ...rest } = bronze;
    assert.equal((await inject('PUT', '/v1/slas/bronze', { ...rest, maxSessions: 7 })).json().maxSessions, 7);
    assert.equal((await inject('PATCH', '/v1/slas/bronze', { maxSessions: 8 })).json().maxSessions, 8);
    assert.equal((await inject('GET', '/v1/slas/bronze')).json().maxSessions, 8);
    assert.equal((await inject('PATCH', '/v1/slas/nope', { maxSessions: 8 })).statusCode, 404);
    const inUse = await inject('DELETE', '/v1/slas/acme-storage');
    assert.deepEqual([inUse.statusCode, inUse.json().code], [409, 'SVPN_POLICY_REFERENCE']);
    assert.equal((await inject('DELETE', '/v1/slas/bronze')).statusCode, 204);
    const gone = await inject('GET', '/v1/slas/bronze');
    assert.deepEqual(
      [gone.statusCode, gone.headers['content-type'], gone.json().status],
      [404, PROBLEM, 404],
    );
  });

  it('customers: defaults, references, CE ownership', async () => {
    await inject('POST', '/v1/slas', { ...bronze, id: 'initech-sla' });
    const created = await inject('POST', '/v1/customers', {
      id: 'initech',
      name: 'Initech',
      slaId: 'initech-sla',
      sites: [{ ce: 'CE6', pe: 'PE3', interface: 'ge-0/0/3.300' }],
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().enabled, true);
    const noSla = await inject('POST', '/v1/customers', { id: 'hooli', name: 'Hooli', slaId: 'ghost' });
    assert.deepEqual([noSla.statusCode, noSla.json().code], [409, 'SVPN_POLICY_REFERENCE']);
    const stolen = await inject('POST', '/v1/customers', {
      id: 'hooli',
      name: 'Hooli',
      slaId: 'initech-sla',
      sites: [{ ce: 'CE1', pe: 'PE1', interface: 'ge-0/0/1.100' }],
    });
    assert.deepEqual(
      [stolen.statusCode, stolen.json().detail],
      [409, 'CE CE1 is already a site of customer acme'],
    );
    const patched = await inject('PATCH', '/v1/customers/initech', { enabled: false });
    assert.deepEqual([patched.json().enabled, patched.json().sites.length], [false, 1]);
    assert.equal((await inject('DELETE', '/v1/customers/initech')).statusCode, 204);
  });

  it('VPNs: canonical VPN-ID, addressed by id or name, RD/RT checked', async () => {
    const created = await inject('POST', '/v1/vpns', {
      vpnId: 'A:2',
      name: 'acme-backup',
      customerId: 'acme',
      rd: '65000:10',
      importTargets: ['65000:10'],
      exportTargets: ['target:65000:10'],
    });
    assert.equal(created.statusCode, 201);
    assert.equal(created.headers.location, '/v1/vpns/00000a%3A00000002');
    assert.deepEqual(
      [created.json().vpnId, created.json().importTargets],
      ['00000a:00000002', ['target:65000:10']],
    );
    assert.equal((await inject('GET', '/v1/vpns/acme-backup')).json().vpnId, '00000a:00000002');
    assert.equal((await inject('GET', '/v1/vpns/a:2')).json().name, 'acme-backup');
    const renamed = await inject('PATCH', '/v1/vpns/acme-backup', { name: 'acme-dr' });
    assert.equal(renamed.json().name, 'acme-dr');
    assert.equal((await inject('GET', '/v1/vpns/acme-backup')).statusCode, 404);
    const badRd = await inject('PATCH', '/v1/vpns/acme-dr', { rd: '70000:70000' });
    assert.deepEqual([badRd.statusCode, badRd.json().errors[0].path], [400, '/rd']);
    const nameTaken = await inject('PATCH', '/v1/vpns/acme-dr', { name: 'acme-storage' });
    assert.equal(nameTaken.statusCode, 409);
    assert.equal(
      (await inject('DELETE', '/v1/vpns/acme-storage')).statusCode,
      409,
      'applications are members',
    );
    assert.equal((await inject('DELETE', '/v1/vpns/acme-dr')).statusCode, 204);
  });

  it('applications: the password becomes H(A1) and is never returned', async () => {
    const created = await inject('POST', '/v1/applications', {
      name: 'tertiary-dc',
      customerId: 'acme',
      password: 'tertiary-secret',
      ce: 'CE2',
      vpns: ['acme-storage'],
    });
    assert.equal(created.statusCode, 201);
    assert.deepEqual(created.json(), {
      name: 'tertiary-dc',
      customerId: 'acme',
      realm: 'svpn.example.net',
      ce: 'CE2',
      vpns: ['00000a:00000001'],
      enabled: true,
    });
    const ha1 = (password: string) =>
      computeHa1({ username: 'tertiary-dc', realm: 'svpn.example.net', password, algorithm: 'SHA-256' });
    const credentials = async () =>
      (await inject('GET', '/v1/credentials/tertiary-dc?algorithm=SHA-256')).json().ha1 as string;
    assert.equal(await credentials(), ha1('tertiary-secret'));
    assert.equal(
      (
        await inject('PUT', '/v1/applications/tertiary-dc', { customerId: 'acme', ce: 'CE1', vpns: ['a:1'] })
      ).json().ce,
      'CE1',
    );
    assert.equal(await credentials(), ha1('tertiary-secret'), 'a replace without password keeps the H(A1)');
    await inject('PATCH', '/v1/applications/tertiary-dc', { password: 'changed-secret' });
    assert.equal(await credentials(), ha1('changed-secret'));
    for (const url of ['/v1/applications', '/v1/applications/tertiary-dc']) {
      const body = (await inject('GET', url)).body;
      assert.equal(/ha1|password|secret/i.test(body), false, `${url} shows no digest material`);
    }
    const unknownVpn = await inject('POST', '/v1/applications', {
      name: 'x-dc',
      customerId: 'acme',
      password: 'x-secret-x',
      ce: 'CE1',
      vpns: ['nowhere'],
    });
    assert.deepEqual([unknownVpn.statusCode, unknownVpn.json().detail], [409, 'VPN nowhere does not exist']);
    const foreignCe = await inject('POST', '/v1/applications', {
      name: 'x-dc',
      customerId: 'acme',
      password: 'x-secret-x',
      ce: 'CE3',
    });
    assert.deepEqual([foreignCe.statusCode, foreignCe.json().code], [409, 'SVPN_POLICY_REFERENCE']);
    const short = await inject('POST', '/v1/applications', {
      name: 'x-dc',
      customerId: 'acme',
      password: 'short',
      ce: 'CE1',
    });
    assert.equal(short.statusCode, 400);
    assert.equal((await inject('DELETE', '/v1/applications/tertiary-dc')).statusCode, 204);
    assert.equal((await inject('GET', '/v1/applications/tertiary-dc')).statusCode, 404);
  });

  it('every write is announced on <prefix>:{policy}:changed', async () => {
    const sub = connect();
    const messages: unknown[] = [];
    sub.on('message', (_c: string, m: string) => messages.push(JSON.parse(m)));
    await sub.subscribe(`${h.prefix}:{policy}:changed`);
    await inject('PATCH', '/v1/slas/globex-grid', { maxSessions: 30 });
    const deadline = Date.now() + 2000;
    while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(messages, [{ kind: 'sla', id: 'globex-grid', op: 'update' }]);
  });
});
