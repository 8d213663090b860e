import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VpnRequestError,
  buildVpnSdp,
  parseVpnRequest,
  preconditionLines,
  requiresQosPrecondition,
} from '../../src/sdp/vpn-request.js';

function offer(lines: string[], ip = 'IP4 198.51.100.7'): string {
  return [
    'v=0',
    `o=app 1 1 IN ${ip}`,
    's=-',
    `c=IN ${ip}`,
    't=0 0',
    'm=application 9000 TCP svpn-data',
    ...lines,
    '',
  ].join('\r\n');
}

test('DESIGN §2 — b=AS, VPN-ID, class, direction, duration, tunnel type are read from the offer', () => {
  const r = parseVpnRequest(
    offer([
      'b=AS:100000',
      'a=svpn-vpn-id:00000a:00000001',
      'a=svpn-qos:low-latency-data',
      'a=svpn-direction:uni',
      'a=svpn-duration:3600',
      'a=svpn-tunnel-type:gre',
    ]),
  );
  assert.equal(r.vpnId, '00000a:00000001');
  assert.equal(r.serviceClass, 'low-latency-data');
  assert.equal(r.bandwidthBps, 100_000_000);
  assert.equal(r.bandwidthSource, 'as');
  assert.equal(r.direction, 'uni');
  assert.equal(r.durationS, 3600);
  assert.equal(r.tunnelType, 'gre');
  assert.equal(r.address, '198.51.100.7');
  assert.equal(r.port, 9000);
  assert.deepEqual(r.preconditions, []);
});

test('RFC 3890 — b=TIAS with a=maxprate wins over b=AS and counts IP+TCP headers (IPv4 40 B, IPv6 60 B per packet)', () => {
  const v4 = parseVpnRequest(offer(['b=AS:999', 'b=TIAS:64000', 'a=maxprate:50', 'a=svpn-vpn-id:v']));
  assert.equal(v4.bandwidthSource, 'tias');
  assert.equal(v4.bandwidthBps, 64_000 + 50 * 40 * 8);
  const v6 = parseVpnRequest(offer(['b=TIAS:64000', 'a=maxprate:50', 'a=svpn-vpn-id:v'], 'IP6 2001:db8::7'));
  assert.equal(v6.bandwidthBps, 64_000 + 50 * 60 * 8);
  assert.equal(v6.ipVersion, 6);
});

test('a token bucket alone gives the bandwidth (r in B/s → bit/s), with an Rspec', () => {
  const r = parseVpnRequest(
    offer([
      'a=svpn-vpn-id:v',
      'a=svpn-tspec:r=125000 b=3000 p=250000 m=64 M=1500',
      'a=svpn-rspec:R=125000 S=1000',
    ]),
  );
  assert.equal(r.bandwidthSource, 'tspec');
  assert.equal(r.bandwidthBps, 1_000_000);
  assert.equal(r.rspec?.R, 125000);
});

test('RFC 3312 — a=des:qos lines are reported as preconditions', () => {
  const r = parseVpnRequest(
    offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=des:qos mandatory e2e sendrecv', 'a=curr:qos e2e none']),
  );
  assert.deepEqual(r.preconditions, [{ strength: 'mandatory', statusType: 'e2e', direction: 'sendrecv' }]);
});

test('refusals carry the SIP status and say what is wrong', () => {
  const cases: [string, number, RegExp][] = [
    ['', 488, /no SDP offer/],
    [offer(['b=AS:1000']), 488, /svpn-vpn-id is missing/],
    [offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=svpn-qos:gold']), 488, /unknown service class "gold"/],
    [offer(['a=svpn-vpn-id:v']), 488, /no bandwidth/],
    [offer(['b=TIAS:64000', 'a=svpn-vpn-id:v']), 488, /no bandwidth/],
    [
      offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=svpn-tunnel-type:carrier-pigeon']),
      488,
      /unsupported tunnel type/,
    ],
    [offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=svpn-duration:-5']), 400, /whole number/],
    [offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=svpn-start:tomorrow']), 400, /RFC 3339/],
    [offer(['b=AS:1000', 'a=svpn-vpn-id:v', 'a=svpn-tspec:r=10 b=1 p=5 m=1 M=1']), 488, /.+/],
    ['v=0\r\nm=audio 4000 RTP/AVP 0\r\n', 488, /m=application/],
  ];
  for (const [sdp, status, message] of cases) {
    assert.throws(
      () => parseVpnRequest(sdp),
      (e: unknown) => e instanceof VpnRequestError && e.sipStatus === status && message.test(e.message),
      `${JSON.stringify(sdp.slice(-60))} → ${status}`,
    );
  }
});

test('the answer states what was granted and hides the caller: the gateway address replaces it', () => {
  const request = parseVpnRequest(offer(['b=AS:100000', 'a=svpn-vpn-id:00000a:00000001']));
  const sdp = buildVpnSdp(request, {
    sessionId: 's-42',
    grantedBps: 100_000_000,
    dscp: 10,
    lspId: 'lsp-PE1-PE4-7',
    label: 24001,
    address: '192.0.2.1',
    port: 9000,
  });
  assert.ok(!sdp.includes('198.51.100.7'));
  for (const line of [
    'c=IN IP4 192.0.2.1',
    'b=AS:100000',
    'a=svpn-dscp:10',
    'a=svpn-session:s-42',
    'a=svpn-tunnel:lsp-PE1-PE4-7',
    'a=svpn-label:24001',
  ]) {
    assert.ok(sdp.includes(line), line);
  }
  const again = parseVpnRequest(sdp);
  assert.equal(again.bandwidthBps, 100_000_000);
  assert.equal(again.vpnId, '00000a:00000001');
});

test('RFC 3312 §5.1 — a met reservation answers curr:qos for the reserved direction and echoes the desired status', () => {
  const offer = [
    'v=0',
    'o=app 1 1 IN IP4 198.51.100.7',
    's=-',
    'c=IN IP4 198.51.100.7',
    't=0 0',
    'm=application 9000 TCP svpn-data',
    'b=AS:1000',
    'a=svpn-vpn-id:00000a:00000001',
    'a=curr:qos e2e none',
    'a=des:qos mandatory e2e sendrecv',
    '',
  ].join('\r\n');
  const request = parseVpnRequest(offer);
  assert.equal(requiresQosPrecondition(request), true);
  assert.deepEqual(preconditionLines(request), [
    'a=curr:qos e2e sendrecv',
    'a=des:qos mandatory e2e sendrecv',
  ]);
  assert.deepEqual(preconditionLines({ ...request, direction: 'uni' })[0], 'a=curr:qos e2e send');
  const answer = buildVpnSdp(
    request,
    { sessionId: 's-1', grantedBps: 1e6, dscp: 10, lspId: 'l', label: 16, address: '192.0.2.1', port: 9000 },
    { preconditionsMet: true },
  );
  assert.match(answer, /a=curr:qos e2e sendrecv\r\na=des:qos mandatory e2e sendrecv\r\n$/);
  const optional = parseVpnRequest(offer.replace('mandatory', 'optional'));
  assert.equal(requiresQosPrecondition(optional), false);
  assert.deepEqual(preconditionLines(parseVpnRequest(offer.replace(/a=(curr|des).*\r\n/g, ''))), []);
});
