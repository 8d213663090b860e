import { EventEmitter } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { addressFamily, formatHostPort, normalizeAddress, type AddressFamily } from './normalize-address.js';
import {
  StreamConnection,
  type StreamConnectionDelegate,
  type StreamConnectionSettings,
} from './stream-connection.js';
import type { FramingErrorCode } from './stream-framer.js';
import { STREAM_FRAMER_DEFAULTS } from './stream-framer.js';
import {
  AddressFamilyMismatchError,
  ConnectionLimitError,
  InvalidTargetError,
  SocketError,
  TransportClosedError,
  TransportError,
  TransportOptionsError,
  toTransportError,
} from './transport-error.js';
import {
  defaultPort,
  type ConnectionCloseReason,
  type LocalAddress,
  type SendTarget,
  type Transport,
  type TransportEvents,
  type TransportProtocol,
} from './transport.js';

/** Options shared by `TcpTransport` and `TlsTransport`. */
export interface StreamTransportOptions {
  /** Address to listen on (IPv4 or IPv6; the family of the transport follows from it). */
  address: string;
  /**
   * Port to listen on; 0 picks a free one.
   * @defaultValue 5060 for TCP, 5061 for TLS (RFC 3261 §19.1.2)
   */
  port?: number;
  /**
   * Close a connection after this long without traffic either way; 0 disables. RFC 3261 §18 keeps
   * connections at least as long as a transaction can last, and an INVITE may wait minutes for
   * an answer, so the default covers Timer C (3 min).
   * @defaultValue 180000
   */
  idleTimeoutMs?: number;
  /**
   * Give up on an outbound connection (TCP plus TLS handshake) after this long.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * Most connections held at once, inbound and outbound together; more are refused.
   * @defaultValue 1024
   */
  maxConnections?: number;
  /**
   * Most bytes queued for sending on one connection; a send beyond it closes the connection.
   * @defaultValue 2097152
   */
  maxQueuedBytes?: number;
  /**
   * Close a connection whose peer has not drained our writes for this long; 0 disables.
   * @defaultValue 32000 (64·T1)
   */
  drainTimeoutMs?: number;
  /**
   * After a framing error, how long the core has to send its 400 before the connection closes.
   * @defaultValue 1000
   */
  framingErrorGraceMs?: number;
  /**
   * How long a graceful close waits for the peer before the socket is destroyed.
   * @defaultValue 2000
   */
  lingerMs?: number;
  /**
   * Largest header section accepted from a peer.
   * @defaultValue 65536
   */
  maxHeaderBytes?: number;
  /**
   * Largest body accepted from a peer.
   * @defaultValue 1048576
   */
  maxBodyBytes?: number;
  /**
   * Listen backlog.
   * @defaultValue 511
   */
  backlog?: number;
}

/** `StreamTransportOptions` after defaults. */
export type ResolvedStreamTransportOptions = Required<StreamTransportOptions>;

/** The defaults of `StreamTransportOptions` other than address and port. */
export const STREAM_TRANSPORT_DEFAULTS = {
  idleTimeoutMs: 180_000,
  connectTimeoutMs: 10_000,
  maxConnections: 1024,
  maxQueuedBytes: 2 * 1024 * 1024,
  drainTimeoutMs: 32_000,
  framingErrorGraceMs: 1000,
  lingerMs: 2000,
  maxHeaderBytes: STREAM_FRAMER_DEFAULTS.maxHeaderBytes,
  maxBodyBytes: STREAM_FRAMER_DEFAULTS.maxBodyBytes,
  backlog: 511,
} as const;

/** Validates and completes stream transport options. */
export function resolveStreamTransportOptions(
  protocol: TransportProtocol,
  options: StreamTransportOptions,
): ResolvedStreamTransportOptions {
  const merged: ResolvedStreamTransportOptions = {
    ...STREAM_TRANSPORT_DEFAULTS,
    port: defaultPort(protocol),
    ...options,
  };
  if (addressFamily(merged.address) === undefined) {
    throw new TransportOptionsError(
      `${protocol} listen address must be an IP address, got "${merged.address}"`,
    );
  }
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65535) {
    throw new TransportOptionsError(`${protocol} port must be 0–65535, got ${merged.port}`);
  }
  const positive = [
    'connectTimeoutMs',
    'maxConnections',
    'maxQueuedBytes',
    'maxHeaderBytes',
    'maxBodyBytes',
    'backlog',
  ] as const;
  for (const name of positive) {
    if (!Number.isSafeInteger(merged[name]) || merged[name] <= 0) {
      throw new TransportOptionsError(`${protocol} ${name} must be a positive integer, got ${merged[name]}`);
    }
  }
  const nonNegative = ['idleTimeoutMs', 'drainTimeoutMs', 'framingErrorGraceMs', 'lingerMs'] as const;
  for (const name of nonNegative) {
    if (!Number.isSafeInteger(merged[name]) || merged[name] < 0) {
      throw new TransportOptionsError(
        `${protocol} ${name} must be a non-negative integer, got ${merged[name]}`,
      );
    }
  }
  return merged;
}

