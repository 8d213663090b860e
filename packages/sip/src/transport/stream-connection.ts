import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { AddressFamily } from './normalize-address.js';
import { formatHostPort } from './normalize-address.js';
import { StreamFramer, type FramingErrorCode, type StreamFramerOptions } from './stream-framer.js';
import {
  ConnectFailedError,
  ConnectionClosedError,
  ConnectTimeoutError,
  DrainTimeoutError,
  MessageTooLargeError,
  QueueOverflowError,
  SocketError,
  TlsError,
  TransportError,
} from './transport-error.js';
import type { ConnectionCloseReason, ConnectionInfo, TransportProtocol } from './transport.js';

/** Limits and timers of one stream connection (already merged with defaults by the transport). */
export interface StreamConnectionSettings {
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxQueuedBytes: number;
  readonly drainTimeoutMs: number;
  readonly framingErrorGraceMs: number;
  readonly lingerMs: number;
  readonly framer: StreamFramerOptions;
}

/** Callbacks from a connection to the transport that owns it. */
export interface StreamConnectionDelegate {
  onOpen(connection: StreamConnection): void;
  onMessage(connection: StreamConnection, data: Buffer, framingError?: FramingErrorCode): void;
  onClose(connection: StreamConnection, reason: ConnectionCloseReason, error?: TransportError): void;
  /** A problem worth reporting that no `send()` promise carries (listener failures, late socket errors). */
  onError(connection: StreamConnection, error: TransportError): void;
}

/** How a connection came to be. */
export interface StreamConnectionInit {
  readonly protocol: TransportProtocol;
  readonly direction: 'inbound' | 'outbound';
  readonly remote: { readonly address: string; readonly port: number; readonly family: AddressFamily };
  /** For outbound sockets still connecting: the event that says the stream is usable. */
  readonly readyEvent?: 'connect' | 'secureConnect';
  readonly settings: StreamConnectionSettings;
  readonly delegate: StreamConnectionDelegate;
}

type ConnectionState = 'connecting' | 'open' | 'closing' | 'closed';

interface PendingSend {
  readonly resolve: () => void;
  readonly reject: (error: TransportError) => void;
}

interface QueuedWrite {
  readonly data: Buffer;
  readonly pending: PendingSend;
}

const PONG = Buffer.from('\r\n', 'latin1');
let connectionCounter = 0;

/**
 * One TCP or TLS connection: frames what it reads, writes with back-pressure, and closes itself
 * when idle, when the peer stops reading, or after a framing error. Shared by `TcpTransport` and
 * `TlsTransport` (a `TLSSocket` is a `Socket`).
 *
 * ```
 *   connecting ──(connect / secureConnect)──▶ open ──(idle, end, overflow, framing error)──▶ closing
 *        │ error / timeout                      │ error / reset                                  │
 *        └──────────────────────────────────────┴────────────────▶ closed ◀─────('close')─────────┘
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.3
 */
export class StreamConnection {
  readonly id: string;
  readonly protocol: TransportProtocol;
  readonly direction: 'inbound' | 'outbound';
  readonly remote: { readonly address: string; readonly port: number; readonly family: AddressFamily };
  /** `address:port` of the peer, the key of the transport's connection pool. */
  readonly key: string;

  private readonly socket: Socket;
  private readonly settings: StreamConnectionSettings;
  private readonly delegate: StreamConnectionDelegate;
  private readonly framer: StreamFramer;
  private state: ConnectionState;
  private readonly pending = new Set<PendingSend>();
  private readonly queue: QueuedWrite[] = [];
  private queueBytes = 0;
  private blocked = false;
  private framingFailed = false;
  private closeReason: ConnectionCloseReason | undefined;
  private closeError: TransportError | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private graceTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private authorizedPeer: boolean | undefined;
  private readonly closedWaiters: (() => void)[] = [];

  constructor(socket: Socket, init: StreamConnectionInit) {
    connectionCounter += 1;
    this.id = `${init.protocol}-${connectionCounter}`;
    this.protocol = init.protocol;
    this.direction = init.direction;
    this.remote = init.remote;
    this.key = formatHostPort(init.remote.address, init.remote.port);
    this.socket = socket;
    this.settings = init.settings;
    this.delegate = init.delegate;
    this.framer = new StreamFramer(init.settings.framer);
    this.state = init.readyEvent ? 'connecting' : 'open';

    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => this.close('idle'));
    socket.on('end', () => {
      this.closeReason ??= 'peer';
    });
    socket.on('error', (error: Error) => this.onSocketError(error));
    socket.on('close', () => this.onSocketClose());

