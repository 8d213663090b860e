// Scheduled bookings in the admission engine: a bounded window is reserved for exactly that window
// on the tiny network (PE1 ─10G─ P1 ─1G─ P2 ─10G─ PE2), where two 600 Mbit/s reservations never fit
// on the 1 Gbit/s core link at the same instant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdmissionEngine,
  MemoryFlowJournal,
  type ScheduledAdmissionRequest,
} from '../../src/admission/admission-engine.js';
import { admissionRequest, tinyNetwork } from '../support/tiny-network.js';

const MAM = '{ model: MAM, bcPercent: [100] }';
const HOUR = 3_600_000;
const T0 = 1_700_000_000_000;

/** An engine on the tiny network whose clock the test moves. */
async function engine(journal = new MemoryFlowJournal(), clock = { now: T0 }) {
  const e = await AdmissionEngine.open({
    topology: tinyNetwork(MAM),
    journal,
    bulkBps: 10_000_000,
    now: () => clock.now,
  });
  return { e, journal, clock };
}

/** The API's booking of a scheduled connection: `from`/`to` hours after T0 (`to` Infinity: no end). */
function booking(
  id: string,
  from: number,
  to: number,
  overrides: Partial<ScheduledAdmissionRequest> = {},
): ScheduledAdmissionRequest {
  const request = admissionRequest(id, {
    bandwidthBps: 600_000_000,
    minBps: 600_000_000,
    start: T0 + from * HOUR,
    end: Number.isFinite(to) ? T0 + to * HOUR : Number.POSITIVE_INFINITY,
    ...overrides,
  });
  return { ...request, scheduled: true };
}

/** A SIP session from now on, as the call controller asks (no `scheduled`). */
function session(id: string, bandwidthBps: number, overrides: Partial<ScheduledAdmissionRequest> = {}) {
  return admissionRequest(id, { bandwidthBps, minBps: bandwidthBps, start: T0, ...overrides });
}

// 600 Mbit/s = 75 000 000 B/s; two MPLS labels on 1500-byte packets: ⌈75e6 · 1508/1500⌉ B/s.
const BOOKED_BPS = 8 * Math.ceil((75_000_000 * 1508) / 1500);

test('two connections in disjoint windows both fit where only one fits at a time; an overlapping one is refused', async () => {
  const { e } = await engine();
  const a = await e.admit(booking('a', 1, 2));
  assert.ok(a.ok, !a.ok ? a.detail : '');
  assert.deepEqual(a.ok && [a.lspId, a.route, a.lspBandwidthBps], [
    'scheduled:a',
    ['PE1', 'P1', 'P2', 'PE2'],
    BOOKED_BPS,
  ]);
  // [1h, 2h) and [2h, 3h) are half-open: they touch but never overlap.
  const b = await e.admit(booking('b', 2, 3));
  assert.ok(b.ok, !b.ok ? b.detail : '');
  const c = await e.admit(booking('c', 1.5, 2.5));
  assert.equal(c.ok, false);
  assert.equal(!c.ok && c.reason, 'no-capacity');
  assert.deepEqual(
    e.ledger.reservations().map((r) => [r.id, r.start, r.end, r.bandwidthBps]),
    [
      ['a', T0 + HOUR, T0 + 2 * HOUR, BOOKED_BPS],
      ['b', T0 + 2 * HOUR, T0 + 3 * HOUR, BOOKED_BPS],
    ],
  );
  assert.deepEqual(e.manager.flows(), [], 'bookings are not aggregate flows');
  // The same two as open-ended sessions (what every booking was before) do not fit together.
  const { e: old } = await engine();
  assert.ok((await old.admit(session('a', 600_000_000))).ok);
  assert.equal((await old.admit(session('b', 600_000_000))).ok, false);
});

test('a booking that starts later and has no end is booked from its start on', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('later', 2, Infinity))).ok);
  assert.deepEqual(e.booking('later') && [e.booking('later')?.start, e.booking('later')?.end], [
    T0 + 2 * HOUR,
    Number.POSITIVE_INFINITY,
  ]);
  // Until it starts, the core link is free for a connection that ends in time.
  assert.ok((await e.admit(booking('before', 0, 2))).ok);
  assert.equal((await e.admit(booking('after', 3, 4))).ok, false);
});

