/**
 * Two API replicas on one Redis, each a whole API service (HTTP, SIP agent, connection service):
 * requests go to either; the replica holding the timer lease fires the hold timeouts, also of
 * reservations the other one made; when it stops, the other takes the lease and fires the pending
 * timer; the per-key rate limit counts requests on both.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@svpn/api-contract';
import { sessionIdOf } from '../../src/connections/connection-record.js';
import type { ApiService } from '../../src/start-api-service.js';
import { call, startApiHarness, type ApiHarness } from '../support/api-harness.js';

let x: ApiHarness;
let first: ApiService;
let second: ApiService;

// A short lease (renewed every second; long enough for a loaded machine's event-loop stalls), so the
// hand-over is quick; two-second holds.
const CONFIG = { holdTimeoutS: 2, leaderLeaseMs: 3000, timerPollMs: 100, rateLimitPerMinute: 60 };

before(async () => {
  x = await startApiHarness(CONFIG);
  first = x.api;
  second = await x.replica(CONFIG);
  await x.sipApp('grid-b', 'grid-b-secret', 'CE4', 'globex-grid');
});
after(async () => {
  await x?.stop();
});

const reserveBody = {
  vpnId: 'globex-grid',
  source: { application: 'grid-a' },
  destination: { application: 'grid-b' },
  bandwidthBps: 10_000_000,
};

/** The stored connection, read in process (polling over HTTP would spend the key's rate limit). */
async function state(api: ApiService, id: string): Promise<Connection> {
  return api.connections.get(id, { application: null, operator: true });
}

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function metric(api: ApiService, name: string): Promise<string | undefined> {
  const text = await (await fetch(`${api.url as string}/metrics`)).text();
  return new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
}

test('the per-key rate limit counts requests on both replicas', async () => {
  const key = (await first.keys.issue({ name: 'rate', scopes: ['connections:read'], application: 'grid-c' }))
    .key;
  for (let i = 0; i < 60; i++) {
    const r = await call((i % 2 === 0 ? first : second).url as string, key, 'GET', '/v1/me');
    assert.equal(r.status, 200, `request ${i + 1}`);
  }
  for (const api of [first, second]) {
    const refused = await call(api.url as string, key, 'GET', '/v1/me');
    assert.equal(refused.status, 429);
    assert.match(refused.contentType, /application\/problem\+json/);
  }
});

test('a reservation held on the standby times out once, fired by the lease holder', async () => {
  assert.equal(first.timerLease.held, true);
  assert.equal(second.timerLease.held, false);
  assert.equal(await metric(first, 'svpn_api_timer_lease_held'), '1');
  assert.equal(await metric(second, 'svpn_api_timer_lease_held'), '0');
  const reserved = await call(second.url as string, x.appKey, 'POST', '/v1/connections', reserveBody);
  assert.equal(reserved.status, 201, JSON.stringify(reserved.body));
  const c = reserved.body as unknown as Connection;
  assert.ok(x.h.gateway.admission?.manager.flow(sessionIdOf(c.connectionId, 1)), 'booked');
  await until(
    async () => (await state(first, c.connectionId)).states.reservationState === 'ReserveTimeout',
    'ReserveTimeout',
  );
  // The booking is given back after the state change is stored: wait for it rather than race it.
  await until(
    () => x.h.gateway.admission?.manager.flow(sessionIdOf(c.connectionId, 1)) === undefined,
    'freed',
  );
  await new Promise((r) => setTimeout(r, 300));
  const history = await call(
    second.url as string,
    x.appKey,
    'GET',
    `/v1/connections/${c.connectionId}/events`,
  );
  assert.deepEqual(
    (history.body['events'] as { type: string }[]).map((e) => e.type),
    ['reserveConfirmed', 'reserveTimeout'],
  );
});

test('the holder stops: the other replica takes the lease and fires the timer of a reservation the holder made', async () => {
  const reserved = await call(first.url as string, x.appKey, 'POST', '/v1/connections', reserveBody);
  assert.equal(reserved.status, 201);
  const c = reserved.body as unknown as Connection;
  await first.stop(); // the lease is released: the other replica takes it at its next try
  await until(() => second.timerLease.held, 'the second replica holds the lease', 4000);
  await until(
    async () => (await state(second, c.connectionId)).states.reservationState === 'ReserveTimeout',
    'ReserveTimeout fired by the second replica',
  );
  await until(
    () => x.h.gateway.admission?.manager.flow(sessionIdOf(c.connectionId, 1)) === undefined,
    'freed',
  );
  const history = await call(
    second.url as string,
    x.appKey,
    'GET',
    `/v1/connections/${c.connectionId}/events`,
  );
  assert.deepEqual(
    (history.body['events'] as { type: string }[]).map((e) => e.type),
    ['reserveConfirmed', 'reserveTimeout'],
  );
});
