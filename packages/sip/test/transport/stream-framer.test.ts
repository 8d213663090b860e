import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StreamFramer, type StreamFramerOutput } from '../../src/transport/stream-framer.js';

const BODY =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=application 9 TCP svpn-data\r\n';

function invite(
  branch: string,
  body = BODY,
  lengthHeader = `Content-Length: ${Buffer.byteLength(body)}`,
): string {
  return (
    'INVITE sip:bob@example.com SIP/2.0\r\n' +
    `Via: SIP/2.0/TCP client.example.com:5060;branch=z9hG4bK${branch}\r\n` +
    'Max-Forwards: 70\r\n' +
    'From: <sip:alice@example.com>;tag=1\r\n' +
    'To: <sip:bob@example.com>\r\n' +
    `Call-ID: ${branch}@client\r\n` +
    'CSeq: 1 INVITE\r\n' +
    'Content-Type: application/sdp\r\n' +
    `${lengthHeader}\r\n` +
    '\r\n' +
    body
  );
}

function feed(framer: StreamFramer, chunks: readonly (string | Buffer)[]): StreamFramerOutput[] {
  return chunks.flatMap((chunk) =>
    framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk),
  );
}

function messages(outputs: readonly StreamFramerOutput[]): string[] {
  return outputs.flatMap((o) => (o.type === 'message' ? [o.data.toString('latin1')] : []));
}

