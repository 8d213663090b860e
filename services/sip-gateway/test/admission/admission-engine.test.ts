import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdmissionEngine, MemoryFlowJournal } from '../../src/admission/admission-engine.js';
import { admissionRequest as request, tinyNetwork } from '../support/tiny-network.js';

// The tiny network under MAM, all of each link for CT0: the 1 Gbit/s core link decides.
const MAM = '{ model: MAM, bcPercent: [100] }';

async function engine(journal = new MemoryFlowJournal()): Promise<AdmissionEngine> {
  return AdmissionEngine.open({ topology: tinyNetwork(MAM), journal, bulkBps: 10_000_000 });
}

test('sessions of one (ingress, egress, CT, level) share one aggregate tunnel sized to cover them', async () => {
  const e = await engine();
  const a = await e.admit(request('a'));
  const b = await e.admit(request('b'));
  assert.ok(a.ok && b.ok);
  assert.equal(a.ok && b.ok && a.lspId, b.ok && b.lspId);
  assert.deepEqual(b.ok && b.route, ['PE1', 'P1', 'P2', 'PE2']);
  // Two 300 Mbit/s flows plus 8 bytes per 1500-byte packet, rounded up to the 10 Mbit/s bulk step.
  assert.ok(b.ok && b.lspBandwidthBps >= 600_000_000 * (1508 / 1500));
  assert.ok(b.ok && b.lspBandwidthBps % 10_000_000 === 0);
});

test('a request beyond the bottleneck is refused with no-capacity and a Retry-After', async () => {
  const e = await engine();
  for (const id of ['a', 'b', 'c']) assert.ok((await e.admit(request(id))).ok);
  const refused = await e.admit(request('d'));
  assert.equal(refused.ok, false);
  assert.equal(!refused.ok && refused.reason, 'no-capacity');
  assert.equal(!refused.ok && refused.retryAfterS, 30);
  // Releasing makes room again.
  await e.release('a');
  assert.ok((await e.admit(request('d'))).ok);
});

test('RFC 3209 — a flash session preempts routine ones at the bottleneck; the routine ones are reported', async () => {
  const e = await engine();
  for (const id of ['r1', 'r2', 'r3']) assert.ok((await e.admit(request(id))).ok);
  const flash = await e.admit(
    request('f', {
      level: 'flash',
      setupPriority: 1,
      holdingPriority: 1,
      bandwidthBps: 400_000_000,
      minBps: 400_000_000,
    }),
  );
  assert.ok(flash.ok, !flash.ok ? flash.detail : '');
  const ended = flash.ok ? flash.preempted.filter((p) => p.action === 'end').map((p) => p.sessionId) : [];
  assert.ok(ended.length >= 1);
  assert.ok(ended.every((id) => id.startsWith('r')));
  // A routine request can never preempt the flash session.
  const routine = await e.admit(request('r4', { bandwidthBps: 900_000_000, minBps: 900_000_000 }));
  assert.equal(routine.ok, false);
});

test('RFC 4495 — a victim that may shrink is reduced instead of ended', async () => {
  const e = await engine();
  assert.ok(
    (await e.admit(request('big', { bandwidthBps: 900_000_000, mayShrink: true, minBps: 300_000_000 }))).ok,
  );
  const flash = await e.admit(
    request('f', { level: 'flash', setupPriority: 1, holdingPriority: 1, bandwidthBps: 300_000_000 }),
  );
  assert.ok(flash.ok);
  assert.deepEqual(flash.ok && flash.preempted.map((p) => [p.sessionId, p.action]), [['big', 'shrink']]);
});

test('the journal rebuilds the same ledger after a restart', async () => {
  const journal = new MemoryFlowJournal();
  const first = await engine(journal);
  for (const id of ['a', 'b']) assert.ok((await first.admit(request(id))).ok);
  await first.release('a');
  const second = await engine(journal);
  assert.deepEqual(second.ledger.snapshot(), first.ledger.snapshot());
  assert.deepEqual(
    second.manager.flows().map((f) => f.id),
    ['b'],
  );
});

test('resize admits only the delta and keeps the old size when refused', async () => {
  const e = await engine();
  assert.ok((await e.admit(request('a'))).ok);
  assert.ok((await e.admit(request('b'))).ok);
  assert.ok((await e.resize('a', 500_000_000)).ok);
  const refused = await e.resize('b', 700_000_000);
  assert.equal(refused.ok, false);
  assert.equal(e.manager.flow('b')?.bandwidthBps, 300_000_000);
});

