// Regression tests for the bugs the fuzzer found (npm run fuzz, seed 4475 unless noted). Each
// input is the smallest message that showed the bug, written out so it does not depend on the
// mutator staying the same.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type IncomingDecision,
  MAX_UDP_PAYLOAD_IPV6,
  MAX_WARNING_TEXT,
  SipHeaderError,
  StreamFramer,
  classifyIncoming,
  classifyUnframeable,
  formatWarning,
  parseMessage,
  parseUri,
  uriEquals,
} from '@svpn/sip';

function request(lines: readonly string[], body = ''): Buffer {
  return Buffer.from(
    [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'),
    'latin1',
  );
}

const VIA = 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKfuzz1';
const BASE = [
  'OPTIONS sip:gw@example.com SIP/2.0',
  VIA,
  'Max-Forwards: 70',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:gw@example.com>',
  'Call-ID: fuzz-1@example.com',
  'CSeq: 1 OPTIONS',
];

function replace(name: string, line: string): string[] {
  return BASE.map((l) => (l.startsWith(`${name}:`) ? line : l));
}

function respondedStatus(d: IncomingDecision): number | undefined {
  return d.action === 'respond' ? d.status : undefined;
}

function responseText(d: IncomingDecision): string {
  assert.equal(d.action, 'respond');
  return d.action === 'respond' ? d.response.toString('latin1') : '';
}

describe('fuzz regressions: bare CR / LF inside a header line', () => {
  // Found as: classifyIncoming threw SipHeaderError "CSeq: CR/LF is not allowed in a header value"
  // (case 130: `CSeq: >923239 OPTIONS\r*l: 0`) — the 400 copied the value into SipHeaders.
  for (const [name, line] of [
    ['CSeq', 'CSeq: 1 OPTIONS\r*l: 0'],
    ['From', 'From: <sip:a@example.com>;tag=1\nX: y'],
    ['To', 'To: <sip:gw@example.com>\r'],
    ['Call-ID', 'Call-ID: fuzz\n1@example.com'],
  ] as const) {
    test(`a bare CR or LF in ${name} is a 400 (RFC 3261 §7.3.1), never an exception`, () => {
      const data = request(replace(name, line));
      const d = classifyIncoming(data, 'udp');
      assert.equal(respondedStatus(d), 400);
      const text = responseText(d);
      assert.match(text, /Warning: 399 svpn "Bare CR or LF in the header section"/);
      // Nothing but CRLF line ends go back on the wire.
      assert.equal(text.replace(/\r\n/g, '').search(/[\r\n]/), -1);
      const back = parseMessage(Buffer.from(text, 'latin1'), { datagram: true });
      assert.ok(back.ok && back.message.kind === 'response' && back.message.status === 400);
    });
  }

  test('a bare LF in a lower Via is blanked in the 400, and the top Via is copied as is', () => {
    const data = request([
      ...BASE.slice(0, 2),
      'Via: SIP/2.0/UDP 192.0.2.9\n;branch=z9hG4bKlow',
      ...BASE.slice(2),
    ]);
    const text = responseText(classifyIncoming(data, 'udp'));
    assert.match(text, /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bKfuzz1\r\n/);
    assert.match(text, /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.9 ;branch=z9hG4bKlow\r\n/);
  });

  test('a bare LF in the top Via leaves no usable Via: the request is dropped', () => {
    const data = request(replace('Via', 'Via: SIP/2.0/UDP 192.0.2.1\n;branch=z9hG4bKx'));
    const d = classifyIncoming(data, 'udp');
    assert.equal(d.action, 'drop');
  });

  test('the same request over a stream is framed, then answered the same way', () => {
    const data = request(replace('From', 'From: <sip:a@example.com>;tag=1\nX: y'));
    const out = new StreamFramer().push(data);
    assert.equal(out.length, 1);
    const frame = out[0];
    assert.ok(frame !== undefined && frame.type === 'message');
    assert.equal(respondedStatus(classifyIncoming(frame.data, 'tcp')), 400);
  });

  test('CRLF line ends and CR / LF inside the body are untouched', () => {
    const d = classifyIncoming(request(BASE, 'a\rb\nc'), 'udp');
    assert.equal(d.action, 'respond'); // a body without Content-Type: 400, but it parsed
    assert.match(d.action === 'respond' ? d.reason : '', /Content-Type/);
  });
});

describe('fuzz regressions: the Warning of a refusal is a valid quoted-string', () => {
  // Found as: well-formed-rejection — "Bad header name 'M\0…'" echoed a NUL / DEL from the request
  // into warn-text, which RFC 3261 §25.1 does not allow (qdtext excludes CTLs).
  test('control characters echoed from the request become ?, quotes and backslashes are escaped', () => {
    const data = request([...BASE, 'M\x00x\x7f"\\: 1']);
    const text = responseText(classifyIncoming(data, 'udp'));
    const warning = /\r\nWarning: (.*)\r\n/.exec(text)?.[1];
    assert.equal(warning, `399 svpn "Bad header name 'M?x?\\"\\\\'"`);
  });
});

describe('fuzz regressions: a refusal does not outgrow the request', () => {
  // Found by the UDP soak (seed 4475, datagram 222): a 60 KB request with a long bad token got a
  // 105 KB 400 — the Warning quoted the whole value the response also copied — which no datagram
  // can carry (MessageTooLargeError, and an unhandled rejection in SipStack).
  test('the Warning quotes at most MAX_WARNING_TEXT characters of the offending value', () => {
    const data = request(replace('Call-ID', `Call-ID: ${'x'.repeat(60_000)} y@example.com`));
    const d = classifyIncoming(data, 'udp');
    assert.equal(respondedStatus(d), 400);
    const response = d.action === 'respond' ? d.response : Buffer.alloc(0);
    assert.ok(response.length < data.length + 512, `${response.length} bytes for ${data.length}`);
    const warning = /\r\nWarning: (.*)\r\n/.exec(response.toString('utf8'))?.[1] ?? '';
    assert.match(warning, /^399 svpn "Call-ID: 'x+…"$/);
    assert.equal(warning.length, '399 svpn ""'.length + MAX_WARNING_TEXT);
  });

  // Found by the UDP soak as a process crash: 3 700 compact `v:` lines (63 KB) without From got a
  // 400 of 74 KB — every Via in its long form — which UdpTransport refuses to send; SipStack sent
  // it with `void sendRaw(…)`, so the MessageTooLargeError became an unhandled rejection.
  test('over UDP a refusal that cannot fit in a datagram is dropped; over TCP it is sent', () => {
    const vias = new Array<string>(3700).fill('v:SIP/2.0/UDP h');
    const data = request([
      'OPTIONS sip:a@example.com SIP/2.0',
      ...vias,
      'To: <sip:a@b>',
      'i: x@y',
      'CSeq: 1 OPTIONS',
    ]);
    assert.ok(data.length < MAX_UDP_PAYLOAD_IPV6);
    const udp = classifyIncoming(data, 'udp');
    assert.equal(udp.action, 'drop');
    assert.match(
      udp.action === 'drop' ? udp.reason : '',
      /^refusal of 7\d{4} bytes does not fit in a datagram: Missing mandatory header field: From$/,
    );
    const tcp = classifyIncoming(data, 'tcp');
    assert.equal(respondedStatus(tcp), 400);
    assert.ok(tcp.action === 'respond' && tcp.response.length > MAX_UDP_PAYLOAD_IPV6);
  });

  test('the cut never splits an escape: a long text of quotes stays a valid quoted-string', () => {
    const warning = formatWarning('"'.repeat(1000));
    assert.match(warning, /^399 svpn "(\\")+…"$/);
  });
});

describe('fuzz regressions: a bad quoted-string in a header parameter', () => {
  // Found as: classifyIncoming threw SipSyntaxError "parameter: bad quoted-pair" (case 386:
  // `From: <sip:a@b>;x="\\…\` ending in a lone backslash).
  test('the error is a SipHeaderError naming the header, so validation answers 400', () => {
    const data = request(replace('From', 'From: <sip:a@example.com>;tag=1;x="\\\\\\'));
    const parsed = parseMessage(data, { datagram: true });
    assert.ok(parsed.ok && parsed.message.kind === 'request');
    const message = parsed.ok ? parsed.message : undefined;
    assert.throws(
      () => message?.from,
      (e: unknown) => e instanceof SipHeaderError && /^From: bad quoted-pair at offset \d+$/.test(e.message),
    );
    const d = classifyIncoming(data, 'udp');
    assert.equal(respondedStatus(d), 400);
    assert.match(d.action === 'respond' ? d.reason : '', /^From: bad quoted-pair/);
  });

  test('an unterminated quoted Via parameter is a SipHeaderError too', () => {
    const data = request(replace('Via', `${VIA};x="open`));
    const d = classifyIncoming(data, 'udp');
    assert.equal(respondedStatus(d), 400);
    assert.match(d.action === 'respond' ? d.reason : '', /^Via: unterminated quoted string/);
  });
});

describe('fuzz regressions: stream messages the framer refuses are answered (classifyUnframeable)', () => {
  // Found as: over TCP, `Content-Length: abc` (and a missing, conflicting or oversized one) got no
  // answer although the request had a usable Via; the same octets over UDP got 400.
  function frameError(data: Buffer): { code: Parameters<typeof classifyUnframeable>[1]; data: Buffer } {
    const out = new StreamFramer({ maxHeaderBytes: 2048, maxBodyBytes: 4096 }).push(data);
    const error = out.find((o) => o.type === 'error');
    assert.ok(error !== undefined && error.type === 'error', 'the framer refuses the message');
    return { code: error.code, data: error.data };
  }

  for (const [what, lines, code, status] of [
    ['an invalid Content-Length', [...BASE, 'Content-Length: abc'], 'invalid-content-length', 400],
    [
      'conflicting Content-Lengths',
      [...BASE, 'Content-Length: 5', 'l: 6'],
      'conflicting-content-length',
      400,
    ],
    ['a body larger than accepted', [...BASE, 'Content-Length: 99999'], 'body-too-large', 513],
  ] as const) {
    test(`${what}: ${status}, built from the fields that parse`, () => {
      const data = Buffer.from([...lines, '', ''].join('\r\n'), 'latin1');
      const e = frameError(data);
      assert.equal(e.code, code);
      const d = classifyUnframeable(e.data, e.code);
      assert.equal(respondedStatus(d), status);
      const text = responseText(d);
      assert.match(text, new RegExp(`^SIP/2\\.0 ${status} `));
      assert.match(text, /\r\nVia: SIP\/2\.0\/UDP 192\.0\.2\.1:5060;branch=z9hG4bKfuzz1\r\n/);
      assert.match(text, /\r\nTo: <sip:gw@example\.com>;tag=\S+\r\n/);
      assert.match(text, /Warning: 399 svpn "message framing error: /);
    });
  }

  test('a missing Content-Length: 400 (RFC 3261 §18.3)', () => {
    const data = Buffer.from([...BASE, '', ''].join('\r\n'), 'latin1');
    const e = frameError(data);
    assert.equal(e.code, 'missing-content-length');
    assert.equal(respondedStatus(classifyUnframeable(e.data, e.code)), 400);
  });

  test('a header section larger than accepted: 513 (RFC 3261 §21.4.11)', () => {
    const data = Buffer.from([...BASE, `Subject: ${'x'.repeat(4000)}`, ''].join('\r\n'), 'latin1');
    const e = frameError(data);
    assert.equal(e.code, 'header-too-large');
    assert.equal(respondedStatus(classifyUnframeable(e.data, e.code)), 513);
  });

  test('an ACK, a response and a request without a Via are dropped', () => {
    const ack = [...BASE.map((l) => l.replace(/OPTIONS/g, 'ACK')), 'Content-Length: x', '', ''];
    const response = ['SIP/2.0 200 OK', ...BASE.slice(1), 'Content-Length: x', '', ''];
    const noVia = [BASE[0] as string, ...BASE.slice(2), 'Content-Length: x', '', ''];
    for (const lines of [ack, response, noVia]) {
      const e = frameError(Buffer.from(lines.join('\r\n'), 'latin1'));
      assert.equal(classifyUnframeable(e.data, e.code).action, 'drop');
    }
  });
});

describe('fuzz regressions: work that grew faster than the input', () => {
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };

  // Found as: a case-time failure (URI with thousands of parameters, many-params operator):
  // uriEquals looked every parameter up by a linear scan, O(n²) in a count the sender controls.
  test('uriEquals on URIs with 50 000 parameters stays linear (well under 2 s of CPU)', () => {
    const text = 'sip:a@example.com' + Array.from({ length: 50_000 }, (_, i) => `;p${i}=v${i}`).join('');
    const a = parseUri(text);
    const b = parseUri(text);
    const t0 = cpuMs();
    assert.equal(uriEquals(a, b), true);
    assert.equal(uriEquals(a, parseUri(text.replace(';p49999=v49999', ';p49999=other'))), false);
    assert.ok(cpuMs() - t0 < 2000, `took ${cpuMs() - t0} ms`);
  });

  // Found as: round-trip (seed 4475, case 60295) — `sip:…;p0;…;p0=v0` was not equal to itself: each
  // occurrence was compared with the other URI's first one.
  test('a URI with a repeated parameter name equals itself', () => {
    for (const text of ['sip:a@h;p0;p1;p0=v0', 'sip:a@h;p=1;p', 'sip:a@h;lr;LR=1']) {
      assert.equal(uriEquals(parseUri(text), parseUri(text)), true, text);
    }
  });

  test('uriEquals keeps RFC 3261 §19.1.4 semantics for repeated and value-less parameters', () => {
    const eq = (x: string, y: string): boolean => uriEquals(parseUri(x), parseUri(y));
    assert.equal(eq('sip:a@h;lr', 'sip:a@h;lr'), true);
    assert.equal(eq('sip:a@h;lr', 'sip:a@h;lr=1'), false);
    assert.equal(eq('sip:a@h;x=1', 'sip:a@h;X=1'), true);
    assert.equal(eq('sip:a@h;x=1', 'sip:a@h;y=2'), true);
    assert.equal(eq('sip:a@h;x=1;x=2', 'sip:a@h;x=1'), true);
    assert.equal(eq('sip:a@h;%78=1', 'sip:a@h;x=2'), false);
    assert.equal(eq('sip:a@h;transport=tcp', 'sip:a@h'), false);
    assert.equal(eq('tel:+1-555;a=1;b', 'tel:+1555;b;a=1'), true);
    assert.equal(eq('tel:+1555;a=1', 'tel:+1555;a=2'), false);
  });

  // Found by a scaling probe over the shapes the fuzzer builds: the colon search of a header line
  // ran on to later lines, so a header section of colon-less lines was quadratic (10x slower at
  // 60 000 lines than after the fix). memchr keeps even the quadratic search fast at sizes a
  // transport lets through, so this is a bound that catches a worse regression, not a sharp one.
  test('a header section of 60 000 colon-less lines is one pass', () => {
    const data = request([...BASE, ...new Array<string>(60_000).fill('x')]);
    const t0 = cpuMs();
    const d = classifyIncoming(data, 'udp');
    assert.equal(respondedStatus(d), 400);
    assert.ok(cpuMs() - t0 < 500, `took ${cpuMs() - t0} ms`);
  });
});
