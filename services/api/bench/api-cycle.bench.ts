// `npm run bench -- api-cycle [--cycles N]`: NSI connection cycles through the API on loopback — the
// whole svpn (private redis-server, policy, provisioner with pe-sim at zero latency, charging,
// gateway) plus the API service; each cycle is reserve → commit → provision (a real SIP INVITE to the
// gateway, admitted and provisioned) → release (BYE), then terminate (cleanup, timed apart).
// Figures: cycles/s (wall time of whole cycles, terminate included) and p50 / p99 per operation.
import type { Benchmark } from '@svpn/bench-kit';
import { nowMicros, quantile } from '@svpn/bench-kit';
import { call, startApiHarness } from '../test/support/api-harness.js';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

const OPS = ['reserve', 'commit', 'provision', 'release', 'terminate'] as const;

const bench: Benchmark = {
  name: 'api-cycle',
  description:
    'reserve → commit → provision → release cycles/s through the API (SIP call to the gateway, pe-sim zero latency); p99 per operation',
  async run(emit, args) {
    const cycles = option(args, '--cycles', 40);
    const budgetMs = option(args, '--budget-ms', 90_000);
    const x = await startApiHarness({ rateLimitPerMinute: 1_000_000 });
    try {
      await x.sipApp('grid-b', 'grid-b-secret', 'CE4', 'globex-grid');
      const base = x.api.url as string;
      const samples: Record<(typeof OPS)[number], number[]> = {
        reserve: [],
        commit: [],
        provision: [],
        release: [],
        terminate: [],
      };
      const timed = async (
        op: (typeof OPS)[number],
        path: string,
        body?: unknown,
      ): Promise<Record<string, unknown>> => {
        const t0 = nowMicros();
        const r = await call(base, x.appKey, 'POST', path, body);
        samples[op].push(nowMicros() - t0);
        if (r.status >= 300) throw new Error(`${op}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      // One warm-up cycle (JIT, connections, first registrations) outside the figures.
      const runCycle = async (): Promise<void> => {
        const c = await timed('reserve', '/v1/connections', {
          vpnId: 'globex-grid',
          source: { application: 'grid-a' },
          destination: { application: 'grid-b' },
          bandwidthBps: 10_000_000,
        });
        const id = String(c['connectionId']);
        await timed('commit', `/v1/connections/${id}/commit`);
        await timed('provision', `/v1/connections/${id}/provision`);
        await timed('release', `/v1/connections/${id}/release`);
        await timed('terminate', `/v1/connections/${id}/terminate`);
      };
      await runCycle();
      for (const op of OPS) samples[op].length = 0;
      const started = Date.now();
      let done = 0;
      while (done < cycles && Date.now() - started < budgetMs) {
        await runCycle();
        done++;
      }
      const seconds = (Date.now() - started) / 1000;
      emit('cycles', done, 'count');
      emit('cycles_per_s', done / seconds, 'cycles/s');
      for (const op of OPS) {
        emit(`${op}_p50`, quantile(samples[op], 0.5) / 1000, 'ms');
        emit(`${op}_p99`, quantile(samples[op], 0.99) / 1000, 'ms');
      }
    } finally {
      await x.stop();
    }
  },
};

export default bench;