function onlyError(outputs: readonly StreamFramerOutput[]): Extract<StreamFramerOutput, { type: 'error' }> {
  const errors = outputs.filter((o) => o.type === 'error');
  assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(outputs.map((o) => o.type))}`);
  const [error] = errors;
  assert.ok(error && error.type === 'error');
  return error;
}

describe('StreamFramer', () => {
  it('RFC 3261 §18.3 — frames one message delivered in one chunk', () => {
    const text = invite('a');
    const out = feed(new StreamFramer(), [text]);
    assert.deepEqual(messages(out), [text]);
  });

  it('frames a message split at every possible point into two chunks', () => {
    const text = invite('split');
    const bytes = Buffer.from(text, 'latin1');
    for (let cut = 1; cut < bytes.length; cut++) {
      const framer = new StreamFramer();
      const out = feed(framer, [bytes.subarray(0, cut), bytes.subarray(cut)]);
      assert.deepEqual(messages(out), [text], `split at ${cut}`);
      assert.equal(framer.bufferedBytes, 0);
    }
  });

  it('frames a message delivered one byte at a time, then one split at every pair of points', () => {
    const text = invite('bytes', 'x=1\r\n');
    const bytes = Buffer.from(text, 'latin1');
    const framer = new StreamFramer();
    const out: StreamFramerOutput[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const step = framer.push(bytes.subarray(i, i + 1));
      if (i < bytes.length - 1) assert.deepEqual(step, [], `nothing before the last byte (byte ${i})`);
      out.push(...step);
    }
    assert.deepEqual(messages(out), [text]);

    for (let a = 1; a < bytes.length; a += 7) {
      for (let b = a + 1; b < bytes.length; b += 5) {
        const chunks = [bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)];
        assert.deepEqual(messages(feed(new StreamFramer(), chunks)), [text], `splits ${a}/${b}`);
      }
    }
  });

  it('frames several pipelined messages in one chunk, and across chunk boundaries', () => {
    const texts = [invite('p1'), invite('p2', ''), invite('p3', 'hello')];
    const all = Buffer.from(texts.join(''), 'latin1');
    assert.deepEqual(messages(feed(new StreamFramer(), [all])), texts);
    for (let cut = 1; cut < all.length; cut += 13) {
      const out = feed(new StreamFramer(), [all.subarray(0, cut), all.subarray(cut)]);
      assert.deepEqual(messages(out), texts, `split at ${cut}`);
    }
  });

  it('accepts the compact form, any case and LWS or folding around the value', () => {
    const body = 'abc';
    const variants = [
      'l: 3',
      'L:3',
      'content-length   :   3  ',
      'CONTENT-LENGTH:\r\n 3',
      'Content-Length: 0003',
    ];
    for (const header of variants) {
      const text = invite('c', body, header);
      assert.deepEqual(messages(feed(new StreamFramer(), [text])), [text], header);
    }
  });

  it('accepts duplicate Content-Length header fields that agree', () => {
    const text = invite('dup', 'abc', 'Content-Length: 3\r\nl: 3');
    assert.deepEqual(messages(feed(new StreamFramer(), [text])), [text]);
  });

  it('does not mistake a header whose name merely contains "l" for Content-Length', () => {
    const text = invite('x', 'abc', 'Content-Length: 3\r\nAllow: INVITE\r\nLocation-Info: 5');
    assert.deepEqual(messages(feed(new StreamFramer(), [text])), [text]);
  });

  it('takes the body bytes verbatim, even when they contain a blank line', () => {
    const body = 'line1\r\n\r\nINVITE sip:x SIP/2.0\r\n\r\n';
    const text = invite('body', body);
    const next = invite('next');
    assert.deepEqual(messages(feed(new StreamFramer(), [text + next])), [text, next]);
  });

  it('RFC 3261 §7.5 — ignores CRLFs before the start line', () => {
    const text = invite('lead');
    const out = feed(new StreamFramer(), ['\r\n' + text + '\r\n' + text]);
    assert.deepEqual(messages(out), [text, text]);
    assert.equal(out.filter((o) => o.type === 'ping').length, 0);
  });

  it('RFC 5626 §3.5.1 — reports a CRLFCRLF keep-alive as a ping, even split across chunks', () => {
    const framer = new StreamFramer();
    assert.deepEqual(feed(framer, ['\r\n\r\n']), [{ type: 'ping' }]);
    assert.deepEqual(feed(framer, ['\r', '\n', '\r']), []);
    assert.deepEqual(feed(framer, ['\n']), [{ type: 'ping' }]);
    assert.equal(framer.bufferedBytes, 0);
    const text = invite('after-ping');
    const out = feed(framer, ['\r\n\r\n' + text + '\r\n\r\n']);
    assert.deepEqual(
      out.map((o) => o.type),
      ['ping', 'message', 'ping'],
    );
    assert.deepEqual(messages(out), [text]);
  });

  it('holds a lone CRLF until the next byte tells a leading CRLF from a ping', () => {
    const framer = new StreamFramer();
    assert.deepEqual(feed(framer, ['\r\n']), []);
    assert.equal(framer.bufferedBytes, 2);
    const text = invite('lone');
    assert.deepEqual(messages(feed(framer, [text])), [text]);
  });

  it('RFC 3261 §18.3 — a message without Content-Length on a stream is a framing error', () => {
    const text = invite('none', '', 'X-Nothing: here');
    const framer = new StreamFramer();
    const error = onlyError(feed(framer, [text]));
    assert.equal(error.code, 'missing-content-length');
    assert.equal(error.data.toString('latin1'), text, 'the header section is handed over for a 400');
    assert.equal(framer.failed, true);
    assert.deepEqual(feed(framer, [invite('later')]), [], 'a failed stream yields nothing more');
  });

  it('rejects negative, non-numeric, empty and list-valued Content-Length', () => {
    for (const header of [
      'Content-Length: -1',
      'Content-Length: abc',
      'l: 1.5',
      'Content-Length:',
      'Content-Length: 3, 3',
      'l: 0x10',
    ]) {
      const error = onlyError(feed(new StreamFramer(), [invite('neg', '', header)]));
      assert.equal(error.code, 'invalid-content-length', header);
    }
  });

  it('rejects duplicate Content-Length header fields that disagree', () => {
    const error = onlyError(
      feed(new StreamFramer(), [invite('dup', 'abc', 'Content-Length: 3\r\nContent-Length: 4')]),
    );
    assert.equal(error.code, 'conflicting-content-length');
    const compact = onlyError(feed(new StreamFramer(), [invite('dup', 'abc', 'l: 3\r\nContent-Length: 30')]));
    assert.equal(compact.code, 'conflicting-content-length');
  });

  it('rejects a header section beyond maxHeaderBytes without waiting for its end', () => {
    const framer = new StreamFramer({ maxHeaderBytes: 1024 });
    const start = 'INVITE sip:bob@example.com SIP/2.0\r\n';
    let out = feed(framer, [start]);
    const filler = 'X-Filler: ' + 'y'.repeat(100) + '\r\n';
    for (let i = 0; i < 8; i++) out.push(...feed(framer, [filler]));
    assert.deepEqual(out, [], 'still under the cap');
    out = feed(framer, [filler, filler]);
    const error = onlyError(out);
    assert.equal(error.code, 'header-too-large');
    assert.equal(error.data.length, 1024, 'what is handed over is capped too');
    assert.equal(framer.bufferedBytes, 0, 'the buffer is released');
  });

  it('rejects a complete header section that is longer than maxHeaderBytes', () => {
    const text = invite('long', '', 'Content-Length: 0\r\nX-Long: ' + 'z'.repeat(400));
    const error = onlyError(feed(new StreamFramer({ maxHeaderBytes: 256 }), [text]));
    assert.equal(error.code, 'header-too-large');
  });

  it('rejects a Content-Length above maxBodyBytes before buffering the body', () => {
    const framer = new StreamFramer({ maxBodyBytes: 100 });
    const okText = invite('ok', 'b'.repeat(100));
    assert.deepEqual(messages(feed(framer, [okText])), [okText]);
    const error = onlyError(feed(framer, [invite('big', '', 'Content-Length: 101')]));
    assert.equal(error.code, 'body-too-large');
    const huge = onlyError(
      feed(new StreamFramer(), [invite('huge', '', 'Content-Length: 99999999999999999999')]),
    );
    assert.equal(huge.code, 'body-too-large');
  });

  it('keeps pipelined messages before an error and stops at the error', () => {
    const good = invite('good');
    const out = feed(new StreamFramer(), [good + invite('bad', '', 'l: -5') + good]);
    assert.deepEqual(
      out.map((o) => o.type),
      ['message', 'error'],
    );
  });

  it('emits copies, so later input never changes a delivered message', () => {
    const framer = new StreamFramer();
    const first = invite('first');
    const [delivered] = messages(feed(framer, [first]));
    const out = feed(framer, [invite('second')]);
    assert.equal(delivered, first);
    assert.equal(messages(out).length, 1);
    const firstOut = new StreamFramer().push(Buffer.from(first, 'latin1'))[0];
    assert.ok(firstOut && firstOut.type === 'message');
    const snapshot = firstOut.data.toString('latin1');
    framer.push(Buffer.from(invite('third'), 'latin1'));
    assert.equal(firstOut.data.toString('latin1'), snapshot);
  });

  it('runs in linear time: a 1 MiB body fed in 1-byte chunks finishes quickly', () => {
    const body = 'b'.repeat(1024 * 1024);
    const text = Buffer.from(invite('linear', body), 'latin1');
    const framer = new StreamFramer();
    const begin = process.hrtime.bigint();
    let count = 0;
    // 1-byte chunks for the header section, 1 KiB chunks for the body (≈1 000 pushes) …
    let i = 0;
    const headerEnd = text.indexOf('\r\n\r\n') + 4;
    for (; i < headerEnd; i++) count += framer.push(text.subarray(i, i + 1)).length;
    for (; i < text.length; i += 1024) count += framer.push(text.subarray(i, i + 1024)).length;
    // … and a 60 KiB header section fed one byte at a time (quadratic rescans would take minutes).
    const longHeader = Buffer.from(
      invite('lh', '', 'Content-Length: 0\r\nX-Pad: ' + 'p'.repeat(60 * 1024)),
      'latin1',
    );
    for (let j = 0; j < longHeader.length; j++) count += framer.push(longHeader.subarray(j, j + 1)).length;
    const elapsedMs = Number(process.hrtime.bigint() - begin) / 1e6;
    assert.equal(count, 2);
    const input = text.length + longHeader.length;
    assert.ok(framer.work < 4 * input, `searched/moved ${framer.work} bytes for ${input} bytes of input`);
    assert.ok(elapsedMs < 2000, `took ${elapsedMs.toFixed(0)} ms`);
  });

  it('rejects nonsensical limits', () => {
    assert.throws(() => new StreamFramer({ maxHeaderBytes: 0 }), { code: 'SIP_TRANSPORT_INVALID_OPTIONS' });
    assert.throws(() => new StreamFramer({ maxBodyBytes: -1 }), { code: 'SIP_TRANSPORT_INVALID_OPTIONS' });
  });
});
