import type { EventEmitter } from 'node:events';
import type { AddressFamily } from './normalize-address.js';
import type { FramingErrorCode } from './stream-framer.js';
import type { TransportError } from './transport-error.js';

/** The transports this layer implements (lower case; the Via spells them upper case). */
export type TransportProtocol = 'udp' | 'tcp' | 'tls';

/** Whether a protocol is reliable (RFC 3261 §18: TCP, TLS, SCTP are; UDP is not). */
export function isReliableProtocol(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

/** Default port of a protocol (RFC 3261 §19.1.2: 5060 for UDP/TCP, 5061 for TLS). */
export function defaultPort(protocol: TransportProtocol): number {
  return protocol === 'tls' ? 5061 : 5060;
}

/** An address a transport is bound to. */
export interface LocalAddress {
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
}

/** Where to send: an IP address and port, optionally pinned to an existing connection. */
export interface SendTarget {
  /** IP address (v4 or v6, brackets allowed). Host names are resolved above this layer (RFC 3263). */
  readonly address: string;
  readonly port: number;
  /**
   * For reliable transports: the connection to use when it is still open (RFC 3261 §18.2.2 —
   * responses go back on the connection the request came in on). When it has closed, the message
   * goes to `address:port` over a reused or new connection. Ignored by UDP.
   */
  readonly connectionId?: string;
}

/** Where a message came from. */
export interface MessageSource {
  /** Normalised IP address (IPv4-mapped IPv6 reported as IPv4). */
  readonly address: string;
  readonly port: number;
  readonly family: AddressFamily;
  readonly protocol: TransportProtocol;
  /** The connection it arrived on (reliable transports only). */
  readonly connectionId?: string;
}

/** One received SIP message (or what stream framing could make of one). */
export interface TransportMessage {
  /** The message bytes: one datagram, or one framed message from a stream. */
  readonly data: Buffer;
  readonly source: MessageSource;
  /** The local address it arrived at. */
  readonly local: LocalAddress;
  /**
   * Set when stream framing failed (RFC 3261 §18.3). `data` then holds the header section (or the
   * first `maxHeaderBytes` of it) so the core can answer 400; the connection closes after a grace.
   */
  readonly framingError?: FramingErrorCode;
}

/** Why a connection closed. */
export type ConnectionCloseReason =
  | 'local'
  | 'peer'
  | 'idle'
  | 'error'
  | 'framing-error'
  | 'queue-overflow'
  | 'drain-timeout'
  | 'connect-failed'
  | 'transport-closed';

/** A stream connection as reported by `connection` / `connectionClosed`. */
export interface ConnectionInfo {
  readonly connectionId: string;
  readonly protocol: TransportProtocol;
  readonly direction: 'inbound' | 'outbound';
  readonly remote: { readonly address: string; readonly port: number; readonly family: AddressFamily };
  /** TLS only: whether the peer presented a certificate that verified against the configured CAs. */
  readonly authorized?: boolean;
}

/** Payload of `connectionClosed`. */
export interface ConnectionClosedInfo extends ConnectionInfo {
  readonly reason: ConnectionCloseReason;
  readonly error?: TransportError;
}

/** Payload of `error`: something went wrong that no `send()` promise reports on its own. */
export interface TransportErrorEvent {
  readonly error: TransportError;
  readonly connectionId?: string;
  readonly target?: { readonly address: string; readonly port: number };
}

/**
 * Event map of every transport. `error` is emitted only while someone listens (a transport never
 * throws out of a socket callback); `close` once the transport has closed.
 */
export interface TransportEvents {
  message: [TransportMessage];
  error: [TransportErrorEvent];
  connection: [ConnectionInfo];
  connectionClosed: [ConnectionClosedInfo];
  close: [];
}

/**
 * A SIP transport (RFC 3261 §18): moves Buffers between this host and peers. It knows nothing of
 * SIP syntax beyond stream framing.
 */
export interface Transport extends EventEmitter<TransportEvents> {
  readonly protocol: TransportProtocol;
  /** RFC 3261 §18 — TCP and TLS are reliable, UDP is not (drives Timer A/E retransmission). */
  readonly reliable: boolean;
  readonly localAddress: LocalAddress;
  /**
   * Sends one message. Never throws synchronously: failures reject with a `TransportError`
   * (and are also reported on `error` for logging).
   */
  send(data: Buffer, target: SendTarget): Promise<void>;
  /** Whether a connection with this id is open on this transport (always false for UDP). */
  hasConnection(connectionId: string): boolean;
  /** Stops listening, closes every connection and rejects queued sends. Idempotent. */
  close(): Promise<void>;
}
