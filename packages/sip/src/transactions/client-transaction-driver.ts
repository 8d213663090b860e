import {
  InviteClientTransaction,
  type InviteClientTransactionEvent,
  type InviteClientTransactionState,
} from './invite-client-transaction.js';
import {
  NonInviteClientTransaction,
  type NonInviteClientTransactionEvent,
  type NonInviteClientTransactionState,
} from './non-invite-client-transaction.js';
import { TransactionOptionsError } from './transaction-error.js';
import {
  TransactionDriver,
  type TransactionIoEffect,
  type TransactionDriverOptions,
} from './transaction-driver.js';
import type { TransactionMachine } from './transaction-machine.js';
import { type ClientTransactionHandOff, isLingeringClientState } from './lingering-client-transaction.js';

/** Callbacks by which a client transaction reports to its TU. All are optional. */
export interface ClientTransactionDelegate<Res, Req = unknown> {
  /** A response to pass up: provisional, final, 2xx retransmissions in Accepted, or a synthetic one. */
  onResponse?(response: Res): void;
  /** Timer B or F fired (RFC 3261 §17.1.1.2, §17.1.2.2). */
  onTimeout?(): void;
  /** The transport failed to send the request or the ACK (§17.1.4). */
  onTransportError?(): void;
  /** The transaction reached `Terminated`; remove it from the transaction table now. */
  onTerminated?(): void;
  /**
   * The transaction has its final response and reached a lingering state (INVITE Accepted or
   * Completed, non-INVITE Completed) where it only deals with retransmissions of it until one
   * timer ends it. Return true to take that over (e.g. with a `LingeringClientTransaction`): the
   * driver then cancels its timer and ignores every later event, and neither `onTerminated` nor
   * any other callback follows.
   */
  onHandOff?(handOff: ClientTransactionHandOff<Req>): boolean;
  /** A TU callback threw, or a queued event was illegal; see `TransactionDriver.reportError`. */
  onError?(error: unknown): void;
}

/** What a client transaction driver needs besides the common driver options. */
export interface ClientTransactionDriverOptions<Req, Res> extends TransactionDriverOptions {
  /** The request method: `INVITE` runs the INVITE machine, anything else but ACK the non-INVITE one. */
  readonly method: string;
  /** The request to send (bytes or a message object: the driver never looks inside). */
  readonly request: Req;
  /** Hands the request or the ACK to the transport; a throw or a rejection is a transport error. */
  readonly transmit: (message: Req) => void | PromiseLike<void>;
  /** The status code of a response. */
  readonly statusOf: (response: Res) => number;
  /**
   * INVITE only, required there: builds the ACK for a non-2xx final response (RFC 3261 §17.1.1.3).
   * Called once; the same ACK is re-sent for every retransmission of the final response.
   */
  readonly buildAck?: ((response: Res) => Req) | undefined;
  /**
   * Builds the synthetic response a TU gets instead of a real one: 408 when the transaction times
   * out, 503 on a transport error (RFC 3261 §8.1.3.1). When given, it is delivered through
   * `onResponse` right after `onTimeout` / `onTransportError`, so the TU can handle one path.
   * @defaultValue none: only `onTimeout` / `onTransportError` are called
   */
  readonly synthesizeResponse?: ((status: 408 | 503) => Res) | undefined;
  /** @defaultValue no callbacks */
  readonly delegate?: ClientTransactionDelegate<Res, Req> | undefined;
}

type ClientState = InviteClientTransactionState | NonInviteClientTransactionState;
type ClientEvent = InviteClientTransactionEvent | NonInviteClientTransactionEvent;

/**
 * Drives an INVITE or non-INVITE client transaction: sends the request, retransmits it on Timers A
 * / E, ACKs non-2xx finals, and reports responses, timeouts and transport errors to the TU.
 *
 * ```ts
 * const tx = new ClientTransactionDriver({ method: 'OPTIONS', request, transmit, statusOf, delegate,
 *   transaction: { reliable: false } });
 * table.addClient(key, tx);
 * tx.start();
 * // on every matching response: tx.receiveResponse(response)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1
 */
export class ClientTransactionDriver<Req, Res> extends TransactionDriver<ClientState, ClientEvent, Res> {
  /** The request this transaction sends. */
  readonly request: Req;
  readonly #transmit: (message: Req) => void | PromiseLike<void>;
  readonly #statusOf: (response: Res) => number;
  readonly #buildAck: ((response: Res) => Req) | undefined;
  readonly #synthesize: ((status: 408 | 503) => Res) | undefined;
  readonly #delegate: ClientTransactionDelegate<Res, Req>;
  #ack: Req | undefined;

