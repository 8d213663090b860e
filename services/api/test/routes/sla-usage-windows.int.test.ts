// The SLA's usage limits apply in time: a scheduled connection counts against its customer's
// maxSessions only during its window. With globex limited to two sessions, three connections booked
// in disjoint windows are all reserved and a SIP call placed now still gets through (it overlaps one
// booking at a time); a booking or a call that would make three at once is refused. The policy is the
// real engine on Redis; the SIP calls are real.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SipError, type Dialog } from '@svpn/sip';
import type { Connection } from '@svpn/api-contract';
import type { Sla } from '@svpn/policy';
import { vpnOffer, type TestApplication } from '../../../sip-gateway/test/support/gateway-harness.js';
import { sessionIdOf } from '../../src/connections/connection-record.js';
import { call, startApiHarness, type ApiHarness } from '../support/api-harness.js';

const VPN = 'globex-grid';
const VPN_ID = '00000b:00000001';
const HOUR = 3_600_000;
let x: ApiHarness;
let base: string;
let gridA: TestApplication;
let sla: Sla;

before(async () => {
  x = await startApiHarness();
  base = x.api.url as string;
  gridA = await x.sipApp('grid-a', 'grid-a-secret', 'CE3', VPN);
  await x.sipApp('grid-b', 'grid-b-secret', 'CE4', VPN);
  sla = (await x.policyService.store.getSla('globex-grid')) as Sla;
});
after(async () => {
  if (sla !== undefined) await x.policyService.store.updateSla(sla);
  await x?.stop();
});

async function limitSessions(maxSessions: number): Promise<void> {
  await x.policyService.store.updateSla({ ...sla, maxSessions });
}

/** A 100 Mbit/s grid-a → grid-b connection from `from` to `to` ms after `t0`. */
function reserve(t0: number, from: number, to: number, extra: Record<string, unknown> = {}) {
  return call(base, x.appKey, 'POST', '/v1/connections', {
    vpnId: VPN,
    source: { application: 'grid-a' },
    destination: { application: 'grid-b' },
    bandwidthBps: 100_000_000,
    serviceClass: 'high-throughput-data',
    startTime: new Date(t0 + from).toISOString(),
    endTime: new Date(t0 + to).toISOString(),
    ...extra,
  });
}

async function get(id: string): Promise<Connection> {
  return (await call(base, x.appKey, 'GET', `/v1/connections/${id}`)).body as unknown as Connection;
}

async function terminate(id: string): Promise<void> {
  assert.equal((await call(base, x.appKey, 'POST', `/v1/connections/${id}/terminate`)).status, 200);
}

/** grid-a calls grid-b over SIP now (no a=svpn-duration: the SLA's maximum, 7 days, bounds it). */
function sipCall(): Promise<Dialog> {
  return gridA.agent.createUAC(`sip:grid-b@127.0.0.1:${x.h.gateway.sipAddress.port}`, {
    localSdp: vpnOffer({ vpnId: VPN_ID, kbps: 100_000 }),
    auth: { username: 'grid-a', password: 'grid-a-secret' },
    from: 'sip:grid-a@svpn.example.net',
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`timed out waiting for: ${what}`);
}

test('app-reserve-three-disjoint-windows-with-max-sessions-2-expect-booked-and-sip-call-now-expect-200', async () => {
  await limitSessions(2);
  const t0 = Date.now();
  const ids: string[] = [];
  for (let i = 1; i <= 3; i++) {
    const booked = await reserve(t0, i * HOUR, (i + 1) * HOUR);
    assert.equal(booked.status, 201, `booking ${i}: ${JSON.stringify(booked.body)}`);
    ids.push(String(booked.body['connectionId']));
  }
  // Each counts for exactly its window; none is in use now.
  const store = x.policyService.store;
  assert.deepEqual(await store.getUsage('globex'), { activeSessions: 0, reservedBps: 0 });
  const upcoming = await store.listUsage('globex', { upcoming: true });
  assert.deepEqual(
    upcoming.map((u) => [u.sessionId, u.start, u.end]),
    ids
      .map((id, i) => [sessionIdOf(id, 1), t0 + (i + 1) * HOUR, t0 + (i + 2) * HOUR])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );

  // A SIP call now overlaps every booking, but only one at a time: two sessions at most.
  const dialog = await sipCall();
  assert.deepEqual(await store.getUsage('globex'), { activeSessions: 1, reservedBps: 100_000_000 });

  // A fourth booking over two windows would make three sessions with the call.
  const overlapping = await reserve(t0, 1.5 * HOUR, 2.5 * HOUR);
  assert.equal(overlapping.status, 409, JSON.stringify(overlapping.body));
  assert.equal(overlapping.body['code'], 'CAPACITY_UNAVAILABLE');
  assert.match(String(overlapping.body['detail']), /sessions/);
  // So would a second open call now (it would still be up during the bookings).
  await assert.rejects(sipCall(), (e: unknown) => e instanceof SipError && e.status === 488);

  await dialog.destroy();
  await waitFor(() => x.h.gateway.controller.liveSessions === 0, 'the call ended');
  for (const id of ids) await terminate(id);
  assert.deepEqual(await store.listUsage('globex', { upcoming: true }), [], 'nothing stays counted');
});

test('app-reserve-back-to-back-windows-with-max-sessions-1-expect-each-called-at-its-start', async () => {
  // The call at A's start asks for whole seconds (up to a second past A's end, into B's window): its
  // claim stays within A's booking, so B does not make it a second session.
  await limitSessions(1);
  const t0 = Date.now();
  const a = await reserve(t0, 1500, 4000, { autoCommit: true, autoProvision: true });
  const b = await reserve(t0, 4000, 6500, { autoCommit: true, autoProvision: true });
  assert.equal(a.status, 201, JSON.stringify(a.body));
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const [idA, idB] = [String(a.body['connectionId']), String(b.body['connectionId'])];
  await waitFor(async () => (await get(idA)).states.dataPlaneStatus.active, 'A active at its start');
  const usageA = await x.policyService.store.getSessionUsage(sessionIdOf(idA, 1));
  assert.equal(usageA?.end, t0 + 4000, "A's call counts until A's end");
  await waitFor(async () => (await get(idB)).states.dataPlaneStatus.active, 'B active at its start');
  const liveB = await get(idB);
  assert.equal(liveB.lastError ?? null, null);
  await waitFor(
    async () => (await get(idB)).states.lifecycleState === 'PassedEndTime',
    'B passed its end time',
  );
  await waitFor(() => x.h.gateway.controller.liveSessions === 0, 'both calls ended');
  await terminate(idA);
  await terminate(idB);
});
