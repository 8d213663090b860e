import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  responseTarget,
  type RequestSource,
  type ResponseTarget,
  type ResponseVia,
} from '../../src/transport/response-target.js';

interface Case {
  readonly name: string;
  readonly via: ResponseVia;
  readonly source: RequestSource;
  readonly open?: boolean;
  readonly expected: Omit<ResponseTarget, 'needsResolution'> & { readonly needsResolution?: boolean };
}

const udpFrom = (address: string, port: number): RequestSource => ({ address, port, protocol: 'udp' });
const tcpFrom = (address: string, port: number, connectionId = 'tcp-7'): RequestSource => ({
  address,
  port,
  protocol: 'tcp',
  connectionId,
});

// One row per rule of RFC 3261 §18.2.2 and RFC 3581 §4.
const CASES: readonly Case[] = [
  {
    name: 'RFC 3261 §18.2.2 — reliable: the response MUST go back on the request connection while open',
    via: { transport: 'TCP', host: '192.0.2.10', port: 5070, received: '198.51.100.1' },
    source: tcpFrom('198.51.100.1', 40123),
    expected: {
      protocol: 'tcp',
      address: '198.51.100.1',
      port: 5070,
      connectionId: 'tcp-7',
      rule: 'connection',
    },
  },
  {
    name: 'RFC 3261 §18.2.2 — reliable, connection closed: open one to received with the sent-by port',
    via: { transport: 'TCP', host: '192.0.2.10', port: 5070, received: '198.51.100.1' },
    source: tcpFrom('198.51.100.1', 40123),
    open: false,
    expected: { protocol: 'tcp', address: '198.51.100.1', port: 5070, rule: 'received' },
  },
  {
    name: 'RFC 3261 §18.2.2 — reliable, closed, no received and no port: sent-by host, default port',
    via: { transport: 'tcp', host: '192.0.2.10' },
    source: tcpFrom('192.0.2.10', 40123),
    open: false,
    expected: { protocol: 'tcp', address: '192.0.2.10', port: 5060, rule: 'sent-by' },
  },
  {
    name: 'RFC 3261 §18.2.2 — TLS falls back to 5061, the default port for that transport',
    via: { transport: 'TLS', host: 'client.example.com', received: '2001:db8::1' },
    source: { address: '2001:db8::1', port: 50000, protocol: 'tls' },
    expected: { protocol: 'tls', address: '2001:db8::1', port: 5061, rule: 'received' },
  },
  {
    name: 'RFC 3581 — rport does not change the connection rule on TCP',
    via: { transport: 'TCP', host: '10.0.0.1', port: 5060, received: '203.0.113.4', rport: 61000 },
    source: tcpFrom('203.0.113.4', 61000, 'tcp-9'),
    expected: {
      protocol: 'tcp',
      address: '203.0.113.4',
      port: 5060,
      connectionId: 'tcp-9',
      rule: 'connection',
    },
  },
  {
    name: 'RFC 3261 §18.2.2 — unreliable with maddr: to maddr, sent-by port, ttl from Via',
    via: {
      transport: 'UDP',
      host: '192.0.2.10',
      port: 5080,
      maddr: '239.255.255.1',
      ttl: 16,
      received: '198.51.100.1',
    },
    source: udpFrom('198.51.100.1', 5080),
    expected: { protocol: 'udp', address: '239.255.255.1', port: 5080, ttl: 16, rule: 'maddr' },
  },
  {
    name: 'RFC 3261 §18.2.2 — maddr without port or ttl: port 5060, TTL 1',
    via: { transport: 'UDP', host: 'client.example.com', maddr: '239.255.255.1' },
    source: udpFrom('198.51.100.1', 5080),
    expected: { protocol: 'udp', address: '239.255.255.1', port: 5060, ttl: 1, rule: 'maddr' },
  },
  {
    name: 'RFC 3581 §4 — received and rport: to received at the rport port',
    via: { transport: 'UDP', host: '10.0.0.1', port: 5060, received: '203.0.113.4', rport: 61000 },
    source: udpFrom('203.0.113.4', 61000),
    expected: { protocol: 'udp', address: '203.0.113.4', port: 61000, rule: 'received-rport' },
  },
  {
    name: 'RFC 3581 §4 — rport present but not yet filled: the request source address and port',
    via: { transport: 'UDP', host: '10.0.0.1', port: 5060, rport: true },
    source: udpFrom('203.0.113.4', 61001),
    expected: { protocol: 'udp', address: '203.0.113.4', port: 61001, rule: 'received-rport' },
  },
  {
    name: 'RFC 3261 §18.2.2 — received without rport: received address, sent-by port',
    via: { transport: 'UDP', host: 'client.example.com', port: 5062, received: '198.51.100.1' },
    source: udpFrom('198.51.100.1', 33333),
    expected: { protocol: 'udp', address: '198.51.100.1', port: 5062, rule: 'received' },
  },
  {
    name: 'RFC 3261 §18.2.2 — received without rport or sent-by port: port 5060',
    via: { transport: 'UDP', host: 'client.example.com', received: '198.51.100.1' },
    source: udpFrom('198.51.100.1', 33333),
    expected: { protocol: 'udp', address: '198.51.100.1', port: 5060, rule: 'received' },
  },
  {
    name: 'RFC 3261 §18.2.2 — not receiver-tagged: the sent-by IP and port',
    via: { transport: 'UDP', host: '[2001:DB8:0:0::7]', port: 5070 },
    source: udpFrom('2001:db8::7', 5070),
    expected: { protocol: 'udp', address: '2001:db8::7', port: 5070, rule: 'sent-by' },
  },
  {
    name: 'RFC 3261 §18.2.2 — a sent-by host name is resolved with RFC 3263 §5',
    via: { transport: 'UDP', host: 'Client.Example.COM' },
    source: udpFrom('198.51.100.1', 5060),
    expected: {
      protocol: 'udp',
      address: 'client.example.com',
      port: 5060,
      needsResolution: true,
      rule: 'sent-by',
    },
  },
  {
    name: 'a Via that says TCP on a request that came over UDP is answered over UDP',
    via: { transport: 'TCP', host: '192.0.2.10', port: 5060, received: '198.51.100.1', rport: 4000 },
    source: udpFrom('198.51.100.1', 4000),
    expected: { protocol: 'udp', address: '198.51.100.1', port: 4000, rule: 'received-rport' },
  },
];

describe('responseTarget', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const target = responseTarget(c.via, c.source, {
        isConnectionOpen: (id) => {
          assert.equal(id, c.source.connectionId);
          return c.open ?? true;
        },
      });
      assert.deepEqual(target, { needsResolution: false, ...c.expected });
    });
  }

  it('without an isConnectionOpen probe, keeps the connection id (the transport falls back itself)', () => {
    const target = responseTarget(
      { transport: 'TLS', host: '192.0.2.1', port: 5061 },
      { address: '192.0.2.1', port: 40000, protocol: 'tls', connectionId: 'tls-1' },
    );
    assert.equal(target.connectionId, 'tls-1');
    assert.equal(target.port, 5061);
  });

  it('rejects transports this layer does not implement', () => {
    assert.throws(() => responseTarget({ transport: 'WS', host: 'a.example' }, udpFrom('192.0.2.1', 1)), {
      code: 'SIP_TRANSPORT_UNSUPPORTED_PROTOCOL',
    });
  });
});
