import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPayload, jobId } from '@svpn/provisioning';
import { MemoryProvisioningStore } from '@svpn/store';
import { lspStep, modifyFlow, releaseFlow, setupFlow } from '../../src/flows/session-flow.js';
import { describeStep, type Stage } from '../../src/flows/step.js';
import { storeIntent } from '../support/intents.js';

const names = (stages: readonly Stage[]): string[][] => stages.map((s) => s.map(describeStep));

describe('session flows', () => {
  test('setup reserves the LSP first, then attaches (and marks) both UNI sessions: no separate marking jobs', async () => {
    const store = new MemoryProvisioningStore();
    const { session, lsps } = await store.putSessionIntent(storeIntent('s1'));
    const stages = setupFlow(session, lsps);
    assert.deepEqual(names(stages), [['rsvp-te.signal@PE1'], ['uni.add-session@PE1', 'uni.add-session@PE4']]);
    assert.equal(stages[0]![0]!.jobId, jobId('rsvp-te.signal', 'lsp-s1', 1));
    assert.equal(stages[1]![1]!.jobId, jobId('uni.add-session', 's1', 1));
    // Every payload satisfies its schema (what the workers check).
    for (const s of stages.flat()) assert.doesNotThrow(() => checkPayload(s.spec.type, s.spec.payload));
  });

  test('a second session on the LSP resizes it instead of signalling', async () => {
    const store = new MemoryProvisioningStore();
    await store.putSessionIntent(storeIntent('a', { lsp: { ...storeIntent('a').lsp!, lspId: 'agg' } }));
    const { session, lsps } = await store.putSessionIntent(
      storeIntent('b', { lsp: { ...storeIntent('b').lsp!, lspId: 'agg' } }),
    );
    const [first] = setupFlow(session, lsps);
    assert.equal(first![0]!.spec.type, 'rsvp-te.resize');
    assert.deepEqual(first![0]!.spec.payload, {
      pe: 'PE1',
      lspId: 'agg',
      bandwidthBps: 20_000_000,
      revision: 2,
      origin: 'setup',
    });
  });

  test('modify: growing resizes the LSP before the UNI, shrinking after', async () => {
    const store = new MemoryProvisioningStore();
    const v1 = await store.putSessionIntent(storeIntent('s1'));
    const up = await store.putSessionIntent(storeIntent('s1', { version: 2, bandwidthBps: 50_000_000 }));
    assert.deepEqual(names(modifyFlow(v1.session, up.session, up.lsps)), [
      ['rsvp-te.resize@PE1'],
      ['uni.modify-session@PE1', 'uni.modify-session@PE4'],
    ]);
    const down = await store.putSessionIntent(storeIntent('s1', { version: 3, bandwidthBps: 5_000_000 }));
    assert.deepEqual(names(modifyFlow(up.session, down.session, down.lsps)), [
      ['uni.modify-session@PE1', 'uni.modify-session@PE4'],
      ['rsvp-te.resize@PE1'],
    ]);
  });

  test('modify: a session moving its far end to another PE adds there and removes the old one', async () => {
    const store = new MemoryProvisioningStore();
    const v1 = await store.putSessionIntent(storeIntent('s1'));
    const moved = await store.putSessionIntent(
      storeIntent('s1', {
        version: 2,
        endpoints: [storeIntent('s1').endpoints[0]!, { pe: 'PE5', ce: 'CE2', interface: 'ge-9' }],
        lsp: { ...storeIntent('s1').lsp!, lspId: 'lsp-s1-b', route: { nodes: ['PE1', 'P1', 'PE5'] } },
      }),
    );
    assert.deepEqual(names(modifyFlow(v1.session, moved.session, moved.lsps)), [
      ['rsvp-te.signal@PE1'],
      ['uni.modify-session@PE1', 'uni.add-session@PE5', 'uni.remove-session@PE4'],
      ['rsvp-te.teardown@PE1'],
    ]);
  });

  test('release removes the UNI sessions, then tears the LSP down (or shrinks a shared one)', async () => {
    const store = new MemoryProvisioningStore();
    const shared = (id: string) => storeIntent(id, { lsp: { ...storeIntent(id).lsp!, lspId: 'agg' } });
    await store.putSessionIntent(shared('a'));
    await store.putSessionIntent(shared('b'));
    const a = await store.releaseSessionIntent('a');
    assert.deepEqual(names(releaseFlow(a!.session, a!.lsps)), [
      ['uni.remove-session@PE1', 'uni.remove-session@PE4'],
      ['rsvp-te.resize@PE1'],
    ]);
    const b = await store.releaseSessionIntent('b');
    assert.deepEqual(names(releaseFlow(b!.session, b!.lsps)), [
      ['uni.remove-session@PE1', 'uni.remove-session@PE4'],
      ['rsvp-te.teardown@PE1'],
    ]);
    // Release steps have ids of their own revision: never confused with the setup's.
    assert.equal(
      releaseFlow(b!.session, b!.lsps)[0]![0]!.jobId,
      jobId('uni.remove-session', 'b', b!.session.revision),
    );
    assert.ok(b!.session.revision > a!.session.revision);
  });

  test('a tag makes the ids of a deliberate re-run distinct', async () => {
    const store = new MemoryProvisioningStore();
    const { lsps } = await store.putSessionIntent(storeIntent('s1'));
    assert.equal(
      lspStep(lsps[0]!, 'reconcile', 'rc7-1').jobId,
      jobId('rsvp-te.signal', 'lsp-s1', 1, 'rc7-1'),
    );
  });
});
