import {
  InviteServerTransaction,
  type InviteServerTransactionEvent,
  type InviteServerTransactionState,
} from './invite-server-transaction.js';
import {
  NonInviteServerTransaction,
  type NonInviteServerTransactionEvent,
  type NonInviteServerTransactionState,
} from './non-invite-server-transaction.js';
import { TransactionOptionsError, TransactionTerminatedError } from './transaction-error.js';
import {
  TransactionDriver,
  type TransactionIoEffect,
  type TransactionDriverOptions,
} from './transaction-driver.js';
import type { TransactionMachine } from './transaction-machine.js';
import { type ServerTransactionHandOff, isLingeringServerState } from './lingering-server-transaction.js';

/** Callbacks by which a server transaction reports to its TU. All are optional. */
export interface ServerTransactionDelegate<Req, Res = unknown> {
  /** The request that created the transaction (called once, from `start()`). */
  onRequest?(request: Req): void;
  /** INVITE only: an ACK for a 2xx arrived in Accepted (RFC 6026 §7.1); the TU stops retransmitting. */
  onAck?(ack: Req): void;
  /** Timer H fired: the ACK for a non-2xx final never came (RFC 3261 §17.2.1). */
  onTimeout?(): void;
  /** The transport failed to send a response (§17.2.4). */
  onTransportError?(): void;
  /** The transaction reached `Terminated`; remove it from the transaction table now. */
  onTerminated?(): void;
  /**
   * The transaction reached a lingering state (non-INVITE Completed, INVITE Accepted or Confirmed)
   * where it only absorbs retransmissions until one timer ends it. Return true to take that over
   * (e.g. with a `LingeringServerTransaction`): the driver then cancels its timer and
   * ignores every later event, and neither `onTerminated` nor any other callback follows.
   */
  onHandOff?(handOff: ServerTransactionHandOff<Res>): boolean;
  /** A TU callback threw, or a queued event was illegal; see `TransactionDriver.reportError`. */
  onError?(error: unknown): void;
}

/** What a server transaction driver needs besides the common driver options. */
export interface ServerTransactionDriverOptions<Req, Res> extends TransactionDriverOptions {
  /** The request method: `INVITE` runs the INVITE machine, anything else but ACK the non-INVITE one. */
  readonly method: string;
  /** The request that created the transaction (bytes or a message object: never looked inside). */
  readonly request: Req;
  /** Hands a response to the transport; a throw or rejection is a transport error. */
  readonly transmit: (message: Res) => void | PromiseLike<void>;
  /** The status code of a response. */
  readonly statusOf: (response: Res) => number;
  /**
   * INVITE only, required there: builds the 100 (Trying) the transaction sends for a silent TU
   * (RFC 3261 §17.2.1, constructed per §8.2.6 but without adding a To tag).
   */
  readonly buildTrying?: ((request: Req) => Res) | undefined;
  /** @defaultValue no callbacks */
  readonly delegate?: ServerTransactionDelegate<Req, Res> | undefined;
}

type ServerState = InviteServerTransactionState | NonInviteServerTransactionState;
type ServerEvent = InviteServerTransactionEvent | NonInviteServerTransactionEvent;

/**
 * Drives an INVITE or non-INVITE server transaction: passes the request up, sends the TU's
 * responses, answers request retransmissions with the last response, retransmits non-2xx finals
 * on Timer G, and absorbs or passes up ACKs as RFC 3261 / RFC 6026 say.
 *
 * ```ts
 * const tx = new ServerTransactionDriver({ method: request.method, request, transmit, statusOf,
 *   buildTrying, delegate: { onRequest: (req) => tu.handle(req, tx) }, transaction: { reliable } });
 * table.addServer(key, tx);
 * tx.start();
 * // TU: tx.respond(response); transport: tx.receiveRequest(retransmission) / tx.receiveAck(ack)
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.2
 * @see https://www.rfc-editor.org/rfc/rfc6026#section-7.1
 */
export class ServerTransactionDriver<Req, Res> extends TransactionDriver<
  ServerState,
  ServerEvent,
  Req | Res
