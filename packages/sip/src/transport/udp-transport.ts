import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { LookupOneOptions } from 'node:dns';
import { EventEmitter } from 'node:events';
import { type AddressFamily, addressFamily, formatHostPort, normalizeAddress } from './normalize-address.js';
import {
  AddressFamilyMismatchError,
  InvalidTargetError,
  MessageTooLargeError,
  SendFailedError,
  SocketError,
  TransportClosedError,
  TransportError,
  TransportOptionsError,
  toTransportError,
} from './transport-error.js';
import {
  defaultPort,
  type LocalAddress,
  type SendTarget,
  type Transport,
  type TransportEvents,
} from './transport.js';

/** Options of `UdpTransport`. */
export interface UdpTransportOptions {
  /** Address to bind (IPv4 or IPv6; the socket family follows from it). */
  address: string;
  /**
   * Port to bind; 0 picks a free one.
   * @defaultValue 5060
   */
  port?: number;
  /**
   * Largest datagram sent or accepted. RFC 3261 §18.1.1: implementations MUST handle messages up to
   * the maximum datagram size (65 535 bytes including IP and UDP headers).
   * @defaultValue 65507 on IPv4, 65527 on IPv6 (65 535 less the IP and UDP headers)
   */
  maxDatagramBytes?: number;
  /**
   * Socket receive buffer (SO_RCVBUF) in bytes.
   * @defaultValue the operating system's
   */
  receiveBufferBytes?: number;
  /**
   * Socket send buffer (SO_SNDBUF) in bytes.
   * @defaultValue the operating system's
   */
  sendBufferBytes?: number;
}

/** Largest UDP payload: 65 535 less the 8-byte UDP header and the 20-byte IPv4 header. */
export const MAX_UDP_PAYLOAD_IPV4 = 65_535 - 8 - 20;
/** Largest UDP payload without jumbograms: 65 535 less the UDP header and the 40-byte IPv6 header. */
export const MAX_UDP_PAYLOAD_IPV6 = 65_535 - 8 - 40;

/** Bytes that make up keep-alives rather than messages (CRLF pings, NUL padding, blanks). */
const KEEP_ALIVE_BYTES = new Set([0x0d, 0x0a, 0x00, 0x20, 0x09]);

/** An address as written, in canonical form, with its family (undefined: not an IP address). */
interface KnownAddress {
  readonly address: string;
  readonly family: AddressFamily | undefined;
}

/** A datagram accepted by `send`, waiting for the end of the turn. */
interface PendingDatagram {
  readonly data: Buffer;
  readonly port: number;
  readonly address: string;
  readonly target: SendTarget;
  readonly resolve: () => void;
  readonly reject: (error: TransportError) => void;
}

/** Datagrams held at most before they go out within the turn (bounds the delay and the memory). */
const MAX_BATCH = 64;

/**
 * `normalizeAddress` / `addressFamily` per datagram cost a URL parse or `net.isIP` (regular
 * expressions) for every message; a UDP server sees the same few peers again and again, so the
 * answers are remembered (bounded: the table is emptied when it is full).
 */
class AddressCache {
  static readonly MAX_ENTRIES = 1024;
  readonly #known = new Map<string, KnownAddress>();

  lookup(text: string): KnownAddress {
    let known = this.#known.get(text);
    if (known === undefined) {
      const address = normalizeAddress(text);
      known = { address, family: addressFamily(address) };
      if (this.#known.size >= AddressCache.MAX_ENTRIES) this.#known.clear();
      this.#known.set(text, known);
    }
    return known;
  }
}

/**
 * SIP over UDP (RFC 3261 §18): one `node:dgram` socket, IPv4 or IPv6 by the bind address. Every
 * datagram is one message; the parser (with `datagram: true`) decides what it is worth.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.1.1
 */
export class UdpTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly localAddress: LocalAddress;
  private dropped = 0;

