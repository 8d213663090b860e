/**
 * The fuzzer's seed corpus: the 49 RFC 4475 torture messages (byte-exact from the fixtures) and
 * realistic messages of the S-VPN gateway's traffic (DESIGN.md §2): INVITE with SDP, REGISTER with
 * feature tags, BYE, OPTIONS, CANCEL, ACK, 100/180/200/401/486 responses, a re-INVITE with
 * Route/Record-Route, a multipart body, an IPv6 (RFC 5118) INVITE. Every realistic message is
 * well-formed and carries an exact Content-Length, so it is delivered as is.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CorpusEntry } from './mutator.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/rfc4475/', import.meta.url));

/** The RFC 4475 torture messages, sorted by file name. */
export function tortureCorpus(): CorpusEntry[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.dat'))
    .sort()
    .map((f) => ({ name: `rfc4475/${f.slice(0, -4)}`, data: readFileSync(FIXTURES + f) }));
}

/** Joins header lines with CRLF, adds Content-Length and the blank line, then the body. */
function message(startLine: string, headers: readonly string[], body = ''): Buffer {
  const bodyBytes = Buffer.from(body, 'utf8');
  const head = [startLine, ...headers, `Content-Length: ${bodyBytes.length}`].join('\r\n') + '\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), bodyBytes]);
}

function crlf(lines: readonly string[]): string {
  return lines.join('\r\n') + '\r\n';
}

const OFFER_SDP = crlf([
  'v=0',
  'o=app-a 2890844526 2890844526 IN IP4 198.51.100.7',
  's=svpn',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=application 20000 TCP svpn-data',
  'b=AS:50000',
  'b=TIAS:48000000',
  'a=maxprate:4000',
  'a=svpn-vpn-id:00000a:00000001',
  'a=svpn-qos:af41',
  'a=svpn-direction:bi',
  'a=svpn-duration:3600',
  'a=svpn-tunnel-type:mpls',
  'a=svpn-tspec:r=6000000 b=150000 p=12500000 m=64 M=1500',
  'a=svpn-rspec:R=6000000 S=2000',
  'a=des:qos mandatory local sendrecv',
  'a=curr:qos local none',
]);

const ANSWER_SDP = crlf([
  'v=0',
  'o=svpn-gw 1 1 IN IP4 192.0.2.10',
  's=svpn',
  'c=IN IP4 203.0.113.9',
  't=0 0',
  'm=application 30000 TCP svpn-data',
  'b=AS:50000',
  'a=svpn-dscp:34',
  'a=svpn-session:7f3c2a10',
  'a=svpn-tunnel:lsp-pe1-pe4-17',
  'a=svpn-label:299776',
]);

const INVITE_HEADERS = [
  'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport',
  'Max-Forwards: 70',
  'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
  'To: <sip:app-b@vpn.example.net>',
  'Call-ID: 3848276298220188511@198.51.100.7',
  'CSeq: 314159 INVITE',
  'Contact: <sip:app-a@198.51.100.7:5060>;+svpn.vpn-id="00000a:00000001";+svpn.ce="CE1"',
  'Resource-Priority: dsn.flash',
  'Supported: timer, precondition, 100rel',
  'Session-Expires: 1800;refresher=uac',
  'Min-SE: 90',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO',
  'User-Agent: svpn-app/1.0',
];

