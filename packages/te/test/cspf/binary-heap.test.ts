import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BinaryHeap } from '../../src/index.js';

describe('BinaryHeap', () => {
  it('pops in comparison order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 200 }), (xs) => {
        const heap = new BinaryHeap<number>((a, b) => a - b);
        for (const x of xs) heap.push(x);
        assert.equal(heap.size, xs.length);
        const out: number[] = [];
        for (let x = heap.pop(); x !== undefined; x = heap.pop()) out.push(x);
        assert.deepEqual(
          out,
          [...xs].sort((a, b) => a - b),
        );
      }),
      { numRuns: 200, seed: 3 },
    );
  });
  it('empty heap', () => {
    const heap = new BinaryHeap<number>((a, b) => a - b);
    assert.equal(heap.pop(), undefined);
    assert.equal(heap.peek(), undefined);
    heap.push(2);
    heap.push(1);
    assert.equal(heap.peek(), 1);
  });
});
