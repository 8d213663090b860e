import type { TransactionTimers } from './transaction-timers.js';

/**
 * What {@link TimerQueue} keeps on each entry: the entry is its own queue node (no allocation per
 * timer). Leave these fields to the queue.
 */
export interface TimerQueueEntry {
  /** When it is due, on the queue's clock. */
  timerDueAt: number;
  /** The lane (or the single-timer marker) it is queued in; undefined when it is not queued. */
  timerLane: unknown;
  /** Its position in the lane, counted from the lane's first slot ever. */
  timerSlot: number;
  /** Its own timer, when the queue has no clock to batch with. */
  timerHandle: unknown;
}

/** The entries of one delay, in the order they fall due (FIFO: equal delays expire in insertion order). */
interface Lane<T> {
  readonly delayMs: number;
  /** Slots from `base` on; a removed entry leaves a hole, so the lane does not keep it alive. */
  entries: (T | undefined)[];
  /** Absolute position of `entries[0]`. */
  base: number;
  /** Index (in `entries`) of the next slot to look at. */
  head: number;
  handle: unknown;
  /** The due time the armed timer stands for. */
  armedFor: number;
}

/** Marks an entry that has a timer of its own (no clock). */
const SINGLE = { single: true };

/**
 * Consumed slots at the front of a lane before it is compacted (and they must be half of it, so
 * that copying what is left costs O(1) per slot over time).
 */
const COMPACT_AFTER = 1024;
/**
 * How far past the clock an entry still counts as due when its lane's timer fires: the platform
 * measures a timer from the event loop's cached time, which can lag the clock by about a millisecond.
 */
const DUE_TOLERANCE_MS = 1;

/**
 * Timers of a few fixed lengths for many objects at once: the Timer J / L / I a finished server
 * transaction waits out (RFC 3261 §17.2.1, §17.2.2; RFC 6026 §7.1), a 2xx retransmitted until its
 * ACK (§13.3.1.4). Entries of one delay fall due in the order they were added, so each delay keeps
 * a FIFO and one platform timer, armed for its oldest entry — instead of a timer object, a closure
 * and a handle per timer. Removing an entry only empties its slot.
 *
 * Without a clock (`now` undefined, e.g. injected fake timers) every entry gets its own timer on
 * `timers`, so fake-timer tests see exactly the delays they schedule.
 */
export class TimerQueue<T extends TimerQueueEntry> {
  readonly #timers: TransactionTimers;
  readonly #now: (() => number) | undefined;
  readonly #expire: (entry: T) => void;
  readonly #slackMs: number;
  readonly #lanes = new Map<number, Lane<T>>();
  /** Entries with their own timer (no clock). */
  readonly #single = new Set<T>();
  #size = 0;

  /**
   * @param timers the clock timers are armed on (cancelling them there cancels the queue's).
   * @param now the current time in ms on the same clock, or undefined to give every entry its own timer.
   * @param expire called once per entry that falls due (not for removed ones); must not throw.
   * @param slackMs how late an entry may fall due so that those of one lane expire together: a
   *   lane's timer fires at most once per `slackMs`, or per 1/64 of the lane's delay when that is
   *   less (each firing wakes the process up: at 1 000 calls/s a timer per millisecond cost more
   *   CPU than the expiries themselves). Only for timers where lateness does no harm, such as a
   *   finished transaction lingering a little longer.
   */
  constructor(
    timers: TransactionTimers,
    now: (() => number) | undefined,
    expire: (entry: T) => void,
    slackMs = 0,
  ) {
    this.#timers = timers;
    this.#now = now;
    this.#expire = expire;
    this.#slackMs = slackMs;
  }

  /** Entries queued and not yet due. */
  get size(): number {
    return this.#size;
  }

  /** Whether `entry` is queued (and not yet due). */
  has(entry: T): boolean {
    return entry.timerLane !== undefined;
  }

