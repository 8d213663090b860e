import { EventEmitter } from 'node:events';
import { addressFamily, isSameAddress, type AddressFamily } from './normalize-address.js';
import { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
import { TlsTransport, type TlsTransportOptions } from './tls-transport.js';
import { InvalidTargetError, NoTransportError, toTransportError } from './transport-error.js';
import { UdpTransport, type UdpTransportOptions } from './udp-transport.js';
import type {
  ConnectionClosedInfo,
  ConnectionInfo,
  SendTarget,
  Transport,
  TransportErrorEvent,
  TransportMessage,
  TransportProtocol,
} from './transport.js';

/** A manager event: the transport's payload plus the transport it came from. */
export type WithTransport<T> = T & { readonly transport: Transport };

/** Event map of `TransportManager`: every transport's events, merged. */
export interface TransportManagerEvents {
  message: [WithTransport<TransportMessage>];
  error: [WithTransport<TransportErrorEvent>];
  connection: [WithTransport<ConnectionInfo>];
  connectionClosed: [WithTransport<ConnectionClosedInfo>];
}

/** Narrows which transport `send` may use. */
export interface TransportSelector {
  /**
   * Send from the transport bound to this local address (and port, if given) — RFC 3581 §4: a
   * response MUST be sent from the address and port its request was received on.
   */
  readonly localAddress?: string;
  readonly localPort?: number;
  /**
   * The transport that is bound there, when the caller knows it (the one the request came in
   * on): used as long as it is still held, without looking the address up again.
   */
  readonly transport?: Transport | undefined;
  /**
   * When no transport is bound to `localAddress`/`localPort` (any more), send from any of the
   * protocol and family instead of failing. @defaultValue false
   */
  readonly fallback?: boolean;
}

/**
 * RFC 3261 §18.1.1 — a request within 200 bytes of the path MTU, or above 1300 bytes when the MTU
 * is unknown, MUST go over a congestion-controlled transport such as TCP.
 */
export function requiresCongestionControl(messageBytes: number, pathMtu?: number): boolean {
  return pathMtu === undefined ? messageBytes > 1300 : messageBytes > pathMtu - 200;
}

/** What `TransportManager.listen` binds: any number of each protocol, IPv4 and IPv6 alike. */
export interface TransportManagerListenOptions {
  /** @defaultValue none */
  udp?: readonly UdpTransportOptions[];
  /** @defaultValue none */
  tcp?: readonly TcpTransportOptions[];
  /** @defaultValue none */
  tls?: readonly TlsTransportOptions[];
}

interface Entry {
  readonly transport: Transport;
  readonly detach: () => void;
}

/**
 * Holds the transports of one SIP element (UDP, TCP, TLS; IPv4 and IPv6), merges their events into
 * one stream and picks the transport for each outgoing message by protocol and address family.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18
 */
export class TransportManager extends EventEmitter<TransportManagerEvents> {
  private readonly entries: Entry[] = [];
  #version = 0;

  /** Changes whenever a transport is added or removed (for callers that cache what they derive). */
  get version(): number {
    return this.#version;
  }
  /** `addressFamily` of the targets sent to, by address text (a UAS answers the same peers over and over). */
  private readonly families = new Map<string, AddressFamily | undefined>();

  constructor(transports: readonly Transport[] = []) {
    super();
    for (const transport of transports) this.add(transport);
  }

  /**
   * Binds every transport asked for and returns a manager holding them. If any fails to bind, the
   * ones already bound are closed and the error is rethrown.
   */
  static async listen(options: TransportManagerListenOptions): Promise<TransportManager> {
    const pending: Promise<Transport>[] = [
      ...(options.udp ?? []).map((o) => UdpTransport.listen(o)),
      ...(options.tcp ?? []).map((o) => TcpTransport.listen(o)),
      ...(options.tls ?? []).map((o) => TlsTransport.listen(o)),
    ];
    const results = await Promise.allSettled(pending);
    const bound = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await Promise.all(bound.map((t) => t.close()));
      throw failure.reason;
    }
    return new TransportManager(bound);
  }

  /** The transports held, in the order they were added. */
  get transports(): readonly Transport[] {
    return this.entries.map((e) => e.transport);
  }

  /** Adds a transport and forwards its events. Adding the same transport twice is a no-op. */
  add(transport: Transport): void {
    if (this.entries.some((e) => e.transport === transport)) return;
    const onMessage = (m: TransportMessage): void => {
      // Spelled out rather than spread: this runs for every message received.
      this.emit(
        'message',
        m.framingError === undefined
          ? { data: m.data, source: m.source, local: m.local, transport }
          : { data: m.data, source: m.source, local: m.local, framingError: m.framingError, transport },
      );
    };
    const onError = (e: TransportErrorEvent): void => {
      if (this.listenerCount('error') > 0) this.emit('error', { ...e, transport });
    };
    const onConnection = (c: ConnectionInfo): void => {
      this.emit('connection', { ...c, transport });
    };
    const onConnectionClosed = (c: ConnectionClosedInfo): void => {
      this.emit('connectionClosed', { ...c, transport });
    };
    transport.on('message', onMessage);
    transport.on('error', onError);
    transport.on('connection', onConnection);
    transport.on('connectionClosed', onConnectionClosed);
    const detach = (): void => {
      transport.off('message', onMessage);
      transport.off('error', onError);
      transport.off('connection', onConnection);
      transport.off('connectionClosed', onConnectionClosed);
    };
    this.entries.push({ transport, detach });
    this.#version++;
  }

  /** Stops forwarding a transport's events (it is not closed). */
  remove(transport: Transport): boolean {
    const index = this.entries.findIndex((e) => e.transport === transport);
    if (index < 0) return false;
    this.entries[index]?.detach();
    this.entries.splice(index, 1);
    this.#version++;
    return true;
  }

  /** The first transport of that protocol and family (and local address, if asked), or undefined. */
  select(
    protocol: TransportProtocol,
    family: AddressFamily,
    selector: TransportSelector = {},
  ): Transport | undefined {
    for (const { transport: t } of this.entries) {
      if (
        t.protocol === protocol &&
        t.localAddress.family === family &&
        (selector.localAddress === undefined ||
          isSameAddress(t.localAddress.address, selector.localAddress)) &&
        (selector.localPort === undefined || t.localAddress.port === selector.localPort)
      ) {
        return t;
      }
    }
    return undefined;
  }

  /**
   * Sends over the transport for `protocol` and the target's address family. With a
   * `connectionId`, the transport owning that connection is used while the connection is open.
   */
  send(
    protocol: TransportProtocol,
    data: Buffer,
    target: SendTarget,
    selector: TransportSelector = {},
  ): Promise<void> {
    try {
      return this.choose(protocol, target, selector).send(data, target);
    } catch (error) {
      return Promise.reject(toTransportError(error, (m) => new NoTransportError(m)));
    }
  }

  private holds(transport: Transport): boolean {
    for (const entry of this.entries) if (entry.transport === transport) return true;
    return false;
  }

  private familyOf(address: string): AddressFamily | undefined {
    let family = this.families.get(address);
    if (family === undefined && !this.families.has(address)) {
      family = addressFamily(address);
      // Bounded: a flood of distinct targets empties it now and then.
      if (this.families.size >= 1024) this.families.clear();
      this.families.set(address, family);
    }
    return family;
  }

  /** Closes every transport held (in parallel). */
  async close(): Promise<void> {
    const transports = this.entries.map((e) => e.transport);
    await Promise.all(transports.map((t) => t.close()));
    for (const entry of this.entries.splice(0)) entry.detach();
    this.#version++;
  }

  private choose(protocol: TransportProtocol, target: SendTarget, selector: TransportSelector): Transport {
    const hinted = selector.transport;
    if (
      hinted !== undefined &&
      hinted.protocol === protocol &&
      (target.connectionId === undefined || hinted.hasConnection(target.connectionId)) &&
      this.holds(hinted)
    ) {
      return hinted;
    }
    if (target.connectionId !== undefined) {
      const owner = this.entries.find(
        (e) => e.transport.protocol === protocol && e.transport.hasConnection(target.connectionId ?? ''),
      );
      if (owner) return owner.transport;
    }
    const family = this.familyOf(target.address);
    if (family === undefined) {
      throw new InvalidTargetError(
        `target "${target.address}" is not an IP address (resolve names first, RFC 3263)`,
      );
    }
    let transport = this.select(protocol, family, selector);
    // RFC 3581 §4 asks to answer from the receiving socket; if it is gone, any of that protocol will do.
    if (transport === undefined && selector.fallback === true) transport = this.select(protocol, family);
    if (!transport) {
      const where = selector.localAddress === undefined ? '' : ` on ${selector.localAddress}`;
      throw new NoTransportError(`no ${protocol} transport for ${family}${where}`);
    }
    return transport;
  }
}
