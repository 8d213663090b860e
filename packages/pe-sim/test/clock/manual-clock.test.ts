import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/index.js';

describe('ManualClock', () => {
  it('wakes sleepers in due order when advanced, not before', async () => {
    const clock = new ManualClock(100);
    const woke: string[] = [];
    const a = clock.sleep(50).then(() => woke.push(`a@${clock.now()}`));
    const b = clock.sleep(20).then(() => woke.push(`b@${clock.now()}`));
    assert.equal(clock.sleeping, 2);
    clock.advance(19);
    await Promise.resolve();
    assert.deepEqual(woke, []);
    clock.advance(31);
    await Promise.all([a, b]);
    assert.deepEqual(woke, ['b@150', 'a@150']);
    assert.equal(clock.sleeping, 0);
  });

  it('an aborted sleep rejects and is forgotten', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleep = clock.sleep(10, controller.signal);
    controller.abort();
    await assert.rejects(sleep, { name: 'AbortError' });
    assert.equal(clock.sleeping, 0);
  });

  it('untilSleeping resolves once enough sleeps are pending', async () => {
    const clock = new ManualClock();
    const waiting = clock.untilSleeping(2);
    void clock.sleep(5);
    let resolved = false;
    void waiting.then(() => (resolved = true));
    await Promise.resolve();
    assert.equal(resolved, false);
    void clock.sleep(5);
    await waiting;
  });

  it('after fires when the time comes, counts as a sleeper, and a cancelled one never fires', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.after(10, () => fired.push(10));
    const cancel = clock.after(5, () => fired.push(5));
    assert.equal(clock.sleeping, 2);
    cancel();
    assert.equal(clock.sleeping, 1);
    clock.advance(9);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, [10]);
    assert.equal(clock.sleeping, 0);
  });

  it('never goes backwards', () => {
    const clock = new ManualClock(10);
    assert.throws(() => clock.set(9), RangeError);
    assert.throws(() => clock.advance(-1), RangeError);
    clock.set(20);
    assert.equal(clock.now(), 20);
  });
});