> {
  /** The request that created this transaction. */
  readonly request: Req;
  /** Kept whole: `transmit`, `statusOf` and `buildTrying` are called on it, so they may be methods. */
  readonly #options: ServerTransactionDriverOptions<Req, Res>;
  readonly #delegate: ServerTransactionDelegate<Req, Res>;
  #lastResponse: Res | undefined;

  /**
   * @throws TransactionOptionsError for method ACK (an ACK never creates a server transaction:
   *   it matches the INVITE's, §17.2.3), for an INVITE without `buildTrying`, or on bad options.
   */
  constructor(options: ServerTransactionDriverOptions<Req, Res>) {
    if (options.method === 'ACK') {
      throw new TransactionOptionsError('method', 'ACK does not create a server transaction');
    }
    const invite = options.method === 'INVITE';
    if (invite && options.buildTrying === undefined) {
      throw new TransactionOptionsError('buildTrying', 'an INVITE server transaction needs buildTrying');
    }
    const machine = (invite ? InviteServerTransaction : NonInviteServerTransaction) as TransactionMachine<
      ServerState,
      ServerEvent
    >;
    const delegate = options.delegate ?? {};
    super(machine, options, delegate);
    this.request = options.request;
    this.#options = options;
    this.#delegate = delegate;
  }

  /** The last response sent (the TU's, or our 100 Trying), re-sent on request retransmissions. */
  get lastResponse(): Res | undefined {
    return this.#lastResponse;
  }

  /** Passes the request up and, for INVITE, arms the 100 (Trying) timer (the entry arc). */
  start(): void {
    this.dispatch({ type: 'start' });
  }

  /** Feeds a retransmission of the request (matched per RFC 3261 §17.2.3); ignored after termination. */
  receiveRequest(request: Req): void {
    if (this.isTerminated) return;
    this.dispatch({ type: 'receivedRequest' }, request);
  }

  /**
   * Feeds an ACK that matched this INVITE transaction; ignored after termination.
   * @throws StateTransitionError on a non-INVITE transaction.
   */
  receiveAck(ack: Req): void {
    if (this.isTerminated) return;
    this.dispatch({ type: 'receivedAck' }, ack);
  }

  /**
   * The TU sends a response through this transaction.
   *
   * @throws TransactionTerminatedError after termination.
   * @throws StateTransitionError when the state takes no such response (a second non-2xx final on
   *   an INVITE, a provisional after a final); a non-INVITE transaction silently discards extra
   *   finals in Completed (RFC 3261 §17.2.2).
   * @throws TransactionEventError when `statusOf` yields no status code from 100 to 699.
   */
  respond(response: Res): void {
    if (this.isTerminated) throw new TransactionTerminatedError('respond');
    this.dispatch({ type: 'tuSend', status: this.#options.statusOf(response) }, response);
  }

  /** Reports a transport failure detected outside `transmit` (a connection that dropped). */
  transportError(): void {
    if (this.isTerminated) return;
    this.dispatch({ type: 'transportError' });
  }

  /** Offers the transaction to `onHandOff` when the last event moved it into a lingering state. */
  protected override afterDispatch(from: ServerState['name']): void {
    const delegate = this.#delegate;
    const state = this.state;
    if (
      delegate.onHandOff === undefined ||
      state.name === from ||
      !isLingeringServerState(state.kind, state.name)
    ) {
      return;
    }
    // Each lingering state runs exactly one timer, started by the event that entered it.
    const sole = this.soleRunningTimer();
    if (sole === undefined) return;
    const { timer, delayMs } = sole;
    let taken: boolean;
    try {
      taken = delegate.onHandOff({
        kind: state.kind,
        state: state.name,
        timer,
        delayMs,
        lastResponse: this.#lastResponse,
      });
    } catch (error) {
      this.reportError(error);
      return;
    }
    if (taken) {
      this.handOff();
      this.#lastResponse = undefined;
    }
  }

  protected perform(effect: TransactionIoEffect, message: Req | Res | undefined): void {
    if (effect.type === 'transmit') {
      this.#transmitEffect(effect.what, message);
      return;
    }
    const delegate = this.#delegate;
    // TU code: an exception there is reported and does not derail the transaction.
    try {
      switch (effect.type) {
        case 'deliver':
          if (effect.what === 'request') delegate.onRequest?.(this.request);
          else if (effect.what === 'ack') delegate.onAck?.(message as Req);
          else throw new Error(`server transaction cannot deliver '${effect.what}'`);
          break;
        case 'timeout':
          delegate.onTimeout?.();
          break;
        case 'transportError':
          delegate.onTransportError?.();
          break;
        case 'terminated':
          delegate.onTerminated?.();
          break;
        default: {
          const unexpected: never = effect;
          throw new Error(`unknown effect ${JSON.stringify(unexpected)}`);
        }
      }
    } catch (error) {
      this.reportError(error);
    }
  }

  #transmitEffect(what: string, message: Req | Res | undefined): void {
    let response: Res;
    switch (what) {
      case 'response':
        // The message travelling with a tuSend event is the TU's response.
        response = message as Res;
        break;
      case 'trying':
        if (this.#options.buildTrying === undefined)
          throw new Error('100 (Trying) is due but buildTrying is missing');
        response = this.#options.buildTrying(this.request);
        break;
      case 'lastResponse':
        if (this.#lastResponse === undefined) throw new Error('a retransmission is due but nothing was sent');
        response = this.#lastResponse;
        break;
      default:
        throw new Error(`server transaction cannot transmit '${what}'`);
    }
    this.#lastResponse = response;
    let result: void | PromiseLike<void>;
    try {
      result = this.#options.transmit(response);
    } catch (error) {
      this.transmitThrew(error);
      return;
    }
    this.transmitted(result);
  }
}
