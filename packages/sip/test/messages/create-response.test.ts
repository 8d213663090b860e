import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  SipRequest,
  createErrorResponseFromPartial,
  createResponse,
  formatWarning,
  generateBranch,
  generateCallId,
  generateTag,
  isRfc3261Branch,
  parseMessage,
  parseMessageOrThrow,
  reasonPhrase,
} from '@svpn/sip';

const REQUEST = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2, SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Timestamp: 54.3 0.5',
  'Max-Forwards: 70',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

function request(): SipRequest {
  const m = parseMessageOrThrow(REQUEST);
  assert.ok(m instanceof SipRequest);
  return m;
}

describe('createResponse (RFC 3261 §8.2.6)', () => {
  test('copies every Via in order, From, To, Call-ID, CSeq; adds the To tag', () => {
    const r = createResponse(request(), 486, { toTag: 'a6c85cf' });
    assert.equal(r.status, 486);
    assert.equal(r.reason, 'Busy Here');
    assert.deepEqual(r.headers.getAll('Via'), [
      'SIP/2.0/UDP p2.example.com;branch=z9hG4bKp2',
      'SIP/2.0/UDP p1.example.com;branch=z9hG4bKp1',
      'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
    ]);
    assert.equal(r.headers.get('From'), 'Alice <sip:alice@atlanta.example.com>;tag=1928301774');
    assert.equal(r.headers.get('To'), 'Bob <sip:bob@biloxi.example.com>;tag=a6c85cf');
    assert.equal(r.to.tag, 'a6c85cf');
    assert.equal(r.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.deepEqual(r.cseq, { seq: 314159, method: 'INVITE' });
    assert.equal(r.headers.has('Timestamp'), false, 'Timestamp only goes into a 100');
    assert.equal(r.headers.has('Contact'), false);
    assert.equal(r.headers.has('Max-Forwards'), false);
  });
  test('100 Trying: no To tag, Timestamp copied (§8.2.6.1)', () => {
    const r = createResponse(request(), 100, { toTag: 'ignored' });
    assert.equal(r.to.tag, undefined);
    assert.equal(r.headers.get('Timestamp'), '54.3 0.5');
  });
  test('an existing To tag is kept', () => {
    const req = request();
    req.headers.set('To', 'Bob <sip:bob@biloxi.example.com>;tag=existing');
    assert.equal(createResponse(req, 200, { toTag: 'new' }).to.tag, 'existing');
  });
  test('extra headers, body and content type; serialized response parses back', () => {
    const body = Buffer.from('v=0\r\n');
    const r = createResponse(request(), 200, {
      reason: 'Fine',
      toTag: 't',
      headers: { Contact: '<sip:bob@192.0.2.4>', Allow: ['INVITE', 'ACK'] },
      body,
      contentType: 'application/sdp',
    });
    const back = parseMessageOrThrow(r.toBuffer(), { datagram: true });
    assert.equal(back.kind, 'response');
    assert.equal(back.kind === 'response' && back.reason, 'Fine');
    assert.deepEqual(back.allow, ['INVITE', 'ACK']);
    assert.equal(back.contentType?.subtype, 'sdp');
    assert.ok(back.body.equals(body));
    assert.equal(back.headers.get('Content-Length'), '5');
  });
});

describe('createErrorResponseFromPartial', () => {
  test('builds a 400 with Warning from the fields that were read', () => {
    const broken = REQUEST.replace('Content-Length: 0', 'Content-Length: -1');
    const r = parseMessage(Buffer.from(broken), { datagram: true });
    assert.ok(!r.ok);
    const wire = createErrorResponseFromPartial(r.error, 400, r.error.reason);
    assert.ok(wire);
    const resp = parseMessageOrThrow(wire);
    assert.equal(resp.kind === 'response' && resp.status, 400);
    assert.equal(resp.via.length, 3);
    assert.equal(resp.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.ok(resp.to.tag !== undefined);
    assert.equal(resp.headers.get('Warning'), `399 svpn "Bad Content-Length '-1'"`);
  });
  test('nothing for a response, or without a usable Via', () => {
    const resp = parseMessage(
      Buffer.from('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nl: -1\r\n\r\n'),
    );
    assert.ok(!resp.ok);
    assert.equal(createErrorResponseFromPartial(resp.error, 400, 'x'), undefined);
    const noVia = parseMessage(Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\nl: -1\r\n\r\n'));
    assert.ok(!noVia.ok);
    assert.equal(createErrorResponseFromPartial(noVia.error, 400, 'x'), undefined);
    const badVia = parseMessage(
      Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\nVia: garbage\r\nl: -1\r\n\r\n'),
    );
    assert.ok(!badVia.ok);
    assert.equal(createErrorResponseFromPartial(badVia.error, 400, 'x'), undefined);
  });
  test('formatWarning quotes and escapes; a ready warning-value is kept', () => {
    assert.equal(formatWarning('Bad "To"\r\nheader'), '399 svpn "Bad \\"To\\" header"');
    assert.equal(formatWarning('x', 'gw.example.com'), '399 gw.example.com "x"');
    assert.equal(formatWarning('370 gw "Insufficient bandwidth"'), '370 gw "Insufficient bandwidth"');
  });
});

describe('identifiers and reason phrases', () => {
  test('branches carry the magic cookie and are unique (RFC 3261 §8.1.1.7)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const b = generateBranch();
      assert.ok(isRfc3261Branch(b));
      assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{16}$/);
      seen.add(b);
    }
    assert.equal(seen.size, 500);
  });
  test('tags and Call-IDs are tokens / words and unique', () => {
    const tags = new Set(Array.from({ length: 200 }, generateTag));
    assert.equal(tags.size, 200);
    for (const t of tags) assert.match(t, /^[A-Za-z0-9_-]{16}$/);
    assert.match(generateCallId('gw.example.com'), /^[A-Za-z0-9_-]{24}@gw\.example\.com$/);
    assert.match(generateCallId(), /^[A-Za-z0-9_-]{24}$/);
  });
  test('reason phrases, with class fallbacks', () => {
    assert.equal(reasonPhrase(200), 'OK');
    assert.equal(reasonPhrase(420), 'Bad Extension');
    assert.equal(reasonPhrase(505), 'Version Not Supported');
    assert.equal(reasonPhrase(580), 'Precondition Failure');
    assert.equal(reasonPhrase(499), 'Client Error');
    assert.equal(reasonPhrase(699), 'Global Failure');
  });
});
