/**
 * The thin IO shell around a sans-IO transaction machine: it feeds events to `step`, keeps the
 * state, schedules and cancels timers on an injected clock, and hands transmit / deliver effects
 * to the role-specific subclass. Events are processed run-to-completion: an event raised while
 * effects are being applied (a TU answering from inside `onRequest`, a synchronous send failure)
 * is queued and handled right after.
 */
import { describeEvent } from './transaction-error.js';
import type {
  TransactionTimerName,
  TransactionEffect,
  TransactionEvent,
  TransactionMachine,
  TransactionStateBase,
  TransactionStartTimerEffect,
  TransactionCancelTimerEffect,
} from './transaction-machine.js';
import type { TransactionOptions } from './transaction-options.js';
import { systemTimers, type TransactionTimers } from './transaction-timers.js';

/**
 * The subset of a pino logger the drivers use; a pino `Logger` satisfies it. The driver logs each
 * state change once at debug level under a child with `component: 'sip.transaction'`.
 */
export interface TransactionLogger {
  child(bindings: Record<string, unknown>): TransactionLogger;
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Options every driver takes. */
export interface TransactionDriverOptions {
  /** Timer bases and transport reliability (validated; see `TransactionOptions`). */
  readonly transaction: TransactionOptions;
  /**
   * The clock.
   * @defaultValue systemTimers
   */
  readonly timers?: TransactionTimers | undefined;
  /**
   * Logger; a child with `component: 'sip.transaction'` is derived from it.
   * @defaultValue no logging
   */
  readonly logger?: TransactionLogger | undefined;
  /**
   * An identifier for log lines, typically the transaction key.
   * @defaultValue none
   */
  readonly id?: string | undefined;
}

/** Effects the subclass carries out (the base handles timers itself). */
export type TransactionIoEffect = Exclude<
  TransactionEffect,
  TransactionStartTimerEffect | TransactionCancelTimerEffect
>;

interface RunningTimer {
  readonly timer: TransactionTimerName;
  handle: unknown;
  readonly delayMs: number;
  /** Scheduled on the clock yet (see {@link TransactionDriver.dispatch}). */
  armed: boolean;
}

/** Where a driver reports errors nobody can catch synchronously (a delegate's `onError`). */
export interface TransactionErrorSink {
  onError?(error: unknown): void;
}

interface QueuedEvent<E, M> {
  readonly event: E;
  readonly message: M | undefined;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Generic driver of one transaction machine. `M` is the message type that travels with inbound
 * events (responses for a client transaction, requests and ACKs for a server one).
 */
export abstract class TransactionDriver<S extends TransactionStateBase, E extends TransactionEvent, M> {
  /** The identifier given in the options, if any. */
  readonly id: string | undefined;
  protected readonly log: TransactionLogger | undefined;
  readonly #machine: TransactionMachine<S, E>;
  readonly #timers: TransactionTimers;
  /**
   * Running timers (a machine runs two or three at most: a short list beats a Map); made when the
   * first one starts.
   */
  #running: RunningTimer[] | undefined = undefined;
  /** Events raised while busy; made when the first one is. */
  #queue: QueuedEvent<E, M>[] | undefined = undefined;
  readonly #errors: TransactionErrorSink | undefined;
  #state: S;
  #busy = false;
  #handedOff = false;
  /** Timers started during the current dispatch and not scheduled on the clock yet. */
  #unarmed = false;
  /** Open {@link TransactionDriver.holdTimers} calls. */
  #held = 0;

  protected constructor(
    machine: TransactionMachine<S, E>,
    options: TransactionDriverOptions,
    errors: TransactionErrorSink | undefined,
  ) {
    this.#machine = machine;
    this.#state = machine.initial(options.transaction);
    this.#timers = options.timers ?? systemTimers;
    this.#errors = errors;
    this.id = options.id;
    this.log = options.logger?.child({
      component: 'sip.transaction',
      kind: machine.kind,
      ...(options.id === undefined ? {} : { txId: options.id }),
    });
  }

