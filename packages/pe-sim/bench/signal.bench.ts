// `npm run bench -- pe-sim-signal [--ops N]`: cost of the simulator's RSVP-TE operations against a private
// loopback redis-server. Sequential latency (one caller) and throughput with two ioredis clients and 64
// operations in flight, as two provisioner workers would drive it; plus Redis memory per LSP.
import type { Benchmark } from '@svpn/bench-kit';
import { nowMicros, quantile } from '@svpn/bench-kit';
import { startRedisServer } from '@svpn/test-support';
import { Redis } from 'ioredis';
import { PeSimulator, type SimLinkSpec, type SimTopologySpec } from '../src/index.js';

/** A chain PE0 → P1 … P(n−2) → PE(n−1) of ample links, so no signal is refused. */
function chain(hops: number): { topology: SimTopologySpec; route: { nodes: string[] } } {
  const nodes = Array.from({ length: hops + 1 }, (_, i) => ({
    id: i === 0 || i === hops ? `PE${i}` : `P${i}`,
    kind: i === 0 || i === hops ? ('PE' as const) : ('P' as const),
  }));
  const links: SimLinkSpec[] = [];
  for (let i = 0; i < hops; i++) {
    const from = nodes[i]?.id as string;
    const to = nodes[i + 1]?.id as string;
    links.push({ id: `${from}-${to}`, from, to, maxReservableBps: 10_000_000_000_000 });
  }
  return { topology: { nodes, links }, route: { nodes: nodes.map((n) => n.id) } };
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

const bench: Benchmark = {
  name: 'pe-sim-signal',
  description: 'pe-sim rsvp-te.signal / teardown latency and throughput on a loopback Redis, bytes per LSP',
  async run(emit, args) {
    const ops = Math.min(20_000, option(args, '--ops', 2_000));
    const hops = 4;
    const server = await startRedisServer();
    const clients = [new Redis(server.url), new Redis(server.url)];
    try {
      const { topology, route } = chain(hops);
      const [a, b] = clients.map((redis) => new PeSimulator({ redis, topology, prefix: '{bench}' })) as [
        PeSimulator,
        PeSimulator,
      ];
      await a.init();

      const signal: number[] = [];
      const teardown: number[] = [];
      for (let i = 0; i < ops; i++) {
        let t = nowMicros();
        await a.rsvpTeSignal({ lspId: `s${i}`, route, bandwidthBps: 1_000_000 });
        signal.push(nowMicros() - t);
        t = nowMicros();
        await a.rsvpTeTeardown({ lspId: `s${i}` });
        teardown.push(nowMicros() - t);
      }
      emit(`signal_${hops}_hops_p50`, quantile(signal, 0.5), 'us');
      emit(`signal_${hops}_hops_p99`, quantile(signal, 0.99), 'us');
      emit('teardown_p50', quantile(teardown, 0.5), 'us');
      emit('teardown_p99', quantile(teardown, 0.99), 'us');

      const inFlight = 64;
      let next = 0;
      const started = nowMicros();
      await Promise.all(
        Array.from({ length: inFlight }, async (_, w) => {
          const sim = w % 2 ? a : b;
          for (let i = next++; i < ops; i = next++) {
            await sim.rsvpTeSignal({ lspId: `c${i}`, route, bandwidthBps: 1_000_000 });
          }
        }),
      );
      const seconds = (nowMicros() - started) / 1e6;
      emit('signal_throughput_2_clients', ops / seconds, 'ops/s');

      const memory = Number(await clients[0]?.call('MEMORY', 'USAGE', a.keys.lsps, 'SAMPLES', '0'));
      emit('redis_bytes_per_lsp_record', memory / ops, 'bytes');
      const links = await a.listLinks();
      if (links.some((l) => l.reservedBps !== ops * 1_000_000))
        throw new Error('bookkeeping mismatch after the run');
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
      await server.stop();
    }
  },
};

export default bench;