    if (init.readyEvent) {
      socket.once(init.readyEvent, () => this.onConnected());
      this.connectTimer = setTimeout(() => {
        this.closeWithError(
          'connect-failed',
          new ConnectTimeoutError(`no connection to ${this.key} within ${this.settings.connectTimeoutMs} ms`),
        );
      }, this.settings.connectTimeoutMs);
      this.connectTimer.unref();
    } else {
      this.afterOpen();
    }
  }

  /** Whether new messages can still be sent on this connection. */
  get usable(): boolean {
    return (this.state === 'open' || this.state === 'connecting') && !this.framingFailed;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Bytes accepted for sending and not yet handed to the kernel (ours plus the socket's buffer). */
  get queuedBytes(): number {
    return this.queueBytes + this.socket.writableLength;
  }

  /** Bytes held by the framer for an incomplete inbound message. */
  get bufferedBytes(): number {
    return this.framer.bufferedBytes;
  }

  info(): ConnectionInfo {
    return {
      connectionId: this.id,
      protocol: this.protocol,
      direction: this.direction,
      remote: this.remote,
      ...(this.authorizedPeer === undefined ? {} : { authorized: this.authorizedPeer }),
    };
  }

  /**
   * Queues one message. Resolves once the bytes are handed to the kernel; rejects when the
   * connection closes first. A send that would push the queue past `maxQueuedBytes` closes the
   * connection: a peer that does not read must not make us buffer without bound.
   */
  send(data: Buffer): Promise<void> {
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(this.closeError ?? new ConnectionClosedError(`connection ${this.id} is closed`));
    }
    if (data.length > this.settings.maxQueuedBytes) {
      return Promise.reject(
        new MessageTooLargeError(data.length, this.settings.maxQueuedBytes, 'stream message'),
      );
    }
    const wouldQueue = this.queuedBytes + data.length;
    if (wouldQueue > this.settings.maxQueuedBytes) {
      const error = new QueueOverflowError(wouldQueue, this.settings.maxQueuedBytes);
      this.closeWithError('queue-overflow', error);
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const pending: PendingSend = { resolve, reject };
      this.pending.add(pending);
      if (this.blocked || this.state === 'connecting') {
        // Honour back-pressure, and hold everything until the connection (and TLS handshake) is up:
        // a write buffered inside a socket that then fails to connect may never report failure.
        this.queue.push({ data, pending });
        this.queueBytes += data.length;
        return;
      }
      this.write(data, pending);
      if (this.framingFailed) {
        // The reply to the framing error is out: close now instead of waiting out the grace.
        this.close('framing-error');
      }
    });
  }

  /** Closes gracefully (flushes what the socket holds, then FIN / close_notify). Idempotent. */
  close(reason: ConnectionCloseReason = 'local'): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.closeReason ??= reason;
    this.state = 'closing';
    this.clearTimers();
    this.rejectQueued();
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), this.settings.lingerMs);
    this.lingerTimer.unref();
  }

  /** Resolves once the socket has closed. */
  whenClosed(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  private closeWithError(reason: ConnectionCloseReason, error: TransportError | undefined): void {
    if (this.state === 'closed') return;
    this.closeReason = reason;
    if (error) this.closeError ??= error;
    this.state = 'closing';
    this.clearTimers();
    this.rejectQueued();
    this.socket.destroy();
  }

  private onConnected(): void {
    if (this.state !== 'connecting') return;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.state = 'open';
    this.afterOpen();
    if (!this.blocked) this.flushQueue();
  }

  private afterOpen(): void {
    const tlsSocket = this.socket as Partial<TLSSocket>;
    if (typeof tlsSocket.authorized === 'boolean' && this.protocol === 'tls') {
      this.authorizedPeer = tlsSocket.authorized;
    }
    if (this.settings.idleTimeoutMs > 0) this.socket.setTimeout(this.settings.idleTimeoutMs);
    this.guard(() => this.delegate.onOpen(this));
  }

  private write(data: Buffer, pending: PendingSend): void {
    const accepted = this.socket.write(data, (error?: Error | null) => {
      if (!this.pending.delete(pending)) return;
      if (error) pending.reject(this.closeError ?? new ConnectionClosedError(error.message, error));
      else pending.resolve();
    });
    if (!accepted && !this.blocked) {
      this.blocked = true;
      if (this.settings.drainTimeoutMs > 0) {
        this.drainTimer = setTimeout(
          () => this.closeWithError('drain-timeout', new DrainTimeoutError(this.settings.drainTimeoutMs)),
          this.settings.drainTimeoutMs,
        );
        this.drainTimer.unref();
      }
    }
  }

  private onDrain(): void {
    this.blocked = false;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.flushQueue();
  }

  private flushQueue(): void {
    while (!this.blocked && this.queue.length > 0 && this.state === 'open') {
      const next = this.queue.shift();
      if (!next) break;
      this.queueBytes -= next.data.length;
      this.write(next.data, next.pending);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.framingFailed || this.state === 'closed') return;
    this.guard(() => {
      for (const output of this.framer.push(chunk)) {
        switch (output.type) {
          case 'message':
            this.delegate.onMessage(this, output.data);
            break;
          case 'ping':
            // RFC 5626 §3.5.1 — a CRLFCRLF ping is answered with a single CRLF pong.
            if (this.state === 'open') this.socket.write(PONG);
            break;
          case 'error':
            this.onFramingError(output.code, output.data);
            break;
          default: {
            const never: never = output;
            throw new Error(`unreachable framer output ${JSON.stringify(never)}`);
          }
        }
      }
    });
  }

  private onFramingError(code: FramingErrorCode, data: Buffer): void {
    // RFC 3261 §18.3 — a stream that cannot be framed cannot be resynchronised: stop reading,
    // let the core answer 400 within a short grace, then close.
    this.framingFailed = true;
    this.socket.pause();
    this.graceTimer = setTimeout(() => this.close('framing-error'), this.settings.framingErrorGraceMs);
    this.graceTimer.unref();
    this.delegate.onMessage(this, data, code);
  }

  private onSocketError(error: Error): void {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    // Errno codes (ECONNREFUSED, ECONNRESET, …) are plain socket failures; on TLS anything else
    // (ERR_SSL_*, ERR_TLS_*, DEPTH_ZERO_SELF_SIGNED_CERT, …) comes from the handshake or verification.
    const tlsFailure = this.protocol === 'tls' && !/^E[A-Z]+$/.test(code);
    let wrapped: TransportError;
    if (this.state === 'connecting') {
      wrapped = tlsFailure
        ? new TlsError(`TLS handshake with ${this.key} failed: ${error.message}`, error)
        : new ConnectFailedError(`cannot connect to ${this.key}: ${error.message}`, error);
      this.closeReason = 'connect-failed';
    } else {
      wrapped = tlsFailure
        ? new TlsError(`TLS error on ${this.id} (${this.key}): ${error.message}`, error)
        : new SocketError(`socket error on ${this.id} (${this.key}): ${error.message}`, error);
      if (this.state === 'open') this.closeReason = 'error';
    }
    this.closeError ??= wrapped;
    // Node follows 'error' with 'close'; cleanup happens there.
  }

  private onSocketClose(): void {
    if (this.state === 'closed') return;
    const wasConnecting = this.state === 'connecting' || this.closeReason === 'connect-failed';
    this.state = 'closed';
    this.clearTimers();
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    const error =
      this.closeError ??
      (wasConnecting
        ? new ConnectFailedError(`connection to ${this.key} closed before it opened`)
        : undefined);
    this.closeError = error;
    this.rejectQueued();
    for (const pending of this.pending) {
      pending.reject(
        error ?? new ConnectionClosedError(`connection ${this.id} closed before the message was written`),
      );
    }
    this.pending.clear();
    const reason = this.closeReason ?? (wasConnecting ? 'connect-failed' : 'peer');
    this.guard(() => this.delegate.onClose(this, reason, error));
    for (const resolve of this.closedWaiters.splice(0)) resolve();
  }

  private rejectQueued(): void {
    const error =
      this.closeError ??
      new ConnectionClosedError(`connection ${this.id} closed before the message was written`);
    for (const { pending } of this.queue.splice(0)) {
      if (this.pending.delete(pending)) pending.reject(error);
    }
    this.queueBytes = 0;
  }

  private clearTimers(): void {
    for (const timer of [this.connectTimer, this.drainTimer, this.graceTimer]) {
      if (timer) clearTimeout(timer);
    }
    this.connectTimer = undefined;
    this.drainTimer = undefined;
    this.graceTimer = undefined;
  }

  /** Runs owner callbacks from socket events: whatever they throw is reported, never rethrown. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (cause) {
      const error = new SocketError(`a listener failed while handling ${this.id}: ${String(cause)}`, cause);
      try {
        this.delegate.onError(this, error);
      } catch {
        // The error reporter itself failed; nothing is left to tell.
      }
    }
  }
}
