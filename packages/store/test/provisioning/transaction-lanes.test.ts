import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRecordBackend, type RecordValue } from '../../src/provisioning/record-backend.js';
import { TransactionLanes, type Transaction } from '../../src/provisioning/transaction-lanes.js';

/** A body that appends `item` to the list record `lists/<id>` and draws a revision. */
function append(id: string, item: string) {
  return async (
    tx: Transaction,
  ): Promise<{ writes: RecordValue[]; result: { seen: string[]; revision: number } }> => {
    const [json] = await tx.read([{ table: 'desiredLsps', id }]);
    const seen = json ? (JSON.parse(json) as string[]) : [];
    const revision = await tx.nextRevision();
    return {
      writes: [{ table: 'desiredLsps', id, value: JSON.stringify([...seen, item]) }],
      result: { seen, revision },
    };
  };
}

test('transactions queued on a busy lane commit together, in arrival order, each seeing the ones before it', async () => {
  const backend = new MemoryRecordBackend();
  const lanes = new TransactionLanes(backend);
  const items = Array.from({ length: 10 }, (_, i) => `t${i}`);
  const results = await Promise.all(items.map((item) => lanes.run('lsp:a', item, append('a', item))));
  assert.deepEqual(
    results.map((r) => r.seen.length),
    items.map((_, i) => i),
  );
  assert.deepEqual(JSON.parse((await backend.get([{ table: 'desiredLsps', id: 'a' }]))[0] ?? '[]'), items);
  // The first ran alone; the nine that queued behind it went in one batch.
  assert.deepEqual(
    { batches: lanes.stats.batches, transactions: lanes.stats.transactions },
    { batches: 2, transactions: 10 },
  );
  const revisions = results.map((r) => r.revision);
  assert.deepEqual(
    [...revisions].sort((x, y) => x - y),
    revisions,
    'revisions grow in commit order',
  );
  assert.equal(new Set(revisions).size, revisions.length);
});

test('a body that throws fails alone; the rest of its batch commits', async () => {
  const backend = new MemoryRecordBackend();
  const lanes = new TransactionLanes(backend);
  const failing = async (): Promise<never> => {
    throw new Error('refused');
  };
  const settled = await Promise.allSettled([
    lanes.run('l', 'a', append('x', 'a')),
    lanes.run('l', 'b', append('x', 'b')),
    lanes.run('l', 'bad', failing),
    lanes.run('l', 'c', append('x', 'c')),
  ]);
  assert.deepEqual(
    settled.map((s) => s.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(JSON.parse((await backend.get([{ table: 'desiredLsps', id: 'x' }]))[0] ?? '[]'), [
    'a',
    'b',
    'c',
  ]);
});

test('a batch that loses its compare-and-set to another writer runs again over the new values', async () => {
  const backend = new MemoryRecordBackend();
  const lanes = new TransactionLanes(backend);
  let interfered = false;
  const sneaky = async (tx: Transaction): Promise<{ writes: RecordValue[]; result: null }> => {
    const [json] = await tx.read([{ table: 'desiredLsps', id: 'y' }]);
    if (!interfered) {
      interfered = true;
      // Another process commits between this batch's read and its commit.
      await backend.commit([], [{ table: 'desiredLsps', id: 'y', value: JSON.stringify(['other']) }]);
    }
    const seen = json ? (JSON.parse(json) as string[]) : [];
    return {
      writes: [{ table: 'desiredLsps', id: 'y', value: JSON.stringify([...seen, 'mine']) }],
      result: null,
    };
  };
  await lanes.run('l', 'sneaky', sneaky);
  assert.deepEqual(JSON.parse((await backend.get([{ table: 'desiredLsps', id: 'y' }]))[0] ?? '[]'), [
    'other',
    'mine',
  ]);
  assert.equal(lanes.stats.conflicts, 1);
});

test('different lanes do not wait for each other', async () => {
  const backend = new MemoryRecordBackend();
  const lanes = new TransactionLanes(backend);
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const slow = lanes.run('one', 'slow', async (tx) => {
    await gate;
    return append('s', 'slow')(tx);
  });
  await lanes.run('two', 'fast', append('f', 'fast'));
  release();
  await slow;
  assert.equal(lanes.stats.batches, 2);
});
