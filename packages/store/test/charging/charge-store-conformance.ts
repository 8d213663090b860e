import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChargeCursorInvalidError,
  ChargeQueryInvalidError,
  ChargeVersionConflictError,
  type ChargeStore,
  type StoredCharge,
} from '../../src/index.js';

/** The record shape the suite stores: the key fields plus a payload. */
export interface TestRecord {
  sessionId: string;
  customer: string;
  setupAt: number;
  cost: number | null;
  note?: string;
}

const T0 = Date.UTC(2026, 0, 1);
const rec = (sessionId: string, overrides: Partial<TestRecord> = {}): TestRecord => ({
  sessionId,
  customer: 'acme',
  setupAt: T0,
  cost: null,
  ...overrides,
});

const ids = (records: StoredCharge<TestRecord>[]) => records.map((r) => r.record.sessionId);

/** One conformance suite for every ChargeStore implementation (STYLE.md "Module boundaries"). */
export function chargeStoreConformance(name: string, make: () => Promise<ChargeStore<TestRecord>>): void {
  describe(`ChargeStore conformance: ${name}`, () => {
    test('commit creates a record at version 1 and remembers the event', async () => {
      const store = await make();
      assert.equal(await store.get('s-1'), null);
      assert.equal(await store.isApplied('s-1', 's-1:0'), false);
      assert.deepEqual(await store.commit({ eventId: 's-1:0', expectedVersion: 0, record: rec('s-1') }), {
        outcome: 'committed',
        version: 1,
      });
      assert.deepEqual(await store.get('s-1'), { record: rec('s-1'), version: 1 });
      assert.equal(await store.isApplied('s-1', 's-1:0'), true);
      assert.equal(await store.isApplied('s-1', 's-1:1'), false);
    });

    test('the same event twice is a duplicate and changes nothing, whatever version it claims', async () => {
      const store = await make();
      await store.commit({ eventId: 's-1:0', expectedVersion: 0, record: rec('s-1') });
      await store.commit({ eventId: 's-1:1', expectedVersion: 1, record: rec('s-1', { cost: 100 }) });
      for (const expectedVersion of [0, 1, 2, 7]) {
        const again = await store.commit({
          eventId: 's-1:1',
          expectedVersion,
          record: rec('s-1', { cost: 999 }),
        });
        assert.deepEqual(again, { outcome: 'duplicate', version: 2 });
      }
      assert.deepEqual(await store.get('s-1'), { record: rec('s-1', { cost: 100 }), version: 2 });
    });

    test('a stale version is a conflict and writes nothing (not even the event id)', async () => {
      const store = await make();
      await store.commit({ eventId: 's-1:0', expectedVersion: 0, record: rec('s-1') });
      await assert.rejects(
        store.commit({ eventId: 's-1:1', expectedVersion: 0, record: rec('s-1', { cost: 5 }) }),
        (e: unknown) =>
          e instanceof ChargeVersionConflictError &&
          e.code === 'STORE_CHARGE_CONFLICT' &&
          e.expectedVersion === 0 &&
          e.actualVersion === 1,
      );
      assert.equal(await store.isApplied('s-1', 's-1:1'), false);
      assert.deepEqual(await store.get('s-1'), { record: rec('s-1'), version: 1 });
    });

    test('of concurrent commits from one version exactly one wins', async () => {
      const store = await make();
      await store.commit({ eventId: 's-9:0', expectedVersion: 0, record: rec('s-9') });
      const results = await Promise.allSettled(
        [1, 2, 3, 4, 5, 6].map((seq) =>
          store.commit({ eventId: `s-9:${seq}`, expectedVersion: 1, record: rec('s-9', { cost: seq }) }),
        ),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results)
        if (r.status === 'rejected') assert.ok(r.reason instanceof ChargeVersionConflictError);
      const stored = await store.get('s-9');
      assert.equal(stored?.version, 2);
      assert.ok(await store.isApplied('s-9', `s-9:${stored!.record.cost}`));
    });

    test('query by customer and by setup-time range [from, to), in (setupAt, sessionId) order', async () => {
      const store = await make();
      const rows: TestRecord[] = [
        rec('b', { setupAt: T0 + 2000 }),
        rec('a', { setupAt: T0 + 2000 }),
        rec('c', { setupAt: T0 + 1000, customer: 'globex' }),
        rec('d', { setupAt: T0 + 3000 }),
        rec('e', { setupAt: T0 }),
      ];
      for (const r of rows)
        await store.commit({ eventId: `${r.sessionId}:0`, expectedVersion: 0, record: r });
      assert.deepEqual(ids((await store.query()).records), ['e', 'c', 'a', 'b', 'd']);
      assert.deepEqual(ids((await store.query({ customer: 'acme' })).records), ['e', 'a', 'b', 'd']);
      assert.deepEqual(ids((await store.query({ customer: 'globex' })).records), ['c']);
      assert.deepEqual(ids((await store.query({ customer: 'initech' })).records), []);
      assert.deepEqual(ids((await store.query({ from: T0 + 1000, to: T0 + 3000 })).records), ['c', 'a', 'b']);
      assert.deepEqual(ids((await store.query({ from: T0 + 2000 })).records), ['a', 'b', 'd']);
      assert.deepEqual(ids((await store.query({ to: T0 + 2000, customer: 'acme' })).records), ['e']);
      assert.deepEqual(ids((await store.query({ from: T0 + 3000, to: T0 + 3000 })).records), []);
    });

    test('paging visits every record once, in order, and ends with a null cursor', async () => {
      const store = await make();
      const n = 23;
      for (let i = 0; i < n; i++) {
        const r = rec(`p-${String(i).padStart(2, '0')}`, { setupAt: T0 + (i % 5) * 1000 });
        await store.commit({ eventId: `${r.sessionId}:0`, expectedVersion: 0, record: r });
      }
      const all = ids((await store.query({ limit: 1000 })).records);
      assert.equal(all.length, n);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.query({ limit: 5, ...(cursor === undefined ? {} : { cursor }) });
        seen.push(...ids(page.records));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined && pages < 20);
      assert.equal(pages, 5);
      assert.deepEqual(seen, all);
      // A cursor combined with a range stays within it.
      const first = await store.query({ from: T0 + 1000, to: T0 + 3000, limit: 3 });
      const rest = await store.query({
        from: T0 + 1000,
        to: T0 + 3000,
        limit: 100,
        cursor: first.nextCursor!,
      });
      assert.deepEqual(
        [...ids(first.records), ...ids(rest.records)],
        ids((await store.query({ from: T0 + 1000, to: T0 + 3000, limit: 100 })).records),
      );
      assert.equal(rest.nextCursor, null);
    });

    test('a record that changes customer or setup time moves in the indexes', async () => {
      const store = await make();
      await store.commit({ eventId: 'm:0', expectedVersion: 0, record: rec('m', { customer: 'acme' }) });
      await store.commit({
        eventId: 'm:1',
        expectedVersion: 1,
        record: rec('m', { customer: 'globex', setupAt: T0 + 5000 }),
      });
      assert.deepEqual(ids((await store.query({ customer: 'acme' })).records), []);
      assert.deepEqual(ids((await store.query({ customer: 'globex' })).records), ['m']);
      assert.deepEqual(ids((await store.query({ to: T0 + 1 })).records), []);
      assert.deepEqual(ids((await store.query({ from: T0 + 5000 })).records), ['m']);
      assert.equal((await store.query()).records.length, 1);
    });

    test('bad queries are typed errors', async () => {
      const store = await make();
      for (const q of [{ limit: 0 }, { limit: 1001 }, { limit: 1.5 }, { from: -1 }, { from: 10, to: 5 }])
        await assert.rejects(store.query(q), ChargeQueryInvalidError);
      for (const cursor of ['nope', '', Buffer.from('12|x').toString('base64url')])
        await assert.rejects(store.query({ cursor }), ChargeCursorInvalidError);
    });
  });
}