  /** The current (immutable, JSON-serialisable) machine state. */
  get state(): S {
    return this.#state;
  }

  /** Which machine this driver runs. */
  get kind(): S['kind'] {
    return this.#machine.kind;
  }

  /** True once the machine has reached `Terminated`. */
  get isTerminated(): boolean {
    return this.#state.name === 'Terminated';
  }

  /** The timers currently scheduled, for diagnostics and tests. */
  get runningTimers(): TransactionTimerName[] {
    return this.#running === undefined ? [] : this.#running.map((entry) => entry.timer);
  }

  /** True once the rest of the transaction was handed over (see {@link TransactionDriver.handOff}). */
  get isHandedOff(): boolean {
    return this.#handedOff;
  }

  /** The length a running timer was started with. */
  protected timerDelay(timer: TransactionTimerName): number | undefined {
    return this.#find(timer)?.delayMs;
  }

  /** The one running timer, if exactly one runs. */
  protected soleRunningTimer():
    { readonly timer: TransactionTimerName; readonly delayMs: number } | undefined {
    return this.#running?.length === 1 ? this.#running[0] : undefined;
  }

  #find(timer: TransactionTimerName): RunningTimer | undefined {
    const running = this.#running;
    if (running === undefined) return undefined;
    for (const entry of running) if (entry.timer === timer) return entry;
    return undefined;
  }

  /**
   * Keeps the timers that events start off the clock until the matching
   * {@link TransactionDriver.releaseTimers}: for an owner that feeds several events in one go with
   * no time passing in between (the request, then the TU's answer to it), so that a timer started
   * and stopped again within them (100 Trying) costs no clock work. Calls nest.
   */
  holdTimers(): void {
    this.#held++;
  }

