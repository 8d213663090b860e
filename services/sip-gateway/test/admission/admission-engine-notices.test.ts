// The admission engine announces every preemption's victims (the notices every holder reads), before
// the journal writes of the same change, and tells what a session holds now. Tiny network:
// PE1 ─10G─ P1 ─1G─ P2 ─10G─ PE2, so the 1 Gbit/s core link decides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePreemptionNotice, type PreemptionNotice } from '@svpn/store';
import {
  AdmissionEngine,
  MemoryFlowJournal,
  type JournalEntry,
  type ScheduledAdmissionRequest,
} from '../../src/admission/admission-engine.js';
import { admissionRequest as request, tinyNetwork } from '../support/tiny-network.js';

const MAM = '{ model: MAM, bcPercent: [100] }';
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const FLASH = { level: 'flash', setupPriority: 1, holdingPriority: 1 } as const;

/** A journal and a notice port writing into one log, so the order of their writes shows. */
function recorder(options: { failNotices?: boolean } = {}) {
  const log: string[] = [];
  const notices: PreemptionNotice[] = [];
  const journal = new MemoryFlowJournal();
  const put = journal.put.bind(journal);
  const remove = journal.remove.bind(journal);
  journal.put = (entry: JournalEntry) => {
    log.push(`put ${entry.spec.id}`);
    return put(entry);
  };
  journal.remove = (id: string) => {
    log.push(`remove ${id}`);
    return remove(id);
  };
  const port = {
    publish(batch: PreemptionNotice[]): Promise<void> {
      // Each notice must pass the stream's contract, as publishPreemptionNotices checks it.
      for (const n of batch) parsePreemptionNotice(n);
      log.push(`notice ${batch.map((n) => n.sessionId).join(',')}`);
      notices.push(...batch);
      return options.failNotices === true ? Promise.reject(new Error('redis down')) : Promise.resolve();
    },
  };
  return { log, notices, journal, port };
}

async function engine(r = recorder()) {
  const e = await AdmissionEngine.open({
    topology: tinyNetwork(MAM),
    journal: r.journal,
    notices: r.port,
    bulkBps: 10_000_000,
    now: () => T0,
  });
  return { e, ...r };
}

test('RFC 3209 — the victims of an admission are announced with the preemptor, before the journal writes of that change', async () => {
  const { e, log, notices } = await engine();
  for (const id of ['r1', 'r2', 'r3']) assert.ok((await e.admit(request(id))).ok);
  log.length = 0;
  const flash = await e.admit(request('f', { ...FLASH, bandwidthBps: 400_000_000, minBps: 400_000_000 }));
  assert.ok(flash.ok, !flash.ok ? flash.detail : '');
  const ended = flash.preempted.map((p) => p.sessionId);
  assert.ok(ended.length >= 1);
  assert.deepEqual(
    notices.map((n) => [n.sessionId, n.action, n.cause, n.preemptorSessionId, n.preemptorLevel, n.booking]),
    ended.map((id) => [id, 'end', 'admit', 'f', 'flash', false]),
    'one notice per victim the caller was told of',
  );
  assert.equal(new Set(notices.map((n) => n.noticeId)).size, notices.length, 'notice ids are unique');
  assert.ok(notices.every((n) => n.at === T0));
  assert.equal(log[0], `notice ${ended.join(',')}`, `the notices go first: ${log.join(' | ')}`);
  for (const id of ended) assert.ok(log.includes(`remove ${id}`), `${id} left the journal`);
  for (const id of ended) assert.equal(e.holding(id), undefined, 'a victim holds nothing');
});

test('RFC 4495 — a victim that may shrink is announced with the bandwidth it keeps, and the ledger says so', async () => {
  const { e, notices } = await engine();
  assert.ok(
    (await e.admit(request('big', { bandwidthBps: 900_000_000, mayShrink: true, minBps: 300_000_000 }))).ok,
  );
  assert.equal(e.holding('big')?.bandwidthBps, 900_000_000);
  const flash = await e.admit(request('f', { ...FLASH, bandwidthBps: 300_000_000 }));
  assert.ok(flash.ok);
  const [notice] = notices;
  assert.equal(notice?.action, 'shrink');
  assert.equal(notice?.sessionId, 'big');
  const kept = notice?.newBandwidthBps ?? 0;
  assert.ok(kept >= 300_000_000 && kept < 900_000_000, `kept ${kept}`);
  const held = e.holding('big');
  assert.ok(held !== undefined && held.bandwidthBps >= kept && held.bandwidthBps < 900_000_000);
  assert.equal(held?.booking, false);
});