test('VPN mobility — move swaps the flow to the new ingress/egress in one step; a refused move keeps the old one', async () => {
  const journal = new MemoryFlowJournal();
  const engine = await AdmissionEngine.open({ topology: tinyNetwork(MAM), journal });
  assert.ok((await engine.admit(request('s1'))).ok);
  const moved = await engine.move('s1', 'PE2', 'PE1');
  assert.ok(moved.ok, 'PE2 → PE1 fits');
  assert.deepEqual(moved.ok && moved.route, ['PE2', 'P2', 'P1', 'PE1']);
  const flow = engine.manager.flow('s1');
  assert.deepEqual([flow?.ingress, flow?.egress], ['PE2', 'PE1']);
  assert.equal(journal.entries.get('s1')?.spec.ingress, 'PE2', 'the move is journalled');
  // Nothing connects a PE the topology does not know: refused, the flow stays where it was.
  const refused = await engine.move('s1', 'PE9', 'PE1');
  assert.equal(refused.ok, false);
  assert.equal(engine.manager.flow('s1')?.ingress, 'PE2');
  // Both ends on one PE: no core flow any more.
  const local = await engine.move('s1', 'PE1', 'PE1');
  assert.ok(local.ok && local.lspBandwidthBps === 0);
  assert.equal(engine.manager.flow('s1'), undefined);
  assert.equal(journal.entries.has('s1'), false);
});

/** A journal whose writes are acknowledged only when the test says so. */
class HeldJournal extends MemoryFlowJournal {
  readonly held: { id: string; ack: () => void; fail: (e: Error) => void }[] = [];
  override async put(entry: Parameters<MemoryFlowJournal['put']>[0]): Promise<void> {
    await super.put(entry);
    await new Promise<void>((ack, fail) => this.held.push({ id: entry.spec.id, ack, fail }));
  }
  override async remove(id: string): Promise<void> {
    await super.remove(id);
    await new Promise<void>((ack, fail) => this.held.push({ id: `-${id}`, ack, fail }));
  }
}

test('DESIGN §5 — a change is answered only once its journal write is acknowledged; the next change does not wait for it', async () => {
  const journal = new HeldJournal();
  const e = await engine(journal);
  let answered = '';
  const a = e.admit(request('a')).then(() => (answered += 'a'));
  const b = e.admit(request('b')).then(() => (answered += 'b'));
  const gone = e.release('a').then(() => (answered += '-a'));
  // All three changes were applied and their writes sent, in order, before any acknowledgement.
  for (let i = 0; i < 50 && journal.held.length < 3; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(
    journal.held.map((w) => w.id),
    ['a', 'b', '-a'],
  );
  assert.equal(answered, '', 'nobody is answered before its write is acknowledged');
  journal.held[1]?.ack();
  await new Promise((r) => setImmediate(r));
  assert.equal(answered, 'b');
  journal.held[0]?.ack();
  journal.held[2]?.fail(new Error('fenced'));
  await Promise.all([a, b]);
  await assert.rejects(gone, /fenced/, 'a write that fails is the caller’s error');
  assert.equal(e.manager.flow('a'), undefined);
  assert.ok(e.manager.flow('b'));
});

test('RFC 3175 §1.4.4 — with one bulk step of hysteresis an aggregate keeps its size when its load drops by a step; without, it shrinks', async () => {
  const sizes = async (hysteresisBps: number): Promise<number[]> => {
    const e = await AdmissionEngine.open({
      topology: tinyNetwork(MAM),
      journal: new MemoryFlowJournal(),
      bulkBps: 10_000_000,
      hysteresisBps,
    });
    const out: number[] = [];
    for (const id of ['a', 'b', 'c']) {
      const r = await e.admit(request(id, { bandwidthBps: 9_000_000 }));
      assert.ok(r.ok);
    }
    out.push(e.manager.aggregates()[0]?.sizeBps ?? 0);
    out.push((await e.release('c'))?.lspBandwidthBps ?? 0);
    return out;
  };
  // Three 9 Mbit/s flows (plus tunnel overhead) need three 10 Mbit/s steps; two need two.
  const [held, afterRelease] = await sizes(10_000_000);
  assert.equal(held, 30_000_000);
  assert.equal(afterRelease, 30_000_000, 'within one step of slack: no re-signalling');
  const [, shrunk] = await sizes(0);
  assert.equal(shrunk, 20_000_000);
});