  /** Ends a {@link TransactionDriver.holdTimers}: the timers still running go on the clock. */
  releaseTimers(): void {
    if (this.#held > 0 && --this.#held === 0) this.#armTimers();
  }

  /**
   * Gives up the transaction: its timers are cancelled and every later event (including a late
   * transport failure) is ignored. The owner has taken over what remains of it.
   */
  protected handOff(): void {
    this.#handedOff = true;
    for (const timer of this.runningTimers) this.#cancelTimer(timer);
  }

  /**
   * Called once the outermost `dispatch` has applied every effect (queued events included), with
   * the state it started from. A subclass may hand the transaction over here.
   */
  protected afterDispatch(_from: S['name']): void {}

  /**
   * Feeds one event to the machine. When called from outside, an illegal event throws
   * `StateTransitionError` synchronously; events queued while busy report errors through
   * {@link TransactionDriver.reportError} instead.
   *
   * Timers started while the event (and those queued behind it) are processed go on the clock
   * only once all of them are done (no time passes in between), and not before
   * {@link TransactionDriver.releaseTimers} while held.
   */
  protected dispatch(event: E, message?: M): void {
    if (this.#handedOff) return;
    if (this.#busy) {
      (this.#queue ??= []).push({ event, message });
      return;
    }
    const from = this.#state.name;
    this.#busy = true;
    let done = false;
    try {
      this.#process(event, message);
      for (let next = this.#queue?.shift(); next !== undefined; next = this.#queue?.shift()) {
        try {
          this.#process(next.event, next.message);
        } catch (error) {
          this.reportError(error);
        }
      }
      done = true;
    } finally {
      if (this.#queue !== undefined) this.#queue.length = 0;
      this.#busy = false;
      if (done) this.afterDispatch(from);
      this.#armTimers();
    }
  }

  /** Carries out a transmit / deliver / timeout / transportError / terminated effect. */
  protected abstract perform(effect: TransactionIoEffect, message: M | undefined): void;

  /**
   * Passes a message to the transport. A synchronous throw or a rejected promise is a transport
   * error (RFC 3261 §17.1.4, §17.2.4) and is fed back to the machine.
   */
  protected transmitWith(send: () => void | PromiseLike<void>): void {
    let result: void | PromiseLike<void>;
    try {
      result = send();
    } catch (error) {
      this.transmitThrew(error);
      return;
    }
    this.transmitted(result);
  }

  /** What the transport returned for a message: a rejected promise is a transport error. */
  protected transmitted(result: void | PromiseLike<void>): void {
    if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.#transportFailed(error));
  }

  /** The transport threw synchronously: a transport error. */
  protected transmitThrew(error: unknown): void {
    this.#transportFailed(error);
  }

  /** Calls TU code; an exception there is reported and does not derail the transaction. */
  protected callTu(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.reportError(error);
    }
  }

  /**
   * Reports an error nobody can catch synchronously (TU callback threw, queued event illegal):
   * to the delegate's `onError` and the logger; with neither, it is rethrown asynchronously so
   * the bug is not lost.
   */
  protected reportError(error: unknown): void {
    this.log?.error({ err: error, state: this.#state.name }, 'transaction error');
    if (this.#errors?.onError !== undefined) {
      this.#errors.onError(error);
    } else if (this.log === undefined) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  #process(event: E, message: M | undefined): void {
    if (this.#handedOff) return;
    if (this.isTerminated) {
      this.log?.debug({ event: describeEvent(event) }, 'event after termination ignored');
      return;
    }
    const from = this.#state.name;
    const { state, effects } = this.#machine.step(this.#state, event);
    this.#state = state;
    if (state.name !== from) {
      this.log?.debug({ event: describeEvent(event), from, to: state.name }, 'transaction state');
    }
    for (const effect of effects) {
      switch (effect.type) {
        case 'startTimer':
          this.#startTimer(effect.timer, effect.delayMs);
          break;
        case 'cancelTimer':
          this.#cancelTimer(effect.timer);
          break;
        case 'terminated':
          for (const timer of this.runningTimers) this.#cancelTimer(timer);
          this.perform(effect, message);
          break;
        default:
          this.perform(effect, message);
      }
    }
  }

  #startTimer(timer: TransactionTimerName, delayMs: number): void {
    this.#cancelTimer(timer);
    (this.#running ??= []).push({ timer, handle: undefined, delayMs, armed: false });
    this.#unarmed = true;
    // Effects are only applied inside dispatch, which arms the timer when it is done.
    if (!this.#busy) this.#armTimers();
  }

  #armTimers(): void {
    if (!this.#unarmed || this.#held > 0 || this.#running === undefined) return;
    this.#unarmed = false;
    for (const entry of this.#running) {
      const timer = entry.timer;
      if (entry.armed) continue;
      entry.armed = true;
      entry.handle = this.#timers.setTimeout(() => this.#timerFired(timer, entry), entry.delayMs);
    }
  }

  #timerFired(timer: TransactionTimerName, entry: RunningTimer): void {
    const running = this.#running;
    const at = running === undefined ? -1 : running.indexOf(entry);
    if (at < 0) return;
    running?.splice(at, 1);
    try {
      this.dispatch({ type: 'timer', timer } as E);
    } catch (error) {
      this.reportError(error);
    }
  }

  #cancelTimer(timer: TransactionTimerName): void {
    const running = this.#running;
    const entry = this.#find(timer);
    if (entry === undefined || running === undefined) return;
    running.splice(running.indexOf(entry), 1);
    if (entry.armed) this.#timers.clearTimeout(entry.handle);
  }

  #transportFailed(error: unknown): void {
    this.log?.debug({ err: error }, 'transport failure');
    if (this.isTerminated || this.#handedOff) return;
    try {
      this.dispatch({ type: 'transportError' } as E);
    } catch (dispatchError) {
      this.reportError(dispatchError);
    }
  }
}