test('a future booking takes no capacity now: a connection ending before its window gets the whole core link', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('tomorrow', 24, 25))).ok);
  // 950 Mbit/s for the next 24 hours: the booking is not there yet.
  const now = await e.admit(booking('today', 0, 24, { bandwidthBps: 950_000_000, minBps: 950_000_000 }));
  assert.ok(now.ok, !now.ok ? now.detail : '');
  assert.equal(e.booking('today')?.start, T0);
  // An open-ended SIP session will still be up tomorrow, so it sees what the booking leaves then:
  // the 1 Gbit/s link minus both bookings' overlap with [now, ∞).
  assert.equal((await e.admit(session('sip', 300_000_000))).ok, false, 'today + sip do not fit now');
  await e.release('today');
  assert.ok((await e.admit(session('sip', 300_000_000))).ok, 'the booking leaves 300 Mbit/s for it');
  assert.equal((await e.admit(session('sip2', 300_000_000))).ok, false);
});

test('a start in the past is booked from now: the elapsed part of the window holds nothing', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('late', -5, 1))).ok);
  assert.equal(e.booking('late')?.start, T0);
  assert.equal(e.ledger.get('late')?.start, T0);
  // A window that is over entirely is refused.
  const gone = await e.admit(booking('gone', -5, -1));
  assert.equal(gone.ok, false);
  assert.match(!gone.ok ? gone.detail : '', /window of gone is over/);
});

test('an unscheduled request and an open-ended booking keep the aggregate behaviour', async () => {
  const { e } = await engine();
  // The API's booking of a connection without start or end time: an open-ended flow in an aggregate.
  const open = await e.admit(booking('open', 0, Infinity, { bandwidthBps: 300_000_000, minBps: 0 }));
  assert.ok(open.ok);
  assert.match(open.ok ? open.lspId : '', /^aggregate:/);
  assert.ok(e.manager.flow('open'));
  // A SIP session capped at one hour (a finite end, no `scheduled`): an aggregate flow too.
  const capped = await e.admit(session('capped', 300_000_000, { end: T0 + HOUR }));
  assert.ok(capped.ok);
  assert.equal(capped.ok && open.ok && capped.lspId, open.ok && open.lspId);
  assert.deepEqual(e.bookings(), []);
});

test('idempotent per session id: the INVITE at the start finds the booking and counts nothing twice', async () => {
  const { e, journal, clock } = await engine();
  const booked = await e.admit(booking('s1', 1, 2));
  assert.ok(booked.ok);
  const writes = journal.entries.get('s1')?.seq;
  clock.now = T0 + HOUR;
  // What the call controller sends at the start: now until now + the rounded-up duration.
  const invite = await e.admit(session('s1', 600_000_000, { start: clock.now, end: clock.now + HOUR + 999 }));
  assert.deepEqual(invite, booked, 'the same tunnel, route and size for provisioning');
  // The API asking again (a retry) is answered alike.
  assert.deepEqual(await e.admit(booking('s1', 1, 2)), booked);
  assert.equal(e.ledger.size, 1);
  assert.deepEqual(e.manager.flows(), []);
  assert.equal(journal.entries.get('s1')?.seq, writes, 'nothing journalled twice');
});

test('release frees the window at once and is idempotent', async () => {
  const { e, journal } = await engine();
  assert.ok((await e.admit(booking('s1', 1, 2))).ok);
  assert.equal((await e.admit(booking('s2', 1, 2))).ok, false);
  assert.deepEqual(await e.release('s1'), { lspId: 'scheduled:s1', lspBandwidthBps: 0 });
  assert.equal(e.booking('s1'), undefined);
  assert.equal(journal.entries.has('s1'), false);
  assert.equal(await e.release('s1'), undefined, 'a second release finds nothing');
  assert.ok((await e.admit(booking('s2', 1, 2))).ok, 'the window is free for another connection');
});

test('RFC 3209 — a more important open-ended session preempts a booking in its way; the booking is reported ended', async () => {
  const { e, journal } = await engine();
  assert.ok((await e.admit(booking('routine-tomorrow', 24, 25))).ok);
  const flash = await e.admit(
    session('flash', 600_000_000, { level: 'flash', setupPriority: 1, holdingPriority: 1 }),
  );
  assert.ok(flash.ok, !flash.ok ? flash.detail : '');
  assert.deepEqual(flash.ok && flash.preempted, [{ sessionId: 'routine-tomorrow', action: 'end' }]);
  assert.equal(e.booking('routine-tomorrow'), undefined);
  assert.equal(e.ledger.has('routine-tomorrow'), false);
  assert.equal(journal.entries.has('routine-tomorrow'), false, 'the preempted booking leaves the journal');
  // A release of the preempted booking (the API tearing it down) finds nothing and does no harm.
  assert.equal(await e.release('routine-tomorrow'), undefined);
  assert.ok(e.manager.flow('flash'));
});