  /** Queues `entry` to fall due after `delayMs`; one already queued is moved. */
  add(entry: T, delayMs: number): void {
    this.remove(entry);
    this.#size++;
    if (this.#now === undefined) {
      entry.timerLane = SINGLE;
      this.#single.add(entry);
      entry.timerHandle = this.#timers.setTimeout(() => {
        this.#single.delete(entry);
        this.#due(entry);
      }, delayMs);
      return;
    }
    entry.timerDueAt = this.#now() + delayMs;
    let lane = this.#lanes.get(delayMs);
    if (lane === undefined) {
      lane = { delayMs, entries: [], base: 0, head: 0, handle: undefined, armedFor: 0 };
      this.#lanes.set(delayMs, lane);
    }
    entry.timerLane = lane;
    entry.timerSlot = lane.base + lane.entries.length;
    lane.entries.push(entry);
    if (lane.handle === undefined) this.#arm(lane, entry.timerDueAt, delayMs);
  }

  /** Takes `entry` off the queue; it will not fall due. */
  remove(entry: T): void {
    const lane = entry.timerLane;
    if (lane === undefined) return;
    entry.timerLane = undefined;
    this.#size--;
    if (lane === SINGLE) {
      this.#single.delete(entry);
      this.#timers.clearTimeout(entry.timerHandle);
      entry.timerHandle = undefined;
      return;
    }
    const l = lane as Lane<T>;
    l.entries[entry.timerSlot - l.base] = undefined;
  }

  /** Cancels every entry and timer. */
  clear(): void {
    for (const lane of this.#lanes.values()) {
      if (lane.handle !== undefined) this.#timers.clearTimeout(lane.handle);
      for (const entry of lane.entries) if (entry !== undefined) entry.timerLane = undefined;
    }
    this.#lanes.clear();
    for (const entry of this.#single) {
      this.#timers.clearTimeout(entry.timerHandle);
      entry.timerHandle = undefined;
      entry.timerLane = undefined;
    }
    this.#single.clear();
    this.#size = 0;
  }

  #arm(lane: Lane<T>, dueAt: number, delayMs: number): void {
    lane.armedFor = dueAt;
    lane.handle = this.#timers.setTimeout(() => this.#fire(lane), delayMs);
  }

  #fire(lane: Lane<T>): void {
    lane.handle = undefined;
    const now = (this.#now as () => number)();
    // The entry the timer was armed for is due by definition; others as the clock says.
    const limit = Math.max(now + DUE_TOLERANCE_MS, lane.armedFor);
    while (lane.head < lane.entries.length) {
      const entry = lane.entries[lane.head];
      if (entry !== undefined && entry.timerDueAt > limit) break;
      lane.entries[lane.head] = undefined;
      lane.head++;
      if (entry !== undefined) {
        this.#due(entry);
        // An expiry callback may have cleared the queue (the stack closing).
        if (this.#lanes.get(lane.delayMs) !== lane) return;
      }
    }
    // Slots removed since are holes: skip them to the next live entry.
    while (lane.head < lane.entries.length && lane.entries[lane.head] === undefined) lane.head++;
    if (lane.head === lane.entries.length) {
      lane.base += lane.entries.length;
      lane.entries = [];
      lane.head = 0;
      return;
    }
    if (lane.head >= COMPACT_AFTER && lane.head * 2 >= lane.entries.length) {
      lane.base += lane.head;
      lane.entries = lane.entries.slice(lane.head);
      lane.head = 0;
    }
    const next = lane.entries[lane.head] as T;
    const slack = Math.min(this.#slackMs, Math.floor(lane.delayMs / 64));
    const dueAt = Math.max(next.timerDueAt, now + slack);
    this.#arm(lane, dueAt, Math.max(1, Math.ceil(dueAt - now)));
  }

  #due(entry: T): void {
    entry.timerLane = undefined;
    entry.timerHandle = undefined;
    this.#size--;
    this.#expire(entry);
  }
}
