import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Refresher } from '../../../src/app/live/refresher.js';

test('a burst of requests while one refresh runs costs exactly one more refresh', async () => {
  let runs = 0;
  let release: () => void = () => {};
  const refresher = new Refresher(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((r) => (release = r));
  });
  const first = refresher.request();
  const during = [refresher.request(), refresher.request(), refresher.request()];
  assert.equal(runs, 1);
  release();
  await Promise.all([first, ...during]);
  assert.equal(runs, 2);
  await refresher.request();
  assert.equal(runs, 3, 'idle again: a new request runs at once');
});

test('a failing refresh does not wedge the refresher', async () => {
  let runs = 0;
  const refresher = new Refresher(async () => {
    runs++;
    if (runs === 1) throw new Error('boom');
  });
  await assert.rejects(refresher.request(), /boom/);
  await refresher.request();
  assert.equal(runs, 2);
});
