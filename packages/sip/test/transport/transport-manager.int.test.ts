import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TransportManager, type WithTransport } from '../../src/transport/transport-manager.js';
import type { TransportMessage, TransportProtocol } from '../../src/transport/transport.js';
import { ipv6LoopbackAvailable, nextEvent, sipRequest, sipResponse } from './support.js';

const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));

describe('TransportManager over real sockets', async () => {
  const v6 = await ipv6LoopbackAvailable();
  const addresses = v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  const spec = {
    udp: addresses.map((address) => ({ address, port: 0 })),
    tcp: addresses.map((address) => ({ address, port: 0 })),
    tls: addresses.map((address) => ({ address, port: 0, key, cert, ca: cert })),
  };

  it('one message stream for UDP, TCP and TLS on IPv4 and IPv6; answers go back the way they came', async () => {
    const gateway = await TransportManager.listen(spec);
    const peer = await TransportManager.listen(spec);
    try {
      assert.equal(gateway.transports.length, addresses.length * 3);
      for (const protocol of ['udp', 'tcp', 'tls'] as const satisfies readonly TransportProtocol[]) {
        for (const address of addresses) {
          const family = address.includes(':') ? 'IPv6' : 'IPv4';
          const listener = gateway.select(protocol, family);
          assert.ok(listener, `${protocol} ${family}`);
          const tag = `${protocol}-${family}`;
          const atGateway = nextEvent<WithTransport<TransportMessage>>(gateway, 'message', (m) =>
            m.data.includes(tag),
          );
          await peer.send(protocol, sipRequest(tag, '', protocol.toUpperCase()), {
            address,
            port: listener.localAddress.port,
          });
          const request = await atGateway;
          assert.equal(request.source.protocol, protocol);
          assert.equal(request.source.family, family);
          assert.equal(request.transport, listener);

          const atPeer = nextEvent<WithTransport<TransportMessage>>(peer, 'message', (m) =>
            m.data.includes(tag),
          );
          await gateway.send(protocol, sipResponse(tag), request.source, {
            localAddress: request.local.address,
            localPort: request.local.port,
          });
          const response = await atPeer;
          assert.equal(response.transport.protocol, protocol);
          if (protocol === 'udp') {
            // RFC 3581 §4 — sent from the address and port the request was received on.
            assert.equal(response.source.port, listener.localAddress.port);
          } else {
            assert.ok(response.source.connectionId, 'came back on the peer’s connection');
          }
        }
      }
    } finally {
      await Promise.all([gateway.close(), peer.close()]);
    }
  });

  it('closes what it bound when one transport cannot bind', async () => {
    const first = await TransportManager.listen({ tcp: [{ address: '127.0.0.1', port: 0 }] });
    try {
      const taken = first.transports[0]?.localAddress.port ?? 0;
      await assert.rejects(
        TransportManager.listen({
          udp: [{ address: '127.0.0.1', port: 0 }],
          tcp: [{ address: '127.0.0.1', port: taken }],
        }),
        { code: 'SIP_TRANSPORT_SOCKET_ERROR' },
      );
    } finally {
      await first.close();
    }
  });
});
