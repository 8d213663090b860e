import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { TransportManager, requiresCongestionControl } from '../../src/transport/transport-manager.js';
import type { AddressFamily } from '../../src/transport/normalize-address.js';
import { SocketError } from '../../src/transport/transport-error.js';
import type {
  LocalAddress,
  SendTarget,
  Transport,
  TransportEvents,
  TransportMessage,
  TransportProtocol,
} from '../../src/transport/transport.js';

/** An in-memory transport: records sends, owns a fixed set of connection ids. */
class FakeTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly reliable: boolean;
  readonly localAddress: LocalAddress;
  readonly sent: { data: Buffer; target: SendTarget }[] = [];
  closed = false;

  constructor(
    readonly protocol: TransportProtocol,
    address: string,
    family: AddressFamily,
    port = 5060,
    private readonly connections: readonly string[] = [],
  ) {
    super();
    this.reliable = protocol !== 'udp';
    this.localAddress = { address, port, family };
  }

  send(data: Buffer, target: SendTarget): Promise<void> {
    this.sent.push({ data, target });
    return Promise.resolve();
  }

  hasConnection(connectionId: string): boolean {
    return this.connections.includes(connectionId);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

function fixture() {
  const udp4 = new FakeTransport('udp', '192.0.2.1', 'IPv4');
  const udp4b = new FakeTransport('udp', '192.0.2.2', 'IPv4', 5070);
  const udp6 = new FakeTransport('udp', '2001:db8::1', 'IPv6');
  const tcp4 = new FakeTransport('tcp', '192.0.2.1', 'IPv4', 5060, ['tcp-1']);
  const tcp4b = new FakeTransport('tcp', '192.0.2.2', 'IPv4', 5060, ['tcp-2']);
  const tls6 = new FakeTransport('tls', '2001:db8::1', 'IPv6', 5061, ['tls-3']);
  const manager = new TransportManager([udp4, udp4b, udp6, tcp4, tcp4b, tls6]);
  return { manager, udp4, udp4b, udp6, tcp4, tcp4b, tls6 };
}

const data = Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n');

describe('TransportManager', () => {
  it('picks the transport by protocol and by the target address family', async () => {
    const { manager, udp4, udp6, tls6 } = fixture();
    await manager.send('udp', data, { address: '198.51.100.7', port: 5060 });
    await manager.send('udp', data, { address: '[2001:db8::99]', port: 5060 });
    await manager.send('tls', data, { address: '2001:db8::99', port: 5061 });
    assert.equal(udp4.sent.length, 1);
    assert.equal(udp6.sent.length, 1);
    assert.equal(tls6.sent.length, 1);
    assert.equal(manager.transports.length, 6);
  });

  it('RFC 3581 §4 — sends from the transport bound to the given local address and port', async () => {
    const { manager, udp4, udp4b } = fixture();
    await manager.send('udp', data, { address: '198.51.100.7', port: 5060 }, { localAddress: '192.0.2.2' });
    await manager.send('udp', data, { address: '198.51.100.7', port: 5060 }, { localPort: 5070 });
    assert.equal(udp4.sent.length, 0);
    assert.equal(udp4b.sent.length, 2);
  });

  it('RFC 3261 §18.2.2 — routes by connection id to the transport that owns the connection', async () => {
    const { manager, tcp4, tcp4b } = fixture();
    await manager.send('tcp', data, { address: '198.51.100.7', port: 40000, connectionId: 'tcp-2' });
    assert.equal(tcp4b.sent.length, 1);
    assert.equal(tcp4b.sent[0]?.target.connectionId, 'tcp-2');
    // An unknown (closed) connection falls back to selection by family.
    await manager.send('tcp', data, { address: '198.51.100.7', port: 5060, connectionId: 'tcp-99' });
    assert.equal(tcp4.sent.length, 1);
  });

  it('rejects (does not throw) when no transport fits or the target is a name', async () => {
    const { manager } = fixture();
    await assert.rejects(manager.send('tcp', data, { address: '2001:db8::5', port: 5060 }), {
      code: 'SIP_TRANSPORT_NO_TRANSPORT',
    });
    await assert.rejects(manager.send('udp', data, { address: 'example.com', port: 5060 }), {
      code: 'SIP_TRANSPORT_INVALID_TARGET',
    });
    await assert.rejects(
      manager.send('udp', data, { address: '198.51.100.7', port: 5060 }, { localAddress: '10.9.9.9' }),
      {
        code: 'SIP_TRANSPORT_NO_TRANSPORT',
      },
    );
  });

  it('merges every transport’s events into one stream, tagged with the transport', () => {
    const { manager, udp6, tcp4 } = fixture();
    const seen: { protocol: string; transport: Transport }[] = [];
    manager.on('message', (m) => seen.push({ protocol: m.source.protocol, transport: m.transport }));
    const errors: string[] = [];
    manager.on('error', (e) => errors.push(e.error.code));
    const message = (protocol: TransportProtocol, family: AddressFamily): TransportMessage => ({
      data,
      source: { address: '198.51.100.7', port: 1, family, protocol },
      local: { address: '192.0.2.1', port: 5060, family },
    });
    udp6.emit('message', message('udp', 'IPv6'));
    tcp4.emit('message', message('tcp', 'IPv4'));
    tcp4.emit('error', { error: new SocketError('boom') });
    assert.deepEqual(
      seen.map((s) => s.protocol),
      ['udp', 'tcp'],
    );
    assert.equal(seen[0]?.transport, udp6);
    assert.equal(seen[1]?.transport, tcp4);
    assert.deepEqual(errors, ['SIP_TRANSPORT_SOCKET_ERROR']);
  });

  it('stops forwarding a removed transport, and close() closes them all', async () => {
    const { manager, udp4, tcp4 } = fixture();
    let count = 0;
    manager.on('connection', () => count++);
    assert.ok(manager.remove(tcp4));
    assert.equal(manager.remove(tcp4), false);
    tcp4.emit('connection', {
      connectionId: 'tcp-1',
      protocol: 'tcp',
      direction: 'inbound',
      remote: { address: '198.51.100.7', port: 1, family: 'IPv4' },
    });
    assert.equal(count, 0);
    await manager.close();
    assert.equal(udp4.closed, true);
    assert.equal(tcp4.closed, false, 'a removed transport is not the manager’s to close');
    assert.equal(manager.transports.length, 0);
  });

  it('RFC 3261 §18.1.1 — large requests need a congestion-controlled transport', () => {
    assert.equal(requiresCongestionControl(1300), false);
    assert.equal(requiresCongestionControl(1301), true);
    assert.equal(requiresCongestionControl(1300, 1500), false);
    assert.equal(requiresCongestionControl(1301, 1500), true);
    assert.equal(requiresCongestionControl(8000, 9000), false);
  });
});