/** A socket a subclass opened towards a peer, and the event that says it is usable. */
export interface OutboundSocket {
  readonly socket: Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
}

/**
 * The connection-oriented half of RFC 3261 §18 shared by TCP and TLS: a listening server plus a
 * pool of connections keyed by the peer's `address:port`, used for both directions (a response
 * goes back on the connection its request came in on, RFC 3261 §18.2.2; a request reuses any
 * open connection to its target, §18.1.1).
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18
 */
export abstract class StreamTransport extends EventEmitter<TransportEvents> implements Transport {
  abstract readonly protocol: TransportProtocol;
  readonly reliable = true;

  protected readonly options: ResolvedStreamTransportOptions;
  private readonly settings: StreamConnectionSettings;
  private server: Server | undefined;
  private bound: LocalAddress | undefined;
  private readonly connections = new Map<string, StreamConnection>();
  private readonly byRemote = new Map<string, Set<StreamConnection>>();
  /** Every socket alive, accepted or opened, including TLS handshakes in progress. */
  private socketCount = 0;
  private closing: Promise<void> | undefined;
  private readonly delegate: StreamConnectionDelegate;

  protected constructor(options: ResolvedStreamTransportOptions) {
    super();
    this.options = options;
    this.settings = {
      idleTimeoutMs: options.idleTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      maxQueuedBytes: options.maxQueuedBytes,
      drainTimeoutMs: options.drainTimeoutMs,
      framingErrorGraceMs: options.framingErrorGraceMs,
      lingerMs: options.lingerMs,
      framer: { maxHeaderBytes: options.maxHeaderBytes, maxBodyBytes: options.maxBodyBytes },
    };
    this.delegate = {
      onOpen: (connection) => this.emit('connection', connection.info()),
      onMessage: (connection, data, framingError) => this.deliver(connection, data, framingError),
      onClose: (connection, reason, error) => this.forget(connection, reason, error),
      onError: (connection, error) => this.reportError(error, connection.id),
    };
  }

  /** The server's socket factory (TCP or TLS). */
  protected abstract createServer(): Server;
  /** The server event that hands over a usable socket. */
  protected abstract readonly acceptEvent: 'connection' | 'secureConnection';
  /** Opens a socket towards a peer. */
  protected abstract openSocket(
    target: { address: string; port: number; family: AddressFamily },
    localAddress: string | undefined,
  ): OutboundSocket;

  get localAddress(): LocalAddress {
    if (!this.bound) throw new TransportClosedError(`${this.protocol} transport is not listening`);
    return this.bound;
  }

  /** Number of open or opening connections (for metrics and tests). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** Snapshot of one connection's state, or `undefined` when unknown / closed. */
  connectionStats(
    connectionId: string,
  ): { queuedBytes: number; bufferedBytes: number; open: boolean } | undefined {
    const connection = this.connections.get(connectionId);
    if (!connection) return undefined;
    return {
      queuedBytes: connection.queuedBytes,
      bufferedBytes: connection.bufferedBytes,
      open: connection.isOpen,
    };
  }

  /** Ids of the connections towards / from `address:port`. */
  connectionsTo(address: string, port: number): string[] {
    return [...(this.byRemote.get(formatHostPort(address, port)) ?? [])].map((c) => c.id);
  }

  hasConnection(connectionId: string): boolean {
    return this.connections.get(connectionId)?.usable ?? false;
  }

  /** Closes one connection gracefully; false if it is unknown. */
  closeConnection(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    if (!connection) return false;
    connection.close('local');
    return true;
  }

