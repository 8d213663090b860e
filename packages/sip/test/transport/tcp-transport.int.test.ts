import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { TcpTransport } from '../../src/transport/tcp-transport.js';
import type {
  ConnectionClosedInfo,
  ConnectionInfo,
  TransportErrorEvent,
  TransportMessage,
} from '../../src/transport/transport.js';
import {
  closedPort,
  collect,
  ipv6LoopbackAvailable,
  nextEvent,
  sipRequest,
  sipResponse,
  sleep,
} from './support.js';

const LOOPBACK = '127.0.0.1';

async function rawClient(port: number, host = LOOPBACK): Promise<Socket> {
  const socket = connect({ host, port });
  await once(socket, 'connect');
  return socket;
}

/** Reads from a raw socket until `predicate` holds for everything received, or it closes. */
async function readUntil(
  socket: Socket,
  predicate: (text: string) => boolean,
  timeoutMs = 3000,
): Promise<string> {
  let text = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(text)}`)), timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('latin1');
      if (predicate(text)) done();
    };
    socket.on('data', onData);
    socket.once('close', done);
  });
}

describe('TcpTransport (IPv4 loopback)', () => {
  let server: TcpTransport;
  let client: TcpTransport;

  before(async () => {
    server = await TcpTransport.listen({ address: LOOPBACK, port: 0 });
    client = await TcpTransport.listen({ address: LOOPBACK, port: 0 });
  });
  after(async () => {
    await Promise.all([server.close(), client.close()]);
  });

  it('round trip: the response goes back on the connection the request came in on (RFC 3261 §18.2.2)', async () => {
    assert.equal(server.reliable, true);
    const request = sipRequest('rt', 'payload');
    const atServer = nextEvent<TransportMessage>(server, 'message');
    await client.send(request, { address: LOOPBACK, port: server.localAddress.port });
    const got = await atServer;
    assert.deepEqual(got.data, request);
    assert.equal(got.source.protocol, 'tcp');
    assert.equal(got.source.address, LOOPBACK);
    assert.notEqual(got.source.port, client.localAddress.port, 'the source is the ephemeral port');
    assert.ok(got.source.connectionId?.startsWith('tcp-'));

    const [outbound] = client.connectionsTo(LOOPBACK, server.localAddress.port);
    assert.ok(outbound);
    const atClient = nextEvent<TransportMessage>(client, 'message');
    await server.send(sipResponse('rt'), got.source);
    const response = await atClient;
    assert.deepEqual(response.data, sipResponse('rt'));
    assert.equal(response.source.connectionId, outbound, 'it arrived on the client’s outbound connection');
    assert.equal(
      server.connectionsTo(LOOPBACK, client.localAddress.port).length,
      0,
      'no connection to the listener',
    );
  });

  it('reuses one connection for several sends to the same target, even while connecting', async () => {
    const target = await TcpTransport.listen({ address: LOOPBACK, port: 0 });
    try {
      const seen = collect<TransportMessage>(target, 'message');
      const opened = collect<ConnectionInfo>(target, 'connection');
      const dest = { address: LOOPBACK, port: target.localAddress.port };
      // Two sends before the connection is even up, then one after.
      await Promise.all([client.send(sipRequest('r1'), dest), client.send(sipRequest('r2'), dest)]);
      await client.send(sipRequest('r3'), dest);
      while (seen.length < 3) await nextEvent(target, 'message');
      assert.equal(opened.length, 1, 'one inbound connection');
      assert.equal(new Set(seen.map((m) => m.source.connectionId)).size, 1);
      assert.deepEqual(
        seen.map((m) => m.data.toString('latin1').match(/Call-ID: (\w+)/)?.[1]),
        ['r1', 'r2', 'r3'],
        'in order',
      );
      assert.equal(client.connectionsTo(LOOPBACK, target.localAddress.port).length, 1);
    } finally {
      await target.close();
    }
  });

  it('falls back to a new connection to address:port when the request connection has closed', async () => {
    const got = nextEvent<TransportMessage>(server, 'message');
    await client.send(sipRequest('fb'), { address: LOOPBACK, port: server.localAddress.port });
    const { source } = await got;
    assert.ok(source.connectionId);
    const closed = nextEvent<ConnectionClosedInfo>(
      server,
      'connectionClosed',
      (c) => c.connectionId === source.connectionId,
    );
    assert.ok(server.closeConnection(source.connectionId));
    assert.equal((await closed).reason, 'local');
    assert.equal(server.hasConnection(source.connectionId), false);

    const atClient = nextEvent<TransportMessage>(client, 'message');
    // RFC 3261 §18.2.2 — connection gone: open one to the sent-by port (the client's listener).
    await server.send(sipResponse('fb'), {
      address: LOOPBACK,
      port: client.localAddress.port,
      connectionId: source.connectionId,
    });
    const response = await atClient;
    assert.deepEqual(response.data, sipResponse('fb'));
    assert.notEqual(response.source.connectionId, source.connectionId);
  });

  it('frames messages split across many TCP segments and pipelined in one', async () => {
    const raw = await rawClient(server.localAddress.port);
    try {
      const seen = collect<TransportMessage>(server, 'message');
      const one = sipRequest('seg', 'x'.repeat(3000));
      for (let i = 0; i < one.length; i += 97) {
        raw.write(one.subarray(i, i + 97));
        if (i % 970 === 0) await sleep(1);
      }
      raw.write(Buffer.concat([sipRequest('p1'), sipRequest('p2', 'abc'), sipRequest('p3')]));
      while (seen.length < 4) await nextEvent(server, 'message');
      assert.deepEqual(seen[0]?.data, one);
      assert.deepEqual(
        seen.slice(1).map((m) => m.data.toString('latin1').match(/Call-ID: (\w+)/)?.[1]),
        ['p1', 'p2', 'p3'],
      );
    } finally {
      raw.destroy();
    }
  });

  it('RFC 5626 §3.5.1 — answers a CRLFCRLF ping with a CRLF pong', async () => {
    const raw = await rawClient(server.localAddress.port);
    try {
      const reply = readUntil(raw, (t) => t.length >= 2);
      raw.write('\r\n\r\n');
      assert.equal(await reply, '\r\n');
    } finally {
      raw.destroy();
    }
  });

  it('RFC 3261 §18.3 — a framing error is handed up with framingError, the 400 is written, then the connection closes', async () => {
    const raw = await rawClient(server.localAddress.port);
    const bad = Buffer.from(
      'OPTIONS sip:gw@svpn.test SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK-bad\r\nCall-ID: bad\r\n\r\n',
    );
    const got = nextEvent<TransportMessage>(server, 'message', (m) => m.framingError !== undefined);
    raw.write(bad);
    const message = await got;
    assert.equal(message.framingError, 'missing-content-length');
    assert.deepEqual(message.data, bad);
    const received = readUntil(raw, () => false);
    await server.send(sipResponse('bad', '400 Missing Content-Length'), message.source);
    const text = await received;
    assert.match(text, /^SIP\/2\.0 400 Missing Content-Length\r\n/);
    assert.equal(raw.readableEnded || raw.destroyed, true, 'the server closed the connection');
    raw.destroy();
  });

  it('closes a connection that failed framing after the grace even without a reply', async () => {
    const strict = await TcpTransport.listen({
      address: LOOPBACK,
      port: 0,
      framingErrorGraceMs: 50,
      maxHeaderBytes: 512,
    });
    try {
      const raw = await rawClient(strict.localAddress.port);
      const closed = nextEvent<ConnectionClosedInfo>(strict, 'connectionClosed');
      const got = nextEvent<TransportMessage>(strict, 'message');
      raw.write('OPTIONS sip:x SIP/2.0\r\nX-Pad: ' + 'p'.repeat(600));
      assert.equal((await got).framingError, 'header-too-large');
      assert.equal((await closed).reason, 'framing-error');
      raw.destroy();
    } finally {
      await strict.close();
    }
  });

  it('closes idle connections on both sides after idleTimeoutMs', async () => {
    const a = await TcpTransport.listen({ address: LOOPBACK, port: 0, idleTimeoutMs: 150 });
    const b = await TcpTransport.listen({ address: LOOPBACK, port: 0, idleTimeoutMs: 150 });
    try {
      const closedAtB = nextEvent<ConnectionClosedInfo>(b, 'connectionClosed');
      const closedAtA = nextEvent<ConnectionClosedInfo>(a, 'connectionClosed');
      const started = Date.now();
      await b.send(sipRequest('idle'), { address: LOOPBACK, port: a.localAddress.port });
      const [atB, atA] = await Promise.all([closedAtB, closedAtA]);
      const elapsed = Date.now() - started;
      assert.ok([atB.reason, atA.reason].includes('idle'), `reasons ${atB.reason}/${atA.reason}`);
      assert.ok(elapsed >= 140 && elapsed < 2000, `closed after ${elapsed} ms`);
      assert.equal(a.connectionCount, 0);
      assert.equal(b.connectionCount, 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('keeps a connection that carries traffic open past the idle timeout', async () => {
    const a = await TcpTransport.listen({ address: LOOPBACK, port: 0, idleTimeoutMs: 700 });
    const b = await TcpTransport.listen({ address: LOOPBACK, port: 0, idleTimeoutMs: 700 });
    try {
      const closed = collect<ConnectionClosedInfo>(b, 'connectionClosed');
      // 8 × 150 ms: well past the idle timeout in total, never idle for that long.
      for (let i = 0; i < 8; i++) {
        await b.send(sipRequest(`busy${i}`), { address: LOOPBACK, port: a.localAddress.port });
        await sleep(150);
      }
      assert.equal(closed.length, 0);
      assert.equal(b.connectionCount, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('back-pressure: a peer that never reads trips the queue cap, which closes the connection', async () => {
    const sockets: Socket[] = [];
    const sink = createServer((socket) => {
      socket.pause(); // never read
      sockets.push(socket);
    });
    sink.listen(0, LOOPBACK);
    await once(sink, 'listening');
    const port = (sink.address() as { port: number }).port;
    const cap = 256 * 1024;
    const sender = await TcpTransport.listen({
      address: LOOPBACK,
      port: 0,
      maxQueuedBytes: cap,
      drainTimeoutMs: 0,
    });
    try {
      const closed = nextEvent<ConnectionClosedInfo>(sender, 'connectionClosed');
      const chunk = sipRequest('bp', 'z'.repeat(64 * 1024));
      // First make sure the connection is up and data flows, so what follows tests the peer, not connect.
      await sender.send(chunk, { address: LOOPBACK, port });
      const outcomes: Promise<unknown>[] = [];
      let overflow: unknown;
      let maxQueued = 0;
      let sentBytes = chunk.length;
      let writtenBytes = chunk.length;
      // Bounded: at most 4 096 × 64 KiB; the kernel buffers far less than that.
      for (let i = 0; i < 4096 && overflow === undefined; i++) {
        const attempt = sender.send(chunk, { address: LOOPBACK, port });
        outcomes.push(
          attempt.then(
            () => {
              writtenBytes += chunk.length;
            },
            (error: unknown) => {
              overflow ??= error;
            },
          ),
        );
        sentBytes += chunk.length;
        const [id] = sender.connectionsTo(LOOPBACK, port);
        const stats = id === undefined ? undefined : sender.connectionStats(id);
        if (stats) maxQueued = Math.max(maxQueued, stats.queuedBytes);
        // Let the socket connect and the kernel fill up.
        if (i % 16 === 0) await sleep(1);
        await Promise.resolve();
      }
      const info = await closed;
      await Promise.all(outcomes);
      assert.equal(info.reason, 'queue-overflow');
      assert.equal((overflow as { code?: string }).code, 'SIP_TRANSPORT_QUEUE_OVERFLOW');
      assert.equal(info.error?.code, 'SIP_TRANSPORT_QUEUE_OVERFLOW');
      assert.ok(maxQueued <= cap, `queued ${maxQueued} bytes with a cap of ${cap}`);
      assert.ok(sentBytes < 4096 * chunk.length, 'the cap tripped before the loop bound');
      assert.ok(writtenBytes > cap, `the kernel took ${writtenBytes} bytes before the queue filled`);
      assert.equal(sender.connectionCount, 0);
    } finally {
      await sender.close();
      for (const socket of sockets) socket.destroy();
      sink.close();
    }
  });

  it('back-pressure: a peer that stops reading for drainTimeoutMs is dropped', async () => {
    const sockets: Socket[] = [];
    const sink = createServer((socket) => {
      socket.pause();
      sockets.push(socket);
    });
    sink.listen(0, LOOPBACK);
    await once(sink, 'listening');
    const port = (sink.address() as { port: number }).port;
    const sender = await TcpTransport.listen({
      address: LOOPBACK,
      port: 0,
      maxQueuedBytes: 256 * 1024 * 1024,
      drainTimeoutMs: 200,
    });
    try {
      const closed = nextEvent<ConnectionClosedInfo>(sender, 'connectionClosed', () => true, 5000);
      const chunk = sipRequest('dt', 'z'.repeat(256 * 1024));
      const outcomes: Promise<unknown>[] = [];
      let settled = false;
      void closed.then(() => {
        settled = true;
      });
      for (let i = 0; i < 256 && !settled; i++) {
        outcomes.push(sender.send(chunk, { address: LOOPBACK, port }).catch((error: unknown) => error));
        await sleep(2);
      }
      const info = await closed;
      assert.equal(info.reason, 'drain-timeout');
      assert.equal(info.error?.code, 'SIP_TRANSPORT_DRAIN_TIMEOUT');
      const results = await Promise.all(outcomes);
      assert.ok(
        results.some((r) => (r as { code?: string } | undefined)?.code === 'SIP_TRANSPORT_DRAIN_TIMEOUT'),
        'sends still queued are rejected with the reason',
      );
    } finally {
      await sender.close();
      for (const socket of sockets) socket.destroy();
      sink.close();
    }
  });

  it('caps connections: inbound beyond maxConnections are refused, outbound rejects', async () => {
    const capped = await TcpTransport.listen({ address: LOOPBACK, port: 0, maxConnections: 2 });
    const errors = collect<TransportErrorEvent>(capped, 'error');
    const raws: Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const opened = nextEvent(capped, 'connection');
        raws.push(await rawClient(capped.localAddress.port));
        await opened;
      }
      const third = await rawClient(capped.localAddress.port);
      raws.push(third);
      await readUntil(third, () => false); // resolves when the server drops it
      assert.equal(capped.connectionCount, 2);
      assert.equal(errors.at(-1)?.error.code, 'SIP_TRANSPORT_CONNECTION_LIMIT');
      await assert.rejects(
        capped.send(sipRequest('over'), { address: LOOPBACK, port: server.localAddress.port }),
        {
          code: 'SIP_TRANSPORT_CONNECTION_LIMIT',
        },
      );
      // Freeing one makes room again.
      const gone = nextEvent(capped, 'connectionClosed');
      raws[0]?.destroy();
      await gone;
      await capped.send(sipRequest('room'), { address: LOOPBACK, port: server.localAddress.port });
      assert.equal(capped.connectionCount, 2);
    } finally {
      for (const raw of raws) raw.destroy();
      await capped.close();
    }
  });

  it('rejects with SIP_TRANSPORT_CONNECT_FAILED when nothing listens, and reports it', async () => {
    const port = await closedPort();
    const errors = collect<TransportErrorEvent>(client, 'error');
    await assert.rejects(client.send(sipRequest('refused'), { address: LOOPBACK, port }), {
      code: 'SIP_TRANSPORT_CONNECT_FAILED',
    });
    assert.equal(errors.at(-1)?.target?.port, port);
    assert.equal(client.connectionsTo(LOOPBACK, port).length, 0);
  });

  it('rejects names, bad ports and the other family without touching the network', async () => {
    await assert.rejects(client.send(sipRequest('x'), { address: 'gw.example.com', port: 5060 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await assert.rejects(client.send(sipRequest('x'), { address: LOOPBACK, port: 65536 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await assert.rejects(client.send(sipRequest('x'), { address: '::1', port: 5060 }), {
      code: 'SIP_TRANSPORT_FAMILY_MISMATCH',
    });
    await assert.rejects(TcpTransport.listen({ address: LOOPBACK, port: 0, maxConnections: 0 }), {
      code: 'SIP_TRANSPORT_INVALID_OPTIONS',
    });
  });

  it('close() ends every connection, emits close and refuses later sends', async () => {
    const a = await TcpTransport.listen({ address: LOOPBACK, port: 0 });
    await a.send(sipRequest('bye'), { address: LOOPBACK, port: server.localAddress.port });
    assert.equal(a.connectionCount, 1);
    const closedEvents = collect<ConnectionClosedInfo>(a, 'connectionClosed');
    const closeEvent = nextEvent(a, 'close');
    await a.close();
    await closeEvent;
    assert.equal(a.connectionCount, 0);
    assert.deepEqual(
      closedEvents.map((c) => c.reason),
      ['transport-closed'],
    );
    await assert.rejects(a.send(sipRequest('late'), { address: LOOPBACK, port: server.localAddress.port }), {
      code: 'SIP_TRANSPORT_CLOSED',
    });
  });
});

describe('TcpTransport (IPv6 loopback)', async () => {
  const available = await ipv6LoopbackAvailable();

  it('round trip over ::1', { skip: !available && 'no IPv6 loopback here' }, async () => {
    const a = await TcpTransport.listen({ address: '::1', port: 0 });
    const b = await TcpTransport.listen({ address: '::1', port: 0 });
    try {
      assert.equal(a.localAddress.family, 'IPv6');
      const got = nextEvent<TransportMessage>(a, 'message');
      await b.send(sipRequest('v6'), { address: '[::1]', port: a.localAddress.port });
      const message = await got;
      assert.equal(message.source.address, '::1');
      assert.equal(message.source.family, 'IPv6');
      const back = nextEvent<TransportMessage>(b, 'message');
      await a.send(sipResponse('v6'), message.source);
      assert.deepEqual((await back).data, sipResponse('v6'));
      assert.equal(b.connectionsTo('0:0::1', a.localAddress.port).length, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
