import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { TlsTransport } from '../../src/transport/tls-transport.js';
import type {
  ConnectionClosedInfo,
  ConnectionInfo,
  TransportErrorEvent,
  TransportMessage,
} from '../../src/transport/transport.js';
import { collect, ipv6LoopbackAvailable, nextEvent, sipRequest, sipResponse } from './support.js';

// A test-only self-signed certificate for 127.0.0.1 / ::1 / localhost (see fixtures/README.md).
const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));
const LOOPBACK = '127.0.0.1';

describe('TlsTransport (IPv4 loopback, self-signed certificate)', () => {
  let server: TlsTransport;
  let client: TlsTransport;

  before(async () => {
    server = await TlsTransport.listen({ address: LOOPBACK, port: 0, key, cert, ca: cert });
    client = await TlsTransport.listen({ address: LOOPBACK, port: 0, key, cert, ca: cert });
  });
  after(async () => {
    await Promise.all([server.close(), client.close()]);
  });

  it('round trip: request and response over one verified TLS connection', async () => {
    assert.equal(server.protocol, 'tls');
    assert.equal(server.reliable, true);
    const opened = nextEvent<ConnectionInfo>(client, 'connection');
    const atServer = nextEvent<TransportMessage>(server, 'message');
    const request = sipRequest('tls-rt', 'secret body', 'TLS');
    await client.send(request, { address: LOOPBACK, port: server.localAddress.port });
    const info = await opened;
    assert.equal(info.direction, 'outbound');
    assert.equal(info.authorized, true, 'the server certificate verified against the CA');
    const got = await atServer;
    assert.deepEqual(got.data, request);
    assert.equal(got.source.protocol, 'tls');
    assert.ok(got.source.connectionId?.startsWith('tls-'));

    const atClient = nextEvent<TransportMessage>(client, 'message');
    await server.send(sipResponse('tls-rt'), got.source);
    const response = await atClient;
    assert.deepEqual(response.data, sipResponse('tls-rt'));
    assert.equal(response.source.connectionId, info.connectionId);
    assert.equal(client.connectionsTo(LOOPBACK, server.localAddress.port).length, 1);
  });

  it('reuses the TLS connection for a second request', async () => {
    const seen = collect<TransportMessage>(server, 'message');
    await client.send(sipRequest('again1', '', 'TLS'), { address: LOOPBACK, port: server.localAddress.port });
    await client.send(sipRequest('again2', '', 'TLS'), { address: LOOPBACK, port: server.localAddress.port });
    while (seen.length < 2) await nextEvent(server, 'message');
    assert.equal(seen[0]?.source.connectionId, seen[1]?.source.connectionId);
    assert.equal(client.connectionsTo(LOOPBACK, server.localAddress.port).length, 1);
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const untrusting = await TlsTransport.listen({ address: LOOPBACK, port: 0, key, cert }); // no ca: system roots only
    try {
      const errors = collect<TransportErrorEvent>(untrusting, 'error');
      await assert.rejects(
        untrusting.send(sipRequest('nope', '', 'TLS'), { address: LOOPBACK, port: server.localAddress.port }),
        { code: 'SIP_TRANSPORT_TLS_ERROR' },
      );
      assert.equal(errors.at(-1)?.error.code, 'SIP_TRANSPORT_TLS_ERROR');
      assert.equal(untrusting.connectionCount, 0);
    } finally {
      await untrusting.close();
    }
  });

  it('mutual TLS: requestCert + rejectUnauthorized admits a client with a trusted certificate only', async () => {
    const strict = await TlsTransport.listen({
      address: LOOPBACK,
      port: 0,
      key,
      cert,
      ca: cert,
      requestCert: true,
      rejectUnauthorized: true,
    });
    try {
      const inbound = nextEvent<ConnectionInfo>(strict, 'connection');
      await client.send(sipRequest('mtls', '', 'TLS'), { address: LOOPBACK, port: strict.localAddress.port });
      const info = await inbound;
      assert.equal(info.direction, 'inbound');
      assert.equal(info.authorized, true);

      // A client without any certificate is turned away during the handshake.
      const messages = collect<TransportMessage>(strict, 'message');
      const anonymous = tlsConnect({ host: LOOPBACK, port: strict.localAddress.port, ca: cert });
      let refusal: unknown;
      anonymous.on('error', (error) => {
        refusal = error;
      });
      anonymous.write(sipRequest('anon', '', 'TLS'));
      await new Promise((resolve) => anonymous.once('close', resolve));
      assert.ok(refusal, 'the handshake failed on the client side');
      assert.equal(messages.filter((m) => m.data.includes('anon')).length, 0);
    } finally {
      await strict.close();
    }
  });

  it('gives a connection slot back when a TLS connection closes (maxConnections 1)', async () => {
    const single = await TlsTransport.listen({
      address: LOOPBACK,
      port: 0,
      key,
      cert,
      ca: cert,
      maxConnections: 1,
    });
    try {
      for (let round = 0; round < 3; round++) {
        const got = nextEvent<TransportMessage>(single, 'message');
        await client.send(sipRequest(`slot${round}`, '', 'TLS'), {
          address: LOOPBACK,
          port: single.localAddress.port,
        });
        const { source } = await got;
        assert.equal(single.connectionCount, 1);
        const closed = nextEvent<ConnectionClosedInfo>(single, 'connectionClosed');
        assert.ok(source.connectionId && single.closeConnection(source.connectionId));
        await closed;
        while (client.connectionsTo(LOOPBACK, single.localAddress.port).length > 0) {
          await nextEvent(client, 'connectionClosed');
        }
      }
    } finally {
      await single.close();
    }
  });

  it('close() tears the TLS connections down', async () => {
    const a = await TlsTransport.listen({ address: LOOPBACK, port: 0, key, cert, ca: cert });
    await a.send(sipRequest('bye', '', 'TLS'), { address: LOOPBACK, port: server.localAddress.port });
    const closed = collect<ConnectionClosedInfo>(a, 'connectionClosed');
    await a.close();
    assert.deepEqual(
      closed.map((c) => c.reason),
      ['transport-closed'],
    );
    assert.equal(a.connectionCount, 0);
  });

  it('needs a key and a certificate', async () => {
    await assert.rejects(TlsTransport.listen({ address: LOOPBACK, port: 0, key: '', cert }), {
      code: 'SIP_TRANSPORT_INVALID_OPTIONS',
    });
  });
});

describe('TlsTransport (IPv6 loopback)', async () => {
  const available = await ipv6LoopbackAvailable();

  it(
    'round trip over ::1 (certificate carries IP:::1)',
    { skip: !available && 'no IPv6 loopback here' },
    async () => {
      const a = await TlsTransport.listen({ address: '::1', port: 0, key, cert, ca: cert });
      const b = await TlsTransport.listen({ address: '::1', port: 0, key, cert, ca: cert });
      try {
        const got = nextEvent<TransportMessage>(a, 'message');
        await b.send(sipRequest('v6tls', '', 'TLS'), { address: '::1', port: a.localAddress.port });
        const message = await got;
        assert.equal(message.source.family, 'IPv6');
        const back = nextEvent<TransportMessage>(b, 'message');
        await a.send(sipResponse('v6tls'), message.source);
        assert.deepEqual((await back).data, sipResponse('v6tls'));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});
