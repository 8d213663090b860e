import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of the SIP transport layer. Every error carries a stable `code` (`SIP_TRANSPORT_…`)
 * that callers switch on; messages are for people and may change.
 */

/** Stable error codes of the transport layer. */
export type TransportErrorCode =
  | 'SIP_TRANSPORT_INVALID_OPTIONS'
  | 'SIP_TRANSPORT_INVALID_TARGET'
  | 'SIP_TRANSPORT_FAMILY_MISMATCH'
  | 'SIP_TRANSPORT_MESSAGE_TOO_LARGE'
  | 'SIP_TRANSPORT_SEND_FAILED'
  | 'SIP_TRANSPORT_CONNECT_FAILED'
  | 'SIP_TRANSPORT_CONNECT_TIMEOUT'
  | 'SIP_TRANSPORT_CONNECTION_LIMIT'
  | 'SIP_TRANSPORT_CONNECTION_CLOSED'
  | 'SIP_TRANSPORT_QUEUE_OVERFLOW'
  | 'SIP_TRANSPORT_DRAIN_TIMEOUT'
  | 'SIP_TRANSPORT_SOCKET_ERROR'
  | 'SIP_TRANSPORT_TLS_ERROR'
  | 'SIP_TRANSPORT_CLOSED'
  | 'SIP_TRANSPORT_NO_TRANSPORT'
  | 'SIP_TRANSPORT_UNSUPPORTED_PROTOCOL';

/** Base of every error raised by the SIP transport layer. */
export class TransportError extends SvpnError<TransportErrorCode> {}

/** An options object failed validation (negative sizes, unknown protocol, …). */
export class TransportOptionsError extends TransportError {
  constructor(message: string) {
    super('SIP_TRANSPORT_INVALID_OPTIONS', message);
  }
}

/** A send target is not a usable IP address / port pair. */
export class InvalidTargetError extends TransportError {
  constructor(message: string) {
    super('SIP_TRANSPORT_INVALID_TARGET', message);
  }
}

/** A target's address family does not match the family the transport is bound to. */
export class AddressFamilyMismatchError extends TransportError {
  constructor(message: string) {
    super('SIP_TRANSPORT_FAMILY_MISMATCH', message);
  }
}

/** A message exceeds the transport's size limit (datagram size or per-connection queue cap). */
export class MessageTooLargeError extends TransportError {
  readonly size: number;
  readonly limit: number;

  constructor(size: number, limit: number, what: string) {
    super('SIP_TRANSPORT_MESSAGE_TOO_LARGE', `${what} of ${size} bytes exceeds the limit of ${limit} bytes`);
    this.size = size;
    this.limit = limit;
  }
}

/** The operating system refused or failed a send. */
export class SendFailedError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super('SIP_TRANSPORT_SEND_FAILED', message, { cause });
  }
}

/** An outbound connection could not be established. */
export class ConnectFailedError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super('SIP_TRANSPORT_CONNECT_FAILED', message, { cause });
  }
}

/** An outbound connection did not complete (TCP + TLS handshake) within the configured time. */
export class ConnectTimeoutError extends TransportError {
  constructor(message: string) {
    super('SIP_TRANSPORT_CONNECT_TIMEOUT', message);
  }
}

/** The transport already holds its maximum number of connections. */
export class ConnectionLimitError extends TransportError {
  readonly limit: number;

  constructor(limit: number) {
    super('SIP_TRANSPORT_CONNECTION_LIMIT', `connection limit of ${limit} reached`);
    this.limit = limit;
  }
}

/** The connection a message was queued on closed before the message was written. */
export class ConnectionClosedError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super('SIP_TRANSPORT_CONNECTION_CLOSED', message, { cause });
  }
}

/** The peer does not read: queued bytes on one connection exceeded the cap, so it was closed. */
export class QueueOverflowError extends TransportError {
  readonly queuedBytes: number;
  readonly limit: number;

  constructor(queuedBytes: number, limit: number) {
    super(
      'SIP_TRANSPORT_QUEUE_OVERFLOW',
      `${queuedBytes} bytes would be queued on the connection, above the cap of ${limit}; connection closed`,
    );
    this.queuedBytes = queuedBytes;
    this.limit = limit;
  }
}

/** The peer did not drain the connection's write buffer within the configured time. */
export class DrainTimeoutError extends TransportError {
  constructor(timeoutMs: number) {
    super('SIP_TRANSPORT_DRAIN_TIMEOUT', `peer did not read for ${timeoutMs} ms; connection closed`);
  }
}

/** A socket reported an error (reset, unreachable, …). */
export class SocketError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super('SIP_TRANSPORT_SOCKET_ERROR', message, { cause });
  }
}

/** A TLS handshake or certificate check failed. */
export class TlsError extends TransportError {
  constructor(message: string, cause?: unknown) {
    super('SIP_TRANSPORT_TLS_ERROR', message, { cause });
  }
}

/** The transport itself was closed; it accepts no more sends. */
export class TransportClosedError extends TransportError {
  constructor(message = 'transport is closed') {
    super('SIP_TRANSPORT_CLOSED', message);
  }
}

/** No transport in a `TransportManager` matches the protocol / address family asked for. */
export class NoTransportError extends TransportError {
  constructor(message: string) {
    super('SIP_TRANSPORT_NO_TRANSPORT', message);
  }
}

/** A Via names a transport this layer does not implement (SCTP, WS, …). */
export class UnsupportedProtocolError extends TransportError {
  readonly protocol: string;

  constructor(protocol: string) {
    super('SIP_TRANSPORT_UNSUPPORTED_PROTOCOL', `transport "${protocol}" is not supported`);
    this.protocol = protocol;
  }
}

/** Wraps anything thrown by Node into a `TransportError` (keeping the original as `cause`). */
export function toTransportError(
  error: unknown,
  fallback: (message: string, cause: unknown) => TransportError,
): TransportError {
  if (error instanceof TransportError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return fallback(message, error);
}
