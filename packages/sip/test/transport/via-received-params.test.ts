import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  viaReceivedParams,
  type ReceivedVia,
  type ViaReceivedParams,
} from '../../src/transport/via-received-params.js';

const CASES: readonly {
  readonly name: string;
  readonly via: ReceivedVia;
  readonly source: { address: string; port: number };
  readonly expected: ViaReceivedParams;
}[] = [
  {
    name: 'RFC 3261 §18.2.1 — sent-by IP equal to the source: nothing to add',
    via: { host: '192.0.2.1' },
    source: { address: '192.0.2.1', port: 5060 },
    expected: {},
  },
  {
    name: 'RFC 3261 §18.2.1 — sent-by IP differs from the source: MUST add received',
    via: { host: '10.0.0.5' },
    source: { address: '203.0.113.9', port: 5060 },
    expected: { received: '203.0.113.9' },
  },
  {
    name: 'RFC 3261 §18.2.1 — sent-by is a domain name: MUST add received',
    via: { host: 'pc33.example.com' },
    source: { address: '192.0.2.1', port: 5060 },
    expected: { received: '192.0.2.1' },
  },
  {
    name: 'RFC 3581 §4 — rport without value: rport = source port and received even when equal',
    via: { host: '192.0.2.1', rport: true },
    source: { address: '192.0.2.1', port: 61234 },
    expected: { received: '192.0.2.1', rport: 61234 },
  },
  {
    name: 'RFC 3581 §4 — rport without value behind a NAT',
    via: { host: '10.0.0.5', rport: true },
    source: { address: '203.0.113.9', port: 40001 },
    expected: { received: '203.0.113.9', rport: 40001 },
  },
  {
    name: 'RFC 5118 — IPv6 sent-by in brackets and a different spelling of the same source: nothing',
    via: { host: '[2001:DB8::0:1]' },
    source: { address: '2001:db8::1', port: 5060 },
    expected: {},
  },
  {
    name: 'RFC 5118 — IPv6 received is written without brackets, canonical form',
    via: { host: '[2001:db8::9]', rport: true },
    source: { address: '2001:0DB8:0000::0001', port: 5062 },
    expected: { received: '2001:db8::1', rport: 5062 },
  },
  {
    name: 'an IPv4-mapped source from a dual-stack socket compares as IPv4',
    via: { host: '192.0.2.1' },
    source: { address: '::ffff:192.0.2.1', port: 5060 },
    expected: {},
  },
  {
    name: 'an rport that already has a value is left alone (clients MUST NOT send one)',
    via: { host: '192.0.2.1', rport: 1234 },
    source: { address: '192.0.2.1', port: 5060 },
    expected: {},
  },
];

describe('viaReceivedParams', () => {
  for (const c of CASES) {
    it(c.name, () => {
      assert.deepEqual(viaReceivedParams(c.via, c.source), c.expected);
    });
  }
});
