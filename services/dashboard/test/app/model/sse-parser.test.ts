import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseParser, type SseEvent } from '../../../src/app/model/sse-parser.js';

const parse = (text: string): SseEvent[] => new SseParser().feed(text);

test('WHATWG §9.2.6 — an empty line dispatches; the type defaults to message', () => {
  assert.deepEqual(parse('data: hello\n\n'), [{ type: 'message', data: 'hello', lastEventId: '' }]);
  assert.deepEqual(parse('event: session\ndata: {"a":1}\nid: 7\n\n'), [
    { type: 'session', data: '{"a":1}', lastEventId: '7' },
  ]);
});

test('WHATWG §9.2.6 — several data lines join with LF; no trailing LF', () => {
  assert.deepEqual(parse('data: a\ndata:b\ndata\n\n'), [
    { type: 'message', data: 'a\nb\n', lastEventId: '' },
  ]);
});

test('WHATWG §9.2.6 — only one space after the colon is dropped', () => {
  assert.deepEqual(parse('data:  two\n\n')[0]?.data, ' two');
});

test('WHATWG §9.2.6 — comments (keep-alives) and unknown fields are ignored', () => {
  assert.deepEqual(parse(': keep-alive\n\nfoo: bar\n\n'), []);
});

test('WHATWG §9.2.6 — an empty data buffer dispatches nothing and resets the type', () => {
  assert.deepEqual(parse('event: x\n\ndata: y\n\n'), [{ type: 'message', data: 'y', lastEventId: '' }]);
});

test('WHATWG §9.2.6 — an event without its blank line is not dispatched', () => {
  const p = new SseParser();
  assert.deepEqual(p.feed('data: pending\n'), []);
  assert.deepEqual(p.feed('\n'), [{ type: 'message', data: 'pending', lastEventId: '' }]);
});

test('WHATWG §9.2.6 — the last event id persists; an id with NULL is ignored', () => {
  assert.deepEqual(
    parse('id: 1\ndata: a\n\ndata: b\n\nid: x\u0000y\ndata: c\n\n').map((e) => e.lastEventId),
    ['1', '1', '1'],
  );
});

test('WHATWG §9.2.6 — retry takes ASCII digits only', () => {
  const p = new SseParser();
  p.feed('retry: 2500\n\n');
  assert.equal(p.retryMs, 2500);
  p.feed('retry: 1e3\n\n');
  assert.equal(p.retryMs, 2500);
});

test('WHATWG §9.2.5 — CRLF, LF and CR all end lines, also when a CRLF is split across chunks', () => {
  const expected = [{ type: 't', data: 'x', lastEventId: '' }];
  assert.deepEqual(parse('event: t\r\ndata: x\r\n\r\n'), expected);
  assert.deepEqual(parse('event: t\rdata: x\r\r'), expected);
  const p = new SseParser();
  assert.deepEqual(
    [...p.feed('event: t\r'), ...p.feed('\ndata: x\r'), ...p.feed('\n\r'), ...p.feed('\n')],
    expected,
  );
});

test('any chunking of a stream yields the same events', () => {
  const line = fc.oneof(
    fc.constantFrom('', ': ping', 'retry: 10'),
    fc.string({ maxLength: 12 }).map((s) => `data: ${s.replace(/[\r\n]/g, '')}`),
    fc.constantFrom('event: connection', 'event: session', 'id: 42'),
  );
  fc.assert(
    fc.property(
      fc.array(line, { maxLength: 20 }),
      fc.constantFrom('\n', '\r\n', '\r'),
      fc.array(fc.nat(), { maxLength: 10 }),
      (lines, eol, cuts) => {
        const text = lines.map((l) => l + eol).join('') + eol;
        const whole = new SseParser().feed(text);
        const p = new SseParser();
        const pieces: SseEvent[] = [];
        let at = 0;
        for (const cut of [...cuts.map((c) => c % (text.length + 1))].sort((a, b) => a - b)) {
          pieces.push(...p.feed(text.slice(at, cut)));
          at = cut;
        }
        pieces.push(...p.feed(text.slice(at)));
        assert.deepEqual(pieces, whole);
      },
    ),
  );
});
