import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import {
  ManualClock,
  PeSimulator,
  type PeSimulatorOptions,
  type SimLinkSpec,
  type SimTopologySpec,
} from '../../src/index.js';

/**
 * A small provider network for the integration tests:
 *
 * ```
 *            1G            100M (bottleneck)         1G
 *   PE1 ───────── P1 ─────────────────────── P2 ───────── PE2
 *                  │                          │
 *               1G │                          │ 500M
 *                  └────────── PE3 ───────────┘
 * ```
 * Every link is two directional links `A-B` and `B-A` of the same capacity.
 */
export function demoTopology(): SimTopologySpec {
  const links: SimLinkSpec[] = [];
  const both = (a: string, b: string, bps: number): void => {
    links.push({ id: `${a}-${b}`, from: a, to: b, maxReservableBps: bps });
    links.push({ id: `${b}-${a}`, from: b, to: a, maxReservableBps: bps });
  };
  both('PE1', 'P1', 1_000_000_000);
  both('P1', 'P2', 100_000_000);
  both('P2', 'PE2', 1_000_000_000);
  both('P1', 'PE3', 1_000_000_000);
  both('PE3', 'P2', 500_000_000);
  return {
    nodes: [
      { id: 'PE1', kind: 'PE', routerId: '10.0.0.1' },
      { id: 'PE2', kind: 'PE', routerId: '10.0.0.2' },
      { id: 'PE3', kind: 'PE', routerId: '10.0.0.3' },
      { id: 'P1', kind: 'P', routerId: '10.0.1.1' },
      { id: 'P2', kind: 'P', routerId: '10.0.1.2' },
    ],
    links,
  };
}

/** The route PE1 → P1 → P2 → PE2 (three hops, the middle one the bottleneck). */
export const PE1_TO_PE2 = { nodes: ['PE1', 'P1', 'P2', 'PE2'] } as const;

/** 2024-01-01T00:00:00Z, a realistic epoch-ms start for the manual clock. */
export const T0 = 1_704_067_200_000;

/** One private redis-server per test file, with a unique prefix per simulator it builds. */
export class TestNetwork {
  readonly clients: Redis[] = [];
  #prefixCount = 0;

  private constructor(readonly server: RedisServerHandle) {}

  static async start(): Promise<TestNetwork> {
    return new TestNetwork(await startRedisServer());
  }

  /** A new ioredis connection to the private server (closed by `stop`). */
  client(): Redis {
    const redis = new Redis(this.server.url, { maxRetriesPerRequest: 1 });
    this.clients.push(redis);
    return redis;
  }

  /** A fresh, unique hash-tagged prefix. */
  prefix(): string {
    this.#prefixCount += 1;
    return `{pesim-test-${this.#prefixCount}}`;
  }

  /** A simulator on a fresh prefix with a manual clock at {@link T0}, unless overridden. */
  simulator(options: Partial<PeSimulatorOptions> = {}): { sim: PeSimulator; clock: ManualClock } {
    const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock(T0);
    const sim = new PeSimulator({
      ...options,
      redis: options.redis ?? this.client(),
      topology: options.topology ?? demoTopology(),
      prefix: options.prefix ?? this.prefix(),
      clock: options.clock ?? clock,
    });
    return { sim, clock };
  }

  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.quit().catch(() => c.disconnect())));
    await this.server.stop();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `check` until it holds (bounded), for state written by an operation still in flight. */
export async function eventually(check: () => Promise<boolean>, what: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}
