import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { UdpTransport, MAX_UDP_PAYLOAD_IPV4 } from '../../src/transport/udp-transport.js';
import type { TransportErrorEvent, TransportMessage } from '../../src/transport/transport.js';
import { collect, ipv6LoopbackAvailable, nextEvent, sipRequest, sipResponse, sleep } from './support.js';

describe('UdpTransport (IPv4 loopback)', () => {
  let server: UdpTransport;
  let client: UdpTransport;

  before(async () => {
    server = await UdpTransport.listen({ address: '127.0.0.1', port: 0 });
    client = await UdpTransport.listen({ address: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await Promise.all([server.close(), client.close()]);
  });

  it('binds where asked and reports an unreliable transport', () => {
    assert.equal(server.localAddress.address, '127.0.0.1');
    assert.equal(server.localAddress.family, 'IPv4');
    assert.ok(server.localAddress.port > 0);
    assert.equal(server.protocol, 'udp');
    assert.equal(server.reliable, false);
  });

  it('carries a request and its response, with the true source address and port', async () => {
    const request = sipRequest('udp-rt', 'hello', 'UDP');
    const received = nextEvent<TransportMessage>(server, 'message');
    await client.send(request, { address: '127.0.0.1', port: server.localAddress.port });
    const got = await received;
    assert.deepEqual(got.data, request);
    assert.deepEqual(got.source, {
      address: '127.0.0.1',
      port: client.localAddress.port,
      family: 'IPv4',
      protocol: 'udp',
    });
    assert.deepEqual(got.local, server.localAddress);
    assert.equal(got.framingError, undefined);

    const response = sipResponse('udp-rt');
    const back = nextEvent<TransportMessage>(client, 'message');
    await server.send(response, got.source);
    assert.deepEqual((await back).data, response);
  });

  it('RFC 3261 §18.1.1 — carries the largest IPv4 datagram (65 507 bytes)', async () => {
    const big = Buffer.alloc(MAX_UDP_PAYLOAD_IPV4, 0x61);
    sipRequest('big').copy(big);
    const received = nextEvent<TransportMessage>(server, 'message', (m) => m.data.length === big.length);
    await client.send(big, { address: '127.0.0.1', port: server.localAddress.port });
    assert.ok((await received).data.equals(big));
  });

  it('refuses a datagram above the limit before it reaches the socket, and emits it', async () => {
    const errors = collect<TransportErrorEvent>(client, 'error');
    await assert.rejects(
      client.send(Buffer.alloc(MAX_UDP_PAYLOAD_IPV4 + 1), { address: '127.0.0.1', port: 9 }),
      {
        code: 'SIP_TRANSPORT_MESSAGE_TOO_LARGE',
      },
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.error.code, 'SIP_TRANSPORT_MESSAGE_TOO_LARGE');
    assert.deepEqual(errors[0]?.target, { address: '127.0.0.1', port: 9 });
  });

  it('drops datagrams larger than its configured maxDatagramBytes', async () => {
    const small = await UdpTransport.listen({ address: '127.0.0.1', port: 0, maxDatagramBytes: 1000 });
    try {
      const seen = collect<TransportMessage>(small, 'message');
      await client.send(Buffer.alloc(2000, 0x41), { address: '127.0.0.1', port: small.localAddress.port });
      const ok = nextEvent<TransportMessage>(small, 'message');
      await client.send(sipRequest('fits'), { address: '127.0.0.1', port: small.localAddress.port });
      await ok;
      assert.equal(seen.length, 1);
      assert.equal(small.droppedDatagrams, 1);
    } finally {
      await small.close();
    }
  });

  it('drops CRLF keep-alive datagrams instead of handing them up', async () => {
    const seen = collect<TransportMessage>(server, 'message');
    const before = server.droppedDatagrams;
    await client.send(Buffer.from('\r\n\r\n'), { address: '127.0.0.1', port: server.localAddress.port });
    const real = nextEvent<TransportMessage>(server, 'message');
    await client.send(sipRequest('after-ka'), { address: '127.0.0.1', port: server.localAddress.port });
    await real;
    assert.equal(seen.length, 1);
    assert.equal(server.droppedDatagrams, before + 1);
  });

  it('rejects (never throws) bad targets: names, bad ports, the other family', async () => {
    await assert.rejects(client.send(sipRequest('x'), { address: 'proxy.example.com', port: 5060 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await assert.rejects(client.send(sipRequest('x'), { address: '127.0.0.1', port: 0 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await assert.rejects(client.send(sipRequest('x'), { address: '::1', port: 5060 }), {
      code: 'SIP_TRANSPORT_FAMILY_MISMATCH',
    });
  });

  it('does not crash when a send fails with nobody listening for errors', async () => {
    const lonely = await UdpTransport.listen({ address: '127.0.0.1', port: 0 });
    await assert.rejects(lonely.send(sipRequest('x'), { address: 'not-an-ip', port: 5060 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await lonely.close();
    await assert.rejects(lonely.send(sipRequest('x'), { address: '127.0.0.1', port: 5060 }), {
      code: 'SIP_TRANSPORT_CLOSED',
    });
    await lonely.close();
  });

  it('reports the source of a datagram from a plain socket, and reaches it back', async () => {
    const raw = createSocket('udp4');
    raw.bind(0, '127.0.0.1');
    await once(raw, 'listening');
    try {
      const got = nextEvent<TransportMessage>(server, 'message');
      raw.send(sipRequest('raw'), server.localAddress.port, '127.0.0.1');
      const message = await got;
      assert.equal(message.source.port, raw.address().port);
      const reply = once(raw, 'message');
      await server.send(sipResponse('raw'), message.source);
      const [data] = (await reply) as [Buffer];
      assert.deepEqual(data, sipResponse('raw'));
    } finally {
      raw.close();
    }
  });

  /** A plain socket that records the tags (Call-IDs) of the datagrams it receives, in order. */
  async function tagRecorder(): Promise<{ port: number; tags: string[]; close(): void }> {
    const raw = createSocket('udp4');
    raw.bind(0, '127.0.0.1');
    await once(raw, 'listening');
    const tags: string[] = [];
    raw.on('message', (data: Buffer) => tags.push(/Call-ID: ([^@\s]+)/.exec(data.toString())?.[1] ?? '?'));
    return { port: raw.address().port, tags, close: () => raw.close() };
  }

  it('hands the datagrams of one event-loop turn to the socket together at its end, in order', async () => {
    const peer = await tagRecorder();
    try {
      const before = client.sendBatches;
      const tags = ['b1', 'b2', 'b3', 'b4', 'b5'];
      const sent = tags.map((tag) =>
        client.send(sipResponse(tag), { address: '127.0.0.1', port: peer.port }),
      );
      assert.equal(client.sendBatches, before, 'nothing leaves while the turn runs');
      await Promise.all(sent);
      assert.equal(client.sendBatches, before + 1, 'one batch for the turn');
      for (const tag of tags)
        await client.send(sipResponse(`${tag}-alone`), { address: '127.0.0.1', port: peer.port });
      assert.equal(client.sendBatches, before + 1 + tags.length, 'a send per turn is a batch of its own');
      while (peer.tags.length < tags.length * 2) await sleep(5);
      assert.deepEqual(peer.tags, [...tags, ...tags.map((tag) => `${tag}-alone`)]);
    } finally {
      peer.close();
    }
  });

  it('sends early when a turn piles up datagrams, and keeps their order', async () => {
    const peer = await tagRecorder();
    try {
      const before = client.sendBatches;
      const tags = Array.from({ length: 100 }, (_, i) => `many-${i}`);
      await Promise.all(
        tags.map((tag) => client.send(sipResponse(tag), { address: '127.0.0.1', port: peer.port })),
      );
      assert.equal(client.sendBatches, before + 2, '64 within the turn, the other 36 at its end');
      while (peer.tags.length < tags.length) await sleep(5);
      assert.deepEqual(peer.tags, tags);
    } finally {
      peer.close();
    }
  });

  it('still sends what it was given before close, and refuses sends after', async () => {
    const peer = await tagRecorder();
    const closing = await UdpTransport.listen({ address: '127.0.0.1', port: 0 });
    try {
      const sent = closing.send(sipResponse('last-words'), { address: '127.0.0.1', port: peer.port });
      const closed = closing.close();
      await assert.rejects(closing.send(sipResponse('too-late'), { address: '127.0.0.1', port: peer.port }), {
        code: 'SIP_TRANSPORT_CLOSED',
      });
      await sent;
      await closed;
      while (peer.tags.length < 1) await sleep(5);
      await sleep(20);
      assert.deepEqual(peer.tags, ['last-words']);
    } finally {
      peer.close();
    }
  });

  it('refuses to bind to a name or an out-of-range port', async () => {
    await assert.rejects(UdpTransport.listen({ address: 'localhost', port: 0 }), {
      code: 'SIP_TRANSPORT_INVALID_OPTIONS',
    });
    await assert.rejects(UdpTransport.listen({ address: '127.0.0.1', port: 70000 }), {
      code: 'SIP_TRANSPORT_INVALID_OPTIONS',
    });
    await assert.rejects(UdpTransport.listen({ address: '127.0.0.1', port: server.localAddress.port }), {
      code: 'SIP_TRANSPORT_SOCKET_ERROR',
    });
  });
});

describe('UdpTransport (IPv6 loopback)', async () => {
  const available = await ipv6LoopbackAvailable();

  it(
    'carries a request and its response over ::1',
    { skip: !available && 'no IPv6 loopback here' },
    async () => {
      const a = await UdpTransport.listen({ address: '::1', port: 0 });
      const b = await UdpTransport.listen({ address: '[0:0:0:0:0:0:0:1]', port: 0 });
      try {
        assert.equal(a.localAddress.family, 'IPv6');
        assert.equal(b.localAddress.address, '::1');
        const got = nextEvent<TransportMessage>(a, 'message');
        await b.send(sipRequest('v6', '', 'UDP'), { address: '[::1]', port: a.localAddress.port });
        const message = await got;
        assert.deepEqual(message.source, {
          address: '::1',
          port: b.localAddress.port,
          family: 'IPv6',
          protocol: 'udp',
        });
        const back = nextEvent<TransportMessage>(b, 'message');
        await a.send(sipResponse('v6'), message.source);
        assert.deepEqual((await back).data, sipResponse('v6'));
        await assert.rejects(a.send(sipRequest('x'), { address: '127.0.0.1', port: 5060 }), {
          code: 'SIP_TRANSPORT_FAMILY_MISMATCH',
        });
        await sleep(0);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    },
  );
});
