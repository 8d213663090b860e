import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { PeSimulator } from '@svpn/pe-sim';
import type { JobSpec } from '@svpn/provisioning';
import { MemoryProvisioningStore } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { PeSimAdapter } from '../../src/adapters/pe-sim-adapter.js';
import { releaseFlow, setupFlow } from '../../src/flows/session-flow.js';
import { handleJob, type JobHandlerContext } from '../../src/workers/handle-job.js';
import { demoTopology } from '../support/harness.js';
import { storeIntent } from '../support/intents.js';
import { advertiseVpnA } from '../support/vpn-a.js';

/**
 * How many Redis commands the simulated network costs per provisioning job on the hot path of a
 * call (issue 4 item 8): the simulator has a redis-server of its own here, so the server's command
 * counters are the simulator's alone.
 */

let server: RedisServerHandle;
let redis: Redis;
let probe: Redis;
let ctx: JobHandlerContext;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  probe = new Redis(server.url, { maxRetriesPerRequest: 1 });
  const sim = new PeSimulator({ redis, topology: demoTopology(), prefix: '{rt-sim}' });
  await advertiseVpnA(sim);
  ctx = { adapter: new PeSimAdapter(sim), store: new MemoryProvisioningStore({ now: () => 1_000 }) };
});
after(async () => {
  probe.disconnect();
  redis.disconnect();
  await server.stop();
});

/**
 * Top-level commands the simulator's connection sends while `body` runs (MONITOR: the commands a
 * script runs itself are reported with source `lua` and are not round trips).
 */
async function counted(spec: JobSpec): Promise<string[]> {
  const monitor = await probe.monitor();
  const seen: string[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    if (source !== 'lua') seen.push(args.slice(0, 2).join(' '));
  });
  // MONITOR starts reporting once the server has answered it; a PING through the observed
  // connection, seen by the monitor, marks the start and the end of the window.
  await redis.ping('start');
  await waitFor(seen, 'ping start');
  await handleJob(spec, ctx);
  await redis.ping('end');
  await waitFor(seen, 'ping end');
  monitor.disconnect();
  return seen.slice(seen.indexOf('ping start') + 1, seen.indexOf('ping end'));
}

async function waitFor(seen: readonly string[], line: string): Promise<void> {
  for (let i = 0; i < 200 && !seen.includes(line); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(seen.includes(line), `MONITOR reported "${line}"`);
}

function uniSteps(stages: ReturnType<typeof setupFlow>, type: JobSpec['type']): JobSpec[] {
  return stages.flatMap((stage) => stage.map((s) => s.spec)).filter((s) => s.type === type);
}

/** One session's uni.add-session and uni.remove-session jobs on PE1: the commands of each. */
async function session(sessionId: string): Promise<[string[], string[]]> {
  const change = await ctx.store.putSessionIntent(storeIntent(sessionId));
  const [add] = uniSteps(setupFlow(change.session, change.lsps), 'uni.add-session');
  assert.ok(add && add.payload.pe === 'PE1');
  const addCommands = await counted(add);
  const released = await ctx.store.releaseSessionIntent(sessionId);
  assert.ok(released);
  const [remove] = uniSteps(releaseFlow(released.session, released.lsps), 'uni.remove-session');
  assert.ok(remove && remove.payload.pe === 'PE1');
  const removeCommands = await counted(remove);
  return [addCommands, removeCommands];
}

describe('Redis round trips of the simulated PEs per provisioning job', () => {
  test('uni.add-session with its marking is one command, uni.remove-session one', async () => {
    await session('warm-up'); // loads the scripts (a first EVALSHA answers NOSCRIPT)
    const [add, remove] = await session('s1');
    const dscp = (await ctx.adapter.getSession('PE1', 's1'))?.dscp;
    assert.equal(dscp, undefined, 'the session is gone after its removal');
    assert.deepEqual(
      { add: add.length, remove: remove.length },
      { add: 1, remove: 1 },
      `commands: ${JSON.stringify({ add, remove })}`,
    );
  });
});