  private readonly socket: Socket;
  private readonly maxDatagramBytes: number;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly addresses = new AddressCache();
  /** Datagrams `send` accepted in this event-loop turn, sent together at its end (`flush`). */
  private outbox: PendingDatagram[] = [];
  private flushScheduled = false;
  private batches = 0;

  private constructor(socket: Socket, localAddress: LocalAddress, maxDatagramBytes: number) {
    super();
    this.socket = socket;
    this.localAddress = localAddress;
    this.maxDatagramBytes = maxDatagramBytes;
    socket.on('message', (data: Buffer, remote: RemoteInfo) => this.onDatagram(data, remote));
    socket.on('error', (error: Error) =>
      this.reportError(toTransportError(error, (m, c) => new SocketError(`udp socket error: ${m}`, c))),
    );
    socket.on('close', () => {
      this.closed = true;
    });
  }

  /** Creates a transport and binds it; rejects with a `TransportError` if it cannot bind. */
  static async listen(options: UdpTransportOptions): Promise<UdpTransport> {
    const family = addressFamily(options.address);
    if (family === undefined) {
      throw new TransportOptionsError(`udp bind address must be an IP address, got "${options.address}"`);
    }
    const port = options.port ?? defaultPort('udp');
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new TransportOptionsError(`udp port must be 0–65535, got ${port}`);
    }
    const ceiling = family === 'IPv6' ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4;
    const maxDatagramBytes = options.maxDatagramBytes ?? ceiling;
    if (!Number.isInteger(maxDatagramBytes) || maxDatagramBytes <= 0 || maxDatagramBytes > ceiling) {
      throw new TransportOptionsError(
        `udp maxDatagramBytes must be 1–${ceiling} on ${family}, got ${maxDatagramBytes}`,
      );
    }
    const socket = createSocket({
      type: family === 'IPv6' ? 'udp6' : 'udp4',
      ipv6Only: family === 'IPv6',
      lookup: passThroughLookup(family === 'IPv6' ? 6 : 4),
      ...(options.receiveBufferBytes === undefined ? {} : { recvBufferSize: options.receiveBufferBytes }),
      ...(options.sendBufferBytes === undefined ? {} : { sendBufferSize: options.sendBufferBytes }),
    });
    const host = normalizeAddress(options.address);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error): void => {
        socket.close();
        reject(new SocketError(`cannot bind udp ${formatHostPort(host, port)}: ${error.message}`, error));
      };
      socket.once('error', onError);
      socket.bind({ address: host, port, exclusive: true }, () => {
        socket.off('error', onError);
        resolve();
      });
    });
    const bound = socket.address();
    return new UdpTransport(
      socket,
      { address: normalizeAddress(bound.address), port: bound.port, family },
      maxDatagramBytes,
    );
  }

  /** Datagrams dropped as too large or as keep-alives (for metrics). */
  get droppedDatagrams(): number {
    return this.dropped;
  }

  hasConnection(_connectionId: string): boolean {
    return false;
  }

  /**
   * Sends one datagram. Failures (too large, unreachable, closed) reject with a `TransportError`
   * and are also emitted on `error`; nothing is thrown out of the socket callback.
   */
  send(data: Buffer, target: SendTarget): Promise<void> {
    let problem: TransportError | undefined;
    const { address, family } = this.addresses.lookup(target.address);
    if (this.closed || this.closing) problem = new TransportClosedError('udp transport is closed');
    else if (family === undefined) {
      problem = new InvalidTargetError(
        `udp target "${target.address}" is not an IP address (resolve names first, RFC 3263)`,
      );
    } else if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
      problem = new InvalidTargetError(`udp target port ${target.port} is out of range`);
    } else if (family !== this.localAddress.family) {
      problem = new AddressFamilyMismatchError(
        `udp transport on ${this.localAddress.family} cannot reach ${family} ${target.address}`,
      );
    } else if (data.length > this.maxDatagramBytes) {
      // RFC 3261 §18.1.1 — a message this large belongs on a congestion-controlled transport.
      problem = new MessageTooLargeError(data.length, this.maxDatagramBytes, 'udp datagram');
    }
    if (problem) return this.fail(problem, target);
    return new Promise<void>((resolve, reject) => {
      this.outbox.push({ data, port: target.port, address, target, resolve, reject });
      if (this.outbox.length >= MAX_BATCH) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  /** How many times the datagrams of a turn were handed to the socket together (a diagnostic figure). */
  get sendBatches(): number {
    return this.batches;
  }

  /**
   * Hands every waiting datagram to the socket, in the order `send` was called. A loopback or
   * LAN peer asleep in its poll is woken by the first of them only; sending each as it comes
   * wakes it once per datagram, and on a virtual machine a wake-up is an inter-processor
   * interrupt that costs more than the send (the sip-uas server: 27–40 % less main-thread CPU per
   * call at 2 000–4 000 calls/s with the batching).
   */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.outbox.length === 0) return;
    const outbox = this.outbox;
    this.outbox = [];
    this.batches += 1;
    for (const datagram of outbox) this.transmit(datagram);
  };

  private transmit(datagram: PendingDatagram): void {
    const { data, port, address, target } = datagram;
    const failed = (error: unknown): void => {
      const failure = toTransportError(
        error,
        (m, c) => new SendFailedError(`udp send to ${formatHostPort(address, port)} failed: ${m}`, c),
      );
      this.reportError(failure, target);
      datagram.reject(failure);
    };
    if (this.closed) return failed(new TransportClosedError('udp transport is closed'));
    try {
      this.socket.send(data, port, address, (error) => (error ? failed(error) : datagram.resolve()));
    } catch (error) {
      failed(error);
    }
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    // What was sent before the close still goes out.
    this.flush();
    this.closing = new Promise<void>((resolve) => {
      if (this.closed) return resolve();
      this.socket.close(() => resolve());
    }).then(() => {
      this.closed = true;
      this.emit('close');
    });
    return this.closing;
  }

  private onDatagram(data: Buffer, remote: RemoteInfo): void {
    if (data.length > this.maxDatagramBytes || isKeepAlive(data)) {
      this.dropped += 1;
      return;
    }
    const known = this.addresses.lookup(remote.address);
    const family = known.family ?? (remote.family === 'IPv6' ? 'IPv6' : 'IPv4');
    try {
      this.emit('message', {
        data,
        source: { address: known.address, port: remote.port, family, protocol: 'udp' },
        local: this.localAddress,
      });
    } catch (cause) {
      this.reportError(new SocketError(`a message listener failed: ${String(cause)}`, cause));
    }
  }

  private fail(error: TransportError, target: SendTarget): Promise<void> {
    this.reportError(error, target);
    return Promise.reject(error);
  }

  private reportError(error: TransportError, target?: SendTarget): void {
    // An 'error' without listeners would throw out of a socket callback: report only to listeners.
    if (this.listenerCount('error') === 0) return;
    this.emit('error', {
      error,
      ...(target ? { target: { address: target.address, port: target.port } } : {}),
    });
  }
}

/**
 * `send` only ever passes IP literals (names are resolved before, RFC 3263), which `dns.lookup`
 * would hand back on the next tick after an `isIP` check: answer at once instead.
 */
function passThroughLookup(
  family: 4 | 6,
): (
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
) => void {
  return (hostname, _options, callback) => callback(null, hostname, family);
}

/**
 * RFC 5626 §3.5.1 / common practice — datagrams of only CRLF, NUL or blanks are keep-alives, not
 * SIP messages; they are dropped silently.
 */
function isKeepAlive(data: Buffer): boolean {
  for (const byte of data) if (!KEEP_ALIVE_BYTES.has(byte)) return false;
  return true;
}
