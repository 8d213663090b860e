/**
 * The thin IO shell around the RFC 3262 UAS machine: keeps the responses the machine only counts,
 * runs its timers on an injected clock and hands transmissions to a delegate. Generic over the
 * response type so it is testable without messages.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3262#section-3
 */
import { systemTimers, type TransactionTimers } from '../transactions/index.js';
import {
  type RAck,
  type ReliableProvisionalEffect,
  type ReliableProvisionalEvent,
  type ReliableProvisionalState,
  type ReliableProvisionalTimer,
  initialReliableProvisionalState,
  stepReliableProvisional,
} from './reliable-provisional.js';

export interface ReliableProvisionalDelegate<R> {
  /**
   * Send a reliable provisional: the first time (`retransmission` false) the delegate stamps
   * `RSeq: rseq` on it; later the same message goes again.
   */
  transmit(response: R, rseq: number, retransmission: boolean): void;
  /** Pass a final response on to the transaction (immediately, or once the held 2xx is released). */
  sendFinal(response: R): void;
  /** RFC 3262 §3 — 64·T1 without a PRACK: reject the INVITE with a 5xx now. */
  giveUp(): void;
}

export interface ReliableProvisionalDriverOptions<R> {
  /** CSeq number of the INVITE. */
  inviteCseq: number;
  /** Timer base T1 (ms). */
  T1: number;
  /** @defaultValue a random value per RFC 3262 §3 */
  firstRSeq?: number;
  /** @defaultValue systemTimers */
  timers?: TransactionTimers;
  delegate: ReliableProvisionalDelegate<R>;
}

export class ReliableProvisionalDriver<R> {
  #state: ReliableProvisionalState;
  readonly #timers: TransactionTimers;
  readonly #delegate: ReliableProvisionalDelegate<R>;
  readonly #handles = new Map<ReliableProvisionalTimer, unknown>();
  /** Provisionals given by the TU and not sent yet, oldest first. */
  readonly #queue: R[] = [];
  #unacknowledged: R | undefined;
  #final: R | undefined;
  #prackAnswer: ((status: 200 | 481) => void) | undefined;

  constructor(options: ReliableProvisionalDriverOptions<R>) {
    this.#state = initialReliableProvisionalState({
      inviteCseq: options.inviteCseq,
      T1: options.T1,
      ...(options.firstRSeq === undefined ? {} : { firstRSeq: options.firstRSeq }),
    });
    this.#timers = options.timers ?? systemTimers;
    this.#delegate = options.delegate;
  }

  get state(): ReliableProvisionalState {
    return this.#state;
  }

  /** Whether a reliable provisional still awaits its PRACK. */
  get awaitingPrack(): boolean {
    return this.#state.name === 'AwaitingPrack';
  }

  /** Whether a 2xx is being held back until a PRACK. */
  get finalHeld(): boolean {
    return this.#state.finalHeld;
  }

  /** The TU sends a provisional response reliably. */
  provisional(response: R): void {
    this.#queue.push(response);
    this.#apply({ type: 'provisional' });
  }

  /** The TU sends its final response (held when it is a 2xx and a PRACK is outstanding). */
  final(response: R, status: number): void {
    const wasHeld = this.#state.finalHeld;
    const previous = this.#final;
    this.#final = response;
    const effects = this.#apply({ type: 'final', status });
    // Nothing happened: either this 2xx is now held, or it was absorbed (a second 2xx while one
    // is held, anything after the end) and the previous one stays.
    if (effects.length === 0 && (wasHeld || !this.#state.finalHeld)) this.#final = previous;
  }

  /** A PRACK arrived: `answer` is called with 200 or 481 before anything it releases is sent. */
  prack(rack: RAck, answer: (status: 200 | 481) => void): void {
    this.#prackAnswer = answer;
    try {
      this.#apply({ type: 'prack', rack });
    } finally {
      this.#prackAnswer = undefined;
    }
  }

  /** Cancels the timers (the dialog or agent went away). */
  stop(): void {
    for (const handle of this.#handles.values()) this.#timers.clearTimeout(handle);
    this.#handles.clear();
  }

  #apply(event: ReliableProvisionalEvent): readonly ReliableProvisionalEffect[] {
    const step = stepReliableProvisional(this.#state, event);
    this.#state = step.state;
    for (const effect of step.effects) this.#run(effect);
    return step.effects;
  }

  #run(effect: ReliableProvisionalEffect): void {
    switch (effect.type) {
      case 'send': {
        const response = this.#queue.shift() as R;
        this.#unacknowledged = response;
        this.#delegate.transmit(response, effect.rseq, false);
        return;
      }
      case 'retransmit':
        if (this.#unacknowledged !== undefined) {
          this.#delegate.transmit(this.#unacknowledged, this.#state.unacknowledged?.rseq ?? 0, true);
        }
        return;
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
      case 'answerPrack':
        this.#prackAnswer?.(effect.status);
        return;
      case 'sendFinal': {
        const response = this.#final as R;
        this.#final = undefined;
        this.#delegate.sendFinal(response);
        return;
      }
      case 'discardFinal':
        // The held 2xx was replaced: `final()` already stored the response that replaces it.
        return;
      case 'discardQueued':
        this.#queue.length = 0;
        return;
      case 'giveUp':
        this.#final = undefined;
        this.#delegate.giveUp();
        return;
      default: {
        const never: never = effect;
        throw new TypeError(`unknown effect ${JSON.stringify(never)}`);
      }
    }
  }
}
