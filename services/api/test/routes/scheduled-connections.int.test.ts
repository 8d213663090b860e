// Scheduled connections hold capacity only for their window: with 600 Mbit/s left between the demo
// network's metro halves, two 400 Mbit/s connections in disjoint windows are both reserved (and
// both called at their start), while one overlapping either window — or one without an end — is
// refused. The API books through the gateway's real /v1/admissions; the SIP calls are real.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@svpn/api-contract';
import type { AdmissionEngine } from '@svpn/sip-gateway-service';
import { sessionIdOf } from '../../src/connections/connection-record.js';
import { call, startApiHarness, type ApiHarness } from '../support/api-harness.js';

const VPN = 'globex-grid';
let x: ApiHarness;
let base: string;
let engine: AdmissionEngine;

// grid-a (CE3 at PE2) → grid-b (CE4 at PE5) crosses the 1 Gbit/s P2–P3 bottleneck or the 2.5 Gbit/s
// P1–P4 detour. Other traffic, held in the ledger at the highest priority, leaves 600 Mbit/s: one
// 400 Mbit/s connection (402 Mbit/s with the tunnel's labels) fits at a time, two do not.
const OTHER_TRAFFIC = [
  { id: 'other-detour', links: ['P1-P4:P1->P4'], bandwidthBps: 2_500_000_000 },
  { id: 'other-bottleneck', links: ['P2-P3:P2->P3'], bandwidthBps: 400_000_000 },
];

before(async () => {
  x = await startApiHarness();
  base = x.api.url as string;
  await x.sipApp('grid-b', 'grid-b-secret', 'CE4', VPN);
  engine = x.h.gateway.admission as AdmissionEngine;
  for (const r of OTHER_TRAFFIC) {
    const admitted = engine.ledger.admit({ ...r, owner: 'test', setupPriority: 0, holdingPriority: 0 });
    assert.ok(admitted.ok);
  }
});
after(async () => {
  for (const r of OTHER_TRAFFIC) if (engine?.ledger.has(r.id)) engine.ledger.release(r.id);
  await x?.stop();
});

/** A 400 Mbit/s grid-a → grid-b connection from `from` to `to` ms after `t0` (null: none). */
async function reserve(
  t0: number,
  from: number | null,
  to: number | null,
  extra: Record<string, unknown> = {},
) {
  return call(base, x.appKey, 'POST', '/v1/connections', {
    vpnId: VPN,
    source: { application: 'grid-a' },
    destination: { application: 'grid-b' },
    bandwidthBps: 400_000_000,
    serviceClass: 'high-throughput-data',
    ...(from === null ? {} : { startTime: new Date(t0 + from).toISOString() }),
    ...(to === null ? {} : { endTime: new Date(t0 + to).toISOString() }),
    ...extra,
  });
}

async function get(id: string): Promise<Connection> {
  return (await call(base, x.appKey, 'GET', `/v1/connections/${id}`)).body as unknown as Connection;
}

