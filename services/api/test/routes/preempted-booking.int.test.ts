// A scheduled connection's booking preempted before its start (no call to end): the admission
// leader's preemption notice reaches the API, which records the lost reservation as NSI does —
// lifecycle Created → Failed (forcedEnd) with an errorEvent to webhooks and SSE, and the query
// shows who took it. The whole svpn on a private Redis; the gateway's real /v1/admissions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { Connection, ConnectionEvent } from '@svpn/api-contract';
import type { AdmissionEngine } from '@svpn/sip-gateway-service';
import { KeySpace, publishPreemptionNotices } from '@svpn/store';
import { sessionIdOf } from '../../src/connections/connection-record.js';
import { RedisConnectionStore } from '../../src/connections/connection-store.js';
import { call, startApiHarness, type ApiHarness } from '../support/api-harness.js';

const VPN = 'globex-grid';
const HOUR = 3_600_000;
let x: ApiHarness;
let base: string;
let engine: AdmissionEngine;

// grid-a (PE2) → grid-b (PE5): other traffic at the highest priority leaves 600 Mbit/s between the
// metro halves, so a 400 Mbit/s booking and a 400 Mbit/s open-ended session do not fit together.
const OTHER_TRAFFIC = [
  { id: 'other-detour', links: ['P1-P4:P1->P4'], bandwidthBps: 2_500_000_000 },
  { id: 'other-bottleneck', links: ['P2-P3:P2->P3'], bandwidthBps: 400_000_000 },
];

before(async () => {
  x = await startApiHarness({ timerPollMs: 100 });
  base = x.api.url as string;
  await x.sipApp('grid-b', 'grid-b-secret', 'CE4', VPN);
  engine = x.h.gateway.admission as AdmissionEngine;
  for (const r of OTHER_TRAFFIC) {
    assert.ok(engine.ledger.admit({ ...r, owner: 'test', setupPriority: 0, holdingPriority: 0 }).ok);
  }
});
after(async () => {
  for (const r of OTHER_TRAFFIC) if (engine?.ledger.has(r.id)) engine.ledger.release(r.id);
  await x?.stop();
});

