// The admission engine on a real Redis journal (DESIGN §5: a restarted leader replays it) and behind
// its real HTTP API: scheduled bookings survive a restart with their windows and paths, an entry
// written before bookings existed still replays as a flow, a window that ended is not replayed, and
// the `scheduled` flag reaches the leader through HttpAdmissionClient.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import type { FlowSpec } from '@svpn/te';
import { KeySpace, RedisFlowJournal } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { AdmissionEngine, type ScheduledAdmissionRequest } from '../../src/admission/admission-engine.js';
import type { AdmissionRequest } from '../../src/ports.js';
import { admissionRoutes } from '../../src/admission/admission-routes.js';
import { HttpAdmissionClient } from '../../src/admission/http-admission-client.js';
import { admissionRequest, tinyNetwork } from '../support/tiny-network.js';

const MAM = '{ model: MAM, bcPercent: [100] }';
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

let server: RedisServerHandle;
const clients: Redis[] = [];
before(async () => {
  server = await startRedisServer();
});
after(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

async function leaderJournal(prefix: string) {
  const redis = new Redis(server.url);
  clients.push(redis);
  const keys = new KeySpace(prefix);
  const journal = new RedisFlowJournal<FlowSpec>(redis, keys);
  assert.ok(await journal.acquireLeadership(`gw-${prefix}`, 60_000));
  return { redis, keys, journal };
}

/** What the API sends for a connection: a scheduled booking request. */
function scheduledRequest(id: string, overrides: Partial<AdmissionRequest>): ScheduledAdmissionRequest {
  return { ...admissionRequest(id, overrides), scheduled: true };
}

function open(journal: RedisFlowJournal<FlowSpec>, clock: { now: number }) {
  return AdmissionEngine.open({ topology: tinyNetwork(MAM), journal, now: () => clock.now });
}

test('restart on Redis: bookings come back with their windows and paths; an older flow entry replays as a flow; an ended window does not', async () => {
  const { redis, keys, journal } = await leaderJournal('replay');
  // A flow journalled by a gateway from before scheduled bookings: seq and spec, no window.
  const old: FlowSpec = {
    id: 'old-flow',
    ingress: 'PE1',
    egress: 'PE2',
    classType: 0,
    level: 'routine',
    tspec: { r: 12_500_000, b: 1500, p: 12_500_000, m: 1500, M: 1500 },
    owner: 'session',
  };
  await redis.hset(keys.key('ledger', 'flows'), 'old-flow', JSON.stringify({ seq: 1, spec: old }));
  const clock = { now: T0 };
  const first = await open(journal, clock);
  assert.ok(first.manager.flow('old-flow'), 'the old entry is a flow again');
  const book = (id: string, from: number, to: number, bps: number) =>
    first.admit(
      scheduledRequest(id, {
        bandwidthBps: bps,
        start: T0 + from * HOUR,
        end: T0 + to * HOUR,
      }),
    );
  assert.ok((await book('morning', 1, 2, 600_000_000)).ok);
  assert.ok((await book('noon', 2, 3, 600_000_000)).ok);
  assert.ok((await book('soon-over', 0, 0.5, 100_000_000)).ok);
  assert.ok((await first.admit(admissionRequest('sip', { bandwidthBps: 200_000_000, start: T0 }))).ok);

  const second = await open(journal, clock);
  assert.deepEqual(second.ledger.snapshot(), first.ledger.snapshot());
  assert.deepEqual(second.bookings(), first.bookings());
  assert.deepEqual(
    second.manager.flows().map((f) => f.id),
    ['old-flow', 'sip'],
  );

  clock.now = T0 + HOUR;
  const third = await open(journal, clock);
  assert.deepEqual(
    third.bookings().map((b) => b.id),
    ['morning', 'noon'],
  );
  assert.equal(third.ledger.has('soon-over'), false);
  assert.equal(await redis.hexists(keys.key('ledger', 'flows'), 'soon-over'), 0, 'its entry is gone');
  // Disjoint windows still both hold; an overlapping one is still refused after the restarts.
  const overlap = await third.admit(
    scheduledRequest('overlap', {
      bandwidthBps: 600_000_000,
      start: T0 + 1.5 * HOUR,
      end: T0 + 2.5 * HOUR,
    }),
  );
  assert.equal(overlap.ok, false);
  // Released bookings leave the journal.
  await third.release('morning');
  const fourth = await open(journal, clock);
  assert.deepEqual(
    fourth.bookings().map((b) => b.id),
    ['noon'],
  );
});

test('the scheduled flag reaches the leader over HTTP; without it the request is an aggregate flow', async () => {
  const { journal } = await leaderJournal('http');
  const clock = { now: T0 };
  const engine = await open(journal, clock);
  const app = Fastify();
  await app.register(admissionRoutes, { admission: engine });
  await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const { port } = app.server.address() as { port: number };
    const client = new HttpAdmissionClient({ baseUrl: `http://127.0.0.1:${port}` });
    const booked = await client.admit(scheduledRequest('b', { start: T0 + HOUR, end: T0 + 2 * HOUR }));
    assert.ok(booked.ok && booked.lspId === 'scheduled:b', JSON.stringify(booked));
    assert.equal(engine.booking('b')?.end, T0 + 2 * HOUR);
    const flow = await client.admit(admissionRequest('f', { start: T0, end: T0 + 2 * HOUR }));
    assert.ok(flow.ok && flow.lspId.startsWith('aggregate:'), JSON.stringify(flow));
    assert.ok(engine.manager.flow('f'));
    // No end (null on the wire): from a later start on it is a booking without end; from now on, a flow.
    const later = await client.admit(
      scheduledRequest('later', { start: T0 + 3 * HOUR, end: Number.POSITIVE_INFINITY }),
    );
    assert.ok(later.ok, JSON.stringify(later));
    assert.equal(engine.booking('later')?.end, Number.POSITIVE_INFINITY);
    const open = await client.admit(scheduledRequest('open', { start: T0, end: Number.POSITIVE_INFINITY }));
    assert.ok(open.ok && open.lspId.startsWith('aggregate:'), JSON.stringify(open));
    assert.deepEqual(await client.release('b'), { lspId: 'scheduled:b', lspBandwidthBps: 0 });
    assert.equal(engine.booking('b'), undefined);
  } finally {
    await app.close();
  }
});
