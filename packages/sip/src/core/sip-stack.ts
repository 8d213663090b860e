/**
 * The UA core's engine room: it receives from the transports, runs the receive pipeline
 * (framing, parsing, §8.2 checks), files requests and responses into transactions (§17), answers
 * what it must answer itself (CANCEL, 481, stateless 400s) and hands everything else up to its
 * transaction user (dialogs and the application API in `ua/`).
 *
 * ```
 *  transports ──message──► classifyIncoming ──► response ──► client transaction ──► TU callbacks
 *                                  │                ├─ 2xx INVITE in Accepted (lingering record) ──► onStray2xx
 *                                  │                └─ no match ──► dropped (RFC 6026 §8.9)
 *                                  │
 *                                  └──────────► request ──► ACK ──► INVITE server txn | onAck (2xx)
 *                                                      ├── CANCEL ──► 200 + cancel the INVITE txn
 *                                                      ├── retransmission ──► server txn absorbs
 *                                                      └── new ──► server txn ──► onRequest
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-8
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17
 */
import { EventEmitter } from 'node:events';
import { lookup } from 'node:dns/promises';
import { type Via, isRfc3261Branch } from '../grammar/index.js';
import {
  type SipRequest,
  SipResponse,
  createResponse,
  formatWarning,
  generateTag,
} from '../messages/index.js';
import {
  type AddressFamily,
  type MessageSource,
  type LocalAddress,
  type SendTarget,
  type Transport,
  TransportManager,
  type TransportManagerListenOptions,
  type TransportMessage,
  type TransportProtocol,
  type TransportSelector,
  type WithTransport,
  type ResponseTarget,
  responseTarget,
  viaReceivedParams,
} from '../transport/index.js';
import {
  type ClientTransactionHandOff,
  type ClientTransactionKey,
  ClientTransactionDriver,
  LingeringClientTransaction,
  LingeringServerTransaction,
  ServerTransactionDriver,
  type ServerKeyInput,
  type ServerTransactionDelegate,
  type ServerTransactionDriverOptions,
  type ServerTransactionHandOff,
  type ServerTransactionKey,
  TimerQueue,
  TransactionTable,
  type TransactionLogger,
  type TransactionOptions,
  type TransactionTimers,
  clientTransactionKey,
  systemTimers,
  serverTransactionKey,
} from '../transactions/index.js';
import { type IncomingPolicy, classifyIncoming, classifyUnframeable } from './incoming.js';
import { resolveValidationPolicy } from './request-validation.js';
import { buildCancel, buildNon2xxAck, pushVia } from './request-builders.js';
import { type ResolvedTarget, nextHopUri, resolveTarget } from './resolve-target.js';
import { SipCoreError } from './errors.js';
import { ClosableTimers } from './closable-timers.js';

/** A pino-compatible logger (pino's `Logger` satisfies it). */
export interface SipLogger extends TransactionLogger {
  child(bindings: Record<string, unknown>): SipLogger;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SipStackOptions {
  /** What to listen on, or transports already bound. */
  listen?: TransportManagerListenOptions;
  transports?: TransportManager;
  /** RFC 3261 timer bases (ms). @defaultValue T1 500, T2 4000, T4 5000 */
  T1?: number;
  T2?: number;
  T4?: number;
  /** Send 100 Trying for an INVITE the TU has not answered within this time (§17.2.1). @defaultValue 200 */
  trying100DelayMs?: number;
  /** UAS request checks (§8.2) run before anything reaches the TU. */
  validation?: Omit<IncomingPolicy, 'matchResponse'>;
  /** Value of User-Agent (requests) and Server (responses). @defaultValue 'svpn' */
  userAgent?: string;
  /**
   * Host (and port) written in Via and Contact when a transport is bound to a wildcard address.
   * @defaultValue the transport's bound address
   */
  advertisedHost?: string;
  logger?: SipLogger;
  timers?: TransactionTimers;
}

/** A request received outside any transaction it could be absorbed by, with the means to answer it. */
export interface ServerContextEvents {
  /** The INVITE was cancelled (RFC 3261 §9.2); the core has already answered 487. */
  cancel: [cancel: SipRequest];
  /**
   * The transaction ended (its lingering state timed out after the final response, or no ACK came
   * for a non-2xx). Only listeners present when the final response went out are told: from then
   * on the core keeps a small record of the transaction, not this context.
   */
  terminated: [];
}

/** A received request and its server transaction; `respond` sends through the transaction. */
export class ServerContext extends EventEmitter<ServerContextEvents> {
  #finalSent = false;
  #cancelled = false;

  constructor(
    readonly stack: SipStack,
    readonly request: SipRequest,
    readonly source: MessageSource,
    readonly local: LocalAddress,
    readonly transaction: ServerTransactionDriver<SipRequest, SipResponse>,
  ) {
    super();
  }

