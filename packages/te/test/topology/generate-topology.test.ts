import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateTopology, type Topology } from '../../src/index.js';

function connected(t: Topology): boolean {
  const seen = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const n = queue.pop() as number;
    for (const li of t.outgoing[n] ?? []) {
      const to = t.node(t.linkList[li]!.to).index;
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen.size === t.nodeList.length;
}

describe('generateTopology', () => {
  it('1 000 nodes at degree 6: connected, 3 000 two-way links', () => {
    const t = generateTopology({ nodes: 1000, avgDegree: 6, seed: 7 });
    assert.equal(t.nodeList.length, 1000);
    assert.equal(t.linkCount, 6000);
    assert.ok(connected(t));
    for (const l of t.linkList) {
      assert.ok(l.teMetric >= 1 && l.maxReservableBps > 0 && l.from !== l.to);
      assert.equal(t.link(l.reverseId as string).from, l.to);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const a = generateTopology({ nodes: 200, avgDegree: 3, seed: 1 });
    const b = generateTopology({ nodes: 200, avgDegree: 3, seed: 1 });
    const c = generateTopology({ nodes: 200, avgDegree: 3, seed: 2 });
    assert.deepEqual(a.linkList, b.linkList);
    assert.notDeepEqual(a.linkList, c.linkList);
    assert.ok(connected(a) && connected(c));
    assert.equal(a.linkCount, 600);
  });

  it('small graphs stay connected and within the possible number of links', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const t = generateTopology({ nodes: 5, avgDegree: 10, seed });
      assert.ok(connected(t));
      assert.equal(t.linkCount, 20); // complete graph K5, both directions
    }
    assert.throws(() => generateTopology({ nodes: 1 }), RangeError);
  });
});