async function terminate(id: string): Promise<void> {
  assert.equal((await call(base, x.appKey, 'POST', `/v1/connections/${id}/terminate`)).status, 200);
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

const HOUR = 3_600_000;

test('app-reserve-two-disjoint-windows-expect-both-booked-then-overlapping-and-open-ended-expect-capacity-unavailable', async () => {
  const t0 = Date.now();
  const first = await reserve(t0, HOUR, 2 * HOUR);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const second = await reserve(t0, 2 * HOUR, 3 * HOUR);
  assert.equal(second.status, 201, JSON.stringify(second.body));
  const ids = [first, second].map((r) => String(r.body['connectionId']));
  // Each is a booking of its own window in the gateway's ledger, not an open-ended aggregate flow.
  const windows = ids.map((id) => engine.booking(sessionIdOf(id, 1)));
  assert.deepEqual(
    windows.map((b) => b && [b.ingress, b.egress, b.bandwidthBps, b.end - b.start]),
    [
      ['PE2', 'PE5', 400_000_000, HOUR],
      ['PE2', 'PE5', 400_000_000, HOUR],
    ],
  );
  assert.ok(windows.every((b) => b?.links.includes('P2-P3:P2->P3')));
  assert.equal(engine.manager.flows().length, 0);

  const overlapping = await reserve(t0, 1.5 * HOUR, 2.5 * HOUR);
  assert.equal(overlapping.status, 409, JSON.stringify(overlapping.body));
  assert.equal(overlapping.body['code'], 'CAPACITY_UNAVAILABLE');
  // Without an end it would still be up in both windows.
  const openEnded = await reserve(t0, null, null);
  assert.equal(openEnded.status, 409, JSON.stringify(openEnded.body));
  assert.equal(openEnded.body['code'], 'CAPACITY_UNAVAILABLE');
  // One that ends before the first window starts gets the capacity now.
  const before = await reserve(t0, null, HOUR);
  assert.equal(before.status, 201, JSON.stringify(before.body));
  ids.push(String(before.body['connectionId']));

  for (const id of ids) await terminate(id);
  assert.deepEqual(engine.bookings(), [], 'terminate releases the bookings');
});

test('app-reserve-back-to-back-windows-expect-each-called-at-its-start-on-its-own-booking-and-released-at-its-end', async () => {
  const t0 = Date.now();
  const a = await reserve(t0, 1500, 4000, { autoCommit: true, autoProvision: true });
  const b = await reserve(t0, 4000, 6500, { autoCommit: true, autoProvision: true });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const [idA, idB] = [String(a.body['connectionId']), String(b.body['connectionId'])];
  const sessionB = sessionIdOf(idB, 1);
  assert.ok(engine.booking(sessionIdOf(idA, 1)) && engine.booking(sessionB), 'both booked at reserve');

  await waitFor(async () => (await get(idA)).states.dataPlaneStatus.active, 'A active at its start');
  const liveA = await get(idA);
  assert.equal(liveA.session?.lspId, `scheduled:${sessionIdOf(idA, 1)}`, 'A rides its own booking');
  await waitFor(async () => (await get(idB)).states.dataPlaneStatus.active, 'B active at its start');
  const liveB = await get(idB);
  assert.equal(liveB.session?.sessionId, sessionB, 'the INVITE found B’s booking');
  assert.equal(liveB.session?.lspId, `scheduled:${sessionB}`);
  assert.equal((await get(idA)).states.lifecycleState, 'PassedEndTime');
  await waitFor(
    async () => (await get(idB)).states.lifecycleState === 'PassedEndTime',
    'B passed its end time',
  );
  await waitFor(() => x.h.gateway.controller.liveSessions === 0, 'both calls ended');
  assert.deepEqual(engine.bookings(), [], 'nothing stays booked after the windows');
  assert.equal(engine.manager.flows().length, 0);
  await terminate(idA);
  await terminate(idB);
});

test('app-modify-end-time-of-a-scheduled-connection-expect-its-booking-follows-or-stays-when-the-window-is-taken', async () => {
  const t0 = Date.now();
  const a = await reserve(t0, HOUR, 2 * HOUR, { autoCommit: true });
  const b = await reserve(t0, 3 * HOUR, 4 * HOUR, { autoCommit: true });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const [idA, idB] = [String(a.body['connectionId']), String(b.body['connectionId'])];
  const s = sessionIdOf(idA, 1);
  const modify = (endTime: number) =>
    call(base, x.appKey, 'POST', `/v1/connections/${idA}/modify`, {
      endTime: new Date(t0 + endTime).toISOString(),
    });
  const op = (name: string) => call(base, x.appKey, 'POST', `/v1/connections/${idA}/${name}`);

  // A later end in free time: the booking is held for the longer window at once, and stays on commit.
  const longer = await modify(3 * HOUR);
  assert.equal(longer.status, 200, JSON.stringify(longer.body));
  assert.equal(engine.booking(s)?.end, t0 + 3 * HOUR);
  assert.equal((await op('commit')).status, 200);
  assert.equal(engine.booking(s)?.end, t0 + 3 * HOUR);
  // A modify given up (abort) puts the committed window back.
  assert.equal((await modify(2.5 * HOUR)).status, 200);
  assert.equal(engine.booking(s)?.end, t0 + 2.5 * HOUR);
  assert.equal((await op('abort')).status, 200);
  assert.equal(engine.booking(s)?.end, t0 + 3 * HOUR);
  // Into B's window there is no room for both: refused, the booking keeps its window.
  const overlapping = await modify(3.5 * HOUR);
  assert.equal(overlapping.status, 409, JSON.stringify(overlapping.body));
  assert.equal(overlapping.body['code'], 'CAPACITY_UNAVAILABLE');
  assert.deepEqual([engine.booking(s)?.start, engine.booking(s)?.end], [t0 + HOUR, t0 + 3 * HOUR]);
  assert.ok(engine.booking(sessionIdOf(idB, 1)), 'B is untouched');
  await terminate(idA);
  await terminate(idB);
  assert.deepEqual(engine.bookings(), []);
});
