import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rollback } from '../../src/calls/rollback.js';

test('run gives every step back once, newest first, whatever the others do', async () => {
  const order: string[] = [];
  const r = new Rollback();
  r.add('usage', async () => void order.push('usage'));
  r.add('admission', async () => {
    order.push('admission');
    throw new Error('down');
  });
  r.add('provisioning', async () => void order.push('provisioning'));
  assert.deepEqual(await r.run(), ['admission']);
  assert.deepEqual(order, ['provisioning', 'admission', 'usage']);
  assert.deepEqual(await r.run(), [], 'a second run does nothing');
  assert.equal(order.length, 3);
});

test('a step added after a CANCEL ran the rollback is given back at once', async () => {
  const r = new Rollback();
  await r.run();
  let undone = false;
  r.add('provisioning', async () => {
    undone = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(undone, true);
});

test('commit forgets the steps: the session owns what they took', async () => {
  const r = new Rollback();
  let undone = false;
  r.add('admission', async () => {
    undone = true;
  });
  r.commit();
  await r.run();
  assert.equal(undone, false);
});
