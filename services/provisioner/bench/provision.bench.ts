// `npm run bench -- provisioner-flow [--sessions N] [--concurrency C]`: what the provisioning queue
// costs a session. Against a private loopback redis-server with pe-sim at zero latency (the e2e-calls
// setting), one process running the Provisioner API and the six PE workers of the demo topology:
// - setup / release latency of one session at a time (LSP signal → 2 × uni.add-session → 2 ×
//   marking.apply; release: 2 × uni.remove-session → rsvp-te.teardown), p50 / p99;
// - the same PE operations called directly on pe-sim, sequentially (the baseline: what the queue,
//   the workers and the desired/actual bookkeeping add on top);
// - throughput with C sessions in flight (setup then release), sessions/s.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Benchmark } from '@svpn/bench-kit';
import { nowMicros, quantile } from '@svpn/bench-kit';
import { PeSimulator } from '@svpn/pe-sim';
import type { SessionIntent } from '@svpn/provisioning';
import { silentLogger } from '@svpn/service-kit';
import { KeySpace, RedisProvisioningStore } from '@svpn/store';
import { parseTopology } from '@svpn/te';
import { startRedisServer } from '@svpn/test-support';
import { Redis } from 'ioredis';
import { PeSimAdapter } from '../src/adapters/pe-sim-adapter.js';
import { JobRunner } from '../src/jobs/job-runner.js';
import { Provisioner } from '../src/provisioner/provisioner.js';
import { PeWorker } from '../src/workers/pe-worker.js';

const TOPOLOGY = fileURLToPath(new URL('../../../deploy/demo/topology.yaml', import.meta.url));
const VPN = '00000a:00000001';
const ROUTE = { nodes: ['PE1', 'P1', 'P2', 'P3', 'PE4'] };

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

function intent(sessionId: string): SessionIntent {
  return {
    sessionId,
    version: 1,
    vpnId: VPN,
    bandwidthBps: 1_000_000,
    dscp: 10,
    serviceClass: 'high-throughput-data',
    endpoints: [
      { pe: 'PE1', ce: 'CE1', interface: 'ge-0/0/1.100' },
      { pe: 'PE4', ce: 'CE2', interface: 'ge-0/0/2.100' },
    ],
    lsp: { lspId: `lsp-${sessionId}`, route: ROUTE, setupPriority: 4, holdingPriority: 4 },
  };
}

const bench: Benchmark = {
  name: 'provisioner-flow',
  description:
    'Provisioner setup/release latency through the per-PE BullMQ queues vs direct pe-sim calls; sessions/s',
  async run(emit, args) {
    const sessions = Math.min(5_000, option(args, '--sessions', 300));
    const concurrency = Math.min(256, option(args, '--concurrency', 32));
    const server = await startRedisServer();
    const redis = new Redis(server.url, { maxRetriesPerRequest: null });
    const sim = new PeSimulator({
      redis,
      prefix: '{bench-sim}',
      topology: parseTopology(readFileSync(TOPOLOGY, 'utf8')),
    });
    const adapter = new PeSimAdapter(sim);
    const store = new RedisProvisioningStore(redis, new KeySpace('bench'));
    const runner = new JobRunner({ connection: redis, keyPrefix: 'bench', pollIntervalMs: 250 });
    const provisioner = new Provisioner({ store, runner, log: silentLogger() });
    const workers: PeWorker[] = [];
    try {
      await sim.init();
      for (const pe of adapter.listPes()) {
        workers.push(await PeWorker.start({ pe, connection: redis, keyPrefix: 'bench', adapter, store }));
      }
      for (const [pe, ce] of [
        ['PE1', 'CE1'],
        ['PE4', 'CE2'],
      ] as const) {
        await provisioner.advertiseMembership({
          pe,
          vpnId: VPN,
          ce,
          rd: '65000:1',
          importTargets: ['65000:1'],
          exportTargets: ['65000:1'],
        });
      }

      // Baseline: the same PE operations, directly.
      const direct: number[] = [];
      for (let i = 0; i < sessions; i++) {
        const t = nowMicros();
        await sim.rsvpTeSignal({
          lspId: `d${i}`,
          route: ROUTE,
          bandwidthBps: 1_000_000,
          setupPriority: 4,
          holdingPriority: 4,
        });
        await Promise.all(
          (['PE1', 'PE4'] as const).map((pe, j) =>
            sim.uniAddSession({
              pe,
              sessionId: `d${i}`,
              vpnId: VPN,
              ce: j === 0 ? 'CE1' : 'CE2',
              interface: 'ge-0',
              bandwidthBps: 1_000_000,
              marking: { dscp: 10 },
              lspId: `d${i}`,
            }),
          ),
        );
        await Promise.all(
          (['PE1', 'PE4'] as const).map((pe) =>
            sim.markingApply({ pe, target: { sessionId: `d${i}` }, dscp: 10 }),
          ),
        );
        direct.push(nowMicros() - t);
        await Promise.all(
          (['PE1', 'PE4'] as const).map((pe) => sim.uniRemoveSession({ pe, sessionId: `d${i}` })),
        );
        await sim.rsvpTeTeardown({ lspId: `d${i}` });
      }

      const setup: number[] = [];
      const release: number[] = [];
      for (let i = 0; i < sessions; i++) {
        let t = nowMicros();
        await provisioner.provisionSession(intent(`s${i}`));
        setup.push(nowMicros() - t);
        t = nowMicros();
        const { complete } = await provisioner.releaseSession(`s${i}`);
        release.push(nowMicros() - t);
        if (!complete) throw new Error(`release of s${i} did not complete`);
      }
      emit('direct_pe_ops_setup_p50', quantile(direct, 0.5) / 1000, 'ms');
      emit('direct_pe_ops_setup_p99', quantile(direct, 0.99) / 1000, 'ms');
      emit('setup_p50', quantile(setup, 0.5) / 1000, 'ms');
      emit('setup_p99', quantile(setup, 0.99) / 1000, 'ms');
      emit('release_p50', quantile(release, 0.5) / 1000, 'ms');
      emit('release_p99', quantile(release, 0.99) / 1000, 'ms');
      emit('setup_p50_over_direct', quantile(setup, 0.5) / quantile(direct, 0.5), 'ratio');

      let next = 0;
      const started = nowMicros();
      const lane = async (): Promise<void> => {
        while (next < sessions) {
          const id = `c${next++}`;
          await provisioner.provisionSession(intent(id));
          await provisioner.releaseSession(id);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      const seconds = (nowMicros() - started) / 1e6;
      emit(`sessions_per_s_setup_and_release_c${concurrency}`, sessions / seconds, 'sessions/s');
      const left = (await sim.listLsps()).length + (await sim.listSessions()).length;
      emit('leftover_lsps_and_sessions', left, 'count');
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await provisioner.close();
      await runner.close();
      redis.disconnect();
      await server.stop();
    }
  },
};

export default bench;
