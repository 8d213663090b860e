// What the in-process benches (uas-inproc.ts, uac-inproc.ts) share: an SDP offer/answer body and a
// UDP-like transport whose incoming datagrams are handed in by the bench (no sockets, no peer).
import { EventEmitter } from 'node:events';
import type { LocalAddress, SendTarget, Transport, TransportEvents } from '@svpn/sip';

export const BENCH_SDP = [
  'v=0',
  'o=user1 53655765 2353687637 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 6000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** A UDP transport on 127.0.0.1:5060 whose datagrams come from {@link deliver}; subclasses keep what is sent. */
export abstract class HandFedTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  readonly localAddress: LocalAddress = { address: '127.0.0.1', port: 5060, family: 'IPv4' };
  sent = 0;
  abstract send(data: Buffer, target: SendTarget): Promise<void>;
  hasConnection(): boolean {
    return false;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** A datagram from 127.0.0.1:`from`, as the UDP transport would emit it. */
  deliver(text: string, from = 5061): void {
    this.emit('message', {
      data: Buffer.from(text, 'latin1'),
      source: { address: '127.0.0.1', port: from, family: 'IPv4', protocol: 'udp' },
      local: this.localAddress,
    });
  }
}
