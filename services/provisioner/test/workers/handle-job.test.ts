import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PeAdapterError, type JobSpec } from '@svpn/provisioning';
import { MemoryProvisioningStore } from '@svpn/store';
import { handleJob, type JobHandlerContext } from '../../src/workers/handle-job.js';
import { releaseFlow, setupFlow } from '../../src/flows/session-flow.js';
import { FakePeAdapter } from '../support/fake-pe-adapter.js';
import { storeIntent } from '../support/intents.js';

function context(): JobHandlerContext & { adapter: FakePeAdapter; store: MemoryProvisioningStore } {
  return { adapter: new FakePeAdapter(), store: new MemoryProvisioningStore({ now: () => 1_000 }) };
}

/** Runs every step of the stages in order, as the workers would. */
async function runAll(
  ctx: JobHandlerContext,
  stages: readonly (readonly { spec: JobSpec }[])[],
): Promise<string[]> {
  const outcomes: string[] = [];
  for (const stage of stages)
    for (const s of stage) outcomes.push(`${s.spec.type}:${(await handleJob(s.spec, ctx)).outcome}`);
  return outcomes;
}

describe('handleJob: converging to the desired state', () => {
  test('a setup flow signals the LSP, adds both UNI sessions with their marking and records the actual state', async () => {
    const ctx = context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    const outcomes = await runAll(ctx, setupFlow(change.session, change.lsps));
    assert.deepEqual(outcomes, [
      'rsvp-te.signal:applied',
      'uni.add-session:applied',
      'uni.add-session:applied',
    ]);
    const lsp = await ctx.store.getActualLsp('lsp-s1');
    assert.equal(lsp?.status, 'up');
    assert.equal(lsp?.ingressLabel, 100);
    assert.equal(lsp?.revision, change.lsps[0]?.revision);
    assert.deepEqual(
      (await ctx.store.listActualEndpoints('s1')).map((e) => [
        e.pe,
        e.uniRevision,
        e.markingRevision,
        e.lspId,
      ]),
      [
        ['PE1', change.session.revision, change.session.revision, 'lsp-s1'],
        ['PE4', change.session.revision, change.session.revision, 'lsp-s1'],
      ],
    );
  });

  test('running the same flow again changes nothing on the PEs (idempotent)', async () => {
    const ctx = context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    await runAll(ctx, setupFlow(change.session, change.lsps));
    const before = { lsps: [...ctx.adapter.lsps], sessions: [...ctx.adapter.sessions] };
    const calls = ctx.adapter.calls.length;
    const again = await runAll(ctx, setupFlow(change.session, change.lsps));
    assert.equal(again[0], 'rsvp-te.signal:unchanged');
    assert.deepEqual(
      ctx.adapter.calls.slice(calls).map((c) => c.split(' ')[0]),
      ['uni.add-session', 'marking.apply', 'uni.add-session', 'marking.apply'],
      'absolute, idempotent requests only: no signal, modify or remove',
    );
    assert.deepEqual({ lsps: [...ctx.adapter.lsps], sessions: [...ctx.adapter.sessions] }, before);
  });

  test('a job queued for an older revision converges to the newest desired state', async () => {
    const ctx = context();
    const v1 = await ctx.store.putSessionIntent(storeIntent('s1'));
    await ctx.store.putSessionIntent(storeIntent('s1', { version: 2, bandwidthBps: 30_000_000, dscp: 46 }));
    // The v1 setup jobs run late, after v2 was stored.
    await runAll(ctx, setupFlow(v1.session, v1.lsps));
    assert.equal(ctx.adapter.lsps.get('lsp-s1')?.bandwidthBps, 30_000_000);
    assert.equal(ctx.adapter.sessions.get('PE4|s1')?.bandwidthBps, 30_000_000);
    assert.equal(ctx.adapter.sessions.get('PE4|s1')?.dscp, 46);
    assert.equal((await ctx.store.listActualEndpoints('s1'))[0]?.uniRevision, 2);
  });

  test('creating jobs of a released session are skipped; removing jobs of a desired one too', async () => {
    const ctx = context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    await runAll(ctx, setupFlow(change.session, change.lsps));
    const released = await ctx.store.releaseSessionIntent('s1');
    const late = await runAll(ctx, setupFlow(change.session, change.lsps));
    assert.ok(
      late.every((o) => o.endsWith(':skipped')),
      late.join(),
    );
    // A removal queued for a session desired again on that PE is skipped.
    await ctx.store.putSessionIntent(storeIntent('s2'));
    const stale = releaseFlow({ ...(await ctx.store.getSessionIntent('s2'))! }, []);
    assert.deepEqual(await runAll(ctx, stale), ['uni.remove-session:skipped', 'uni.remove-session:skipped']);
    // The release flow of s1 removes its state and collects the released LSP record.
    const outcomes = await runAll(ctx, releaseFlow(released!.session, released!.lsps));
    assert.deepEqual(outcomes, [
      'uni.remove-session:applied',
      'uni.remove-session:applied',
      'rsvp-te.teardown:applied',
    ]);
    assert.equal(ctx.adapter.lsps.has('lsp-s1'), false);
    assert.equal(await ctx.store.getActualLsp('lsp-s1'), null);
    assert.equal(await ctx.store.getLspIntent('lsp-s1'), null);
    assert.deepEqual(await ctx.store.listActualEndpoints('s1'), []);
  });

  test('an LSP left partial or down is signalled again; one on another route is torn down first', async () => {
    const ctx = context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    const [signal] = setupFlow(change.session, change.lsps)[0]!;
    ctx.adapter.lsps.set('lsp-s1', {
      ...(await ctx.adapter.rsvpTeSignal({
        pe: 'PE1',
        lspId: 'lsp-s1',
        route: { nodes: ['PE1', 'P1', 'PE4'] },
        bandwidthBps: 1,
        setupPriority: 4,
        holdingPriority: 4,
      })),
      status: 'partial',
    });
    ctx.adapter.calls.length = 0;
    await handleJob(signal!.spec, ctx);
    assert.deepEqual(ctx.adapter.calls, ['rsvp-te.signal PE1 lsp-s1 10000000']);
    ctx.adapter.lsps.set('lsp-s1', { ...ctx.adapter.lsps.get('lsp-s1')!, nodes: ['PE1', 'P2', 'PE4'] });
    ctx.adapter.calls.length = 0;
    await handleJob(signal!.spec, ctx);
    assert.deepEqual(ctx.adapter.calls, [
      'rsvp-te.teardown PE1 lsp-s1',
      'rsvp-te.signal PE1 lsp-s1 10000000',
    ]);
  });

  test('a UNI session in another VPN is replaced; a changed bandwidth is modified in place', async () => {
    const ctx = context();
    await ctx.store.putSessionIntent(storeIntent('s1', { lsp: null }));
    await ctx.adapter.uniAddSession({
      pe: 'PE1',
      sessionId: 's1',
      vpnId: 'other',
      ce: 'CE1',
      interface: 'ge-0/0/1',
      bandwidthBps: 10_000_000,
      marking: { dscp: 10 },
    });
    await ctx.adapter.uniAddSession({
      pe: 'PE4',
      sessionId: 's1',
      vpnId: 'vpn-a',
      ce: 'CE2',
      interface: 'ge-0/0/2',
      bandwidthBps: 1,
      marking: { dscp: 10, serviceClass: 'high-throughput-data' },
    });
    ctx.adapter.calls.length = 0;
    const meta = { revision: 1, origin: 'setup' as const };
    await handleJob(
      {
        type: 'uni.add-session',
        payload: {
          pe: 'PE1',
          sessionId: 's1',
          vpnId: 'vpn-a',
          ce: 'CE1',
          interface: 'ge-0/0/1',
          bandwidthBps: 10_000_000,
          marking: { dscp: 10 },
          ...meta,
        },
      },
      ctx,
    );
    await handleJob(
      {
        type: 'uni.add-session',
        payload: {
          pe: 'PE4',
          sessionId: 's1',
          vpnId: 'vpn-a',
          ce: 'CE2',
          interface: 'ge-0/0/2',
          bandwidthBps: 10_000_000,
          marking: { dscp: 10 },
          ...meta,
        },
      },
      ctx,
    );
    assert.deepEqual(ctx.adapter.calls, [
      'uni.add-session PE1 s1', // conflict: another VPN
      'uni.remove-session PE1 s1',
      'uni.add-session PE1 s1',
      'marking.apply PE1 s1 10', // the session's DSCP, with its attachment
      'uni.add-session PE4 s1', // conflict: another bandwidth
      'uni.modify-session PE4 s1',
      'marking.apply PE4 s1 10',
    ]);
    assert.equal(ctx.adapter.sessions.get('PE4|s1')?.bandwidthBps, 10_000_000);
  });

  test('orphans: removal jobs act on state nobody desires; direct jobs apply their payload as given', async () => {
    const ctx = context();
    await ctx.adapter.rsvpTeSignal({
      pe: 'PE1',
      lspId: 'leak',
      route: { nodes: ['PE1', 'PE4'] },
      bandwidthBps: 5,
      setupPriority: 7,
      holdingPriority: 7,
    });
    const outcome = await handleJob(
      { type: 'rsvp-te.teardown', payload: { pe: 'PE1', lspId: 'leak', revision: 0, origin: 'reconcile' } },
      ctx,
    );
    assert.equal(outcome.outcome, 'applied');
    assert.equal(ctx.adapter.lsps.size, 0);
    const skipped = await handleJob(
      {
        type: 'rsvp-te.signal',
        payload: {
          pe: 'PE1',
          lspId: 'x',
          route: { nodes: ['PE1', 'PE4'] },
          bandwidthBps: 5,
          setupPriority: 7,
          holdingPriority: 7,
          revision: 0,
          origin: 'reconcile',
        },
      },
      ctx,
    );
    assert.equal(skipped.outcome, 'skipped', 'nothing is created without a desired record');
    const direct = await handleJob(
      {
        type: 'rsvp-te.signal',
        payload: {
          pe: 'PE1',
          lspId: 'x',
          route: { nodes: ['PE1', 'PE4'] },
          bandwidthBps: 5,
          setupPriority: 7,
          holdingPriority: 7,
          revision: 0,
          origin: 'direct',
        },
      },
      ctx,
    );
    assert.equal(direct.outcome, 'applied');
    assert.equal(ctx.adapter.lsps.get('x')?.bandwidthBps, 5);
    const cls = await handleJob(
      {
        type: 'marking.apply',
        payload: {
          pe: 'PE1',
          target: { serviceClass: 'telephony' },
          dscp: 46,
          revision: 0,
          origin: 'direct',
        },
      },
      ctx,
    );
    assert.equal(cls.outcome, 'applied');
    const ldp = await handleJob(
      { type: 'ldp.bind', payload: { pe: 'PE1', fec: '192.0.2.1/32', revision: 0, origin: 'direct' } },
      ctx,
    );
    assert.equal(ldp.detail, 'label 99');
  });

  test('memberships: advertise records the VPN label; withdraw removes it and collects the released record', async () => {
    const ctx = context();
    const m = {
      pe: 'PE1',
      vpnId: 'vpn-a',
      ce: 'CE1',
      rd: '65000:1',
      importTargets: ['65000:1'],
      exportTargets: ['65000:1'],
      prefixes: [],
    };
    const { membership } = await ctx.store.putMembershipIntent(m);
    const meta = { revision: membership.revision, origin: 'setup' as const };
    await handleJob({ type: 'bgp.advertise-membership', payload: { ...m, ...meta } }, ctx);
    assert.equal((await ctx.store.listActualMemberships())[0]?.vpnLabel, 16);
    const withdrawSkipped = await handleJob(
      { type: 'bgp.withdraw-membership', payload: { pe: 'PE1', vpnId: 'vpn-a', ce: 'CE1', ...meta } },
      ctx,
    );
    assert.equal(withdrawSkipped.outcome, 'skipped');
    await ctx.store.releaseMembershipIntent(m);
    const withdrawn = await handleJob(
      { type: 'bgp.withdraw-membership', payload: { pe: 'PE1', vpnId: 'vpn-a', ce: 'CE1', ...meta } },
      ctx,
    );
    assert.equal(withdrawn.outcome, 'applied');
    assert.deepEqual(await ctx.store.listActualMemberships(), []);
    assert.equal(await ctx.store.getMembershipIntent(m), null);
  });

  test('PE failures propagate as PeAdapterError and record nothing', async () => {
    const ctx = context();
    const change = await ctx.store.putSessionIntent(storeIntent('s1'));
    ctx.adapter.failNext('rsvp-te.signal', 'SVPN_PE_NO_BANDWIDTH');
    const [signal] = setupFlow(change.session, change.lsps)[0]!;
    await assert.rejects(
      handleJob(signal!.spec, ctx),
      (e: unknown) => e instanceof PeAdapterError && !e.retryable,
    );
    assert.equal(await ctx.store.getActualLsp('lsp-s1'), null);
  });
});
