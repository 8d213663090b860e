/**
 * A scripted far end for the core's tests: a raw UDP socket on loopback that hands over the
 * datagrams it receives one at a time (what SIPp cannot play: replies that depend on exact timing
 * or repeated identical messages).
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RawPeer {
  readonly socket: Socket;
  readonly port: number;
  /** The next datagram (latin1), waiting up to 2 s. */
  next(): Promise<string>;
  /** Whatever arrives within `ms` (an empty list when the peer was left alone). */
  quiet(ms: number): Promise<string[]>;
}

export async function rawPeer(): Promise<RawPeer> {
  const socket = createSocket('udp4');
  const queue: string[] = [];
  const waiters: ((message: string) => void)[] = [];
  socket.on('message', (data: Buffer) => {
    const waiter = waiters.shift();
    if (waiter) waiter(data.toString('latin1'));
    else queue.push(data.toString('latin1'));
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const next = (): Promise<string> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no datagram within 2 s')), 2_000);
      waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  };
  const quiet = async (ms: number): Promise<string[]> => {
    await sleep(ms);
    return queue.splice(0);
  };
  return { socket, port: socket.address().port, next, quiet };
}

/** The value of header `name` in a raw message (asserts it is there). */
export function header(message: string, name: string): string {
  const match = new RegExp(`\\r\\n${name}: ([^\\r]*)\\r\\n`, 'i').exec(message);
  assert.ok(match, `no ${name} in ${message.slice(0, 200)}`);
  return match[1] ?? '';
}

/** A final response to `request` built the way a UAS would (RFC 3261 §8.2.6.2), To-tagged for an INVITE. */
export function answer(request: string, status: string, port: number): string {
  return [
    `SIP/2.0 ${status}`,
    `Via: ${header(request, 'Via')}`,
    `From: ${header(request, 'From')}`,
    `To: ${header(request, 'To')}${request.startsWith('INVITE ') ? ';tag=farend1' : ''}`,
    `Call-ID: ${header(request, 'Call-ID')}`,
    `CSeq: ${header(request, 'CSeq')}`,
    `Contact: <sip:farend@127.0.0.1:${port}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
