/**
 * The thin IO shell around the RFC 4028 machine: keeps its state, runs its two timers on an
 * injected clock and calls the delegate for refreshes and the final BYE.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4028#section-10
 */
import { systemTimers, type TransactionTimers } from '../transactions/index.js';
import {
  type ActiveSessionTimer,
  INITIAL_SESSION_TIMER_STATE,
  type Refresher,
  type SessionTimerAgreement,
  type SessionTimerEffect,
  type SessionTimerEvent,
  type SessionTimerName,
  type SessionTimerState,
  refresherSide,
  stepSessionTimer,
} from './session-timer.js';

export interface SessionTimerDelegate {
  /** Half the interval went by and we are the refresher: send a re-INVITE or UPDATE. */
  onRefresh(): void;
  /** The session expired (or its refresh failed with 408 / 481): end it with BYE. */
  onExpire(): void;
}

export interface SessionTimerDriverOptions {
  /** @defaultValue systemTimers */
  timers?: TransactionTimers;
  delegate: SessionTimerDelegate;
}

export class SessionTimerDriver {
  #state: SessionTimerState = INITIAL_SESSION_TIMER_STATE;
  readonly #timers: TransactionTimers;
  readonly #delegate: SessionTimerDelegate;
  readonly #handles = new Map<SessionTimerName, unknown>();

  constructor(options: SessionTimerDriverOptions) {
    this.#timers = options.timers ?? systemTimers;
    this.#delegate = options.delegate;
  }

  get state(): SessionTimerState {
    return this.#state;
  }

  /** The running timer, if any. */
  get active(): ActiveSessionTimer | undefined {
    return this.#state.active;
  }

  /**
   * A 2xx to a session refresh request was sent or received. `agreement` is what it carried (none:
   * the timer stops), in the roles of that transaction, where this UA was `role`.
   */
  negotiated(agreement: SessionTimerAgreement | undefined, role: Refresher): void {
    if (agreement === undefined) {
      this.#apply({ type: 'disabled' });
      return;
    }
    this.#apply({
      type: 'negotiated',
      timer: { interval: agreement.interval, refresher: refresherSide(agreement.refresher, role) },
    });
  }

  /** A session refresh request we sent failed with `status`. */
  refreshFailed(status: number): void {
    this.#apply({ type: 'refreshFailed', status });
  }

  /** The dialog ended: cancel everything. */
  stop(): void {
    this.#apply({ type: 'stop' });
  }

  #apply(event: SessionTimerEvent): void {
    const step = stepSessionTimer(this.#state, event);
    this.#state = step.state;
    for (const effect of step.effects) this.#run(effect);
  }

  #run(effect: SessionTimerEffect): void {
    switch (effect.type) {
      case 'startTimer': {
        const timer = effect.timer;
        this.#handles.set(
          timer,
          this.#timers.setTimeout(() => {
            this.#handles.delete(timer);
            this.#apply({ type: 'timer', timer });
          }, effect.delayMs),
        );
        return;
      }
      case 'cancelTimer': {
        const handle = this.#handles.get(effect.timer);
        if (handle !== undefined) this.#timers.clearTimeout(handle);
        this.#handles.delete(effect.timer);
        return;
      }
      case 'sendRefresh':
        this.#delegate.onRefresh();
        return;
      case 'sendBye':
        this.#delegate.onExpire();
        return;
      default: {
        const never: never = effect;
        throw new TypeError(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }
}
