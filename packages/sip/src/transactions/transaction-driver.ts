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
  handle: unknown;
  readonly delayMs: number;
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
  readonly #running = new Map<TransactionTimerName, RunningTimer>();
  readonly #queue: QueuedEvent<E, M>[] = [];
  readonly #onError: ((error: unknown) => void) | undefined;
  #state: S;
  #busy = false;
  #handedOff = false;

  protected constructor(
    machine: TransactionMachine<S, E>,
    options: TransactionDriverOptions,
    onError: ((error: unknown) => void) | undefined,
  ) {
    this.#machine = machine;
    this.#state = machine.initial(options.transaction);
    this.#timers = options.timers ?? systemTimers;
    this.#onError = onError;
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
    return [...this.#running.keys()];
  }

  /** True once the rest of the transaction was handed over (see {@link TransactionDriver.handOff}). */
  get isHandedOff(): boolean {
    return this.#handedOff;
  }

  /** The length a running timer was started with. */
  protected timerDelay(timer: TransactionTimerName): number | undefined {
    return this.#running.get(timer)?.delayMs;
  }

  /**
   * Gives up the transaction: its timers are cancelled and every later event (including a late
   * transport failure) is ignored. The owner has taken over what remains of it.
   */
  protected handOff(): void {
    this.#handedOff = true;
    for (const timer of [...this.#running.keys()]) this.#cancelTimer(timer);
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
   */
  protected dispatch(event: E, message?: M): void {
    if (this.#handedOff) return;
    if (this.#busy) {
      this.#queue.push({ event, message });
      return;
    }
    const from = this.#state.name;
    this.#busy = true;
    try {
      this.#process(event, message);
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        try {
          this.#process(next.event, next.message);
        } catch (error) {
          this.reportError(error);
        }
      }
    } finally {
      this.#queue.length = 0;
      this.#busy = false;
    }
    this.afterDispatch(from);
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
      this.#transportFailed(error);
      return;
    }
    if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.#transportFailed(error));
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
    if (this.#onError !== undefined) {
      this.#onError(error);
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
          for (const timer of [...this.#running.keys()]) this.#cancelTimer(timer);
          this.perform(effect, message);
          break;
        default:
          this.perform(effect, message);
      }
    }
  }

  #startTimer(timer: TransactionTimerName, delayMs: number): void {
    this.#cancelTimer(timer);
    const entry: RunningTimer = { handle: undefined, delayMs };
    entry.handle = this.#timers.setTimeout(() => {
      if (this.#running.get(timer) !== entry) return;
      this.#running.delete(timer);
      try {
        this.dispatch({ type: 'timer', timer } as E);
      } catch (error) {
        this.reportError(error);
      }
    }, delayMs);
    this.#running.set(timer, entry);
  }

  #cancelTimer(timer: TransactionTimerName): void {
    const entry = this.#running.get(timer);
    if (entry === undefined) return;
    this.#running.delete(timer);
    this.#timers.clearTimeout(entry.handle);
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
