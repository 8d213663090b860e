import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  MAX_CSEQ,
  SipHeaderError,
  parseContentLength,
  parseCSeq,
  parseDeltaSeconds,
  parseMaxForwards,
  parseMediaType,
  parseQValue,
  parseRetryAfter,
  parseStatusCode,
  splitList,
} from '@svpn/sip';

describe('CSeq (RFC 3261 §20.16, §8.1.1.5)', () => {
  const ok: [string, number, string][] = [
    ['4711 INVITE', 4711, 'INVITE'],
    ['0009 INVITE', 9, 'INVITE'],
    ['  1   REGISTER  ', 1, 'REGISTER'],
    ['0 ACK', 0, 'ACK'],
    [`${MAX_CSEQ} BYE`, 2147483647, 'BYE'],
    [
      "139122385 !interesting-Method0123456789_*+`.%indeed'~",
      139122385,
      "!interesting-Method0123456789_*+`.%indeed'~",
    ],
  ];
  for (const [value, seq, method] of ok) {
    test(value, () => assert.deepEqual(parseCSeq(value), { seq, method }));
  }
  const bad = [
    '2147483648 INVITE',
    '36893488147419103232 REGISTER',
    '4294967301 INVITE',
    'INVITE',
    '12INVITE',
    '12 ',
    '-1 INVITE',
    '1 INVITE extra',
    'fhdjkgfhdkjhgkj ',
  ];
  for (const value of bad) {
    test(`rejects ${JSON.stringify(value)} (no wrap-around)`, () =>
      assert.throws(() => parseCSeq(value), SipHeaderError));
  }
});

describe('numeric header fields', () => {
  test('Max-Forwards 0..255 with leading zeros', () => {
    assert.equal(parseMaxForwards('0068'), 68);
    assert.equal(parseMaxForwards('0'), 0);
    assert.equal(parseMaxForwards('255'), 255);
    for (const v of ['256', '300', '-1', '', 'seventy', '1 2'])
      assert.throws(() => parseMaxForwards(v), SipHeaderError);
  });
  test('Content-Length digits only', () => {
    assert.equal(parseContentLength(' 150 '), 150);
    assert.equal(parseContentLength('0'), 0);
    for (const v of ['-999', 'five', '', '1.5', '99999999999999999999'])
      assert.throws(() => parseContentLength(v), SipHeaderError);
  });
  test('delta-seconds up to 2^32-1', () => {
    assert.equal(parseDeltaSeconds('3600'), 3600);
    assert.equal(parseDeltaSeconds('4294967295'), 4294967295);
    assert.throws(() => parseDeltaSeconds('4294967296'), SipHeaderError);
    assert.throws(() => parseDeltaSeconds('1'.padEnd(101, '0')), SipHeaderError);
  });
  test('Retry-After with comment and duration (RFC 3261 §20.33)', () => {
    assert.deepEqual(
      (({ seconds, comment, duration }) => ({ seconds, comment, duration }))(
        parseRetryAfter('18000;duration=3600'),
      ),
      { seconds: 18000, comment: undefined, duration: 3600 },
    );
    const r = parseRetryAfter("120 (I'm in a (nested) meeting)");
    assert.equal(r.seconds, 120);
    assert.equal(r.comment, "I'm in a (nested) meeting");
    assert.throws(() => parseRetryAfter('949302838503028349304023988'), SipHeaderError);
    assert.throws(() => parseRetryAfter('5 (unterminated'), SipHeaderError);
  });
  test('status code: exactly three digits, 100..699', () => {
    assert.equal(parseStatusCode('200'), 200);
    assert.equal(parseStatusCode('699'), 699);
    for (const v of ['4294967301', '099', '700', '20', '2000', 'abc', ''])
      assert.equal(parseStatusCode(v), undefined);
  });
  test('qvalue', () => {
    assert.equal(parseQValue('0.33'), 0.33);
    assert.equal(parseQValue('1'), 1);
    assert.equal(parseQValue('1.000'), 1);
    assert.equal(parseQValue('0.'), 0);
    for (const v of ['1.001', '0.1234', '2', '.5', '']) assert.throws(() => parseQValue(v));
  });
});

describe('media types and lists', () => {
  test('Content-Type with LWS and parameters', () => {
    const mt = parseMediaType('Multipart/Mixed ; boundary="7a9c bec"');
    assert.equal(mt.type, 'multipart');
    assert.equal(mt.subtype, 'mixed');
    assert.equal(mt.params.get('boundary'), '7a9c bec');
    assert.throws(() => parseMediaType('application'), SipHeaderError);
    assert.throws(() => parseMediaType('application/sdp;'), SipHeaderError);
  });
  test('splitList respects quotes, quoted-pairs, <> and comments', () => {
    assert.deepEqual(splitList('a, b ,c'), ['a', 'b', 'c']);
    assert.deepEqual(splitList('"Watson, Thomas" <sip:t@example.org>, <sip:x@y.example;p=a,b>'), [
      '"Watson, Thomas" <sip:t@example.org>',
      '<sip:x@y.example;p=a,b>',
    ]);
    assert.deepEqual(splitList('"a \\", b" <sip:a@b.example>, c'), ['"a \\", b" <sip:a@b.example>', 'c']);
    assert.deepEqual(splitList('120 (a, b), 3'), ['120 (a, b)', '3']);
    assert.deepEqual(splitList(';;,,;;,;'), [';;', '', ';;', ';']);
    assert.deepEqual(splitList('\ufeffx'), ['\ufeffx']);
  });
});
