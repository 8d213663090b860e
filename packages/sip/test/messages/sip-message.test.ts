import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  SipHeaderError,
  SipRequest,
  SipResponse,
  parseMessage,
  parseMessageOrThrow,
  uriEquals,
} from '@svpn/sip';

const FIXTURES = new URL('../fixtures/rfc4475/', import.meta.url);

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;rport, SIP/2.0/TCP p1.example.com;branch=z9hG4bKp1',
  'Via: SIP/2.0/UDP p2.example.com:5070;received=192.0.2.9;branch=z9hG4bKp2',
  'Max-Forwards: 70',
  't: Bob <sip:bob@biloxi.example.com>',
  'f: "Alice A." <sip:alice@atlanta.example.com>;tag=1928301774',
  'i: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'm: <sip:alice@pc33.atlanta.example.com>;expires=60;q=0.5, <sip:alice@192.0.2.4>',
  'Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>',
  'Route: <sip:p3.example.com;lr>',
  'Require: precondition',
  'k: timer, 100rel',
  'Proxy-Require: sec-agree',
  'Allow: INVITE, ACK, BYE',
  'Expires: 120',
  'c: application/sdp',
  'l: 4',
  '',
  'v=0\n',
].join('\r\n');

describe('SipMessage typed accessors', () => {
  test('every accessor reads its header (compact forms included)', () => {
    const m = parseMessageOrThrow(INVITE);
    assert.ok(m instanceof SipRequest);
    assert.equal(m.via.length, 3);
    assert.deepEqual(
      m.via.map((v) => [v.transport, v.host, v.port, v.branch]),
      [
        ['UDP', 'pc33.atlanta.example.com', undefined, 'z9hG4bK776asdhds'],
        ['TCP', 'p1.example.com', undefined, 'z9hG4bKp1'],
        ['UDP', 'p2.example.com', 5070, 'z9hG4bKp2'],
      ],
    );
    assert.equal(m.topVia?.rport, true);
    assert.equal(m.from.displayName, 'Alice A.');
    assert.equal(m.from.tag, '1928301774');
    assert.equal(m.to.tag, undefined);
    assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
    assert.deepEqual(
      m.contact.map((c) => [c.uri.toString(), c.expires, c.q]),
      [
        ['sip:alice@pc33.atlanta.example.com', 60, 0.5],
        ['sip:alice@192.0.2.4', undefined, undefined],
      ],
    );
    assert.equal(m.maxForwards, 70);
    assert.equal(m.contentType?.subtype, 'sdp');
    assert.equal(m.contentLength, 4);
    assert.deepEqual(
      m.recordRoutes.map((r) => r.uri.toString()),
      ['sip:p2.example.com;lr', 'sip:p1.example.com;lr'],
    );
    assert.deepEqual(
      m.routes.map((r) => r.uri.toString()),
      ['sip:p3.example.com;lr'],
    );
    assert.deepEqual(m.require, ['precondition']);
    assert.deepEqual(m.supported, ['timer', '100rel']);
    assert.deepEqual(m.proxyRequire, ['sec-agree']);
    assert.deepEqual(m.allow, ['INVITE', 'ACK', 'BYE']);
    assert.equal(m.expires, 120);
  });

  test('absent optional headers read as undefined or empty; absent mandatory ones throw', () => {
    const m = new SipRequest({ method: 'OPTIONS', uri: 'sip:a@b.example' });
    assert.equal(m.maxForwards, undefined);
    assert.equal(m.contentType, undefined);
    assert.equal(m.expires, undefined);
    assert.deepEqual(m.via, []);
    assert.equal(m.topVia, undefined);
    assert.deepEqual(m.contact, []);
    for (const read of [() => m.from, () => m.to, () => m.callId, () => m.cseq]) {
      assert.throws(read, (e: unknown) => e instanceof SipHeaderError && e.code === 'SIP_HEADER_MISSING');
    }
  });

  test('a malformed header throws SipHeaderError naming it, every time it is read', () => {
    const m = new SipRequest({
      method: 'OPTIONS',
      uri: 'sip:a@b.example',
      headers: { To: '"unterminated <sip:x@y.example>', CSeq: '99999999999 OPTIONS', 'Call-ID': 'has space' },
    });
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => m.to,
        (e: unknown) => e instanceof SipHeaderError && e.header === 'To',
      );
      assert.throws(
        () => m.cseq,
        (e: unknown) => e instanceof SipHeaderError && e.header === 'CSeq',
      );
      assert.throws(
        () => m.callId,
        (e: unknown) => e instanceof SipHeaderError && e.header === 'Call-ID',
      );
    }
  });

  test('accessors are cached and reflect later header edits', () => {
    const m = parseMessageOrThrow(INVITE);
    const first = m.from;
    assert.equal(m.from, first, 'same object while headers are unchanged');
    m.headers.set('From', '<sip:carol@chicago.example.com>;tag=99');
    assert.notEqual(m.from, first);
    assert.equal(m.from.tag, '99');
    m.headers.prepend('Via', 'SIP/2.0/TCP new.example.com;branch=z9hG4bKnew');
    assert.equal(m.via.length, 4);
    assert.equal(m.topVia?.host, 'new.example.com');
    m.headers = m.headers.clone();
    m.headers.delete('Via');
    assert.equal(m.via.length, 0);
  });
});

