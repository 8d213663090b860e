// te-admission: admit + release cost on a fixed 6-hop path while the ledger holds 1 000, 10 000 and
// 100 000 unrelated active reservations, and the heap bytes each active reservation costs.
//  - "other_links": the background reservations are on links off the measured path (what the
//    per-link index buys: cost must not grow with them).
//  - "same_links_other_times": they are on the measured path's links, in time windows that do not
//    overlap the measured interval (what the per-link interval tree buys).
// Baseline in the same run: the 1 000 case; the figure to watch is the ratio 100 000 / 1 000.
// Args: [--iterations N] (admit+release pairs per case, default 20 000), [--counts 1000,10000,100000].
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { Benchmark } from '@svpn/bench-kit';
import { nowMicros, quantile } from '@svpn/bench-kit';
import {
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

/** `global.gc` if node runs with --expose-gc, else the same function obtained through V8 flags. */
function collector(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** A path of at least `hops` links between two routers of the topology. */
function measuredPath(topology: Topology, hops: number): string[] {
  const rnd = new SeededRandom(5);
  for (;;) {
    const from = topology.nodeList[rnd.int(topology.nodeList.length)]!.id;
    const to = topology.nodeList[rnd.int(topology.nodeList.length)]!.id;
    if (from === to) continue;
    const { primary } = computePath(topology, undefined, { from, to });
    if (primary.hops >= hops) return primary.links.slice(0, hops);
  }
}

function fill(
  ledger: ReservationLedger,
  topology: Topology,
  path: readonly string[],
  count: number,
  mode: 'other_links' | 'same_links_other_times',
): void {
  const rnd = new SeededRandom(17);
  const onPath = new Set(path);
  const others = topology.linkList
    .filter((l) => !onPath.has(l.id) && !onPath.has(l.reverseId ?? ''))
    .map((l) => l.id);
  for (let i = 0; i < count; i++) {
    if (mode === 'other_links') {
      // 1–3 links off the path, open-ended, 1–100 kbit/s (everything fits).
      const n = 1 + rnd.int(3);
      const links = new Set<string>();
      while (links.size < n) links.add(rnd.pick(others));
      ledger.admit({
        id: `bg-${i}`,
        links: [...links],
        bandwidthBps: 1e3 * (1 + rnd.int(100)),
        setupPriority: rnd.int(8),
        start: 0,
      });
    } else {
      // On the path's links, each in its own past window [10 i, 10 i + 5).
      ledger.admit({
        id: `bg-${i}`,
        links: [rnd.pick(path)],
        bandwidthBps: 1e6,
        start: 10 * i,
        end: 10 * i + 5,
        setupPriority: rnd.int(8),
      });
    }
  }
}

const bench: Benchmark = {
  name: 'te-admission',
  description: 'admit + release throughput and p99 vs number of active reservations; bytes per reservation',
  async run(emit, args) {
    const iterations = Number(arg(args, '--iterations') ?? 20000);
    const counts = (arg(args, '--counts') ?? '1000,10000,100000').split(',').map(Number);
    const gc = collector();
    const topology = generateTopology({ nodes: 1000, avgDegree: 3, seed: 2024 });
    const path = measuredPath(topology, 6);
    emit('topology.directional_links', topology.linkCount, 'count');
    emit('measured_path.hops', path.length, 'hops');

    for (const mode of ['other_links', 'same_links_other_times'] as const) {
      // Build one ledger per count, measuring the heap each one adds.
      const ledgers = new Map<number, ReservationLedger>();
      fill(new ReservationLedger(topology), topology, path, 2000, mode); // compile before measuring
      for (const count of counts) {
        gc();
        gc();
        const ledger = new ReservationLedger(topology);
        const before = process.memoryUsage().heapUsed;
        fill(ledger, topology, path, count, mode);
        gc();
        gc();
        const after = process.memoryUsage().heapUsed;
        if (ledger.size !== count) throw new Error(`background fill admitted ${ledger.size} of ${count}`);
        // Below ~10 000 reservations the delta is within the heap's own noise (±2 MB).
        if (count >= 10000) emit(`${mode}.n${count}.bytes_per_reservation`, (after - before) / count, 'B');
        ledgers.set(count, ledger);
      }

      // Measured: admit then release one 10 Mbit/s open-ended reservation on the path, starting after
      // every background window (so it never overlaps them in time). The counts take turns, round
      // after round, so outside load on this shared machine hits them alike; each figure is the
      // median over the rounds.
      const rounds = 5;
      const stats = new Map<number, { p50: number[]; p99: number[]; mean: number[]; cpu: number[] }>();
      for (const count of counts) stats.set(count, { p50: [], p99: [], mean: [], cpu: [] });
      const samples = new Float64Array(iterations);
      // Fresh ids, as sessions have: re-using one id for every admit/release hits a V8 Map
      // pathology (deleted entries pile up on one hash chain until the next rehash).
      const ids = Array.from({ length: iterations }, (_, i) => `m-${i}`);
      let generation = 0;
      for (let round = -1; round < rounds; round++) {
        for (const count of counts) {
          const ledger = ledgers.get(count)!;
          const start = 10 * count + 10;
          const n = round < 0 ? Math.min(iterations, 2000) : iterations; // round −1 warms up
          const prefix = `g${generation++}-`;
          const roundIds = ids.map((id) => prefix + id);
          // Start every timed loop from a collected heap, so garbage made outside it (ids, the
          // previous round's samples) is not charged to whichever count runs next.
          gc();
          const t0 = nowMicros();
          const cpu0 = process.cpuUsage();
          for (let i = 0; i < n; i++) {
            const s = nowMicros();
            const id = roundIds[i] as string;
            const r = ledger.admit({ id, links: path, bandwidthBps: 10e6, setupPriority: 3, start });
            ledger.release(id);
            samples[i] = nowMicros() - s;
            if (!r.ok) throw new Error('measured admission refused');
          }
          const elapsed = nowMicros() - t0;
          const cpu = process.cpuUsage(cpu0);
          if (round < 0) continue;
          const list = Array.from(samples.subarray(0, n));
          const st = stats.get(count)!;
          st.p50.push(quantile(list, 0.5));
          st.p99.push(quantile(list, 0.99));
          st.mean.push(elapsed / n);
          st.cpu.push((cpu.user + cpu.system) / n);
        }
      }
      const med = (xs: number[]): number => quantile(xs, 0.5);
      for (const count of counts) {
        const st = stats.get(count)!;
        emit(`${mode}.n${count}.admit_release_per_s`, 1e6 / med(st.mean), 'ops/s');
        emit(`${mode}.n${count}.admit_release_p50`, med(st.p50), 'us');
        emit(`${mode}.n${count}.admit_release_p99`, med(st.p99), 'us');
        emit(`${mode}.n${count}.admit_release_mean`, med(st.mean), 'us');
        emit(`${mode}.n${count}.admit_release_cpu_mean`, med(st.cpu), 'us');
      }
      const lo = Math.min(...counts);
      const hi = Math.max(...counts);
      if (lo !== hi) {
        const a = stats.get(lo)!;
        const b = stats.get(hi)!;
        emit(`${mode}.mean_ratio_n${hi}_vs_n${lo}`, med(b.mean) / med(a.mean), 'x');
        emit(`${mode}.p99_ratio_n${hi}_vs_n${lo}`, med(b.p99) / med(a.p99), 'x');
        emit(`${mode}.cpu_mean_ratio_n${hi}_vs_n${lo}`, med(b.cpu) / med(a.cpu), 'x');
      }
      ledgers.clear();
    }
  },
};
export default bench;
