import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SipParseError, SipRequest, SipResponse, parseMessage, parseMessageOrThrow } from '@svpn/sip';

const CRLF = '\r\n';
function msg(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join(CRLF) + CRLF + CRLF + body, 'utf8');
}
const BASE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
];

describe('parseMessage: start lines (RFC 3261 §7.1, §7.2)', () => {
  test('request line', () => {
    const m = parseMessageOrThrow(msg([...BASE, 'Content-Length: 0']));
    assert.ok(m instanceof SipRequest);
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uri.toString(), 'sip:bob@biloxi.example.com');
    assert.equal(m.version, 'SIP/2.0');
  });
  test('status line, reason with spaces and UTF-8, empty reason', () => {
    const r = parseMessageOrThrow(msg(['SIP/2.0 486 Busy Here – très occupé', 'Content-Length: 0']));
    assert.ok(r instanceof SipResponse);
    assert.equal(r.status, 486);
    assert.equal(r.reason, 'Busy Here – très occupé');
    const e = parseMessageOrThrow(msg(['SIP/2.0 100 ', 'Content-Length: 0']));
    assert.ok(e instanceof SipResponse);
    assert.equal(e.reason, '');
  });
  const bad: [string, string, boolean | undefined][] = [
    ['INVITE  sip:bob@biloxi.example.com SIP/2.0', 'SIP_PARSE_START_LINE', true],
    ['INVITE sip:bob@biloxi.example.com SIP/2.0 ', 'SIP_PARSE_START_LINE', true],
    ['INVITE sip:bob@biloxi.example.com', 'SIP_PARSE_START_LINE', true],
    ['INVITE <sip:bob@biloxi.example.com> SIP/2.0', 'SIP_PARSE_REQUEST_URI', true],
    ['INVITE sip:bob@biloxi.example.com HTTP/1.1', 'SIP_PARSE_START_LINE', true],
    ['SIP/2.0 4294967301 better not break the receiver', 'SIP_PARSE_STATUS_CODE', false],
    ['SIP/2.0 099 Too Low', 'SIP_PARSE_STATUS_CODE', false],
    ['SIP/2.0 20 OK', 'SIP_PARSE_STATUS_CODE', false],
    ['SIP/2.0', 'SIP_PARSE_START_LINE', false],
    ['I\u0000NVITE sip:bob@biloxi.example.com SIP/2.0', 'SIP_PARSE_START_LINE', undefined],
  ];
  for (const [line, code, isRequest] of bad) {
    test(`${JSON.stringify(line)} → ${code}`, () => {
      const r = parseMessage(msg([line, ...BASE.slice(1), 'Content-Length: 0']), { datagram: true });
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error instanceof SipParseError);
      assert.equal(!r.ok && r.error.code, code);
      assert.equal(!r.ok && r.error.isRequest, isRequest);
      assert.ok(!r.ok && r.error.reason.length > 0);
    });
  }
  test('a broken request keeps the header fields that could be read', () => {
    const r = parseMessage(msg(['INVITE <sip:x@y.example> SIP/2.0', ...BASE.slice(1), 'Content-Length: 0']));
    assert.ok(!r.ok);
    assert.equal(r.error.partial?.get('Call-ID'), 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.equal(r.error.partial?.count('Via'), 1);
    assert.equal(r.error.method, 'INVITE');
  });
});

describe('parseMessage: header section', () => {
  test('folding (LWS) becomes a single SP; empty values; HCOLON whitespace (RFC 3261 §7.3.1)', () => {
    const m = parseMessageOrThrow(
      Buffer.from(
        [
          'OPTIONS sip:a@b.example SIP/2.0',
          'Via  : SIP/2.0/UDP h.example.com',
          ' ;branch=z9hG4bKx',
          'Subject:',
          'Contact:',
          '  <sip:c@d.example>',
          'X-Long: first part   ',
          '\t  second part',
          'l: 0',
          '',
          '',
        ].join(CRLF),
      ),
    );
    assert.equal(m.headers.get('Via'), 'SIP/2.0/UDP h.example.com ;branch=z9hG4bKx');
    assert.equal(m.topVia?.branch, 'z9hG4bKx');
    assert.equal(m.headers.get('Subject'), '');
    assert.equal(m.headers.get('Contact'), '<sip:c@d.example>');
    assert.equal(m.headers.get('X-Long'), 'first part second part');
  });
  const badLines: [string, string][] = [
    ['No colon here', 'Header line without a colon'],
    ['Bad Name: x', "Bad header name 'Bad Name'"],
    [': no name', "Bad header name ''"],
  ];
  for (const [line, reason] of badLines) {
    test(`rejects header line ${JSON.stringify(line)}`, () => {
      const r = parseMessage(msg([...BASE, line, 'Content-Length: 0']));
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'SIP_PARSE_HEADER_LINE');
      assert.ok(r.error.reason.startsWith(reason), r.error.reason);
      assert.equal(r.error.partial?.get('CSeq'), '314159 INVITE');
    });
  }
  test('a continuation line before any header is an error', () => {
    const r = parseMessage(Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\n folded\r\nl: 0\r\n\r\n'));
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'SIP_PARSE_HEADER_LINE');
  });
  test('leading CRLFs before the start line are skipped (RFC 3261 §7.5)', () => {
    const m = parseMessageOrThrow(
      Buffer.concat([Buffer.from('\r\n\r\n'), msg([...BASE, 'Content-Length: 0'])]),
    );
    assert.equal(m.kind, 'request');
  });
  test('missing blank line after the headers', () => {
    const r = parseMessage(Buffer.from([...BASE, 'Content-Length: 0', ''].join(CRLF)), { datagram: true });
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'SIP_PARSE_NO_HEADER_END');
    assert.equal(r.error.partial?.get('CSeq'), '314159 INVITE');
  });
  test('empty input', () => {
    for (const data of ['', '\r\n', '\r\n\r\n']) {
      const r = parseMessage(Buffer.from(data));
      assert.ok(!r.ok);
      assert.equal(r.error.code, 'SIP_PARSE_EMPTY');
    }
  });
});

