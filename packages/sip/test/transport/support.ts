// Helpers shared by the transport integration tests (not a test file itself).
import { createSocket } from 'node:dgram';
import type { EventEmitter } from 'node:events';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A small, well-formed SIP request with an exact Content-Length. */
export function sipRequest(tag: string, body = '', transport = 'TCP'): Buffer {
  return Buffer.from(
    `OPTIONS sip:gw@svpn.test SIP/2.0\r\n` +
      `Via: SIP/2.0/${transport} 127.0.0.1:5060;branch=z9hG4bK-${tag}\r\n` +
      'Max-Forwards: 70\r\n' +
      'From: <sip:t@svpn.test>;tag=t1\r\n' +
      'To: <sip:gw@svpn.test>\r\n' +
      `Call-ID: ${tag}@svpn.test\r\n` +
      'CSeq: 1 OPTIONS\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
    'latin1',
  );
}

/** A response to `sipRequest(tag)`. */
export function sipResponse(tag: string, status = '200 OK'): Buffer {
  return Buffer.from(
    `SIP/2.0 ${status}\r\n` +
      `Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-${tag}\r\n` +
      'From: <sip:t@svpn.test>;tag=t1\r\n' +
      'To: <sip:gw@svpn.test>;tag=g1\r\n' +
      `Call-ID: ${tag}@svpn.test\r\n` +
      'CSeq: 1 OPTIONS\r\n' +
      'Content-Length: 0\r\n' +
      '\r\n',
    'latin1',
  );
}

/** Resolves with the first matching event payload, rejects after `timeoutMs`. */
export async function nextEvent<T>(
  emitter: EventEmitter,
  event: string,
  predicate: (value: T) => boolean = () => true,
  timeoutMs = 3000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (value: T): void => {
      if (!predicate(value)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(value);
    };
    emitter.on(event, listener);
  });
}

/** Collects every payload of one event into an array (for later assertions). */
export function collect<T>(emitter: EventEmitter, event: string): T[] {
  const seen: T[] = [];
  emitter.on(event, (value: T) => seen.push(value));
  return seen;
}

/** A TCP port on `host` that nothing listens on right now. */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether this machine can bind UDP and TCP on ::1. */
export async function ipv6LoopbackAvailable(): Promise<boolean> {
  try {
    const socket = createSocket('udp6');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '::1', () => resolve());
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
