import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SipHeaderError, SipHeaders, canonicalHeaderName, headerKey } from '@svpn/sip';

describe('header names', () => {
  const compact: [string, string][] = [
    ['i', 'Call-ID'],
    ['m', 'Contact'],
    ['e', 'Content-Encoding'],
    ['l', 'Content-Length'],
    ['c', 'Content-Type'],
    ['f', 'From'],
    ['s', 'Subject'],
    ['k', 'Supported'],
    ['t', 'To'],
    ['v', 'Via'],
    ['o', 'Event'],
    ['u', 'Allow-Events'],
    ['r', 'Refer-To'],
    ['b', 'Referred-By'],
    ['x', 'Session-Expires'],
    ['a', 'Accept-Contact'],
    ['j', 'Reject-Contact'],
    ['d', 'Request-Disposition'],
    ['y', 'Identity'],
    ['n', 'Identity-Info'],
  ];
  for (const [short, full] of compact) {
    test(`compact form ${short} / ${short.toUpperCase()} is ${full}`, () => {
      assert.equal(canonicalHeaderName(short), full);
      assert.equal(canonicalHeaderName(short.toUpperCase()), full);
      assert.equal(headerKey(short), full.toLowerCase());
    });
  }
  test('case-insensitive names map to one canonical spelling', () => {
    for (const n of ['VIA', 'via', 'ViA', 'vIa']) assert.equal(canonicalHeaderName(n), 'Via');
    assert.equal(canonicalHeaderName('call-id'), 'Call-ID');
    assert.equal(canonicalHeaderName('CSEQ'), 'CSeq');
    assert.equal(canonicalHeaderName('www-authenticate'), 'WWW-Authenticate');
    assert.equal(canonicalHeaderName('X-Unknown'), undefined);
    assert.equal(headerKey('X-Unknown'), 'x-unknown');
  });
});

describe('SipHeaders', () => {
  function sample(): SipHeaders {
    return new SipHeaders([
      ['v', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2'],
      ['Via', 'SIP/2.0/UDP c.example.com;branch=z9hG4bK3'],
      ['f', '"Watson, Thomas" <sip:t@example.org>;tag=1'],
      ['Date', 'Sat, 13 Nov 2010 23:29:00 GMT'],
      ['Contact', '"A, B" <sip:a@example.com>, <sip:b@example.com;p=x,y>'],
      ['X-Custom', 'one, two'],
    ]);
  }
  test('get returns the first field value; compact and full names are the same header', () => {
    const h = sample();
    assert.equal(
      h.get('VIA'),
      'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2',
    );
    assert.equal(h.get('from'), '"Watson, Thomas" <sip:t@example.org>;tag=1');
    assert.equal(h.get('F'), h.get('From'));
    assert.equal(h.get('To'), undefined);
  });
  test('getAll splits list headers at top-level commas only', () => {
    const h = sample();
    assert.equal(h.getAll('v').length, 3);
    assert.deepEqual(h.getAll('m'), ['"A, B" <sip:a@example.com>', '<sip:b@example.com;p=x,y>']);
    assert.deepEqual(h.getAll('Date'), ['Sat, 13 Nov 2010 23:29:00 GMT']);
    assert.deepEqual(h.getAll('X-Custom'), ['one, two']);
    assert.equal(h.count('Via'), 3);
    assert.equal(h.fieldCount('Via'), 2);
    assert.equal(h.count('To'), 0);
  });
  test('set replaces every field in place; append, prepend, delete, shift', () => {
    const h = sample();
    const v0 = h.version;
    h.set('Via', 'SIP/2.0/UDP z.example.com;branch=z9hG4bKz');
    assert.ok(h.version > v0);
    assert.deepEqual(
      [...h].map(([n]) => n),
      ['Via', 'From', 'Date', 'Contact', 'X-Custom'],
    );
    h.prepend('Via', 'SIP/2.0/UDP top.example.com;branch=z9hG4bKt');
    assert.deepEqual(h.getAll('Via'), [
      'SIP/2.0/UDP top.example.com;branch=z9hG4bKt',
      'SIP/2.0/UDP z.example.com;branch=z9hG4bKz',
    ]);
    assert.equal([...h][0]?.[0], 'Via');
    h.append('Route', ['<sip:r1.example.com;lr>', '<sip:r2.example.com;lr>']);
    assert.equal(h.count('Route'), 2);
    assert.equal(h.shift('Route'), '<sip:r1.example.com;lr>');
    assert.deepEqual(h.getAll('Route'), ['<sip:r2.example.com;lr>']);
    assert.equal(h.delete('route'), 1);
    assert.equal(h.has('Route'), false);
    assert.equal(h.delete('Route'), 0);
  });
  test('shift splits a combined list field', () => {
    const h = sample();
    assert.equal(h.shift('Via'), 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1');
    assert.equal(h.count('Via'), 2);
    assert.equal(h.get('Via'), 'SIP/2.0/TCP b.example.com;branch=z9hG4bK2');
  });
  test('iteration yields canonical names for known headers and the written name otherwise', () => {
    const h = new SipHeaders({ i: 'abc@host', 'x-Foo': 'bar', CSEQ: '1 INVITE' });
    assert.deepEqual(
      [...h],
      [
        ['Call-ID', 'abc@host'],
        ['x-Foo', 'bar'],
        ['CSeq', '1 INVITE'],
      ],
    );
  });
  test('values are trimmed of SP/HTAB only; CR/LF and bad names are refused', () => {
    const h = new SipHeaders();
    h.append('X-Bom', ' \ufeffvalue\t');
    assert.equal(h.get('X-Bom'), '\ufeffvalue');
    assert.throws(() => h.append('X-Evil', 'a\r\nVia: injected'), SipHeaderError);
    assert.throws(() => h.append('Bad Name', 'x'), SipHeaderError);
    assert.throws(() => h.set('Bad:Name', 'x'), SipHeaderError);
  });
  test('clone is independent', () => {
    const h = sample();
    const c = h.clone();
    c.delete('Via');
    assert.equal(h.count('Via'), 3);
    assert.equal(c.count('Via'), 0);
  });
});
