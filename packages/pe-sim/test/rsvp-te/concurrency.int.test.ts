import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NoBandwidthError, type PeSimulator } from '../../src/index.js';
import { PE1_TO_PE2, TestNetwork } from '../support/demo-network.js';

let net: TestNetwork;
before(async () => {
  net = await TestNetwork.start();
});
after(async () => {
  await net.stop();
});

const M = 1_000_000;

/** Two "worker processes": two simulators on two ioredis connections sharing one prefix. */
function twoWorkers(): [PeSimulator, PeSimulator] {
  const prefix = net.prefix();
  return [net.simulator({ prefix }).sim, net.simulator({ prefix }).sim];
}

async function assertLabelsUnique(sim: PeSimulator, nodes: readonly string[]): Promise<void> {
  const lsps = await sim.listLsps();
  for (const node of nodes) {
    const bound = await sim.listLabels(node);
    const labels = bound.map((b) => b.label);
    assert.equal(new Set(labels).size, labels.length, `no label is bound twice on ${node}`);
    const fromLsps = lsps.flatMap((l) =>
      l.hops.filter((h) => h.to === node && h.label !== null).map((h) => h.label),
    );
    assert.deepEqual(
      [...fromLsps].sort((a, b) => (a ?? 0) - (b ?? 0)),
      labels,
      `${node}'s bound labels are exactly those its LSPs use`,
    );
  }
}

describe('concurrent workers share one network without over-admission or duplicate labels', () => {
  it('60 parallel signals of 10 Mbit/s over a 100 Mbit/s bottleneck: exactly 10 are admitted', async () => {
    const [a, b] = twoWorkers();
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? a : b).rsvpTeSignal({ lspId: `lsp-${i}`, route: PE1_TO_PE2, bandwidthBps: 10 * M }),
      ),
    );
    const admitted = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    assert.equal(admitted.length, 10);
    assert.ok(refused.every((r) => r.status === 'rejected' && r.reason instanceof NoBandwidthError));
    const links = Object.fromEntries((await a.listLinks()).map((l) => [l.id, l.reservedBps]));
    assert.equal(links['P1-P2'], 100 * M, 'the bottleneck is exactly full, never over');
    assert.equal(links['PE1-P1'], 100 * M, 'refused LSPs left nothing on the first hop');
    assert.equal(links['P2-PE2'], 100 * M);
    await assertLabelsUnique(b, ['P1', 'P2', 'PE2']);
  });

  it('parallel teardowns, re-signals and resizes keep the books exact and the labels unique', async () => {
    const [a, b] = twoWorkers();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).rsvpTeSignal({ lspId: `old-${i}`, route: PE1_TO_PE2, bandwidthBps: 10 * M }),
      ),
    );
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 5; i++) ops.push((i % 2 ? a : b).rsvpTeTeardown({ lspId: `old-${i}` }));
    for (let i = 0; i < 20; i++) {
      ops.push((i % 2 ? b : a).rsvpTeSignal({ lspId: `new-${i}`, route: PE1_TO_PE2, bandwidthBps: 10 * M }));
    }
    for (let i = 5; i < 10; i++)
      ops.push((i % 2 ? a : b).rsvpTeResize({ lspId: `old-${i}`, bandwidthBps: 15 * M }));
    await Promise.allSettled(ops);

    const lsps = await a.listLsps();
    const total = lsps.reduce((sum, l) => sum + l.bandwidthBps, 0);
    const links = Object.fromEntries((await b.listLinks()).map((l) => [l.id, l.reservedBps]));
    assert.equal(links['P1-P2'], total, 'the link books equal the sum of the LSPs on it');
    assert.ok(total <= 100 * M, `never over capacity (reserved ${total})`);
    assert.ok(lsps.every((l) => l.status === 'up'));
    await assertLabelsUnique(a, ['P1', 'P2', 'PE2']);
  });

  it('200 parallel LDP bindings from two clients get 200 distinct labels', async () => {
    const [a, b] = twoWorkers();
    const bindings = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? a : b).ldpBind({ pe: 'PE1', fec: `10.${(i >> 8) & 255}.${i & 255}.1/32` }),
      ),
    );
    const labels = bindings.map((x) => x.label);
    assert.equal(new Set(labels).size, 200);
    assert.deepEqual(
      [...labels].sort((x, y) => x - y),
      Array.from({ length: 200 }, (_, i) => 16 + i),
    );
  });
});