describe('parseMessage: framing (RFC 3261 §18.3)', () => {
  const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
  test('Content-Length frames the body; octets beyond it are counted in trailing', () => {
    const data = msg([...BASE, `Content-Length: ${Buffer.byteLength(body)}`], body + 'garbage');
    const r = parseMessage(data, { datagram: true });
    assert.ok(r.ok);
    assert.equal(r.message.body.toString(), body);
    assert.equal(r.trailing, 7);
  });
  test('no trailing property when the datagram ends with the body', () => {
    const r = parseMessage(msg([...BASE, `Content-Length: ${Buffer.byteLength(body)}`], body), {
      datagram: true,
    });
    assert.ok(r.ok);
    assert.equal('trailing' in r, false);
  });
  test('UDP without Content-Length: the body is the rest of the datagram', () => {
    const r = parseMessage(msg(BASE, body), { datagram: true });
    assert.ok(r.ok);
    assert.equal(r.message.body.toString(), body);
  });
  test('stream without Content-Length: empty body, the rest is trailing', () => {
    const r = parseMessage(msg(BASE, body));
    assert.ok(r.ok);
    assert.equal(r.message.body.length, 0);
    assert.equal(r.trailing, Buffer.byteLength(body));
  });
  const bad: [string[], string][] = [
    [['Content-Length: 9999'], 'Content-Length larger than the datagram'],
    [['Content-Length: -999'], "Bad Content-Length '-999'"],
    [['Content-Length: five'], "Bad Content-Length 'five'"],
    [['Content-Length: 13', 'Content-Length: 5'], 'Conflicting Content-Length values'],
    [['l: 3', 'Content-Length: 4'], 'Conflicting Content-Length values'],
  ];
  for (const [lines, reason] of bad) {
    test(`${lines.join(' / ')} → 400 material`, () => {
      const r = parseMessage(msg([...BASE, ...lines], body), { datagram: true });
      assert.ok(!r.ok);
      assert.equal(r.error.reason, reason);
      assert.equal(r.error.isRequest, true);
      assert.ok(r.error.partial?.has('Via'));
    });
  }
  test('identical duplicate Content-Length values are accepted', () => {
    const r = parseMessage(msg([...BASE, 'Content-Length: 4', 'l: 4'], 'abcd'), { datagram: true });
    assert.ok(r.ok);
    assert.equal(r.message.body.toString(), 'abcd');
  });
  test('the body is framed by octets, not characters, and may hold NUL and bare CR/LF', () => {
    const binary = Buffer.from([0x00, 0x0d, 0x41, 0x0a, 0xff, 0xfe, 0x0d, 0x0a]);
    const data = Buffer.concat([
      msg([...BASE, 'Content-Type: application/octet-stream', `Content-Length: ${binary.length}`]),
      binary,
    ]);
    const r = parseMessage(data, { datagram: true });
    assert.ok(r.ok);
    assert.ok(r.message.body.equals(binary));
  });
  test('never throws, whatever the input (property)', () => {
    const fragments = fc.constantFrom(
      'INVITE sip:a@b.example SIP/2.0',
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP h;branch=z9hG4bKx',
      'Content-Length: 3',
      'l: -1',
      ' folded',
      ':',
      '',
      'From: "unterminated <sip:x@y>',
      '\u0000\u00ff',
    );
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 12 }), fc.uint8Array({ maxLength: 40 }), (lines, tail) => {
        const data = Buffer.concat([Buffer.from(lines.join('\r\n')), Buffer.from(tail)]);
        for (const datagram of [true, false]) {
          const r = parseMessage(data, { datagram });
          if (r.ok) {
            // every lazily parsed accessor either works or throws a typed error
            for (const read of [
              () => r.message.via,
              () => r.message.from,
              () => r.message.cseq,
              () => r.message.contact,
            ]) {
              try {
                read();
              } catch (e) {
                assert.equal((e as Error).name, 'SipHeaderError');
              }
            }
          } else assert.ok(r.error instanceof SipParseError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
