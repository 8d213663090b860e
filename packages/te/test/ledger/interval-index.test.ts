import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntervalIndex } from '../../src/ledger/interval-index.js';

interface Item {
  id: string;
  start: number;
  end: number;
}

describe('IntervalIndex', () => {
  it('overlap queries, min end and max start agree with a plain list under inserts and removals', () => {
    const item = fc.record({
      start: fc.integer({ min: 0, max: 50 }),
      len: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 30 }),
        (items, removals, qs, ql) => {
          const index = new IntervalIndex<Item>();
          const list: Item[] = items.map((x, i) => ({
            id: `i${i}`,
            start: x.start,
            end: x.len === null ? Infinity : x.start + x.len,
          }));
          for (const x of list) index.insert(x);
          for (const r of removals) {
            if (list.length === 0) break;
            const [gone] = list.splice(r % list.length, 1);
            assert.equal(index.remove(gone!), true);
            assert.equal(index.remove(gone!), false);
          }
          assert.equal(index.size, list.length);
          const expected = list
            .filter((x) => x.start < qs + ql && x.end > qs)
            .sort((a, b) => a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
          assert.deepEqual(index.overlapping(qs, qs + ql), expected);
          assert.equal(index.minEnd(), list.length ? Math.min(...list.map((x) => x.end)) : Infinity);
          assert.equal(index.maxStart(), list.length ? Math.max(...list.map((x) => x.start)) : -Infinity);
        },
      ),
      { numRuns: 300, seed: 5 },
    );
  });

  it('stays shallow with 100 000 intervals inserted in start order', () => {
    const index = new IntervalIndex<Item>();
    for (let i = 0; i < 100_000; i++) index.insert({ id: `r${i}`, start: i, end: i + 5 });
    assert.ok(index.depth() < 60, `depth ${index.depth()}`);
    assert.deepEqual(
      index.overlapping(50_000, 50_002).map((x) => x.id),
      ['r49996', 'r49997', 'r49998', 'r49999', 'r50000', 'r50001'],
    );
  });
});
