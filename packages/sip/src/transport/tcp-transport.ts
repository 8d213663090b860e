import { connect, createServer, type Server } from 'node:net';
import type { AddressFamily } from './normalize-address.js';
import {
  resolveStreamTransportOptions,
  StreamTransport,
  type OutboundSocket,
  type StreamTransportOptions,
} from './stream-transport.js';

/** Options of `TcpTransport`. */
export type TcpTransportOptions = StreamTransportOptions;

/**
 * SIP over TCP (RFC 3261 §18): listens on one address, pools connections both ways, frames
 * messages by Content-Length.
 *
 * ```ts
 * const tcp = await TcpTransport.listen({ address: '127.0.0.1', port: 5060 });
 * tcp.on('message', ({ data, source }) => …);
 * await tcp.send(bytes, { address: '192.0.2.1', port: 5060 });
 * ```
 *
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18
 */
export class TcpTransport extends StreamTransport {
  readonly protocol = 'tcp' as const;
  protected readonly acceptEvent = 'connection' as const;

  private constructor(options: TcpTransportOptions) {
    super(resolveStreamTransportOptions('tcp', options));
  }

  /** Creates a transport and binds it; rejects with a `TransportError` if it cannot listen. */
  static async listen(options: TcpTransportOptions): Promise<TcpTransport> {
    const transport = new TcpTransport(options);
    await transport.listen();
    return transport;
  }

  protected createServer(): Server {
    return createServer({ allowHalfOpen: false });
  }

  protected openSocket(
    target: { address: string; port: number; family: AddressFamily },
    localAddress: string | undefined,
  ): OutboundSocket {
    const socket = connect({
      host: target.address,
      port: target.port,
      family: target.family === 'IPv6' ? 6 : 4,
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    return { socket, readyEvent: 'connect' };
  }
}
