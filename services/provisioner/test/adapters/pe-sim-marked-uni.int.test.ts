import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { ManualClock, PeRefusedError, PeSimulator } from '@svpn/pe-sim';
import { PeAdapterError, type JobSpec } from '@svpn/provisioning';
import { MemoryProvisioningStore } from '@svpn/store';
import { startRedisServer, type RedisServerHandle } from '@svpn/test-support';
import { markedUni } from '../../src/adapters/marked-uni.js';
import { PeSimAdapter, toPeAdapterError } from '../../src/adapters/pe-sim-adapter.js';
import { modifyFlow, setupFlow } from '../../src/flows/session-flow.js';
import { handleJob, type JobHandlerContext } from '../../src/workers/handle-job.js';
import { FakePeAdapter } from '../support/fake-pe-adapter.js';
import { demoTopology } from '../support/harness.js';
import { storeIntent } from '../support/intents.js';
import { advertiseVpnA } from '../support/vpn-a.js';

/**
 * uni.add-session / uni.modify-session jobs of a desired session attach it and set its DSCP in one
 * pe-sim call (`sessionDscp`); the faults of either operation must surface from the job exactly as
 * they did from two calls.
 */

let server: RedisServerHandle;
let redis: Redis;
let prefixes = 0;

before(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
after(async () => {
  redis.disconnect();
  await server.stop();
});

async function context(): Promise<{
  ctx: JobHandlerContext & { store: MemoryProvisioningStore };
  sim: PeSimulator;
  clock: ManualClock;
}> {
  const clock = new ManualClock(1_704_067_200_000);
  prefixes += 1;
  const sim = new PeSimulator({ redis, topology: demoTopology(), prefix: `{marked-${prefixes}}`, clock });
  await advertiseVpnA(sim);
  const store = new MemoryProvisioningStore({ now: () => 1_000 });
  return { ctx: { adapter: new PeSimAdapter(sim), store }, sim, clock };
}

function uniJob(stages: ReturnType<typeof setupFlow>, pe: string): JobSpec {
  const spec = stages
    .flatMap((stage) => stage.map((s) => s.spec))
    .find((s) => (s.type === 'uni.add-session' || s.type === 'uni.modify-session') && s.payload.pe === pe);
  assert.ok(spec);
  return spec;
}

async function failure(job: Promise<unknown>): Promise<PeAdapterError> {
  const error = await job.then(
    () => assert.fail('the job succeeded'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof PeAdapterError, String(error));
  return error;
}

describe('uni jobs with the session marking on pe-sim (one call)', () => {
  test('the PeSimAdapter offers the combined call; other adapters fall back to two calls', () => {
    assert.ok(markedUni(new PeSimAdapter(new PeSimulator({ redis, topology: demoTopology() }))));
    assert.equal(markedUni(new FakePeAdapter()), null);
  });

  test('a combined failure names the operation that failed', () => {
    const mapped = toPeAdapterError(
      new PeRefusedError('PE1', 'marking.apply', 'f'),
      'PE1',
      'uni.add-session',
    );
    assert.equal(mapped.operation, 'marking.apply');
    assert.equal(mapped.code, 'SVPN_PE_REFUSED');
  });

  test('attach and mark: the actual state records the DSCP and both revisions', async () => {
    const { ctx, sim } = await context();
    await sim.markingApply({ pe: 'PE1', target: { serviceClass: 'high-throughput-data' }, dscp: 12 });
    const change = await ctx.store.putSessionIntent(storeIntent('s1', { dscp: 34 }));
    assert.equal(
      (await handleJob(uniJob(setupFlow(change.session, change.lsps), 'PE1'), ctx)).outcome,
      'applied',
    );
    const held = await sim.getSession('PE1', 's1');
    assert.equal(`${held?.dscp}/${held?.markingSource}`, '34/session', 'the class rule does not re-mark it');
    const actual = await ctx.store.getActualEndpoint('s1', 'PE1');
    assert.equal(actual?.dscp, 34);
    assert.equal(actual?.uniRevision, change.session.revision);
    assert.equal(actual?.markingRevision, change.session.revision);
  });

  test('refuse: on the attachment nothing is held; on the marking the session is attached, unrecorded; the retry converges', async () => {
    const { ctx, sim } = await context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1', { dscp: 34 }));
    const job = uniJob(setupFlow(change.session, change.lsps), 'PE1');

    await sim.injectFault({ pe: 'PE1', op: 'uni.add-session', mode: 'refuse', count: 1 });
    const refusedAdd = await failure(handleJob(job, ctx));
    assert.equal(refusedAdd.code, 'SVPN_PE_REFUSED');
    assert.equal(refusedAdd.operation, 'uni.add-session');
    assert.equal(refusedAdd.retryable, true);
    assert.equal(await sim.getSession('PE1', 's1'), null);

    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', count: 2 });
    for (let i = 0; i < 2; i++) {
      const refusedMark = await failure(handleJob(job, ctx));
      assert.equal(refusedMark.code, 'SVPN_PE_REFUSED');
      assert.equal(refusedMark.operation, 'marking.apply');
    }
    assert.equal((await sim.getSession('PE1', 's1'))?.markingSource, 'uni', 'attached, not marked');
    assert.equal(await ctx.store.getActualEndpoint('s1', 'PE1'), null, 'nothing recorded yet');

    // the fault is used up (count 2): the worker's retry converges
    assert.equal((await handleJob(job, ctx)).outcome, 'applied');
    assert.equal((await sim.getSession('PE1', 's1'))?.dscp, 34);
    assert.equal((await ctx.store.getActualEndpoint('s1', 'PE1'))?.dscp, 34);
  });

  test('probability: a 50 % marking fault fails some jobs; retries converge every session', async () => {
    const { ctx, sim } = await context();
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', probability: 0.5, seed: 3 });
    let refused = 0;
    for (let i = 0; i < 12; i++) {
      const change = await ctx.store.putSessionIntent(storeIntent(`p${i}`, { dscp: 20 }));
      const job = uniJob(setupFlow(change.session, change.lsps), 'PE1');
      for (;;) {
        const outcome = await handleJob(job, ctx).then(
          () => 'ok',
          (e: unknown) => (e instanceof PeAdapterError && e.operation === 'marking.apply' ? 'refused' : e),
        );
        if (outcome === 'ok') break;
        assert.equal(outcome, 'refused');
        refused += 1;
      }
      assert.equal((await ctx.store.getActualEndpoint(`p${i}`, 'PE1'))?.dscp, 20);
    }
    assert.ok(refused > 0, 'some markings were refused');
    assert.deepEqual(
      [...new Set((await sim.listSessions('PE1')).map((s) => `${s.dscp}/${s.markingSource}`))],
      ['20/session'],
    );
  });

  test('timeout: the job fails with SVPN_PE_TIMEOUT naming the marking; applied, the PE holds the DSCP', async () => {
    const { ctx, sim, clock } = await context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1', { dscp: 34 }));
    const job = uniJob(setupFlow(change.session, change.lsps), 'PE1');
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'timeout', applied: true, count: 1 });
    const pending = failure(handleJob(job, { ...ctx, call: { deadlineMs: 500 } }));
    await clock.untilSleeping(1);
    for (let i = 0; i < 200 && (await sim.getSession('PE1', 's1'))?.dscp !== 34; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // the script's reply came before the read's: one macrotask turn lets the call take it in
    await new Promise((r) => setImmediate(r));
    clock.advance(500);
    const timedOut = await pending;
    assert.equal(timedOut.code, 'SVPN_PE_TIMEOUT');
    assert.equal(timedOut.operation, 'marking.apply', timedOut.message);
    assert.equal((await sim.getSession('PE1', 's1'))?.markingSource, 'session', 'the change was made');
    assert.equal(await ctx.store.getActualEndpoint('s1', 'PE1'), null, 'but the answer was lost');
    assert.equal((await handleJob(job, ctx)).outcome, 'applied', 'the idempotent retry records it');
  });

  test('reboot on the marking: the PE forgot the session (and its VRF); the job fails', async () => {
    const { ctx, sim } = await context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'reboot', count: 1 });
    const rebooted = await failure(handleJob(uniJob(setupFlow(change.session, change.lsps), 'PE1'), ctx));
    assert.equal(rebooted.code, 'SVPN_PE_REBOOTED');
    assert.equal(rebooted.operation, 'marking.apply');
    assert.deepEqual(await sim.listSessions('PE1'), []);
    assert.deepEqual(await sim.listVrfs('PE1'), []);
  });

  test('modify: a new bandwidth and DSCP in one call; a refused marking leaves the modification made', async () => {
    const { ctx, sim } = await context();
    const v1 = await ctx.store.putSessionIntent(storeIntent('s1', { dscp: 34 }));
    await handleJob(uniJob(setupFlow(v1.session, v1.lsps), 'PE1'), ctx);
    const v2 = await ctx.store.putSessionIntent(
      storeIntent('s1', { version: 2, bandwidthBps: 20_000_000, dscp: 46, serviceClass: 'telephony' }),
    );
    const job = uniJob(modifyFlow(v1.session, v2.session, v2.lsps), 'PE1');
    assert.equal(job.type, 'uni.modify-session');
    await sim.injectFault({ pe: 'PE1', op: 'marking.apply', mode: 'refuse', count: 1 });
    const refused = await failure(handleJob(job, ctx));
    assert.equal(refused.operation, 'marking.apply');
    const modified = await sim.getSession('PE1', 's1');
    assert.equal(modified?.bandwidthBps, 20_000_000);
    assert.equal(
      `${modified?.dscp}/${modified?.markingSource}`,
      '46/uni',
      'the new rule, not yet per session',
    );
    // the retry finds the session as desired (outcome unchanged, as with two calls) and marks it
    assert.equal((await handleJob(job, ctx)).outcome, 'unchanged');
    const marked = await sim.getSession('PE1', 's1');
    assert.equal(`${marked?.dscp}/${marked?.markingSource}`, '46/session');
    assert.equal((await ctx.store.getActualEndpoint('s1', 'PE1'))?.markingRevision, v2.session.revision);
  });
});