describe('serialization', () => {
  test('canonical full names, CRLF, Content-Length recomputed from the body', () => {
    const m = parseMessageOrThrow(INVITE);
    m.body = Buffer.from('v=0\r\ns=-\r\n');
    const text = m.toString();
    assert.ok(text.startsWith('INVITE sip:bob@biloxi.example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33'));
    assert.match(text, /\r\nTo: Bob <sip:bob@biloxi.example.com>\r\n/);
    assert.match(text, /\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n/);
    assert.match(text, /\r\nContent-Type: application\/sdp\r\n/);
    assert.match(text, /\r\nContent-Length: 10\r\n\r\nv=0\r\ns=-\r\n$/);
    assert.equal(text.match(/Content-Length/g)?.length, 1);
    assert.equal(text.match(/\r\n\r\n/g)?.length, 1);
  });

  test('a response built from scratch', () => {
    const r = new SipResponse({
      status: 180,
      headers: [['Via', 'SIP/2.0/UDP h.example.com;branch=z9hG4bKx']],
    });
    assert.equal(r.reason, 'Ringing');
    assert.equal(
      r.toString(),
      'SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bKx\r\nContent-Length: 0\r\n\r\n',
    );
  });

  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.dat'));
  test('round trip on every RFC 4475 message that parses: parse → toBuffer → parse gives equal values', () => {
    let checked = 0;
    for (const f of files) {
      const first = parseMessage(readFileSync(new URL(f, FIXTURES)), { datagram: true });
      if (!first.ok) continue;
      const a = first.message;
      const again = parseMessage(a.toBuffer(), { datagram: true });
      assert.ok(again.ok, `${f}: ${again.ok ? '' : again.error.reason}`);
      const b = again.message;
      assert.equal(b.startLine(), a.startLine(), f);
      assert.deepEqual(
        [...b.headers],
        [...a.headers]
          .filter(([n]) => n !== 'Content-Length')
          .concat([['Content-Length', String(a.body.length)]]),
        f,
      );
      assert.ok(b.body.equals(a.body), f);
      if (a.kind === 'request' && b.kind === 'request') assert.ok(uriEquals(a.uri, b.uri), f);
      const read = (m: typeof a): unknown => {
        try {
          return [
            m.via.map((v) => v.toString()),
            m.from.toString(),
            m.to.toString(),
            m.callId,
            m.cseq,
            m.contact.map(String),
          ];
        } catch (e) {
          return (e as Error).message;
        }
      };
      assert.deepEqual(read(b), read(a), f);
      checked++;
    }
    assert.ok(checked >= 35, `only ${checked} fixtures round-tripped`);
  });
});