/** The realistic messages, each a complete datagram with a correct Content-Length. */
export function realisticCorpus(): CorpusEntry[] {
  const entries: [string, Buffer][] = [
    [
      'invite-sdp',
      message(
        'INVITE sip:app-b@vpn.example.net SIP/2.0',
        [...INVITE_HEADERS, 'Content-Type: application/sdp'],
        OFFER_SDP,
      ),
    ],
    [
      'invite-compact',
      message(
        'INVITE sip:app-b@vpn.example.net;transport=udp SIP/2.0',
        [
          'v: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK4b43c2ff8.1',
          'f: <sip:app-a@vpn.example.net>;tag=a73kszlfl',
          't: sip:app-b@vpn.example.net',
          'i: f81d4fae-7dec-11d0-a765-00a0c91e6bf6@198.51.100.7',
          'CSeq: 1 INVITE',
          'm: <sip:app-a@198.51.100.7>',
          'k: timer',
          's: tunnel request',
          'Max-Forwards: 70',
          'c: application/sdp',
        ],
        OFFER_SDP,
      ),
    ],
    [
      'register',
      message('REGISTER sip:vpn.example.net SIP/2.0', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKnashds7',
        'Max-Forwards: 70',
        'From: <sip:app-a@vpn.example.net>;tag=a73kszlfl',
        'To: <sip:app-a@vpn.example.net>',
        'Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7',
        'CSeq: 2 REGISTER',
        'Contact: <sip:app-a@198.51.100.7:5060>;+svpn.vpn-id="00000a:00000001";+svpn.ce="CE1";expires=3600;q=0.7',
        'Contact: <sip:app-a@203.0.113.7:5060;transport=tcp>;expires=1800;q=0.5',
        'Expires: 3600',
        'Authorization: Digest username="app-a", realm="vpn.example.net", nonce="ea9c8e88df84f1cec4341ae6cbe5a359", uri="sip:vpn.example.net", response="dfe56131d1958046689d83306477ecc", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="0a4f113b", opaque=""',
      ]),
    ],
    [
      'register-star',
      message('REGISTER sip:vpn.example.net SIP/2.0', [
        'Via: SIP/2.0/TCP 198.51.100.7:5060;branch=z9hG4bKremoveall',
        'Max-Forwards: 70',
        'From: <sip:app-a@vpn.example.net>;tag=r1',
        'To: <sip:app-a@vpn.example.net>',
        'Call-ID: removeall@198.51.100.7',
        'CSeq: 3 REGISTER',
        'Contact: *',
        'Expires: 0',
      ]),
    ],
    [
      'bye',
      message('BYE sip:app-a@198.51.100.7:5060 SIP/2.0', [
        'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8',
        'Max-Forwards: 70',
        'Route: <sip:pe1.provider.example;lr>',
        'From: <sip:app-b@vpn.example.net>;tag=8321234356',
        'To: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 231 BYE',
        'Reason: preemption ;cause=1 ;text="UA preemption"',
      ]),
    ],
    [
      'options',
      message('OPTIONS sip:gw.vpn.example.net SIP/2.0', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKhjhs8ass877',
        'Max-Forwards: 70',
        'To: <sip:gw.vpn.example.net>',
        'From: "Ping" <sip:monitor@vpn.example.net>;tag=1928301774',
        'Call-ID: a84b4c76e66710',
        'CSeq: 63104 OPTIONS',
        'Contact: <sip:monitor@198.51.100.7>',
        'Accept: application/sdp, multipart/mixed;q=0.5',
        'Accept-Encoding: identity',
      ]),
    ],
    [
      'cancel',
      message('CANCEL sip:app-b@vpn.example.net SIP/2.0', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport',
        'Max-Forwards: 70',
        'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314159 CANCEL',
      ]),
    ],
    [
      'ack',
      message('ACK sip:app-b@203.0.113.9:5060 SIP/2.0', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bfa',
        'Max-Forwards: 70',
        'Route: <sip:pe1.provider.example;lr>, <sip:pe4.provider.example;lr>',
        'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>;tag=314159',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314159 ACK',
      ]),
    ],
    [
      'reinvite-record-route',
      message(
        'INVITE sip:app-a@198.51.100.7:5060 SIP/2.0',
        [
          'Via: SIP/2.0/UDP pe4.provider.example:5060;branch=z9hG4bK2d4790.1;received=203.0.113.4',
          'Via: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKnashds9;rport=5062;received=203.0.113.9',
          'Max-Forwards: 69',
          'Route: <sip:pe4.provider.example;lr>',
          'Route: <sip:pe1.provider.example;lr;transport=tcp>',
          'Record-Route: <sip:pe4.provider.example;lr>, <sip:pe1.provider.example;lr>',
          'From: <sip:app-b@vpn.example.net>;tag=314159',
          'To: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
          'Call-ID: 3848276298220188511@198.51.100.7',
          'CSeq: 2 INVITE',
          'Contact: <sip:app-b@203.0.113.9:5060>',
          'Session-Expires: 1800;refresher=uac',
          'Content-Type: application/sdp',
        ],
        ANSWER_SDP,
      ),
    ],
    [
      'invite-multipart',
      message(
        'INVITE sip:app-b@vpn.example.net SIP/2.0',
        [
          ...INVITE_HEADERS.map((h) => h.replace('z9hG4bK74bf9', 'z9hG4bKmp01').replace('314159', '7')),
          'Content-Type: multipart/mixed;boundary="svpn-boundary-42"',
          'MIME-Version: 1.0',
        ],
        crlf([
          '--svpn-boundary-42',
          'Content-Type: application/sdp',
          '',
          OFFER_SDP.trimEnd(),
          '--svpn-boundary-42',
          'Content-Type: application/svpn-qos+json',
          'Content-Disposition: render;handling=optional',
          '',
          '{"vpnId":"00000a:00000001","class":"af41","kbps":50000}',
          '--svpn-boundary-42--',
        ]),
      ),
    ],
    [
      'invite-ipv6',
      message(
        'INVITE sip:[2001:db8::10]:5070;transport=udp SIP/2.0',
        [
          'Via: SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bKas3-111;received=2001:db8::9:255',
          'Max-Forwards: 70',
          'From: "IPv6 App" <sip:app6@[2001:db8::9:1]>;tag=v6tag',
          'To: <sip:[2001:db8::10]:5070>',
          'Call-ID: SSG9559905523997077@hlau_4100',
          'CSeq: 1 INVITE',
          'Contact: "IPv6 App" <sip:app6@[2001:db8::9:1]:5060>',
          'Content-Type: application/sdp',
        ],
        OFFER_SDP.replace(/IN IP4 198\.51\.100\.7/g, 'IN IP6 2001:db8::9:1'),
      ),
    ],
    [
      '100-trying',
      message('SIP/2.0 100 Trying', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport=5060;received=198.51.100.7',
        'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314159 INVITE',
        'Timestamp: 54.12 0.5',
      ]),
    ],
    [
      '180-ringing',
      message('SIP/2.0 180 Ringing', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport=5060;received=198.51.100.7',
        'Record-Route: <sip:pe4.provider.example;lr>, <sip:pe1.provider.example;lr>',
        'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>;tag=314159',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314159 INVITE',
        'Contact: <sip:app-b@203.0.113.9:5060>',
      ]),
    ],
    [
      '183-reliable',
      message(
        'SIP/2.0 183 Session Progress',
        [
          'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport=5060;received=198.51.100.7',
          'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
          'To: <sip:app-b@vpn.example.net>;tag=314159',
          'Call-ID: 3848276298220188511@198.51.100.7',
          'CSeq: 314159 INVITE',
          'Contact: <sip:app-b@203.0.113.9:5060>',
          'Require: 100rel',
          'RSeq: 813520',
          'Content-Type: application/sdp',
        ],
        ANSWER_SDP,
      ),
    ],
    [
      'prack',
      message('PRACK sip:app-b@203.0.113.9:5060 SIP/2.0', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKprack1;rport',
        'Max-Forwards: 70',
        'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>;tag=314159',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314160 PRACK',
        'RAck: 813520 314159 INVITE',
      ]),
    ],
    [
      'info-qos',
      message(
        'INFO sip:app-b@203.0.113.9:5060 SIP/2.0',
        [
          'Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKinfo1',
          'Max-Forwards: 70',
          'From: <sip:app-a@vpn.example.net>;tag=9fxced76sl',
          'To: <sip:app-b@vpn.example.net>;tag=314159',
          'Call-ID: 3848276298220188511@198.51.100.7',
          'CSeq: 314161 INFO',
          'Info-Package: svpn-qos',
          'Recv-Info: svpn-qos, nosuch',
          'Content-Type: application/svpn-qos+json',
          'Content-Disposition: Info-Package',
        ],
        '{"vpnId":"00000a:00000001","class":"ef","kbps":20000}',
      ),
    ],
    [
      '200-invite-sdp',
      message(
        'SIP/2.0 200 OK',
        [
          'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK74bf9;rport=5060;received=198.51.100.7',
          'Record-Route: <sip:pe4.provider.example;lr>',
          'Record-Route: <sip:pe1.provider.example;lr>',
          'From: "Grid Scheduler" <sip:app-a@vpn.example.net>;tag=9fxced76sl',
          'To: <sip:app-b@vpn.example.net>;tag=314159',
          'Call-ID: 3848276298220188511@198.51.100.7',
          'CSeq: 314159 INVITE',
          'Contact: <sip:app-b@203.0.113.9:5060>',
          'Require: timer',
          'Session-Expires: 1800;refresher=uac',
          'Server: svpn',
          'Content-Type: application/sdp',
        ],
        ANSWER_SDP,
      ),
    ],
    [
      '200-register',
      message('SIP/2.0 200 OK', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKnashds7;received=198.51.100.7',
        'From: <sip:app-a@vpn.example.net>;tag=a73kszlfl',
        'To: <sip:app-a@vpn.example.net>;tag=37GkEhwl6',
        'Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7',
        'CSeq: 2 REGISTER',
        'Contact: <sip:app-a@198.51.100.7:5060>;expires=3600, <sip:app-a@203.0.113.7:5060;transport=tcp>;expires=1800',
        'Date: Sat, 13 Nov 2010 23:29:00 GMT',
      ]),
    ],
    [
      '401-challenge',
      message('SIP/2.0 401 Unauthorized', [
        'Via: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKnashds7;received=198.51.100.7',
        'From: <sip:app-a@vpn.example.net>;tag=a73kszlfl',
        'To: <sip:app-a@vpn.example.net>;tag=1410948204',
        'Call-ID: 1j9FpLxk3uxtm8tn@198.51.100.7',
        'CSeq: 1 REGISTER',
        'WWW-Authenticate: Digest realm="vpn.example.net", qop="auth", algorithm=SHA-256, nonce="ea9c8e88df84f1cec4341ae6cbe5a359", opaque="", stale=FALSE',
      ]),
    ],
    [
      '486-busy',
      message('SIP/2.0 486 Busy Here', [
        'Via: SIP/2.0/TCP 198.51.100.7:5060;branch=z9hG4bK74bf9',
        'From: <sip:app-a@vpn.example.net>;tag=9fxced76sl',
        'To: <sip:app-b@vpn.example.net>;tag=b7',
        'Call-ID: 3848276298220188511@198.51.100.7',
        'CSeq: 314159 INVITE',
        'Retry-After: 120 (in a meeting);duration=3600',
        'Warning: 399 svpn "no capacity on pe1-pe4"',
      ]),
    ],
  ];
  return entries.map(([name, data]) => ({ name: `realistic/${name}`, data }));
}

/** The whole seed corpus: torture messages first, then the realistic ones. */
export function buildCorpus(): CorpusEntry[] {
  return [...tortureCorpus(), ...realisticCorpus()];
}
