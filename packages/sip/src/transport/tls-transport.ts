import type { Server } from 'node:net';
import { connect, createServer, type ConnectionOptions, type SecureVersion } from 'node:tls';
import type { AddressFamily } from './normalize-address.js';
import {
  resolveStreamTransportOptions,
  StreamTransport,
  type OutboundSocket,
  type StreamTransportOptions,
} from './stream-transport.js';
import { TransportOptionsError } from './transport-error.js';

/** PEM text or DER bytes, one or several. */
export type TlsMaterial = string | Buffer | readonly (string | Buffer)[];

/** Options of `TlsTransport`: the stream options plus the TLS credentials and policy. */
export interface TlsTransportOptions extends StreamTransportOptions {
  /** Private key (PEM) for this side, used as server and as client. */
  key: string | Buffer;
  /** Certificate chain (PEM) for this side. */
  cert: string | Buffer;
  /**
   * Trusted CAs for verifying peers.
   * @defaultValue Node's bundled root store
   */
  ca?: TlsMaterial;
  /**
   * Ask inbound peers for a client certificate (mutual TLS).
   * @defaultValue false
   */
  requestCert?: boolean;
  /**
   * Refuse peers whose certificate does not verify (as server: only when `requestCert`).
   * RFC 5630 / RFC 5922 require verification in production; turn off only for tests.
   * @defaultValue true
   */
  rejectUnauthorized?: boolean;
  /**
   * Time an inbound TLS handshake may take.
   * @defaultValue 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * Lowest TLS version accepted.
   * @defaultValue 'TLSv1.2'
   */
  minVersion?: SecureVersion;
  /**
   * Server identity check for outbound connections (RFC 5922 §7.2). Node's default matches the
   * target IP against the certificate's subjectAltName IP entries.
   * @defaultValue tls.checkServerIdentity
   */
  checkServerIdentity?: ConnectionOptions['checkServerIdentity'];
}

/**
 * SIP over TLS (RFC 3261 §26.2, RFC 5630): the TCP code path (shared `StreamConnection`) over
 * `node:tls` sockets.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-26.3.1
 */
export class TlsTransport extends StreamTransport {
  readonly protocol = 'tls' as const;
  protected readonly acceptEvent = 'secureConnection' as const;
  private readonly tls: TlsTransportOptions;

  private constructor(options: TlsTransportOptions) {
    const {
      key: _key,
      cert: _cert,
      ca: _ca,
      requestCert: _requestCert,
      rejectUnauthorized: _rejectUnauthorized,
      handshakeTimeoutMs,
      minVersion: _minVersion,
      checkServerIdentity: _checkServerIdentity,
      ...stream
    } = options;
    super(resolveStreamTransportOptions('tls', stream));
    if (!options.key || !options.cert)
      throw new TransportOptionsError('tls transport needs a key and a certificate');
    if (
      handshakeTimeoutMs !== undefined &&
      (!Number.isSafeInteger(handshakeTimeoutMs) || handshakeTimeoutMs <= 0)
    ) {
      throw new TransportOptionsError(
        `tls handshakeTimeoutMs must be a positive integer, got ${handshakeTimeoutMs}`,
      );
    }
    this.tls = options;
  }

  /** Creates a transport and binds it; rejects with a `TransportError` if it cannot listen. */
  static async listen(options: TlsTransportOptions): Promise<TlsTransport> {
    const transport = new TlsTransport(options);
    await transport.listen();
    return transport;
  }

  protected createServer(): Server {
    return createServer({
      key: this.tls.key,
      cert: this.tls.cert,
      ...(this.tls.ca === undefined ? {} : { ca: this.tls.ca as string | Buffer | (string | Buffer)[] }),
      requestCert: this.tls.requestCert ?? false,
      rejectUnauthorized: this.tls.rejectUnauthorized ?? true,
      handshakeTimeout: this.tls.handshakeTimeoutMs ?? 10_000,
      minVersion: this.tls.minVersion ?? 'TLSv1.2',
      allowHalfOpen: false,
    });
  }

  protected openSocket(
    target: { address: string; port: number; family: AddressFamily },
    localAddress: string | undefined,
  ): OutboundSocket {
    const socket = connect({
      host: target.address,
      port: target.port,
      key: this.tls.key,
      cert: this.tls.cert,
      ...(this.tls.ca === undefined ? {} : { ca: this.tls.ca as string | Buffer | (string | Buffer)[] }),
      rejectUnauthorized: this.tls.rejectUnauthorized ?? true,
      minVersion: this.tls.minVersion ?? 'TLSv1.2',
      ...(this.tls.checkServerIdentity === undefined
        ? {}
        : { checkServerIdentity: this.tls.checkServerIdentity }),
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    return { socket, readyEvent: 'secureConnect' };
  }
}