test('a booking never preempts: an overlapping one is refused even when more important', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('routine', 1, 2))).ok);
  const flash = await e.admit(
    booking('flash', 1, 2, { level: 'flash', setupPriority: 1, holdingPriority: 1 }),
  );
  assert.equal(flash.ok, false);
  assert.equal(!flash.ok && flash.reason, 'no-capacity');
  assert.ok(e.booking('routine'));
  // Nor does a less important open-ended session get past a flash booking.
  const { e: e2 } = await engine();
  assert.ok(
    (await e2.admit(booking('flash', 1, 2, { level: 'flash', setupPriority: 1, holdingPriority: 1 }))).ok,
  );
  assert.equal((await e2.admit(session('routine', 600_000_000))).ok, false);
  assert.ok(e2.booking('flash'));
});

test('resize changes a booking over its window: growing into another window is refused, the old size stays', async () => {
  const { e, journal } = await engine();
  assert.ok((await e.admit(booking('a', 1, 2, { bandwidthBps: 300_000_000 }))).ok);
  assert.ok((await e.admit(booking('b', 1.5, 3, { bandwidthBps: 300_000_000 }))).ok);
  const grown = await e.resize('a', 400_000_000);
  assert.ok(grown.ok, !grown.ok ? grown.detail : '');
  assert.equal(e.booking('a')?.bandwidthBps, 400_000_000);
  assert.equal(journal.entries.get('a')?.spec.tspec.r, 50_000_000, 'the new size is journalled');
  const refused = await e.resize('b', 700_000_000);
  assert.equal(refused.ok, false);
  assert.equal(e.booking('b')?.bandwidthBps, 300_000_000);
  assert.equal(e.ledger.get('b')?.bandwidthBps, 8 * Math.ceil((37_500_000 * 1508) / 1500));
});

test('VPN mobility — a booking moves to a path between the new PEs for the rest of its window', async () => {
  const { e, journal } = await engine();
  assert.ok((await e.admit(booking('m', 1, 2))).ok);
  const moved = await e.move('m', 'PE2', 'PE1');
  assert.ok(moved.ok, !moved.ok ? moved.detail : '');
  assert.deepEqual(moved.ok && moved.route, ['PE2', 'P2', 'P1', 'PE1']);
  assert.equal(journal.entries.get('m')?.spec.ingress, 'PE2');
  assert.deepEqual(journal.entries.get('m')?.window?.links, e.booking('m')?.links);
  // A PE the topology does not know: refused, the booking stays where it was.
  assert.equal((await e.move('m', 'PE9', 'PE1')).ok, false);
  assert.deepEqual(e.booking('m')?.links, e.ledger.get('m')?.links);
  assert.equal(e.booking('m')?.ingress, 'PE2');
});

test('expired windows: after its end a booking is dropped by the next change', async () => {
  const { e, journal, clock } = await engine();
  assert.ok((await e.admit(booking('past', 0, 1))).ok);
  clock.now = T0 + HOUR;
  // An open-ended session from now on does not count the window that ended (aggregates are [0, ∞)).
  assert.ok((await e.admit(session('sip', 900_000_000, { start: clock.now }))).ok);
  assert.equal(e.booking('past'), undefined);
  assert.equal(e.ledger.has('past'), false);
  assert.equal(journal.entries.has('past'), false);
});