  /**
   * @throws TransactionOptionsError for method ACK (RFC 3261 §17.1.1.3: an ACK is never a client
   *   transaction of its own), for an INVITE without `buildAck`, or on bad timer options.
   */
  constructor(options: ClientTransactionDriverOptions<Req, Res>) {
    if (options.method === 'ACK') {
      throw new TransactionOptionsError('method', 'ACK does not create a client transaction');
    }
    const invite = options.method === 'INVITE';
    if (invite && options.buildAck === undefined) {
      throw new TransactionOptionsError('buildAck', 'an INVITE client transaction needs buildAck');
    }
    const machine = (invite ? InviteClientTransaction : NonInviteClientTransaction) as TransactionMachine<
      ClientState,
      ClientEvent
    >;
    const delegate = options.delegate ?? {};
    super(machine, options, delegate);
    this.request = options.request;
    this.#transmit = options.transmit;
    this.#statusOf = options.statusOf;
    this.#buildAck = options.buildAck;
    this.#synthesize = options.synthesizeResponse;
    this.#delegate = delegate;
  }

  /** The ACK built for a non-2xx final response, once there is one. */
  get ack(): Req | undefined {
    return this.#ack;
  }

  /** Sends the request and starts the timers (the machine's entry arc). */
  start(): void {
    this.dispatch({ type: 'send' });
  }

  /**
   * Feeds a response that matched this transaction (RFC 3261 §17.1.3). After termination it is
   * ignored: the UA core should no longer route responses here.
   *
   * @throws TransactionEventError when `statusOf` yields no status code from 100 to 699.
   */
  receiveResponse(response: Res): void {
    if (this.isTerminated) return;
    this.dispatch({ type: 'receivedResponse', status: this.#statusOf(response) }, response);
  }

  /** Reports a transport failure detected outside `transmit` (a connection that dropped). */
  transportError(): void {
    if (this.isTerminated) return;
    this.dispatch({ type: 'transportError' });
  }

  /** Offers the transaction to `onHandOff` when the last event moved it into a lingering state. */
  protected override afterDispatch(from: ClientState['name']): void {
    const delegate = this.#delegate;
    const state = this.state;
    if (
      delegate.onHandOff === undefined ||
      state.name === from ||
      !isLingeringClientState(state.kind, state.name)
    ) {
      return;
    }
    // Each lingering state runs exactly one timer, started by the event that entered it.
    const sole = this.soleRunningTimer();
    if (sole === undefined) return;
    let taken: boolean;
    try {
      taken = delegate.onHandOff({
        kind: state.kind,
        state: state.name,
        timer: sole.timer,
        delayMs: sole.delayMs,
        ack: this.#ack,
      });
    } catch (error) {
      this.reportError(error);
      return;
    }
    if (taken) this.handOff();
  }

  protected perform(effect: TransactionIoEffect, response: Res | undefined): void {
    switch (effect.type) {
      case 'transmit':
        if (effect.what === 'request') {
          this.transmitWith(() => this.#transmit(this.request));
        } else if (effect.what === 'ack') {
          this.transmitWith(() => this.#transmit(this.#ackFor(response)));
        } else {
          throw new Error(`client transaction cannot transmit '${effect.what}'`);
        }
        break;
      case 'deliver':
        if (response !== undefined) this.callTu(() => this.#delegate.onResponse?.(response));
        break;
      case 'timeout':
        this.callTu(() => this.#delegate.onTimeout?.());
        this.#deliverSynthetic(408);
        break;
      case 'transportError':
        this.callTu(() => this.#delegate.onTransportError?.());
        this.#deliverSynthetic(503);
        break;
      case 'terminated':
        this.callTu(() => this.#delegate.onTerminated?.());
        break;
      default: {
        const unexpected: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unexpected)}`);
      }
    }
  }

  #ackFor(response: Res | undefined): Req {
    if (this.#ack === undefined) {
      if (response === undefined || this.#buildAck === undefined) {
        throw new Error('an ACK is due but there is no final response to build it from');
      }
      this.#ack = this.#buildAck(response);
    }
    return this.#ack;
  }

  #deliverSynthetic(status: 408 | 503): void {
    const synthesize = this.#synthesize;
    if (synthesize === undefined) return;
    this.callTu(() => this.#delegate.onResponse?.(synthesize(status)));
  }
}
