import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { PeSimulator, type PeSimulatorOptions } from '@svpn/pe-sim';
import type { MembershipIntent, SessionIntent } from '@svpn/provisioning';
import { silentLogger } from '@svpn/service-kit';
import { KeySpace, RedisProvisioningStore } from '@svpn/store';
import { parseTopology, type Topology } from '@svpn/te';
import { PeSimAdapter } from '../../src/adapters/pe-sim-adapter.js';
import { JobRunner, type JobPolicy } from '../../src/jobs/job-runner.js';
import { Provisioner } from '../../src/provisioner/provisioner.js';
import { Reconciler, type ReconcilerOptions } from '../../src/reconciler/reconciler.js';
import { PeWorker } from '../../src/workers/pe-worker.js';

/** The demo provider network (deploy/demo/topology.yaml). */
export const DEMO_TOPOLOGY_FILE = fileURLToPath(
  new URL('../../../../deploy/demo/topology.yaml', import.meta.url),
);

let topology: Topology | undefined;
export function demoTopology(): Topology {
  topology ??= parseTopology(readFileSync(DEMO_TOPOLOGY_FILE, 'utf8'));
  return topology;
}

export const VPN = '00000a:00000001';

/** CE1 (primary-dc) behind PE1 and CE2 (backup-dc) behind PE4, as in seed 001 Fig. 4. */
export const MEMBERSHIPS: readonly MembershipIntent[] = [
  { pe: 'PE1', vpnId: VPN, ce: 'CE1', rd: '65000:1', importTargets: ['65000:1'], exportTargets: ['65000:1'] },
  { pe: 'PE4', vpnId: VPN, ce: 'CE2', rd: '65000:1', importTargets: ['65000:1'], exportTargets: ['65000:1'] },
];

/** A PE1 → PE4 session over the west–east core (P2–P3, the 1 Gbit/s bottleneck). */
export function sessionIntent(sessionId: string, patch: Partial<SessionIntent> = {}): SessionIntent {
  return {
    sessionId,
    version: 1,
    vpnId: VPN,
    bandwidthBps: 100_000_000,
    dscp: 10,
    serviceClass: 'high-throughput-data',
    endpoints: [
      { pe: 'PE1', ce: 'CE1', interface: 'ge-0/0/1.100' },
      { pe: 'PE4', ce: 'CE2', interface: 'ge-0/0/2.100' },
    ],
    lsp: {
      lspId: `lsp-${sessionId}`,
      route: { nodes: ['PE1', 'P1', 'P2', 'P3', 'PE4'] },
      setupPriority: 4,
      holdingPriority: 4,
    },
    ...patch,
  };
}

/** Options of {@link Harness.start}. */
export interface HarnessOptions {
  redisUrl: string;
  /** Unique per test: the key prefix of everything (store, queues); pe-sim gets `{<name>-sim}`. */
  name: string;
  workers?: boolean;
  simulator?: Partial<Omit<PeSimulatorOptions, 'redis' | 'topology' | 'prefix'>>;
  policy?: JobPolicy;
  deadlineMs?: number;
  compensationDeadlineMs?: number;
  peDeadlineMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** The runner's first poll of a waiting step. @defaultValue 100 ms */
  pollIntervalMs?: number;
  reconciler?: Partial<Omit<ReconcilerOptions, 'store' | 'adapter' | 'runner'>>;
}

/** A provisioner wired as `startProvisioner` wires it, pieces exposed, on a private prefix. */
export class Harness {
  readonly workers: PeWorker[] = [];
  private constructor(
    readonly redis: Redis,
    readonly sim: PeSimulator,
    readonly adapter: PeSimAdapter,
    readonly store: RedisProvisioningStore,
    readonly runner: JobRunner,
    readonly provisioner: Provisioner,
    readonly reconciler: Reconciler,
    readonly options: HarnessOptions,
  ) {}

