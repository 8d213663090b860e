// te-cspf: CSPF latency (p50/p99) on generated topologies of 100, 1 000 and 5 000 routers, random
// ingress/egress pairs from a fixed seed, against a ledger loaded with background reservations.
// Baseline in the same run: the same pairs without a ledger (capacity only).
// Args: [--iterations N] (pairs per size, default 2 000; a quarter of that at 5 000 nodes), [--sizes 100,1000,5000].
import type { Benchmark } from '@svpn/bench-kit';
import { nowMicros, quantile } from '@svpn/bench-kit';
import {
  NoPathError,
  ReservationLedger,
  SeededRandom,
  computePath,
  generateTopology,
  type Topology,
} from '../src/index.js';

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Books `count` reservations of 1–20 Mbit/s on CSPF paths between random pairs (background load). */
function loadLedger(topology: Topology, count: number, rnd: SeededRandom): ReservationLedger {
  const ledger = new ReservationLedger(topology);
  const n = topology.nodeList.length;
  for (let i = 0; i < count; i++) {
    const from = topology.nodeList[rnd.int(n)]!.id;
    const to = topology.nodeList[rnd.int(n)]!.id;
    if (from === to) continue;
    const bandwidthBps = (1 + rnd.int(20)) * 1e6;
    try {
      const { primary } = computePath(topology, ledger, { from, to, bandwidthBps });
      ledger.admit({ id: `bg-${i}`, links: primary.links, bandwidthBps, setupPriority: rnd.int(8) });
    } catch (err) {
      if (!(err instanceof NoPathError)) throw err;
    }
  }
  return ledger;
}

const bench: Benchmark = {
  name: 'te-cspf',
  description: 'CSPF p50/p99 on generated topologies of 100, 1 000 and 5 000 nodes',
  async run(emit, args) {
    const iterations = Number(arg(args, '--iterations') ?? 2000);
    const sizes = (arg(args, '--sizes') ?? '100,1000,5000').split(',').map(Number);
    const cases: { nodes: number; avgDegree: number }[] = [];
    for (const nodes of sizes) {
      cases.push({ nodes, avgDegree: 6 });
      if (nodes === 1000) cases.push({ nodes, avgDegree: 3 });
    }
    for (const { nodes, avgDegree } of cases) {
      const topology = generateTopology({ nodes, avgDegree, seed: 2024 });
      const rnd = new SeededRandom(99);
      const ledger = loadLedger(topology, Math.min(2 * nodes, 2000), rnd);
      const pairCount = nodes >= 5000 ? Math.max(1, Math.floor(iterations / 4)) : iterations;
      const tag = `n${nodes}_l${topology.linkCount}`;
      emit(`${tag}.nodes`, nodes, 'count');
      emit(`${tag}.directional_links`, topology.linkCount, 'count');
      emit(`${tag}.background_reservations`, ledger.size, 'count');
      const pairs: [string, string][] = [];
      while (pairs.length < pairCount) {
        const a = topology.nodeList[rnd.int(nodes)]!.id;
        const b = topology.nodeList[rnd.int(nodes)]!.id;
        if (a !== b) pairs.push([a, b]);
      }
      for (const variant of ['ledger', 'no_ledger'] as const) {
        const use = variant === 'ledger' ? ledger : undefined;
        // Warm-up (JIT), not measured.
        for (let i = 0; i < Math.min(200, pairs.length); i++) {
          const [from, to] = pairs[i]!;
          computePath(topology, use, { from, to, bandwidthBps: 5e6, setupPriority: 4 });
        }
        const samples: number[] = [];
        let hops = 0;
        const cpu0 = process.cpuUsage();
        for (const [from, to] of pairs) {
          const t0 = nowMicros();
          const { primary } = computePath(topology, use, { from, to, bandwidthBps: 5e6, setupPriority: 4 });
          samples.push(nowMicros() - t0);
          hops += primary.hops;
        }
        const cpu = process.cpuUsage(cpu0);
        emit(`${tag}.${variant}.p50`, quantile(samples, 0.5), 'us');
        emit(`${tag}.${variant}.p99`, quantile(samples, 0.99), 'us');
        emit(`${tag}.${variant}.mean`, samples.reduce((s, x) => s + x, 0) / samples.length, 'us');
        // CPU time per computation: less sensitive than wall time to other load on a shared machine.
        emit(`${tag}.${variant}.cpu_mean`, (cpu.user + cpu.system) / pairs.length, 'us');
        emit(`${tag}.${variant}.mean_hops`, hops / pairs.length, 'hops');
      }
    }
  },
};
export default bench;
