/**
 * Test support: runs a sans-IO transaction machine against a virtual clock. It applies the
 * startTimer / cancelTimer effects itself, fires due timers in time order, and records every
 * effect with the virtual time it happened at. It is strict about the machine's timer hygiene:
 * starting a timer that is already running, cancelling one that is not, or reaching Terminated
 * with timers still running all throw.
 */
import type {
  TransactionEffect,
  TransactionEvent,
  TransactionMachine,
  TransactionOptions,
  TransactionStateBase,
  TransactionTimerName,
} from '../../../src/transactions/index.js';

export interface LoggedEffect {
  readonly at: number;
  readonly effect: TransactionEffect;
}

export class MachineClock<S extends TransactionStateBase, E extends TransactionEvent> {
  now = 0;
  state: S;
  readonly log: LoggedEffect[] = [];
  readonly #machine: TransactionMachine<S, E>;
  readonly #due = new Map<TransactionTimerName, number>();
  readonly #serialise: boolean;

  /**
   * @param serialise pass the state through JSON before every step, as a process that parks the
   *   transaction in storage between events would.
   */
  constructor(machine: TransactionMachine<S, E>, options: TransactionOptions, serialise = false) {
    this.#machine = machine;
    this.state = machine.initial(options);
    this.#serialise = serialise;
  }

  /** Feeds one event now; returns the effects of this step only. */
  feed(event: E): readonly TransactionEffect[] {
    const input = this.#serialise ? (JSON.parse(JSON.stringify(this.state)) as S) : this.state;
    const { state, effects } = this.#machine.step(input, event);
    this.state = state;
    for (const effect of effects) {
      this.log.push({ at: this.now, effect });
      if (effect.type === 'startTimer') {
        if (this.#due.has(effect.timer)) throw new Error(`timer ${effect.timer} started while running`);
        this.#due.set(effect.timer, this.now + effect.delayMs);
      } else if (effect.type === 'cancelTimer') {
        if (!this.#due.delete(effect.timer))
          throw new Error(`timer ${effect.timer} cancelled but not running`);
      }
    }
    if (state.name === 'Terminated' && this.#due.size > 0) {
      throw new Error(`Terminated with timers still running: ${[...this.#due.keys()].join(', ')}`);
    }
    return effects;
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let next: [TransactionTimerName, number] | undefined;
      for (const entry of this.#due)
        if (entry[1] <= until && (next === undefined || entry[1] < next[1])) next = entry;
      if (next === undefined) break;
      this.#due.delete(next[0]);
      this.now = next[1];
      this.feed({ type: 'timer', timer: next[0] } as E);
    }
    this.now = until;
  }

  /** The timers running now, with the virtual time each falls due. */
  get running(): ReadonlyMap<TransactionTimerName, number> {
    return this.#due;
  }

  /** The times of the logged effects that satisfy `match`. */
  timesOf(match: (effect: TransactionEffect) => boolean): number[] {
    return this.log.filter((entry) => match(entry.effect)).map((entry) => entry.at);
  }

  /** The delays of every start of `timer`, in order. */
  intervalsOf(timer: TransactionTimerName): number[] {
    return this.log.flatMap(({ effect }) =>
      effect.type === 'startTimer' && effect.timer === timer ? [effect.delayMs] : [],
    );
  }

  /** The effects logged at or after `from`. */
  effectsSince(from: number): TransactionEffect[] {
    return this.log.filter((entry) => entry.at >= from).map((entry) => entry.effect);
  }
}

/** Predicates for `timesOf`. */
export const is = {
  transmit:
    (what: string) =>
    (effect: TransactionEffect): boolean =>
      effect.type === 'transmit' && effect.what === what,
  deliver:
    (what: string) =>
    (effect: TransactionEffect): boolean =>
      effect.type === 'deliver' && effect.what === what,
  type:
    (type: TransactionEffect['type']) =>
    (effect: TransactionEffect): boolean =>
      effect.type === type,
};

/**
 * The instants at which a retransmission timer that starts at `t1`, doubles, and is capped at
 * `cap` fires before `deadline` (exclusive): the independent arithmetic the tests check against.
 */
export function doublingSchedule(t1: number, cap: number, deadline: number): number[] {
  const fires: number[] = [];
  let interval = t1;
  let at = t1;
  while (at < deadline) {
    fires.push(at);
    interval = Math.min(interval * 2, cap);
    at += interval;
  }
  return fires;
}