  static async start(options: HarnessOptions): Promise<Harness> {
    const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    const sim = new PeSimulator({
      redis,
      prefix: `{${options.name}-sim}`,
      topology: demoTopology(),
      deadlineMs: options.peDeadlineMs ?? 2_000,
      ...options.simulator,
    });
    await sim.init();
    const adapter = new PeSimAdapter(sim);
    const store = new RedisProvisioningStore(redis, new KeySpace(options.name));
    const runner = new JobRunner({
      connection: redis,
      keyPrefix: options.name,
      policy: { attempts: 3, backoffMs: 20, ...options.policy },
      pollIntervalMs: options.pollIntervalMs ?? 100,
      maxPollIntervalMs: Math.max(options.pollIntervalMs ?? 100, 2_000),
    });
    const provisioner = new Provisioner({
      store,
      runner,
      deadlineMs: options.deadlineMs ?? 6_000,
      compensationDeadlineMs: options.compensationDeadlineMs ?? 6_000,
      log: silentLogger(),
    });
    const reconciler = new Reconciler({
      store,
      adapter,
      runner,
      owner: `${options.name}-reconciler`,
      graceMs: 0,
      roundDeadlineMs: 5_000,
      log: silentLogger(),
      ...options.reconciler,
    });
    const harness = new Harness(redis, sim, adapter, store, runner, provisioner, reconciler, options);
    if (options.workers ?? true) await harness.startWorkers();
    return harness;
  }

  async startWorkers(): Promise<void> {
    for (const pe of this.adapter.listPes()) {
      this.workers.push(
        await PeWorker.start({
          pe,
          connection: this.redis,
          keyPrefix: this.options.name,
          adapter: this.adapter,
          store: this.store,
          peDeadlineMs: this.options.peDeadlineMs ?? 2_000,
          lockDurationMs: this.options.lockDurationMs ?? 5_000,
          stalledIntervalMs: this.options.stalledIntervalMs ?? 5_000,
          log: silentLogger(),
        }),
      );
    }
  }

  async advertiseMemberships(): Promise<void> {
    for (const m of MEMBERSHIPS) await this.provisioner.advertiseMembership(m);
  }

  /** Every label bound for an LSP (owner `rsvp:…`) on any node. */
  async rsvpLabels(): Promise<string[]> {
    const out: string[] = [];
    for (const node of this.sim.topology.nodes.keys()) {
      for (const l of await this.sim.listLabels(node))
        if (l.owner.startsWith('rsvp:')) out.push(`${node}:${l.label}:${l.owner}`);
    }
    return out;
  }

  /** Reserved bandwidth per link that holds any. */
  async reservedLinks(): Promise<Record<string, number>> {
    return Object.fromEntries(
      (await this.sim.listLinks()).filter((l) => l.reservedBps !== 0).map((l) => [l.id, l.reservedBps]),
    );
  }

  /** Everything left on the network and in the actual-state store apart from memberships. */
  async leftovers(): Promise<{
    lsps: string[];
    sessions: string[];
    labels: string[];
    links: Record<string, number>;
    actualLsps: string[];
    actualEndpoints: string[];
  }> {
    return {
      lsps: (await this.sim.listLsps()).map((l) => `${l.lspId}:${l.status}`),
      sessions: (await this.sim.listSessions()).map((s) => `${s.sessionId}@${s.pe}`),
      labels: await this.rsvpLabels(),
      links: await this.reservedLinks(),
      actualLsps: (await this.store.listActualLsps()).map((l) => l.lspId),
      actualEndpoints: (await this.store.listActualEndpoints()).map((e) => `${e.sessionId}@${e.pe}`),
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close(true)));
    await this.reconciler.stop();
    await this.provisioner.close();
    await this.runner.close();
    this.redis.disconnect();
  }
}

/** Nothing left anywhere. */
export const CLEAN = { lsps: [], sessions: [], labels: [], links: {}, actualLsps: [], actualEndpoints: [] };
