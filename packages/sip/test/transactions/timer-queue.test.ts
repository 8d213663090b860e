import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue, type TimerQueueEntry, type TransactionTimers } from '../../src/transactions/index.js';

/** A virtual clock: timers fire in due order when time is advanced; `nowMs` can be left out. */
class VirtualTimers implements TransactionTimers {
  time = 0;
  readonly #pending = new Map<number, { at: number; callback: () => void }>();
  #next = 1;
  armed = 0;
  readonly nowMs: (() => number) | undefined;

  constructor(withClock: boolean) {
    this.nowMs = withClock ? () => this.time : undefined;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.#next++;
    this.armed++;
    this.#pending.set(id, { at: this.time + delayMs, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }

  get pending(): number {
    return this.#pending.size;
  }

  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let first: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#pending)
        if (entry[1].at <= end && (!first || entry[1].at < first[1].at)) first = entry;
      if (first === undefined) break;
      this.#pending.delete(first[0]);
      this.time = first[1].at;
      first[1].callback();
    }
    this.time = end;
  }
}

class Entry implements TimerQueueEntry {
  timerDueAt = 0;
  timerLane: unknown = undefined;
  timerSlot = 0;
  timerHandle: unknown = undefined;
  constructor(readonly label: string) {}
}

function setup(withClock: boolean) {
  const timers = new VirtualTimers(withClock);
  const expired: string[] = [];
  const at: number[] = [];
  const queue = new TimerQueue<Entry>(timers, timers.nowMs, (entry) => {
    expired.push(entry.label);
    at.push(timers.time);
  });
  return { timers, queue, expired, at };
}

