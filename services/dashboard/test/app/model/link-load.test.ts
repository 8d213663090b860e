import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bundleLoads,
  bundleOf,
  priorityLabel,
  reservedByPriority,
  utilisationColour,
  utilisationWidth,
  type LinkUse,
} from '../../../src/app/model/link-load.js';

function link(id: string, capacityBps: number, byPriority: Record<number, number> = {}): LinkUse {
  const m = /:(.+)->(.+)$/.exec(id);
  const reservedByPriorityBps = Array.from({ length: 8 }, (_, p) => byPriority[p] ?? 0);
  const reservedBps = reservedByPriorityBps.reduce((a, b) => a + b, 0);
  return {
    id,
    from: m?.[1] ?? 'A',
    to: m?.[2] ?? 'B',
    capacityBps,
    reservedBps,
    utilisation: reservedBps / capacityBps,
    reservedByPriorityBps,
  };
}

test('directional link ids group into their physical link', () => {
  assert.equal(bundleOf('P2-P3:P2->P3'), 'P2-P3');
  assert.equal(bundleOf('oneway'), 'oneway');
});

test('a link is as busy as its busier direction, with each direction broken down by priority', () => {
  const [core, edge] = bundleLoads([
    link('P2-P3:P2->P3', 1e9, { 4: 201_000_000 }),
    link('P2-P3:P3->P2', 1e9, { 3: 100_000_000, 4: 50_000_000 }),
    link('PE1-P2:PE1->P2', 1e10),
    link('PE1-P2:P2->PE1', 1e10),
  ]);
  assert.equal(core?.id, 'P2-P3');
  assert.deepEqual([core?.a, core?.b], ['P2', 'P3']);
  assert.equal(core?.utilisation, 0.201);
  assert.deepEqual(core?.directions[1]?.byPriority, [
    { priority: 3, bps: 100_000_000 },
    { priority: 4, bps: 50_000_000 },
  ]);
  assert.equal(edge?.utilisation, 0);
  assert.deepEqual(edge?.directions[0]?.byPriority, []);
});

test('the network total sums each priority over every direction', () => {
  const bundles = bundleLoads([
    link('a:X->Y', 10, { 0: 1, 4: 2 }),
    link('a:Y->X', 10, { 4: 3 }),
    link('b:Y->Z', 10, { 7: 5 }),
  ]);
  assert.deepEqual(reservedByPriority(bundles), [
    { priority: 0, bps: 1 },
    { priority: 4, bps: 5 },
    { priority: 7, bps: 5 },
  ]);
});

test('a link with no capacity but a reservation counts as overbooked', () => {
  const [b] = bundleLoads([link('z:A->B', 0, { 1: 10 })].map((l) => ({ ...l, utilisation: 0 })));
  assert.equal(b?.utilisation, Infinity);
  assert.equal(utilisationColour(b!.utilisation), utilisationColour(1.5));
});

test('priorities are labelled with the precedence level that holds them (RFC 4412 dsn ↔ RFC 3209)', () => {
  assert.equal(priorityLabel(0), '0 (flash-override)');
  assert.equal(priorityLabel(4), '4 (routine)');
  assert.equal(priorityLabel(6), '6');
});

test('colour and width grow with utilisation', () => {
  const colours = [0, 0.2, 0.6, 0.9, 1.2].map(utilisationColour);
  assert.equal(new Set(colours).size, 5, 'five distinct bands');
  assert.equal(utilisationWidth(0), 2);
  assert.equal(utilisationWidth(0.5), 7);
  assert.equal(utilisationWidth(1), 12);
  assert.equal(utilisationWidth(3), 12);
  assert.ok(utilisationWidth(0.21) > utilisationWidth(0));
});
