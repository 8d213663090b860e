import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutTimeline, tickStep, type TimelineItem } from '../../../src/app/model/timeline.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

function item(id: string, startMin: number, endMin: number | null): TimelineItem {
  return {
    id,
    label: id,
    start: T0 + startMin * MIN,
    end: endMin === null ? null : T0 + endMin * MIN,
    bandwidthBps: 1e6,
    kind: 'session',
  };
}

/*  window [0, 60) min, 600 px (10 px per minute)
 *   a  |====|              0–10
 *   b     |======|         5–20   overlaps a → lane 1
 *   c          |====       10–open  a has ended at 10 (half-open) → lane 0
 *   d                      70–80  outside
 */
test('overlapping bookings take separate lanes; a booking ending at t frees its lane at t', () => {
  const layout = layoutTimeline(
    [item('a', 0, 10), item('b', 5, 20), item('c', 10, null), item('d', 70, 80)],
    {
      from: T0,
      to: T0 + 60 * MIN,
      width: 600,
    },
  );
  const byId = new Map(layout.bars.map((b) => [b.item.id, b]));
  assert.deepEqual([...byId.keys()], ['a', 'b', 'c'], 'd is outside the window');
  assert.equal(byId.get('a')?.lane, 0);
  assert.equal(byId.get('b')?.lane, 1);
  assert.equal(byId.get('c')?.lane, 0, '[0,10) and [10,…) do not overlap');
  assert.equal(layout.lanes, 2);
  assert.deepEqual([byId.get('a')?.x, byId.get('a')?.width], [0, 100]);
  assert.deepEqual([byId.get('b')?.x, byId.get('b')?.width], [50, 150]);
  assert.deepEqual([byId.get('c')?.x, byId.get('c')?.width, byId.get('c')?.clippedEnd], [100, 500, true]);
});

test('a booking that began before the window is cut at its left edge', () => {
  const layout = layoutTimeline([item('e', -10, 5)], { from: T0, to: T0 + 60 * MIN, width: 600 });
  assert.deepEqual(
    layout.bars.map((b) => [b.x, b.width, b.clippedStart, b.clippedEnd]),
    [[0, 50, true, false]],
  );
});

test('a booking that ended exactly when the window starts is not drawn; empty or inverted ones neither', () => {
  const layout = layoutTimeline([item('f', -10, 0), item('g', 5, 5), item('h', 9, 7)], {
    from: T0,
    to: T0 + 60 * MIN,
    width: 600,
  });
  assert.deepEqual(layout.bars, []);
  assert.equal(layout.lanes, 0);
});

test('ticks fall on round times and now is marked inside the window', () => {
  const layout = layoutTimeline([], { from: T0 - 7 * MIN, to: T0 + 53 * MIN, width: 600, now: T0 });
  assert.deepEqual(
    layout.ticks.map((t) => t.label),
    ['12:00', '12:10', '12:20', '12:30', '12:40', '12:50'],
  );
  assert.equal(layout.ticks[0]?.x, 70);
  assert.equal(layout.nowX, 70);
  assert.equal(layoutTimeline([], { from: T0, to: T0 + MIN, width: 10, now: T0 + MIN }).nowX, undefined);
});

test('tick steps keep at most eight ticks', () => {
  assert.equal(tickStep(60 * MIN), 10 * MIN);
  assert.equal(tickStep(6 * 60 * MIN), 60 * MIN);
  assert.equal(tickStep(24 * 60 * MIN), 180 * MIN);
  assert.equal(tickStep(7 * 24 * 60 * MIN), 1440 * MIN);
  assert.equal(tickStep(30 * 24 * 60 * MIN), 4 * 1440 * MIN);
});

test('an empty window is refused', () => {
  assert.throws(() => layoutTimeline([], { from: T0, to: T0, width: 100 }), RangeError);
});
