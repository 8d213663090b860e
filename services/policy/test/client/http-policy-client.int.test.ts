import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { silentLogger } from '@svpn/service-kit';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';

import {
  createHttpPolicyClient,
  createPolicyClient,
  PolicyClientError,
  startPolicyService,
  type PolicyClient,
  type PolicyService,
} from '../../src/index.js';

const NOW = new Date('2025-01-15T11:00:00Z');

let server: RedisServerHandle;
let service: PolicyService;
let http: PolicyClient;
let local: PolicyClient;
const redisConnections: Redis[] = [];

before(async () => {
  server = await startRedisServer();
  service = await startPolicyService(
    {
      httpHost: '127.0.0.1',
      httpPort: 0,
      redisUrl: server.url,
      keyPrefix: `t-${randomUUID()}`,
      realm: 'svpn.example.net',
      readCacheTtlMs: 2_000,
      demo: true,
    },
    { log: silentLogger(), clock: () => NOW },
  );
  http = createHttpPolicyClient(service.url as string);
  local = createPolicyClient(service.store, { clock: () => NOW });
});
after(async () => {
  await service.stop();
  await Promise.all(redisConnections.map((c) => c.quit()));
  await server.stop();
});

describe('startPolicyService + createHttpPolicyClient (the gateway in another process)', () => {
  it('starts on Redis with the demo data and listens on loopback', () => {
    assert.match(service.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(service.seeded?.created.length, 12);
  });

  it('answers every lookup as the in-process client does', async () => {
    const asks: [string, (c: PolicyClient) => Promise<unknown>][] = [
      ['credentials', (c) => c.credentials('primary-dc', 'svpn.example.net', 'MD5')],
      ['credentials, other realm', (c) => c.credentials('primary-dc', 'example.org', 'MD5')],
      ['credentials, unknown user', (c) => c.credentials('mallory', 'svpn.example.net', 'SHA-256')],
      ['membership', (c) => c.membership('grid-c', 'globex-archive')],
      ['membership, not a member', (c) => c.membership('grid-b', '00000b:00000002')],
      ['site', (c) => c.site('CE5')],
      ['site, unknown', (c) => c.site('CE42')],
      ['customerOf', (c) => c.customerOf('grid-b')],
      ['customerOf, unknown', (c) => c.customerOf('nobody')],
      ['application', (c) => c.application('backup-dc')],
      ['resolveVpn by name', (c) => c.resolveVpn('acme-storage')],
      ['resolveVpn by short VPN-ID', (c) => c.resolveVpn('b:1')],
      ['resolveVpn, unknown', (c) => c.resolveVpn('c:1')],
    ];
    for (const [what, ask] of asks) assert.deepEqual(await ask(http), await ask(local), what);
    assert.match((await http.credentials('primary-dc', 'svpn.example.net', 'MD5')) ?? '', /^[0-9a-f]{32}$/);
  });

  it('decides, counts and releases over HTTP, the grant start back as a Date', async () => {
    const start = new Date('2025-01-15T12:00:00Z');
    const request = {
      application: 'grid-a',
      vpn: 'globex-grid',
      serviceClass: 'high-throughput-data',
      bandwidthBps: 800_000_000,
      resourcePriority: 'dsn.flash',
      start,
      durationS: 600,
    };
    const grant = await http.decide(request, 'sess-1');
    assert.equal(grant.allow, true);
    if (!grant.allow) return;
    assert.ok(grant.start instanceof Date);
    assert.equal(grant.start.toISOString(), start.toISOString());
    assert.deepEqual([grant.precedence, grant.setupPriority, grant.maxDurationS], ['flash', 1, 600]);
    // Counted over the window it asked for: 12:00 for 600 s.
    assert.deepEqual(await service.store.getSessionUsage('sess-1', NOW.getTime()), {
      sessionId: 'sess-1',
      customerId: 'globex',
      bps: 800_000_000,
      start: start.getTime(),
      end: start.getTime() + 600_000,
    });
    // An exact end travels as RFC 3339 (and null as open).
    const end = new Date('2025-01-15T12:30:00.250Z');
    assert.equal((await http.decide({ ...request, end }, 'sess-2')).allow, true);
    assert.equal((await service.store.getSessionUsage('sess-2', NOW.getTime()))?.end, end.getTime());
    assert.equal((await http.decide({ ...request, end: null }, 'sess-3')).allow, true);
    assert.equal((await service.store.getSessionUsage('sess-3', NOW.getTime()))?.end, null);
    await http.releaseUsage('sess-2');
    await http.releaseUsage('sess-3');
    const refusal = await http.decide({
      application: 'grid-a',
      vpn: 'acme-storage',
      serviceClass: 'standard',
      bandwidthBps: 1,
    });
    assert.deepEqual(refusal.allow ? [] : [refusal.sipStatus, refusal.code], [403, 'not-a-member']);
    await http.releaseUsage('sess-1');
    assert.equal(await service.store.getSessionUsage('sess-1', NOW.getTime()), undefined);
  });

  it('fails with a typed error when the service refuses the request or is not there', async () => {
    await assert.rejects(
      http.decide({ application: 'bad name!', vpn: 'x', serviceClass: 'standard', bandwidthBps: 1 }),
      (e: unknown) => e instanceof PolicyClientError && e.status === 400,
    );
    const nowhere = createHttpPolicyClient('http://127.0.0.1:9/', { timeoutMs: 500 });
    await assert.rejects(
      nowhere.site('CE1'),
      (e: unknown) => e instanceof PolicyClientError && e.status === undefined,
    );
  });
});
