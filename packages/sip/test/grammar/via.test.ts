import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipHeaderError, Via, isRfc3261Branch, parseVia } from '@svpn/sip';

describe('parseVia (RFC 3261 §20.42, RFC 3581, RFC 5118)', () => {
  const cases: {
    value: string;
    transport: string;
    host: string;
    port?: number;
    branch?: string;
    received?: string;
    rport?: number | true;
    version?: string;
  }[] = [
    {
      value: 'SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds',
      transport: 'UDP',
      host: 'pc33.atlanta.com',
      branch: 'z9hG4bK776asdhds',
    },
    {
      value: 'SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74b43',
      transport: 'TCP',
      host: 'client.atlanta.example.com',
      port: 5060,
      branch: 'z9hG4bK74b43',
    },
    {
      value: 'SIP/2.0/UDP 192.0.2.1:5060;received=192.0.2.207;branch=z9hG4bK77asjd',
      transport: 'UDP',
      host: '192.0.2.1',
      port: 5060,
      received: '192.0.2.207',
      branch: 'z9hG4bK77asjd',
    },
    {
      value: 'SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff',
      transport: 'UDP',
      host: '10.1.1.1',
      port: 4540,
      rport: true,
      branch: 'z9hG4bKkjshdyff',
    },
    {
      value: 'SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff',
      transport: 'UDP',
      host: '10.1.1.1',
      port: 4540,
      received: '192.0.2.1',
      rport: 9988,
      branch: 'z9hG4bKkjshdyff',
    },
    {
      value: 'SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3-111',
      transport: 'UDP',
      host: '[2001:db8::9:1]',
      received: '2001:db8::9:255',
      branch: 'z9hG4bKas3-111',
    },
    {
      value: 'SIP/2.0/TLS [2001:db8::9:1]:5061;branch=z9hG4bKx',
      transport: 'TLS',
      host: '[2001:db8::9:1]',
      port: 5061,
      branch: 'z9hG4bKx',
    },
    {
      value: 'SIP  /   2.0 /UDP 192.0.2.2;branch=390skdjuw',
      transport: 'UDP',
      host: '192.0.2.2',
      branch: '390skdjuw',
    },
    {
      value: 'SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8',
      transport: 'TCP',
      host: 'spindle.example.com',
      branch: 'z9hG4bK9ikj8',
    },
    {
      value: 'SIP/2.0/SCTP t2.example.com : 5060 ;branch=z9hG4bKklasjdhf',
      transport: 'SCTP',
      host: 't2.example.com',
      port: 5060,
      branch: 'z9hG4bKklasjdhf',
    },
    {
      value: 'SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en',
      transport: 'UNKNOWN',
      host: 't4.example.com',
      branch: 'z9hG4bKasd0f3en',
    },
    {
      value: 'SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw',
      transport: 'UDP',
      host: 'c.example.com',
      branch: 'z9hG4bKkdjuw',
      version: '7.0',
    },
    { value: 'SIP/2.0/UDP iftgw.example.com', transport: 'UDP', host: 'iftgw.example.com' },
  ];
  for (const c of cases) {
    test(c.value, () => {
      const v = parseVia(c.value);
      assert.equal(v.protocolName, 'SIP');
      assert.equal(v.protocolVersion, c.version ?? '2.0');
      assert.equal(v.transport, c.transport);
      assert.equal(v.host, c.host);
      assert.equal(v.port, c.port);
      assert.equal(v.branch, c.branch);
      assert.equal(v.received, c.received);
      assert.equal(v.rport, c.rport);
    });
  }

  const bad = [
    'SIP/2.0/UDP 192.0.2.15;;',
    'SIP/2.0/UDP',
    'SIP/2.0 pc33.atlanta.com',
    'SIP/2.0/UDPpc33.atlanta.com',
    'SIP/2.0/UDP pc33.atlanta.com:99999',
    'SIP/2.0/UDP pc33.atlanta.com;branch',
    'SIP/2.0/UDP pc33.atlanta.com;rport=abc',
    'SIP/2.0/UDP pc33.atlanta.com;ttl=300',
    'SIP/2.0/UDP pc33.atlanta.com;received=not-an-ip',
    'SIP/2.0/UDP [2001:db8::1;branch=z9hG4bKx',
    'SIP/2.0/UDP pc33.atlanta.com extra',
  ];
  for (const value of bad) {
    test(`rejects ${JSON.stringify(value)}`, () => {
      assert.throws(
        () => parseVia(value),
        (e: unknown) => e instanceof SipHeaderError && e.header === 'Via',
      );
    });
  }

  test('a lazy Via parses on first use and throws SipHeaderError then', () => {
    const ok = Via.lazy('SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
    assert.equal(ok.toString(), 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
    assert.equal(ok.branch, 'z9hG4bK1');
    const broken = Via.lazy('SIP/2.0/UDP a.example.com;;');
    assert.throws(() => broken.host, SipHeaderError);
  });

  test('editing params (RFC 3581 §4: fill received and rport) is serialized', () => {
    const v = parseVia('SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff');
    v.params.set('received', '192.0.2.1').set('rport', '9988');
    assert.equal(
      v.toString(),
      'SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.1',
    );
    assert.equal(v.rport, 9988);
    const built = new Via({
      transport: 'TCP',
      host: '[::1]',
      port: 5070,
      params: [{ name: 'branch', value: 'z9hG4bKabc' }],
    });
    assert.equal(built.toString(), 'SIP/2.0/TCP [::1]:5070;branch=z9hG4bKabc');
  });

  test('isRfc3261Branch: magic cookie plus at least one character (RFC 3261 §8.1.1.7, RFC 4475 §3.2.1)', () => {
    assert.equal(isRfc3261Branch('z9hG4bK776asdhds'), true);
    assert.equal(isRfc3261Branch('z9hG4bK'), false);
    assert.equal(isRfc3261Branch('390skdjuw'), false);
    assert.equal(isRfc3261Branch(undefined), false);
  });
});