async function reserve(body: Record<string, unknown>): Promise<Connection> {
  const r = await call(base, x.appKey, 'POST', '/v1/connections', {
    vpnId: VPN,
    source: { application: 'grid-a' },
    destination: { application: 'grid-b' },
    bandwidthBps: 400_000_000,
    autoCommit: true,
    ...body,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as unknown as Connection;
}

/** Tomorrow's routine booking, committed and provisioned (its call is due at the start). */
async function tomorrow(): Promise<Connection> {
  const t0 = Date.now();
  const c = await reserve({
    startTime: new Date(t0 + HOUR).toISOString(),
    endTime: new Date(t0 + 2 * HOUR).toISOString(),
    autoProvision: true,
  });
  assert.equal(c.states.provisionState, 'Provisioned');
  assert.ok(engine.booking(sessionIdOf(c.connectionId, 1)), 'booked in the ledger');
  return c;
}

async function get(id: string): Promise<Connection> {
  return (await call(base, x.appKey, 'GET', `/v1/connections/${id}`)).body as unknown as Connection;
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function terminate(id: string): Promise<void> {
  assert.equal((await call(base, x.appKey, 'POST', `/v1/connections/${id}/terminate`)).status, 200);
}

test('app-booking-preempted-by-flash-expect-failed-with-errorEvent-on-webhook-and-sse', async () => {
  const received: ConnectionEvent[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as ConnectionEvent);
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sse: string[] = [];
  const stream = httpRequest(`${base}/v1/events?access_token=${encodeURIComponent(x.appKey)}`);
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
    const hook = await call(base, x.appKey, 'POST', '/v1/webhooks', { url, events: ['errorEvent'] });
    assert.equal(hook.status, 201);
    await new Promise<void>((resolve, reject) => {
      stream.on('response', (res) => {
        res.on('data', (d: Buffer) => sse.push(d.toString()));
        resolve();
      });
      stream.on('error', reject);
      stream.end();
    });

    const booked = await tomorrow();
    const bookedSession = sessionIdOf(booked.connectionId, 1);
    // A more important open-ended session (flash) needs the capacity now: the ledger preempts the booking.
    const flash = await reserve({ priority: 'dsn.flash' });
    assert.equal(flash.states.reservationState, 'ReserveStart', 'the flash connection is committed');
    assert.equal(engine.booking(bookedSession), undefined, 'the booking lost its window');

    await waitFor(
      'the booked connection to fail',
      async () => (await get(booked.connectionId)).states.lifecycleState === 'Failed',
    );
    const failed = await get(booked.connectionId);
    assert.equal(failed.lastError?.code, 'RESOURCE_UNAVAILABLE');
    assert.match(
      failed.lastError?.detail ?? '',
      /preempted by a more important session \(s-[0-9a-f]+, flash\)/,
    );
    assert.equal(failed.states.dataPlaneStatus.active, false);
    const history = (await call(base, x.appKey, 'GET', `/v1/connections/${booked.connectionId}/events`)).body;
    const types = (history['events'] as ConnectionEvent[]).map((e) => e.type);
    assert.equal(types.filter((t) => t === 'errorEvent').length, 1, `one errorEvent: ${types.join()}`);
    // Nothing is left of it: no start or end timer, no booking, no usage under its session id.
    const store = new RedisConnectionStore(x.h.redis);
    assert.deepEqual(
      (await store.timers()).filter((t) => t.connectionId === booked.connectionId),
      [],
    );
    // Subscribers heard of it like of any other state change.
    await waitFor('the webhook', () => received.some((e) => e.connectionId === booked.connectionId));
    const delivered = received.find((e) => e.connectionId === booked.connectionId);
    assert.equal(delivered?.type, 'errorEvent');
    assert.equal(delivered?.states.lifecycleState, 'Failed');
    assert.match(delivered?.detail ?? '', /preempted/);
    await waitFor(
      'the SSE event',
      () =>
        sse.join('').includes(`"connectionId":"${booked.connectionId}"`) &&
        /"type":"errorEvent"/.test(sse.join('')),
    );
    assert.match(
      sse.join(''),
      new RegExp(
        `"connectionId":"${booked.connectionId}"[^\\n]*"type":"errorEvent"[^\\n]*"lifecycleState":"Failed"`,
      ),
    );
    // The flash connection is untouched; a Failed connection only accepts terminate (NSI CS 2.0).
    assert.equal((await get(flash.connectionId)).states.lifecycleState, 'Created');
    assert.equal(
      (await call(base, x.appKey, 'POST', `/v1/connections/${booked.connectionId}/provision`)).status,
      409,
    );
    await terminate(booked.connectionId);
    await terminate(flash.connectionId);
    await call(base, x.appKey, 'DELETE', `/v1/webhooks/${String(hook.body['id'])}`);
  } finally {
    stream.destroy();
    server.close();
  }
});

test('app-booking-preempted-while-the-api-is-down-expect-failed-after-restart', async () => {
  const booked = await tomorrow();
  await x.api.stop();
  // A flash SIP session admitted at the gateway meanwhile takes the window.
  const flash = await engine.admit({
    sessionId: 'sip-flash-1',
    ingressPe: 'PE2',
    egressPe: 'PE5',
    bandwidthBps: 400_000_000,
    classType: 0,
    setupPriority: 1,
    holdingPriority: 1,
    level: 'flash',
    start: Date.now(),
    end: Number.POSITIVE_INFINITY,
    mayShrink: false,
    minBps: 400_000_000,
  });
  assert.ok(flash.ok && flash.preempted.some((p) => p.sessionId === sessionIdOf(booked.connectionId, 1)));
  await x.restart({ timerPollMs: 100 });
  base = x.api.url as string;
  await waitFor(
    'the connection to fail after the restart',
    async () => (await get(booked.connectionId)).states.lifecycleState === 'Failed',
  );
  assert.match((await get(booked.connectionId)).lastError?.detail ?? '', /sip-flash-1, flash/);
  await engine.release('sip-flash-1');
  await terminate(booked.connectionId);
});

test('a notice the ledger contradicts (still held) or for an earlier call changes nothing', async () => {
  const booked = await tomorrow();
  const session = sessionIdOf(booked.connectionId, 1);
  const keys = new KeySpace('svpn');
  const notice = (sessionId: string) => ({
    noticeId: `n-${sessionId}-${Date.now()}`,
    sessionId,
    action: 'end' as const,
    booking: true,
    cause: 'admit' as const,
    preemptorSessionId: 'someone',
    at: Date.now(),
  });
  await publishPreemptionNotices(x.h.redis, keys, [
    notice(session),
    notice(sessionIdOf(booked.connectionId, 0)),
  ]);
  // A real one for another booking comes after them: once it is handled, so were they.
  const marker = await reserve({
    bandwidthBps: 1_000_000,
    startTime: new Date(Date.now() + 3 * HOUR).toISOString(),
    endTime: new Date(Date.now() + 4 * HOUR).toISOString(),
  });
  const markerSession = sessionIdOf(marker.connectionId, 1);
  await engine.release(markerSession);
  await publishPreemptionNotices(x.h.redis, keys, [notice(markerSession)]);
  await waitFor(
    'the marker connection to fail',
    async () => (await get(marker.connectionId)).states.lifecycleState === 'Failed',
  );
  const still = await get(booked.connectionId);
  assert.equal(still.states.lifecycleState, 'Created', 'the booking the ledger still holds stays');
  assert.equal(still.lastError, null);
  assert.ok(engine.booking(session));
  await terminate(booked.connectionId);
  await terminate(marker.connectionId);
});