  /** Whether a final response has been sent. */
  get finalSent(): boolean {
    return this.#finalSent;
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /**
   * @internal Takes every response `send` is given and passes on what should go out with
   * `sendDirect` (the agent's RFC 3262 handling of an INVITE).
   */
  router: { route(response: SipResponse): void } | undefined = undefined;

  /** Sends a response through the transaction; a final response after another final is ignored. */
  send(response: SipResponse): void {
    if (this.router !== undefined) this.router.route(response);
    else this.sendDirect(response);
  }

  /** @internal `send` without the router. */
  sendDirect(response: SipResponse): void {
    if (this.#finalSent) return;
    if (response.status >= 200) this.#finalSent = true;
    this.stack.stampResponse(response);
    try {
      this.transaction.respond(response);
    } catch (error) {
      this.stack.log?.warn({ err: error, status: response.status }, 'response refused by transaction');
    }
  }

  /** Builds (RFC 3261 §8.2.6) and sends a response. */
  respond(
    status: number,
    options: {
      reason?: string;
      headers?: Record<string, string | string[]>;
      body?: Buffer | string;
      contentType?: string;
      toTag?: string;
      warning?: string;
    } = {},
  ): SipResponse {
    let headers = options.headers;
    if (options.warning !== undefined) headers = { ...headers, Warning: formatWarning(options.warning) };
    const response = createResponse(this.request, status, {
      reason: options.reason,
      // A To that has its tag already (in-dialog requests) keeps it: no tag is made for nothing.
      toTag: options.toTag ?? (this.#requestHasToTag() ? undefined : this.toTag),
      headers,
      body: options.body === undefined ? undefined : Buffer.from(options.body),
      contentType: options.contentType,
    });
    this.send(response);
    return response;
  }

  #requestHasToTag(): boolean {
    try {
      return this.request.to.tag !== undefined;
    } catch {
      return false;
    }
  }

  #toTag: string | undefined = undefined;

  /** The To tag every response of this transaction carries (one per UAS, §8.2.6.2), made when first needed. */
  get toTag(): string {
    return (this.#toTag ??= generateTag());
  }

  /** @internal Called by the stack when a CANCEL matched this INVITE. */
  markCancelled(cancel: SipRequest): void {
    // RFC 3261 §9.2 — once a final response has been sent, the CANCEL has no effect on the request
    // (it still got its 200): the call goes on, so the application hears nothing of it.
    if (this.#finalSent) return;
    this.#cancelled = true;
    // RFC 3261 §9.2 — the UAS SHOULD answer the original request with 487 (Request Terminated).
    this.respond(487);
    this.emit('cancel', cancel);
  }
}

/** Callbacks of a client transaction, as the TU sees them. */
export interface ClientRequestDelegate {
  /**
   * Every response up to and including the first final one (synthetic 408 / 503 included, RFC 3261
   * §8.1.3.1). What comes after it is the core's: the transaction is then a small record, and a
   * retransmitted 2xx goes to the TU's `onStray2xx` (RFC 6026 §7.2), a retransmitted failure is ACKed.
   */
  onResponse?(response: SipResponse): void;
}

/** A request sent through a client transaction. */
export class ClientRequest {
  #final: SipResponse | undefined;
  #provisionalSeen = false;
  #cancelPending: string | undefined | null = null;
  #resolve!: (response: SipResponse) => void;
  /** Resolves with the first final response (a 2xx, a failure, or a synthetic 408 / 503). */
  readonly final: Promise<SipResponse>;

  constructor(
    readonly stack: SipStack,
    readonly request: SipRequest,
    readonly target: ResolvedTarget,
  ) {
    this.final = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** @internal */
  driver!: ClientTransactionDriver<SipRequest, SipResponse>;

  /** @internal */
  deliver(response: SipResponse, delegate: ClientRequestDelegate): void {
    if (response.status < 200) {
      this.#provisionalSeen = true;
      if (this.#cancelPending !== null) {
        const reason = this.#cancelPending;
        this.#cancelPending = null;
        this.sendCancel(reason);
      }
    } else if (this.#final === undefined) {
      this.#final = response;
      this.#resolve(response);
    }
    delegate.onResponse?.(response);
  }

  /**
   * RFC 3261 §9.1 — cancels a pending INVITE. A CANCEL MUST NOT be sent before a provisional response
   * arrived, so it waits for one; after a final response it does nothing.
   */
  cancel(reason?: string): void {
    if (this.#final !== undefined || this.request.method !== 'INVITE') return;
    if (!this.#provisionalSeen) {
      this.#cancelPending = reason;
      return;
    }
    this.sendCancel(reason);
  }

  private sendCancel(reason: string | undefined): void {
    if (this.#final !== undefined) return;
    const cancel = buildCancel(this.request, reason);
    this.stack.sendWithinTransaction(cancel, this.target, {});
  }
}

export interface SipStackCounters {
  received: number;
  sent: number;
  /** Requests refused before reaching a transaction (400, 505, 501, …). */
  rejectedStateless: number;
  /** Malformed responses and other messages discarded by the receive pipeline. */
  dropped: number;
  /** Responses that matched no client transaction. */
  strayResponses: number;
  /** ACKs that matched neither a transaction nor a dialog. */
  strayAcks: number;
  /** Send failures reported by the transports. */
  sendErrors: number;
}

export interface SipStackEvents {
  /** A message the receive pipeline discarded, with why (for metrics and debugging). */
  dropped: [reason: string, source: MessageSource];
}

/** The transaction user: the dialog / application layer above the core. */
export interface TransactionUser {
  /** A new request (not a retransmission, ACK or CANCEL) with its server transaction. */
  onRequest(context: ServerContext): void;
  /**
   * The ACK for a 2xx (RFC 3261 §13.3.1.4): one that matched no INVITE server transaction, or
   * matched one in Accepted (RFC 6026 §7.1: passed to the TU).
   */
  onAck?(ack: SipRequest, source: MessageSource): void;
  /**
   * A 2xx to an INVITE after the first one, which its client transaction passes up in Accepted
   * (RFC 6026 §7.2): a retransmission the UA core must ACK again (RFC 3261 §13.2.2.4), or a 2xx
   * from another fork. A 2xx matching no client transaction any more is discarded (RFC 6026 §8.9).
   */
  onStray2xx?(response: SipResponse, source: MessageSource): void;
}

/** What a finished server transaction keeps to do what is left of its job (see `LingeringServerTransaction`). */
interface LingeringReply {
  /** The To tag of its responses: the 200 to a late CANCEL carries it (RFC 3261 §9.2). */
  readonly toTag: string;
  /**
   * Non-INVITE only: the final response, sent again for each request retransmission (§17.2.2),
   * kept as latin1 text (byte for byte): a slice of a shared buffer would keep its whole 8 KB
   * pool alive for 64·T1.
   */
  readonly bytes: string | undefined;
  readonly target: ResponseTarget | undefined;
  readonly local: LocalAddress;
  /** The context, kept only when someone listened to its `terminated` when the final went out. */
  readonly context: ServerContext | undefined;
}

type Lingering = LingeringServerTransaction<ServerTransactionKey, LingeringReply>;

/** INVITE `Completed` only: the ACK for the non-2xx final, sent again for its retransmissions (§17.1.1.2). */
interface LingeringAck {
  /** As latin1 text (byte for byte), not a slice of a shared buffer (see {@link LingeringReply}). */
  readonly bytes: string;
  readonly protocol: TransportProtocol;
  readonly target: SendTarget;
}

type LingeringClient = LingeringClientTransaction<ClientTransactionKey, LingeringAck | undefined>;

const RESOLVED: Promise<void> = Promise.resolve();
/**
 * How late a finished transaction's Timer J / L / I / M / D / K may end it (at most 1/64 of the
 * timer): the records of one timer length then expire in batches, a few wake-ups a second instead
 * of one per millisecond. A record that lingers longer only absorbs retransmissions for longer.
 */
const LINGER_SLACK_MS = 250;
const NO_SELECTOR: TransportSelector = {};

/**
 * @internal One server transaction as the core runs it: the driver's options, its delegate and
 * the core's bookkeeping in one object (methods, not closures: a request allocates no functions).
 * Filed in the transaction table until its final response, when a {@link LingeringServerTransaction}
 * takes its place.
 */
export class CoreServerTransaction
  implements
    ServerTransactionDriverOptions<SipRequest, SipResponse>,
    ServerTransactionDelegate<SipRequest, SipResponse>
{
  readonly method: string;
  readonly id: string;
  readonly transaction: TransactionOptions;
  readonly timers: TransactionTimers;
  readonly logger: SipLogger | undefined;
  readonly delegate: this;
  readonly driver: ServerTransactionDriver<SipRequest, SipResponse>;
  readonly context: ServerContext;
  /** Where its responses go (RFC 3261 §18.2.2), worked out when the first one is sent. */
  target: ResponseTarget | undefined = undefined;

  constructor(
    readonly stack: SipStack,
    readonly key: ServerTransactionKey,
    readonly request: SipRequest,
    readonly source: MessageSource,
    readonly local: LocalAddress,
    /** The transport the request came in on: its responses leave from it (RFC 3581 §4). */
    readonly via: Transport | undefined,
  ) {
    this.method = request.method;
    this.id = key;
    this.transaction = stack.transactionOptions(source.protocol !== 'udp');
    this.timers = stack.timers;
    this.logger = stack.log;
    this.delegate = this;
    this.driver = new ServerTransactionDriver<SipRequest, SipResponse>(this);
    this.context = new ServerContext(stack, request, source, local, this.driver);
  }

  get kind(): 'inviteServer' | 'nonInviteServer' {
    return this.driver.kind;
  }

  transmit(response: SipResponse): void {
    this.stack.transmitResponse(this, response);
  }

  /** @internal A response of this transaction could not be sent (RFC 3261 §17.2.4). */
  sendFailed(): void {
    this.stack.serverSendFailed(this);
  }

  statusOf(response: SipResponse): number {
    return response.status;
  }

  buildTrying(request: SipRequest): SipResponse {
    return this.stack.stampResponse(createResponse(request, 100));
  }

  onTerminated(): void {
    this.stack.table.deleteServerIf(this.key, this);
    this.context.emit('terminated');
  }

  onHandOff(handOff: ServerTransactionHandOff<SipResponse>): boolean {
    return this.stack.linger(this, handOff);
  }

  onError(error: unknown): void {
    this.stack.log?.error({ err: error, id: this.id }, 'server transaction error');
  }
}

const TRANSPORT_VIA: Record<TransportProtocol, 'UDP' | 'TCP' | 'TLS'> = {
  udp: 'UDP',
  tcp: 'TCP',
  tls: 'TLS',
};

/**
 * The SIP stack below the application: transports, the receive pipeline and the transaction
 * layer. Create it with {@link SipStack.create}, give it a {@link TransactionUser}, close it when done.
 */
export class SipStack extends EventEmitter<SipStackEvents> {
  readonly transports: TransportManager;
  readonly table = new TransactionTable<
    ClientTransactionDriver<SipRequest, SipResponse> | CoreServerTransaction | Lingering | LingeringClient
  >();
  readonly counters: SipStackCounters = {
    received: 0,
    sent: 0,
    rejectedStateless: 0,
    dropped: 0,
    strayResponses: 0,
    strayAcks: 0,
    sendErrors: 0,
  };
  readonly log: SipLogger | undefined;
  readonly userAgent: string;
  /** The clock of every transaction (and of the dialogs above): cleared when the stack closes. */
  readonly timers: ClosableTimers;
  private tu: TransactionUser | undefined;
  /** The §8.2 checks' policy, defaults filled in once. */
  private readonly validation: IncomingPolicy;
  /** The transaction options of every server transaction, per transport reliability. */
  private readonly serverOptions: { reliable: TransactionOptions; unreliable: TransactionOptions };
  /**
   * Timers J, L and I of the finished server transactions and M, D and K of the finished client
   * ones, one platform timer per length.
   */
  private readonly lingering: TimerQueue<Lingering | LingeringClient>;
  private closed = false;
  /** Stream messages waiting for their turn (see {@link SipStack.receiveFromStream}). */
  private readonly streamBacklog: WithTransport<TransportMessage>[] = [];
  private streamTurn = false;

  private constructor(
    transports: TransportManager,
    private readonly options: SipStackOptions,
  ) {
    super();
    this.transports = transports;
    this.log = options.logger?.child({ component: 'sip.core' });
    this.userAgent = options.userAgent ?? 'svpn';
    this.timers = new ClosableTimers(options.timers ?? systemTimers);
    this.lingering = new TimerQueue<Lingering | LingeringClient>(
      this.timers,
      this.timers.nowMs,
      (entry) =>
        entry instanceof LingeringClientTransaction ? this.clientLingerEnded(entry) : this.lingerEnded(entry),
      LINGER_SLACK_MS,
    );
    this.validation = resolveValidationPolicy(options.validation ?? {});
    const timerBases = {
      T1: options.T1,
      T2: options.T2,
      T4: options.T4,
      trying100DelayMs: options.trying100DelayMs,
    };
    this.serverOptions = {
      reliable: { ...timerBases, reliable: true },
      unreliable: { ...timerBases, reliable: false },
    };
    transports.on('message', (m) =>
      m.source.protocol === 'udp' ? this.receive(m) : this.receiveFromStream(m),
    );
    transports.on('error', (e) => {
      this.counters.sendErrors++;
      this.log?.debug({ err: e.error, target: e.target }, 'transport error');
    });
  }

  static async create(options: SipStackOptions): Promise<SipStack> {
    const transports = options.transports ?? (await TransportManager.listen(options.listen ?? {}));
    return new SipStack(transports, options);
  }

  /** Sets the layer that receives new requests, 2xx ACKs and stray 2xx responses. */
  setTransactionUser(tu: TransactionUser): void {
    this.tu = tu;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.streamBacklog.length = 0;
    // Nothing may outlive the stack: Timer J/K/L and 2xx retransmissions would hold the process
    // open for up to 64·T1 and then fire into closed transports.
    this.lingering.clear();
    this.timers.close();
    await this.transports.close();
  }

  /** Local addresses bound, per protocol. */
  addresses(): { protocol: TransportProtocol; address: string; port: number; family: AddressFamily }[] {
    return this.transports.transports.map((t) => ({ protocol: t.protocol, ...t.localAddress }));
  }

  /** The address written in Via / Contact for a transport. */
  sentBy(transport: Transport): { host: string; port: number } {
    const bound = transport.localAddress.address;
    const wildcard = bound === '0.0.0.0' || bound === '::';
    return {
      host: this.options.advertisedHost ?? (wildcard ? '127.0.0.1' : bound),
      port: transport.localAddress.port,
    };
  }

  /** A Contact URI reaching this stack over `protocol` (the first transport of that protocol). */
  contactUri(user: string | undefined, protocol: TransportProtocol = 'udp'): string {
    // Every answered INVITE asks for it: kept until the transports change.
    const cacheKey = `${protocol} ${user ?? ''}`;
    const cached = this.contactUris.get(cacheKey);
    if (cached !== undefined && cached.version === this.transports.version) return cached.uri;
    const uri = this.makeContactUri(user, protocol);
    if (this.contactUris.size >= 64) this.contactUris.clear();
    this.contactUris.set(cacheKey, { version: this.transports.version, uri });
    return uri;
  }

  private readonly contactUris = new Map<string, { version: number; uri: string }>();

  private makeContactUri(user: string | undefined, protocol: TransportProtocol): string {
    const transport =
      this.transports.transports.find((t) => t.protocol === protocol) ?? this.transports.transports[0];
    if (transport === undefined) throw new SipCoreError('SIP_CORE_NO_TRANSPORT', 'no transport is listening');
    const { host, port } = this.sentBy(transport);
    const h = host.includes(':') ? `[${host}]` : host;
    const scheme = transport.protocol === 'tls' ? 'sips' : 'sip';
    const param = transport.protocol === 'tcp' ? ';transport=tcp' : '';
    return `${scheme}:${user === undefined ? '' : user + '@'}${h}:${port}${param}`;
  }

  // ------------------------------------------------------------------------------------------
  // Receiving
  // ------------------------------------------------------------------------------------------

  /**
   * One stream chunk can hold several messages (an ACK and the BYE right behind it), which the
   * framer hands over in the same tick. Each gets its own turn of the event loop, as every UDP
   * datagram does, so that what one settles (createUAS resolving on the ACK) reaches the
   * application before the next is processed (the BYE ending that dialog). Order is kept.
   */
  private receiveFromStream(m: WithTransport<TransportMessage>): void {
    this.streamBacklog.push(m);
    if (!this.streamTurn) this.nextStreamMessage();
  }

  private readonly nextStreamMessage = (): void => {
    const m = this.streamBacklog.shift();
    if (m === undefined) {
      this.streamTurn = false;
      return;
    }
    this.streamTurn = true;
    this.receive(m);
    setImmediate(this.nextStreamMessage);
  };

  private receive(m: WithTransport<TransportMessage>): void {
    this.counters.received++;
    try {
      const policy = this.validation;
      // RFC 3261 §18.3 — a stream message that cannot be framed is answered (400, or 513 when too
      // large) from the header fields that could be read; everything else runs the full pipeline.
      const decision =
        m.framingError !== undefined
          ? classifyUnframeable(m.data, m.framingError, policy)
          : classifyIncoming(m.data, m.source.protocol, policy);
      switch (decision.action) {
        case 'drop':
          return this.drop(decision.reason, m.source);
        case 'respond':
          this.counters.rejectedStateless++;
          this.log?.info(
            { status: decision.status, reason: decision.reason, source: m.source },
            'request refused',
          );
          // A refusal that cannot be sent is counted by sendRaw; it must never reject unhandled.
          this.sendRaw(m.source.protocol, decision.response, this.replyTarget(m.source), m.local).catch(
            () => undefined,
          );
          return;
        case 'deliver':
          if (decision.message.kind === 'response') return this.receiveResponse(decision.message, m.source);
          return this.receiveRequest(decision.message, m.source, m.local, m.transport);
      }
    } catch (error) {
      // Nothing received may crash the stack: a bug here costs one message, not the process.
      this.log?.error({ err: error, source: m.source }, 'failed to process a received message');
      this.drop(`internal error: ${(error as Error).message}`, m.source);
    }
  }

  private drop(reason: string, source: MessageSource): void {
    this.counters.dropped++;
    this.log?.debug({ reason, source }, 'message dropped');
    this.emit('dropped', reason, source);
  }

  private replyTarget(source: MessageSource): SendTarget {
    return source.connectionId === undefined
      ? { address: source.address, port: source.port }
      : { address: source.address, port: source.port, connectionId: source.connectionId };
  }

  private receiveResponse(response: SipResponse, source: MessageSource): void {
    const via = response.topVia;
    const branch = via?.branch;
    const cseq = response.cseq;
    const txn = branch === undefined ? undefined : this.table.findClient({ branch, cseqMethod: cseq.method });
    if (txn instanceof LingeringClientTransaction) {
      switch (txn.onResponse(response.status)) {
        case 'deliver':
          // RFC 6026 §7.2 — in Accepted the INVITE client transaction passes every 2xx up, and RFC
          // 3261 §13.2.2.4 — the UAC core MUST generate an ACK for each 2xx: the first one was ACKed
          // when the dialog was created, a retransmission (its ACK was lost) is ACKed again by the
          // dialog.
          this.tu?.onStray2xx?.(response, source);
          return;
        case 'ack':
          return this.resendAck(txn);
        case 'absorb':
          return;
      }
    }
    if (txn instanceof ClientTransactionDriver) {
      const accepted = txn.state.name === 'Accepted';
      txn.receiveResponse(response);
      // As above, for a transaction that was not handed off (cannot happen with the core's own
      // delegate, kept for safety).
      if (accepted && response.status >= 200 && response.status < 300)
        this.tu?.onStray2xx?.(response, source);
      return;
    }
    // RFC 6026 §8.9 (amending RFC 3261 §18.1.2) — a response that matches no client transaction
    // is discarded, a 2xx to an INVITE included: its transaction ended with Timer M, 64·T1 after
    // the first 2xx, so the far end has long given up retransmitting it.
    this.counters.strayResponses++;
    this.drop(`stray response ${response.status} ${cseq.method}`, source);
  }

  private keyInput(request: SipRequest, method: string = request.method): ServerKeyInput {
    const via = request.topVia as Via;
    const branch = via.branch;
    const input: ServerKeyInput = {
      method,
      branch,
      sentBy: { host: via.host, port: via.port },
      transport: via.transport,
    };
    // RFC 3261 §17.2.3 — the RFC 2543 fields only matter when the branch lacks the magic cookie:
    // don't serialise the Request-URI and Via for every RFC 3261 request.
    if (isRfc3261Branch(branch)) return input;
    return {
      ...input,
      requestUri: request.uri.toString(),
      toTag: request.to.tag,
      fromTag: request.from.tag,
      callId: request.callId,
      cseqSeq: request.cseq.seq,
      cseqMethod: request.cseq.method,
      topVia: via.toString(),
    };
  }

  private receiveRequest(
    request: SipRequest,
    source: MessageSource,
    local: LocalAddress,
    via?: Transport,
  ): void {
    this.stampReceived(request, source);
    if (request.method === 'ACK') {
      const txn = this.table.findServer(this.keyInput(request, 'ACK'));
      if (txn instanceof CoreServerTransaction) return txn.driver.receiveAck(request);
      if (txn instanceof LingeringServerTransaction) {
        // RFC 6026 §7.1 — an ACK in Accepted goes to the TU; Confirmed absorbs it (§17.2.1).
        if (txn.onAck() === 'deliver') this.tu?.onAck?.(request, source);
        return;
      }
      if (this.tu?.onAck) return this.tu.onAck(request, source);
      this.counters.strayAcks++;
      return this.drop('ACK matching no transaction', source);
    }
    const key = serverTransactionKey(this.keyInput(request));
    const existing = this.table.getServer(key);
    if (existing instanceof CoreServerTransaction) return existing.driver.receiveRequest(request);
    if (existing instanceof LingeringServerTransaction) {
      if (existing.onRequest() === 'retransmit') this.resendFinal(existing);
      return;
    }
    const txn = new CoreServerTransaction(this, key, request, source, local, via);
    this.table.addServer(key, txn);
    const { driver, context } = txn;
    // The TU usually answers before it returns: the 100 (Trying) timer the INVITE starts is then
    // stopped before it ever goes on the clock.
    driver.holdTimers();
    try {
      driver.start();
      if (request.method === 'CANCEL') return this.receiveCancel(request, context);
      if (this.tu === undefined) {
        context.respond(503, { warning: 'no application is attached to the SIP stack' });
        return;
      }
      this.tu.onRequest(context);
    } finally {
      driver.releaseTimers();
    }
  }

  /** @internal The options of a server transaction over a reliable transport or not. */
  transactionOptions(reliable: boolean): TransactionOptions {
    return reliable ? this.serverOptions.reliable : this.serverOptions.unreliable;
  }

  /** RFC 3261 §9.2 — CANCEL: 481 without a matching INVITE transaction, else 200 and 487 to the INVITE. */
  private receiveCancel(cancel: SipRequest, context: ServerContext): void {
    const invite = this.table.findServer(this.keyInput(cancel, 'INVITE'));
    if (invite instanceof LingeringServerTransaction) {
      // RFC 3261 §9.2 — the INVITE already has its final response: the CANCEL changes nothing but
      // is answered 200 all the same.
      context.respond(200, { toTag: invite.reply.toTag });
      return;
    }
    const inviteContext = invite instanceof CoreServerTransaction ? invite.context : undefined;
    if (inviteContext === undefined) {
      context.respond(481, { warning: 'no INVITE transaction matches this CANCEL' });
      return;
    }
    // RFC 3261 §9.2 — the To tag of the 200 to the CANCEL SHOULD equal the INVITE response's.
    context.respond(200, { toTag: inviteContext.toTag });
    inviteContext.markCancelled(cancel);
  }

  /** RFC 3261 §18.2.1, RFC 3581 §4 — record where the request really came from in its top Via. */
  private stampReceived(request: SipRequest, source: MessageSource): void {
    const via = request.topVia;
    if (via === undefined) return;
    const rport = via.rport;
    // The usual case needs nothing: no rport, and sent-by is literally the (normalised) address
    // the request came from, so no "received" either.
    if (rport === undefined && via.host === source.address) return;
    const params = viaReceivedParams(
      { host: via.host, ...(rport === undefined ? {} : { rport }) },
      { address: source.address, port: source.port },
    );
    if (params.received === undefined && params.rport === undefined) return;
    if (params.received !== undefined) via.params.set('received', params.received);
    if (params.rport !== undefined) via.params.setRaw('rport', String(params.rport));
    const values = request.headers.getAll('Via');
    values[0] = via.toString();
    request.headers.set('Via', values);
  }

  /**
   * @internal Sends a response of a server transaction (its `transmit`). A failure is reported
   * to the transaction, or to what lingers of it once handed off (RFC 3261 §17.2.4).
   */
  transmitResponse(txn: CoreServerTransaction, response: SipResponse): void {
    let sent: Promise<void>;
    try {
      txn.target ??= this.responseTargetOf(txn.request, txn.source);
      sent = this.sendResponseTo(txn.target, this.serialize(response), txn.local, txn.via);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(undefined, () => txn.sendFailed());
    if (response.status >= 200) {
      // The request and the response may stay alive with the application: their parsed views
      // are dropped (parsed again if anyone asks).
      txn.request.dropViews();
      response.dropViews();
    }
  }

  /** @internal A response of `txn` could not be sent. */
  serverSendFailed(txn: CoreServerTransaction): void {
    const current = this.table.getServer(txn.key);
    if (current === txn) txn.driver.transportError();
    else if (current instanceof LingeringServerTransaction) this.finalSendFailed(txn.key);
  }

  /**
   * @internal A final response is out and all that is left is absorbing retransmissions for up
   * to 64·T1 (RFC 3261 §17.2.2, RFC 6026 §7.1): a small record takes over from the machine, so
   * tens of thousands of lingering transactions do not keep their messages and context alive.
   */
  linger(txn: CoreServerTransaction, handOff: ServerTransactionHandOff<SipResponse>): boolean {
    const resends = handOff.kind === 'nonInviteServer' && handOff.lastResponse !== undefined;
    const context = txn.context;
    const reply: LingeringReply = {
      // Only an INVITE's record needs it (for a late CANCEL); a BYE's To has its tag already.
      toTag: handOff.kind === 'inviteServer' ? context.toTag : '',
      bytes: resends ? this.serialize(handOff.lastResponse as SipResponse).toString('latin1') : undefined,
      target: resends ? txn.target : undefined,
      local: txn.local,
      context: context.listenerCount('terminated') > 0 ? context : undefined,
    };
    const record: Lingering = new LingeringServerTransaction(handOff.kind, handOff.state, txn.key, reply);
    this.table.replaceServer(txn.key, record);
    this.lingering.add(record, handOff.delayMs);
    return true;
  }

  /** RFC 3261 §17.2.2 — a request retransmission in Completed gets the final response again. */
  private resendFinal(record: Lingering): void {
    const { bytes, target, local } = record.reply;
    if (bytes === undefined || target === undefined) return;
    this.sendResponseTo(target, Buffer.from(bytes, 'latin1'), local).catch(() =>
      this.finalSendFailed(record.key),
    );
  }

  /** The final response (or its retransmission) of a handed-off transaction could not be sent. */
  private finalSendFailed(key: ServerTransactionKey): void {
    const record = this.table.getServer(key);
    if (!(record instanceof LingeringServerTransaction) || record.onTransportError() !== 'terminate') return;
    this.lingering.remove(record);
    this.lingerEnded(record);
  }

  /** Timer J, L or I fired (or a transport error ended it): the transaction is Terminated. */
  private lingerEnded(record: Lingering): void {
    this.table.deleteServerIf(record.key, record);
    try {
      record.reply.context?.emit('terminated');
    } catch (error) {
      this.log?.error({ err: error, id: String(record.key) }, 'server transaction error');
    }
  }

  /**
   * @internal A client transaction has its final response (RFC 6026 §7.2 Accepted, RFC 3261
   * §17.1.1.2 / §17.1.2.2 Completed) and only waits out Timer M, D or K: a small record takes over
   * from the driver, so the request, the TU's callbacks and all they hold (a B2BUA's call) are
   * freed at once instead of after up to 64·T1.
   */
  lingerClient(
    key: ClientTransactionKey,
    handOff: ClientTransactionHandOff<SipRequest>,
    protocol: TransportProtocol,
    target: SendTarget,
  ): boolean {
    let ack: LingeringAck | undefined;
    if (handOff.ack !== undefined) {
      ack = { bytes: this.serialize(handOff.ack).toString('latin1'), protocol, target };
    }
    const record: LingeringClient = new LingeringClientTransaction(handOff.kind, handOff.state, key, ack);
    this.table.replaceClient(key, record);
    this.lingering.add(record, handOff.delayMs);
    return true;
  }

  /** RFC 3261 §17.1.1.2 — a retransmitted non-2xx final in Completed gets the ACK again. */
  private resendAck(record: LingeringClient): void {
    const ack = record.ack;
    if (ack === undefined) return;
    this.sendRaw(ack.protocol, Buffer.from(ack.bytes, 'latin1'), ack.target).catch(() =>
      this.clientSendFailed(record.key),
    );
  }

  /**
   * @internal Sending a message of the client transaction under `key` failed: a lingering record
   * that must end on it (INVITE Completed, §17.1.4) ends.
   */
  clientSendFailed(key: ClientTransactionKey): void {
    const record = this.table.getClient(key);
    if (!(record instanceof LingeringClientTransaction) || record.onTransportError() !== 'terminate') return;
    this.lingering.remove(record);
    this.clientLingerEnded(record);
  }

  /** Timer M, D or K fired (or a transport error ended it): the client transaction is Terminated. */
  private clientLingerEnded(record: LingeringClient): void {
    if (this.table.getClient(record.key) === record) this.table.deleteClient(record.key);
  }

  /** Adds the Server header to a response we originate. */
  stampResponse(response: SipResponse): SipResponse {
    if (!response.headers.has('Server')) response.headers.append('Server', this.userAgent);
    return response;
  }

  /** Sends a response again outside its transaction (the UAS core's 2xx retransmission, §13.3.1.4). */
  resendResponse(context: ServerContext, response: SipResponse): void {
    this.sendResponse(response, context.request, context.source, context.local).catch(() => undefined);
  }

  private sendResponse(
    response: SipResponse,
    request: SipRequest,
    source: MessageSource,
    local: LocalAddress,
  ): Promise<void> {
    try {
      return this.sendResponseTo(this.responseTargetOf(request, source), this.serialize(response), local);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** RFC 3261 §18.2.2, RFC 3581 §4 — where the responses to `request` go. */
  private responseTargetOf(request: SipRequest, source: MessageSource): ResponseTarget {
    const via = request.topVia as Via;
    const rport = via.rport;
    return responseTarget(
      {
        transport: via.transport,
        host: via.host,
        ...(via.port === undefined ? {} : { port: via.port }),
        ...(via.received === undefined ? {} : { received: via.received }),
        ...(rport === undefined ? {} : { rport }),
        ...(via.maddr === undefined ? {} : { maddr: via.maddr }),
      },
      {
        address: source.address,
        port: source.port,
        protocol: source.protocol,
        ...(source.connectionId === undefined ? {} : { connectionId: source.connectionId }),
      },
    );
  }

  private sendResponseTo(
    target: ResponseTarget,
    bytes: Buffer,
    local: LocalAddress,
    via?: Transport,
  ): Promise<void> {
    // A ResponseTarget is a SendTarget (address, port, connection) with more fields.
    if (!target.needsResolution) return this.sendRaw(target.protocol, bytes, target, local, via);
    return this.resolveAndSend(target, bytes, local);
  }

  /** RFC 3263 §5 — a response whose Via names a host (not an address) goes where the name resolves. */
  private async resolveAndSend(target: ResponseTarget, bytes: Buffer, local: LocalAddress): Promise<void> {
    const { address } = await lookup(target.address);
    const sendTarget: SendTarget =
      target.connectionId === undefined
        ? { address, port: target.port }
        : { address, port: target.port, connectionId: target.connectionId };
    await this.sendRaw(target.protocol, bytes, sendTarget, local);
  }

  // ------------------------------------------------------------------------------------------
  // Sending
  // ------------------------------------------------------------------------------------------

  private serialize(message: SipRequest | SipResponse): Buffer {
    let bytes = message.wire;
    if (bytes === undefined) {
      bytes = message.toBuffer();
      message.wire = bytes;
    }
    return bytes;
  }

  /** Sends bytes; failures are counted and reported, never thrown. */
  sendRaw(
    protocol: TransportProtocol,
    data: Buffer,
    target: SendTarget,
    local?: LocalAddress,
    via?: Transport,
  ): Promise<void> {
    if (this.closed) return RESOLVED;
    this.counters.sent++;
    // RFC 3581 §4 — from the socket the request came in on; if it is gone, any of that protocol.
    const selector: TransportSelector =
      local === undefined
        ? NO_SELECTOR
        : { localAddress: local.address, localPort: local.port, transport: via, fallback: true };
    return this.transports.send(protocol, data, target, selector).then(undefined, this.sendFailed);
  }

  /** A send failed: counted, logged, passed on. */
  private readonly sendFailed = (error: unknown): never => {
    this.counters.sendErrors++;
    this.log?.debug({ err: error }, 'send failed');
    throw error;
  };

  /** Sends a message outside any transaction (ACK for 2xx, 2xx retransmissions), to a resolved target. */
  async sendStateless(
    message: SipRequest | SipResponse,
    target: ResolvedTarget & { connectionId?: string },
  ): Promise<void> {
    message.wire = undefined;
    const sendTarget: SendTarget =
      target.connectionId === undefined
        ? { address: target.address, port: target.port }
        : { address: target.address, port: target.port, connectionId: target.connectionId };
    await this.sendRaw(target.protocol, this.serialize(message), sendTarget).catch(() => undefined);
  }

  /** The transport a request to `target` leaves from. */
  transportFor(target: ResolvedTarget): Transport {
    const family: AddressFamily = target.address.includes(':') ? 'IPv6' : 'IPv4';
    const transport = this.transports.select(target.protocol, family);
    if (transport === undefined) {
      throw new SipCoreError('SIP_CORE_NO_TRANSPORT', `no ${target.protocol} transport for ${family}`);
    }
    return transport;
  }

  /**
   * Prepares an out-of-transaction request (ACK for a 2xx, RFC 3261 §13.2.2.4): resolves the next
   * hop and pushes a Via with a fresh branch.
   */
  async prepareStateless(request: SipRequest): Promise<ResolvedTarget> {
    const target = await resolveTarget(nextHopUri(request));
    const transport = this.transportFor(target);
    pushVia(request, { transport: TRANSPORT_VIA[transport.protocol], ...this.sentBy(transport) });
    if (!request.headers.has('Max-Forwards')) request.headers.append('Max-Forwards', '70');
    return target;
  }

  /**
   * Sends a request through a new client transaction (RFC 3261 §8.1, §17.1): resolves the next hop,
   * adds Via (fresh branch, rport), Max-Forwards and User-Agent, and reports every response to
   * `delegate`. Resolution failures become a synthetic 503, so callers handle one path.
   */
  async sendRequest(request: SipRequest, delegate: ClientRequestDelegate = {}): Promise<ClientRequest> {
    if (this.closed) throw new SipCoreError('SIP_CORE_CLOSED', 'the SIP stack is closed');
    let target: ResolvedTarget;
    try {
      target = await resolveTarget(nextHopUri(request));
      this.transportFor(target);
    } catch (error) {
      const failed = new ClientRequest(this, request, { protocol: 'udp', address: '0.0.0.0', port: 0 });
      const synthetic = createResponse(request, 503, {
        reason: 'Service Unavailable',
        headers: { Warning: formatWarning((error as Error).message) },
      });
      queueMicrotask(() => failed.deliver(synthetic, delegate));
      return failed;
    }
    const transport = this.transportFor(target);
    pushVia(request, { transport: TRANSPORT_VIA[transport.protocol], ...this.sentBy(transport) });
    if (!request.headers.has('Max-Forwards')) request.headers.append('Max-Forwards', '70');
    if (!request.headers.has('User-Agent')) request.headers.append('User-Agent', this.userAgent);
    return this.sendWithinTransaction(request, target, delegate);
  }

  /** @internal Starts a client transaction for a request whose Via is already in place (CANCEL reuses the INVITE's). */
  sendWithinTransaction(
    request: SipRequest,
    target: ResolvedTarget,
    delegate: ClientRequestDelegate,
  ): ClientRequest {
    const client = new ClientRequest(this, request, target);
    const branch = request.topVia?.branch ?? '';
    const key = clientTransactionKey({ branch, cseqMethod: request.cseq.method });
    const sendTarget: SendTarget = { address: target.address, port: target.port };
    const driver = new ClientTransactionDriver<SipRequest, SipResponse>({
      method: request.method,
      request,
      id: String(key),
      transaction: {
        reliable: target.protocol !== 'udp',
        T1: this.options.T1,
        T2: this.options.T2,
        T4: this.options.T4,
      },
      timers: this.timers,
      logger: this.log,
      transmit: (message) =>
        this.sendRaw(target.protocol, this.serialize(message), sendTarget).catch((error: unknown) => {
          // The first ACK of a handed-off INVITE transaction failed (§17.1.4); the driver, if it
          // still runs the transaction, hears of it through the rejection.
          this.clientSendFailed(key);
          throw error;
        }),
      statusOf: (response) => response.status,
      buildAck: request.method === 'INVITE' ? (response) => buildNon2xxAck(request, response) : undefined,
      synthesizeResponse: (status) =>
        createResponse(request, status, {
          headers: {
            Warning: formatWarning(
              status === 408 ? 'no final response before the transaction timed out' : 'transport failure',
            ),
          },
        }),
      delegate: {
        onResponse: (response) => client.deliver(response, delegate),
        onTerminated: () => this.table.deleteClient(key),
        onHandOff: (handOff) => this.lingerClient(key, handOff, target.protocol, sendTarget),
        onError: (error) => this.log?.error({ err: error, key }, 'client transaction error'),
      },
    });
    client.driver = driver;
    this.table.addClient(key, driver);
    driver.start();
    return client;
  }
}
