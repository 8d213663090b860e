import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { frameStream } from '@svpn/sip';

const one =
  'OPTIONS sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/TCP h.example.com;branch=z9hG4bKx\r\nl: 5\r\n\r\nhello';

describe('frameStream (RFC 3261 §18.3, RFC 5626 §3.5.1)', () => {
  test('one complete message', () => {
    assert.deepEqual(frameStream(Buffer.from(one)), { kind: 'message', length: Buffer.byteLength(one) });
  });
  test('two messages back to back: the first is framed alone', () => {
    assert.deepEqual(frameStream(Buffer.from(one + one)), {
      kind: 'message',
      length: Buffer.byteLength(one),
    });
  });
  test('incomplete header or body', () => {
    for (let cut = 1; cut < one.length; cut += 7) {
      assert.deepEqual(frameStream(Buffer.from(one.slice(0, cut))), { kind: 'incomplete' }, `cut at ${cut}`);
    }
  });
  test('CRLF keep-alives are reported for skipping', () => {
    assert.deepEqual(frameStream(Buffer.from('\r\n\r\n' + one)), { kind: 'keepalive', length: 4 });
    assert.deepEqual(frameStream(Buffer.from('\r\n')), { kind: 'keepalive', length: 2 });
    assert.deepEqual(frameStream(Buffer.from('\r')), { kind: 'incomplete' });
    assert.deepEqual(frameStream(Buffer.alloc(0)), { kind: 'incomplete' });
  });
  test('no Content-Length on a stream means an empty body', () => {
    const m = 'BYE sip:a@b.example SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKy\r\n\r\n';
    assert.deepEqual(frameStream(Buffer.from(m + 'NEXT')), { kind: 'message', length: Buffer.byteLength(m) });
  });
  test('compact, folded and case-varied Content-Length names', () => {
    for (const h of ['L: 5', 'content-LENGTH:5', 'Content-Length :\r\n 5']) {
      const m = `OPTIONS sip:a@b.example SIP/2.0\r\n${h}\r\n\r\nhello`;
      assert.deepEqual(
        frameStream(Buffer.from(m + 'x')),
        { kind: 'message', length: Buffer.byteLength(m) },
        h,
      );
    }
  });
  test('unrecoverable framing errors', () => {
    const err = (h: string): string => {
      const r = frameStream(Buffer.from(`OPTIONS sip:a@b.example SIP/2.0\r\n${h}\r\n\r\nhello`));
      assert.equal(r.kind, 'error');
      return r.kind === 'error' ? r.reason : '';
    };
    assert.match(err('Content-Length: -999'), /bad Content-Length/);
    assert.match(err('Content-Length: five'), /bad Content-Length/);
    assert.match(err('Content-Length: 13\r\nl: 5'), /conflicting/);
  });
  test('size limits', () => {
    const big = Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\nX: ' + 'a'.repeat(200));
    assert.equal(frameStream(big, { maxHeaderSize: 100 }).kind, 'error');
    assert.equal(frameStream(big, { maxHeaderSize: 1000 }).kind, 'incomplete');
    const body = Buffer.from('OPTIONS sip:a@b.example SIP/2.0\r\nl: 2000000\r\n\r\n');
    assert.deepEqual(frameStream(body), { kind: 'error', reason: 'body larger than 1048576 octets' });
    assert.equal(frameStream(body, { maxBodySize: 3_000_000 }).kind, 'incomplete');
  });
});
