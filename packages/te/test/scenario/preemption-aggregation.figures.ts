// te-preemption (not yet registered in bench/registry.ts; move to packages/te/bench/ to register):
//  - plan_preemption_ms_n<N>: median time of planPreemption on a 6-hop path whose links are full of
//    N preemptable reservations (holding 5…7), for a request needing 5 % of a link;
//  - manager_add_flow_us_n<N> / manager_remove_flow_us_n<N>: mean AggregateManager.addFlow and
//    removeFlow while one aggregate carries up to N flows.
// Run: npx tsx packages/te/test/scenario/preemption-aggregation.figures.ts [--counts 100,1000,10000]
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { printer, type Benchmark } from '@svpn/bench-kit';
import { AggregateManager, planPreemption, ReservationLedger, Topology } from '../../src/index.js';

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

const benchmark: Benchmark = {
  name: 'te-preemption',
  description:
    'planPreemption time vs preemptable reservations on the path; AggregateManager op cost vs flows per aggregate',
  async run(emit, args) {
    const i = args.indexOf('--counts');
    const counts = (i >= 0 ? (args[i + 1] ?? '') : '100,1000,10000').split(',').map(Number);
    for (const n of counts) {
      const links = Array.from({ length: 6 }, (_, k) => ({
        id: `L${k}`,
        bandwidthConstraints: { model: 'RDM' as const, maxReservableBps: 1e9, bc: [1e9] },
      }));
      const ledger = new ReservationLedger(links);
      for (let k = 0; k < n; k++)
        ledger.admit({
          id: `r${k}`,
          links: [`L${k % 6}`],
          bandwidthBps: 1e9 / Math.ceil(n / 6),
          setupPriority: 5 + (k % 3),
        });
      const request = { id: 'new', links: links.map((l) => l.id), bandwidthBps: 5e7, setupPriority: 1 };
      const times: number[] = [];
      let victims = 0;
      for (let k = 0; k < 9; k++) {
        const t = performance.now();
        victims = planPreemption(ledger, request).victims.length;
        times.push(performance.now() - t);
      }
      emit(`plan_preemption_ms_n${n}`, median(times), 'ms');
      emit(`plan_preemption_victims_n${n}`, victims, 'count');
    }
    for (const n of counts.filter((c) => c <= 5_000).concat(counts.some((c) => c > 5_000) ? [5_000] : [])) {
      const topology = Topology.create({
        nodes: ['PE1', 'P', 'PE2'].map((id, k) => ({ id, kind: 'PE' as const, routerId: `10.0.0.${k + 1}` })),
        links: [
          ['PE1', 'P'],
          ['P', 'PE2'],
        ].map(([from, to]) => ({
          id: `${from}->${to}`,
          bundleId: `${from}->${to}`,
          reverseId: undefined,
          from: from as string,
          to: to as string,
          maxReservableBps: 1e11,
          teMetric: 1,
          delayUs: 0,
          adminGroups: 0,
          srlgs: [],
          bandwidthConstraints: { model: 'RDM' as const, maxReservableBps: 1e11, bc: [1e11] },
        })),
      });
      const manager = new AggregateManager(new ReservationLedger(topology), {
        layers: [{ name: 'provider', topology, overheadBytes: 8, bulkBps: 10_000_000 }],
      });
      const tspec = { r: 10_000, b: 200, p: 10_000, m: 200, M: 200 };
      let t = performance.now();
      for (let k = 0; k < n; k++)
        manager.addFlow({ id: `f${k}`, ingress: 'PE1', egress: 'PE2', level: 'routine', tspec });
      emit(`manager_add_flow_us_n${n}`, ((performance.now() - t) * 1000) / n, 'us');
      t = performance.now();
      for (let k = 0; k < n; k++) manager.removeFlow(`f${k}`);
      emit(`manager_remove_flow_us_n${n}`, ((performance.now() - t) * 1000) / n, 'us');
    }
  },
};

export default benchmark;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await benchmark.run(printer(benchmark.name), process.argv.slice(2));