describe('TimerQueue', () => {
  it('entries of one delay fall due at their own time, in order, on one platform timer at a time', () => {
    const { timers, queue, expired, at } = setup(true);
    queue.add(new Entry('a'), 32_000);
    timers.advance(10);
    queue.add(new Entry('b'), 32_000);
    queue.add(new Entry('c'), 32_000);
    timers.advance(990);
    queue.add(new Entry('d'), 32_000);
    assert.equal(timers.pending, 1, 'one timer for the whole lane');
    assert.equal(queue.size, 4);
    timers.advance(30_999);
    assert.deepEqual(expired, []);
    timers.advance(1);
    assert.deepEqual(expired, ['a']);
    timers.advance(1_000);
    assert.deepEqual(expired, ['a', 'b', 'c', 'd']);
    assert.deepEqual(at, [32_000, 32_010, 32_010, 33_000]);
    assert.equal(queue.size, 0);
    assert.equal(timers.pending, 0, 'nothing armed once the lane is empty');
  });

  it('with slack, a lane fires at most once per slack (capped at 1/64 of its delay): entries expire late, in batches, not early', () => {
    const timers = new VirtualTimers(true);
    const expired: string[] = [];
    const at: number[] = [];
    const queue = new TimerQueue<Entry>(
      timers,
      timers.nowMs,
      (entry) => {
        expired.push(entry.label);
        at.push(timers.time);
      },
      250,
    );
    // One entry a millisecond, as at 1 000 calls/s.
    for (let i = 0; i < 600; i++) {
      queue.add(new Entry(`e${i}`), 32_000);
      timers.advance(1);
    }
    const armedBefore = timers.armed;
    timers.advance(40_000);
    assert.equal(expired.length, 600);
    assert.deepEqual(expired.slice(0, 3), ['e0', 'e1', 'e2'], 'in order');
    assert.equal(timers.armed - armedBefore, 3, 'the first due entry, then a batch per 250 ms');
    assert.deepEqual([...new Set(at)], [32_000, 32_250, 32_500, 32_750]);
    // (Up to the queue's 1 ms tolerance for a platform timer firing on a lagging loop clock.)
    for (let i = 0; i < 600; i++) assert.ok((at[i] as number) >= 32_000 + i - 1, `e${i} expired early`);

    // A short lane gets 1/64 of its delay: a 640 ms timer is at most 10 ms late.
    const short: number[] = [];
    const fine = new TimerQueue<Entry>(timers, timers.nowMs, () => short.push(timers.time), 250);
    const start = timers.time;
    for (let i = 0; i < 30; i++) {
      fine.add(new Entry(`s${i}`), 640);
      timers.advance(1);
    }
    timers.advance(1_000);
    assert.deepEqual([...new Set(short.map((t) => t - start))], [640, 650, 660, 670], 'batches 10 ms apart');
  });

  it('lanes of different delays run independently', () => {
    const { timers, queue, expired, at } = setup(true);
    queue.add(new Entry('J'), 32_000);
    queue.add(new Entry('I'), 5_000);
    queue.add(new Entry('zero'), 0);
    timers.advance(0);
    assert.deepEqual(expired, ['zero']);
    timers.advance(40_000);
    assert.deepEqual(expired, ['zero', 'I', 'J']);
    assert.deepEqual(at, [0, 5_000, 32_000]);
  });

  it('a removed entry never falls due and does not hold up the ones behind it', () => {
    const { timers, queue, expired, at } = setup(true);
    const a = new Entry('a');
    queue.add(a, 1_000);
    timers.advance(100);
    queue.add(new Entry('b'), 1_000);
    queue.remove(a);
    assert.equal(queue.size, 1);
    timers.advance(2_000);
    assert.deepEqual(expired, ['b']);
    assert.deepEqual(at, [1_100]);
    assert.equal(queue.has(a), false);
  });

  it('an entry can be queued again, after it fell due or was removed; adding a queued one moves it', () => {
    const { timers, queue, expired, at } = setup(true);
    const a = new Entry('a');
    queue.add(a, 100);
    timers.advance(100);
    queue.add(a, 100);
    queue.remove(a);
    queue.add(a, 300);
    queue.add(a, 50);
    assert.equal(queue.size, 1);
    timers.advance(1_000);
    assert.deepEqual(expired, ['a', 'a']);
    assert.deepEqual(at, [100, 150]);
  });

  it('a removed entry is no longer referenced by its lane (nothing kept alive until its slot comes up)', () => {
    const { timers, queue } = setup(true);
    const entries = Array.from({ length: 10 }, (_, i) => new Entry(String(i)));
    for (const e of entries) queue.add(e, 60_000);
    for (const e of entries) queue.remove(e);
    assert.equal(queue.size, 0);
    // The lane timer still fires once for the holes, then the lane is empty and unarmed.
    timers.advance(60_000);
    assert.equal(timers.pending, 0);
  });

  it('clear() cancels every entry and timer', () => {
    const { timers, queue, expired } = setup(true);
    queue.add(new Entry('a'), 100);
    queue.add(new Entry('b'), 200);
    queue.clear();
    assert.equal(timers.pending, 0);
    assert.equal(queue.size, 0);
    timers.advance(1_000);
    assert.deepEqual(expired, []);
  });

  it('an expiry that clears the queue (a stack closing) stops the lane', () => {
    const timers = new VirtualTimers(true);
    const expired: string[] = [];
    const queue: TimerQueue<Entry> = new TimerQueue<Entry>(timers, timers.nowMs, (entry) => {
      expired.push(entry.label);
      queue.clear();
    });
    queue.add(new Entry('a'), 100);
    queue.add(new Entry('b'), 100);
    timers.advance(100);
    assert.deepEqual(expired, ['a']);
    assert.equal(timers.pending, 0);
  });

  it('compacts a long-running lane without losing or reordering entries', () => {
    const { timers, queue, expired } = setup(true);
    for (let i = 0; i < 5_000; i++) {
      queue.add(new Entry(String(i)), 1_000);
      timers.advance(1);
    }
    timers.advance(2_000);
    assert.equal(expired.length, 5_000);
    assert.deepEqual(
      expired.map(Number),
      Array.from({ length: 5_000 }, (_, i) => i),
    );
  });

  it('without a clock every entry gets its own timer of exactly its delay', () => {
    const { timers, queue, expired, at } = setup(false);
    queue.add(new Entry('a'), 300);
    timers.advance(100);
    const b = new Entry('b');
    queue.add(b, 300);
    queue.add(new Entry('c'), 50);
    assert.equal(timers.pending, 3);
    queue.remove(b);
    assert.equal(timers.pending, 2);
    timers.advance(1_000);
    assert.deepEqual(expired, ['c', 'a']);
    assert.deepEqual(at, [150, 300]);
    queue.add(new Entry('d'), 10);
    queue.clear();
    assert.equal(timers.pending, 0);
  });
});