test('restart: the journal rebuilds bookings and flows alike; a booking whose window ended is not replayed', async () => {
  const journal = new MemoryFlowJournal();
  const clock = { now: T0 };
  const { e: first } = await engine(journal, clock);
  assert.ok((await first.admit(booking('b1', 1, 2))).ok);
  assert.ok((await first.admit(session('f1', 300_000_000))).ok);
  assert.ok((await first.admit(booking('b2', 2, Infinity, { bandwidthBps: 300_000_000 }))).ok);
  assert.ok((await first.admit(booking('short', 0, 0.5, { bandwidthBps: 100_000_000 }))).ok);
  assert.deepEqual(journal.entries.get('b2')?.window, {
    start: T0 + 2 * HOUR,
    end: null,
    links: ['PE1-P1:PE1->P1', 'P1-P2:P1->P2', 'P2-PE2:P2->PE2'],
  });
  const { e: second } = await engine(journal, clock);
  assert.deepEqual(second.ledger.snapshot(), first.ledger.snapshot());
  assert.deepEqual(second.bookings(), first.bookings());
  // Later, after `short` ended: replayed without it, and its entry is gone.
  clock.now = T0 + HOUR;
  const { e: third } = await engine(journal, clock);
  assert.deepEqual(
    third.bookings().map((b) => b.id),
    ['b1', 'b2'],
  );
  assert.equal(third.ledger.has('short'), false);
  assert.equal(journal.entries.has('short'), false);
  // Numbering goes on after the replayed entries.
  const last = Math.max(...[...journal.entries.values()].map((x) => x.seq));
  assert.ok((await third.admit(booking('b3', 3, 4, { bandwidthBps: 100_000_000 }))).ok);
  assert.ok((journal.entries.get('b3')?.seq ?? 0) > last);
});

test('NSI modify: the API booking a booked session again moves its window on the same path, or leaves it as it was', async () => {
  const { e, journal } = await engine();
  assert.ok((await e.admit(booking('a', 1, 2))).ok);
  assert.ok((await e.admit(booking('b', 3, 4))).ok);
  const links = e.booking('a')?.links;
  // A later end: [1h, 3h) is free.
  const longer = await e.admit(booking('a', 1, 3));
  assert.ok(longer.ok, !longer.ok ? longer.detail : '');
  assert.deepEqual([e.booking('a')?.end, e.ledger.get('a')?.end], [T0 + 3 * HOUR, T0 + 3 * HOUR]);
  assert.deepEqual(e.booking('a')?.links, links);
  assert.equal(journal.entries.get('a')?.window?.end, T0 + 3 * HOUR);
  // Into b's window it does not fit: refused, a keeps [1h, 3h).
  const tooLong = await e.admit(booking('a', 1, 3.5));
  assert.equal(tooLong.ok, false);
  assert.deepEqual([e.booking('a')?.start, e.booking('a')?.end], [T0 + HOUR, T0 + 3 * HOUR]);
  assert.equal(e.ledger.get('a')?.end, T0 + 3 * HOUR);
  // A smaller bandwidth in the same window, then the same request again: nothing more changes.
  assert.ok((await e.admit(booking('a', 1, 3, { bandwidthBps: 300_000_000 }))).ok);
  assert.equal(e.booking('a')?.bandwidthBps, 300_000_000);
  const seq = journal.entries.get('a')?.seq;
  assert.ok((await e.admit(booking('a', 1, 3, { bandwidthBps: 300_000_000 }))).ok);
  assert.equal(journal.entries.get('a')?.seq, seq);
  // Now b's window has room for both at once.
  assert.ok((await e.admit(booking('a', 1, 4, { bandwidthBps: 300_000_000 }))).ok);
});

test('NSI modify of an open-ended connection: its flow takes the new bandwidth, and stays open-ended', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('open', 0, Infinity, { bandwidthBps: 300_000_000 }))).ok);
  const grown = await e.admit(booking('open', 0, 5, { bandwidthBps: 500_000_000 }));
  assert.ok(grown.ok, !grown.ok ? grown.detail : '');
  assert.equal(e.manager.flow('open')?.bandwidthBps, 500_000_000);
  assert.equal(e.booking('open'), undefined);
  assert.equal((await e.admit(booking('open', 0, 5, { bandwidthBps: 2_000_000_000 }))).ok, false);
  assert.equal(e.manager.flow('open')?.bandwidthBps, 500_000_000);
});

test('an open-ended session with no room on any path is refused for capacity; one between unconnected PEs for its path', async () => {
  const { e } = await engine();
  assert.ok((await e.admit(booking('tomorrow', 24, 25))).ok);
  // A new aggregate's CSPF finds the core link short over [now, ∞): the topology has a path, the
  // ledger has no room on it.
  const full = await e.admit(session('sip', 600_000_000));
  assert.equal(!full.ok && full.reason, 'no-capacity');
  const nowhere = await e.admit(session('sip2', 100_000_000, { egressPe: 'PE9' }));
  assert.equal(!nowhere.ok && nowhere.reason, 'no-path');
});
