import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ClosableTimers, type TransactionTimers } from '@svpn/sip';

/** A manual clock: callbacks run only when the test advances time. */
function fakeClock(): TransactionTimers & { advance(ms: number): void; live: number } {
  let now = 0;
  let nextId = 0;
  const due = new Map<number, { at: number; callback: () => void }>();
  return {
    setTimeout(callback, delayMs) {
      const id = ++nextId;
      due.set(id, { at: now + delayMs, callback });
      return id;
    },
    clearTimeout(handle) {
      due.delete(handle as number);
    },
    advance(ms) {
      now += ms;
      for (const [id, entry] of [...due].sort((a, b) => a[1].at - b[1].at)) {
        if (entry.at > now || !due.has(id)) continue;
        due.delete(id);
        entry.callback();
      }
    },
    get live() {
      return due.size;
    },
  };
}

describe('ClosableTimers', () => {
  it('fires a timer through the base clock and forgets it afterwards', () => {
    const clock = fakeClock();
    const timers = new ClosableTimers(clock);
    let fired = 0;
    timers.setTimeout(() => fired++, 500);
    assert.equal(timers.size, 1);
    clock.advance(499);
    assert.equal(fired, 0);
    clock.advance(1);
    assert.equal(fired, 1);
    assert.equal(timers.size, 0);
  });

  it('clearTimeout cancels on the base clock; clearing twice or clearing a stranger is harmless', () => {
    const clock = fakeClock();
    const timers = new ClosableTimers(clock);
    let fired = 0;
    const handle = timers.setTimeout(() => fired++, 100);
    timers.clearTimeout(handle);
    timers.clearTimeout(handle);
    timers.clearTimeout({ handle: 1 });
    timers.clearTimeout(undefined);
    assert.equal(clock.live, 0);
    clock.advance(1000);
    assert.equal(fired, 0);
    assert.equal(timers.size, 0);
  });

  it('close() cancels every pending timer (64·T1 guards included) and schedules nothing afterwards', () => {
    const clock = fakeClock();
    const timers = new ClosableTimers(clock);
    let fired = 0;
    timers.setTimeout(() => fired++, 500);
    timers.setTimeout(() => fired++, 32_000);
    timers.setTimeout(() => fired++, 4_000);
    assert.equal(clock.live, 3);
    timers.close();
    assert.equal(clock.live, 0);
    assert.equal(timers.size, 0);
    const late = timers.setTimeout(() => fired++, 10);
    assert.equal(clock.live, 0, 'a closed clock schedules nothing');
    timers.clearTimeout(late);
    clock.advance(64_000);
    assert.equal(fired, 0);
  });
});