test('a booking preempted by a more important open-ended session is announced as a booking that ends', async () => {
  const { e, notices } = await engine();
  const booking: ScheduledAdmissionRequest = {
    ...request('tomorrow', {
      bandwidthBps: 600_000_000,
      minBps: 600_000_000,
      start: T0 + 24 * HOUR,
      end: T0 + 25 * HOUR,
    }),
    scheduled: true,
  };
  assert.ok((await e.admit(booking)).ok);
  assert.deepEqual(
    [e.holding('tomorrow')?.booking, e.holding('tomorrow')?.lspId, e.holding('tomorrow')?.bandwidthBps],
    [true, 'scheduled:tomorrow', 600_000_000],
  );
  assert.ok(
    (await e.admit(request('flash', { ...FLASH, bandwidthBps: 600_000_000, minBps: 600_000_000, start: T0 })))
      .ok,
  );
  assert.deepEqual(
    notices.map((n) => [n.sessionId, n.action, n.booking, n.preemptorSessionId]),
    [['tomorrow', 'end', true, 'flash']],
  );
  assert.equal(e.holding('tomorrow'), undefined);
});

test('a session growing into others (resize) announces its victims with cause resize; no preemption, no notice', async () => {
  const { e, notices } = await engine();
  assert.ok((await e.admit(request('a'))).ok);
  assert.ok((await e.admit(request('f', { ...FLASH, bandwidthBps: 100_000_000, minBps: 100_000_000 }))).ok);
  assert.ok((await e.admit(request('b'))).ok);
  assert.equal(notices.length, 0, 'nothing was preempted yet');
  const grown = await e.resize('f', 700_000_000);
  assert.ok(grown.ok, !grown.ok ? grown.detail : '');
  assert.ok(notices.length >= 1);
  assert.ok(notices.every((n) => n.cause === 'resize' && n.preemptorSessionId === 'f'));
  assert.deepEqual(notices.map((n) => n.sessionId).sort(), grown.preempted.map((p) => p.sessionId).sort());
});

test('a notice that cannot be published fails the admission that preempted (its caller hears of it)', async () => {
  const { e } = await engine(recorder({ failNotices: true }));
  for (const id of ['r1', 'r2', 'r3']) assert.ok((await e.admit(request(id))).ok);
  await assert.rejects(
    e.admit(request('f', { ...FLASH, bandwidthBps: 400_000_000, minBps: 400_000_000 })),
    /redis down/,
  );
});

test('a replay that no longer fits everything preempts as it goes, and announces it (cause replay)', async () => {
  const first = recorder();
  const { e } = await engine(first);
  for (const id of ['r1', 'r2', 'r3']) assert.ok((await e.admit(request(id))).ok);
  // The journal holds a flash flow written after the routine ones (as a newer leader would see a
  // journal where the flash admission's victim removals were lost).
  await first.journal.put({
    seq: 99,
    spec: {
      id: 'f',
      ingress: 'PE1',
      egress: 'PE2',
      classType: 0,
      level: 'flash',
      tspec: { r: 50_000_000, b: 1500, p: 50_000_000, m: 1500, M: 1500 },
      owner: 'session',
    },
  });
  const again = recorder();
  again.journal.entries.clear();
  for (const [id, entry] of first.journal.entries) again.journal.entries.set(id, entry);
  const { e: replayed, notices } = await engine(again);
  assert.ok(replayed.holding('f'));
  assert.ok(notices.length >= 1);
  assert.ok(notices.every((n) => n.cause === 'replay' && n.preemptorSessionId === 'f' && n.action === 'end'));
  for (const n of notices) assert.equal(replayed.holding(n.sessionId), undefined);
});