  /** Starts listening; resolves once bound. */
  protected async listen(): Promise<void> {
    const server = this.createServer();
    this.server = server;
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on(this.acceptEvent, (socket: Socket) => this.accept(socket));
    server.on('error', (error: Error) =>
      this.reportError(toTransportError(error, (m, c) => new SocketError(m, c))),
    );
    const family = addressFamily(this.options.address);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void =>
        reject(
          new SocketError(
            `cannot listen on ${formatHostPort(this.options.address, this.options.port)}: ${error.message}`,
            error,
          ),
        );
      server.once('error', onError);
      server.listen(
        {
          host: normalizeAddress(this.options.address),
          port: this.options.port,
          backlog: this.options.backlog,
          ipv6Only: family === 'IPv6',
        },
        () => {
          server.off('error', onError);
          resolve();
        },
      );
    });
    const info = server.address() as AddressInfo;
    this.bound = { address: normalizeAddress(info.address), port: info.port, family: family ?? 'IPv4' };
  }

  send(data: Buffer, target: SendTarget): Promise<void> {
    try {
      return this.sendOrThrow(data, target);
    } catch (error) {
      return Promise.reject(toTransportError(error, (m, c) => new SocketError(m, c)));
    }
  }

  private sendOrThrow(data: Buffer, target: SendTarget): Promise<void> {
    if (this.closing || !this.bound) throw new TransportClosedError(`${this.protocol} transport is closed`);
    if (target.connectionId !== undefined) {
      const pinned = this.connections.get(target.connectionId);
      // RFC 3261 §18.2.2 — the response goes on the request's connection while it is open (a
      // connection that failed framing still takes the one reply to it).
      if (pinned && !pinned.closed && (pinned.usable || pinned.isOpen)) return pinned.send(data);
    }
    const family = addressFamily(target.address);
    if (family === undefined) {
      throw new InvalidTargetError(
        `${this.protocol} target "${target.address}" is not an IP address (resolve names first, RFC 3263)`,
      );
    }
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      throw new InvalidTargetError(`${this.protocol} target port ${target.port} is out of range`);
    }
    if (family !== this.bound.family) {
      throw new AddressFamilyMismatchError(
        `${this.protocol} transport on ${this.bound.family} cannot reach ${family} ${target.address}`,
      );
    }
    const key = formatHostPort(target.address, target.port);
    const existing = this.pick(key);
    // RFC 3261 §18.1.1 — reuse an open connection to the same address:port rather than opening one.
    if (existing) return existing.send(data);
    return this.connect({ address: normalizeAddress(target.address), port: target.port, family }).send(data);
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const server = this.server;
      const closed = server
        ? new Promise<void>((resolve) => server.close(() => resolve()))
        : Promise.resolve();
      const connections = [...this.connections.values()];
      for (const connection of connections) connection.close('transport-closed');
      await Promise.all(connections.map((c) => c.whenClosed()));
      await closed;
      this.emit('close');
    })();
    return this.closing;
  }

  private pick(key: string): StreamConnection | undefined {
    const set = this.byRemote.get(key);
    if (!set) return undefined;
    let connecting: StreamConnection | undefined;
    for (const connection of set) {
      if (connection.isOpen && connection.usable) return connection;
      if (connection.usable) connecting ??= connection;
    }
    return connecting;
  }

  private connect(target: { address: string; port: number; family: AddressFamily }): StreamConnection {
    if (this.socketCount >= this.options.maxConnections)
      throw new ConnectionLimitError(this.options.maxConnections);
    const local = this.bound && !isWildcard(this.bound.address) ? this.bound.address : undefined;
    const { socket, readyEvent } = this.openSocket(target, local);
    this.track(socket);
    const connection = new StreamConnection(socket, {
      protocol: this.protocol,
      direction: 'outbound',
      remote: target,
      readyEvent,
      settings: this.settings,
      delegate: this.delegate,
    });
    this.register(connection);
    return connection;
  }

  /** Counts every raw socket (TLS: before its handshake) and refuses those over the cap. */
  private admit(socket: Socket): void {
    if (this.closing || this.socketCount >= this.options.maxConnections) {
      socket.on('error', () => undefined);
      socket.destroy();
      this.reportError(new ConnectionLimitError(this.options.maxConnections));
      return;
    }
    this.track(socket);
  }

  private accept(socket: Socket): void {
    if (socket.destroyed) return;
    const address = socket.remoteAddress;
    const port = socket.remotePort;
    const family = address === undefined ? undefined : addressFamily(address);
    if (address === undefined || port === undefined || family === undefined || this.closing) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const connection = new StreamConnection(socket, {
      protocol: this.protocol,
      direction: 'inbound',
      remote: { address: normalizeAddress(address), port, family },
      settings: this.settings,
      delegate: this.delegate,
    });
    this.register(connection);
  }

  private track(socket: Socket): void {
    this.socketCount += 1;
    socket.once('close', () => {
      this.socketCount -= 1;
    });
  }

  private register(connection: StreamConnection): void {
    if (connection.closed) return;
    this.connections.set(connection.id, connection);
    let set = this.byRemote.get(connection.key);
    if (!set) {
      set = new Set();
      this.byRemote.set(connection.key, set);
    }
    set.add(connection);
  }

  private forget(
    connection: StreamConnection,
    reason: ConnectionCloseReason,
    error: TransportError | undefined,
  ): void {
    this.connections.delete(connection.id);
    const set = this.byRemote.get(connection.key);
    if (set) {
      set.delete(connection);
      if (set.size === 0) this.byRemote.delete(connection.key);
    }
    if (reason === 'connect-failed') {
      if (error) this.reportError(error, connection.id, connection.remote);
      return;
    }
    this.emit('connectionClosed', { ...connection.info(), reason, ...(error ? { error } : {}) });
  }

  private deliver(
    connection: StreamConnection,
    data: Buffer,
    framingError: FramingErrorCode | undefined,
  ): void {
    this.emit('message', {
      data,
      source: {
        address: connection.remote.address,
        port: connection.remote.port,
        family: connection.remote.family,
        protocol: this.protocol,
        connectionId: connection.id,
      },
      local: this.localAddress,
      ...(framingError ? { framingError } : {}),
    });
  }

  private reportError(
    error: TransportError,
    connectionId?: string,
    target?: { address: string; port: number },
  ): void {
    // An 'error' without listeners would throw out of a socket callback: report only to listeners.
    if (this.listenerCount('error') === 0) return;
    this.emit('error', {
      error,
      ...(connectionId === undefined ? {} : { connectionId }),
      ...(target === undefined ? {} : { target: { address: target.address, port: target.port } }),
    });
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
