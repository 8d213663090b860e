import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseTopology } from '@svpn/te';
import { layoutTopology } from '../../../src/app/model/topology-layout.js';

const demo = parseTopology(
  readFileSync(new URL('../../../../../deploy/demo/topology.yaml', import.meta.url), 'utf8'),
);
const nodes = demo.nodeList.map((n) => ({ id: n.id, kind: n.kind }));
const links = demo.linkList.map((l) => ({ from: l.from, to: l.to }));

test('the demo network: west PEs on the left, east PEs on the right, core in the middle', () => {
  const p = layoutTopology(nodes, links, { width: 760, height: 420 });
  const x = (id: string): number => p.get(id)!.x;
  for (const west of ['PE1', 'PE2', 'PE3'])
    for (const east of ['PE4', 'PE5', 'PE6']) assert.ok(x(west) < x(east));
  for (const core of ['P1', 'P2', 'P3', 'P4']) {
    assert.ok(x(core) > Math.max(x('PE1'), x('PE2'), x('PE3')), `${core} right of the west PEs`);
    assert.ok(x(core) < Math.min(x('PE4'), x('PE5'), x('PE6')), `${core} left of the east PEs`);
  }
  assert.ok(x('P1') < x('P4') && x('P2') < x('P3'), 'the core ring keeps west and east apart');
});

test('every node is inside the drawing and no two nodes overlap', () => {
  const p = layoutTopology(nodes, links, { width: 760, height: 420 });
  assert.equal(p.size, nodes.length);
  const points = [...p.values()];
  for (const { x, y } of points) assert.ok(x >= 24 && x <= 736 && y >= 14 && y <= 406, `${x},${y}`);
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++) {
      const d = Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y);
      assert.ok(d > 50, `nodes ${i} and ${j} are ${d.toFixed(1)} px apart`);
    }
});

test('the layout is deterministic', () => {
  const a = layoutTopology(nodes, links, { width: 760, height: 420 });
  const b = layoutTopology(nodes, links, { width: 760, height: 420 });
  assert.deepEqual([...a], [...b]);
});

test('edge routers crowding one core router are spread apart', () => {
  const star = [{ id: 'P', kind: 'P' }, ...['A', 'B', 'C', 'D'].map((id) => ({ id, kind: 'PE' }))];
  const p = layoutTopology(
    star,
    ['A', 'B', 'C', 'D'].map((id) => ({ from: id, to: 'P' })),
    {
      width: 600,
      height: 400,
    },
  );
  const pts = ['A', 'B', 'C', 'D'].map((id) => p.get(id)!);
  for (let i = 0; i < pts.length; i++)
    for (let j = i + 1; j < pts.length; j++)
      assert.ok(Math.hypot(pts[i]!.x - pts[j]!.x, pts[i]!.y - pts[j]!.y) > 40);
});

test('a network of edge routers only is drawn on one ring', () => {
  const p = layoutTopology(
    [
      { id: 'A', kind: 'PE' },
      { id: 'B', kind: 'PE' },
      { id: 'C', kind: 'PE' },
    ],
    [{ from: 'A', to: 'B' }],
    { width: 300, height: 300 },
  );
  assert.equal(p.size, 3);
  assert.equal(new Set([...p.values()].map((v) => `${v.x},${v.y}`)).size, 3);
});
