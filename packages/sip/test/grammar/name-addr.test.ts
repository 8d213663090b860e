import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NameAddr, SipHeaderError, parseContact, parseNameAddr, parseUri, uriToString } from '@svpn/sip';

describe('parseNameAddr: name-addr and addr-spec (RFC 3261 §20.10, §25.1)', () => {
  const cases: { value: string; display?: string; uri: string; params: [string, string | undefined][] }[] = [
    { value: '<sip:alice@atlanta.com>', uri: 'sip:alice@atlanta.com', params: [] },
    {
      value: '"Alice" <sip:alice@atlanta.com>;tag=1928301774',
      display: 'Alice',
      uri: 'sip:alice@atlanta.com',
      params: [['tag', '1928301774']],
    },
    {
      value: 'Bob <sips:bob@biloxi.com> ;tag=a6c85cf',
      display: 'Bob',
      uri: 'sips:bob@biloxi.com',
      params: [['tag', 'a6c85cf']],
    },
    {
      value: 'The  Operator\t<sip:operator@cs.columbia.edu>;tag=287447',
      display: 'The Operator',
      uri: 'sip:operator@cs.columbia.edu',
      params: [['tag', '287447']],
    },
    {
      value: 'caller<sip:caller@example.com>;tag=323',
      display: 'caller',
      uri: 'sip:caller@example.com',
      params: [['tag', '323']],
    },
    {
      value: '"J Rosenberg \\\\\\""  <sip:jdrosen@example.com> ; tag = 98asjd8',
      display: 'J Rosenberg \\"',
      uri: 'sip:jdrosen@example.com',
      params: [['tag', '98asjd8']],
    },
    { value: '"" <sip:anon@example.com>', display: '', uri: 'sip:anon@example.com', params: [] },
    { value: '"Ümlaut Ω" <sip:u@example.com>', display: 'Ümlaut Ω', uri: 'sip:u@example.com', params: [] },
    // addr-spec: parameters after the URI belong to the header (RFC 3261 §20)
    {
      value: 'sip:+12125551212@server.phone2net.com;tag=887s',
      uri: 'sip:+12125551212@server.phone2net.com',
      params: [['tag', '887s']],
    },
    {
      value: 'sip:+19725552222@gw1.example.net;unknownparam',
      uri: 'sip:+19725552222@gw1.example.net',
      params: [['unknownparam', undefined]],
    },
    {
      value: '<sip:+19725552222@gw1.example.net;unknownparam>',
      uri: 'sip:+19725552222@gw1.example.net;unknownparam',
      params: [],
    },
    {
      value: 'sip:user@example.com;user=phone;tag=x',
      uri: 'sip:user@example.com',
      params: [
        ['user', 'phone'],
        ['tag', 'x'],
      ],
    },
    {
      value: '<sip:user@example.com?Route=%3Csip:sip.example.com%3E>',
      uri: 'sip:user@example.com?Route=%3Csip:sip.example.com%3E',
      params: [],
    },
    { value: 'isbn:2983792873', uri: 'isbn:2983792873', params: [] },
    {
      value: '<http://www.example.com>;tag=3234233',
      uri: 'http://www.example.com',
      params: [['tag', '3234233']],
    },
    { value: '<tel:+1-201-555-0123>;tag=1', uri: 'tel:+1-201-555-0123', params: [['tag', '1']] },
    {
      value: '<sip:[2001:db8::1]:5060>;received=2001:db8::9',
      uri: 'sip:[2001:db8::1]:5060',
      params: [['received', '2001:db8::9']],
    },
    {
      value: '<sip:a@b.example>;x="quoted; value, with \\"stuff\\""',
      uri: 'sip:a@b.example',
      params: [['x', 'quoted; value, with "stuff"']],
    },
  ];
  for (const c of cases) {
    test(c.value, () => {
      const na = parseNameAddr(c.value, 'From');
      assert.equal(na.displayName, c.display);
      assert.equal(uriToString(na.uri), c.uri);
      assert.deepEqual(
        [...na.params].map((p) => [p.name, na.params.get(p.name)]),
        c.params,
      );
    });
  }

  const bad = [
    ['', 'empty'],
    ['"Mr. J. User <sip:j.user@example.com>', 'unterminated quote (RFC 4475 §3.1.2.6)'],
    ['"Watson, Thomas" < sip:t.watson@example.org >', 'spaces inside <> (RFC 4475 §3.1.2.14)'],
    [
      'Bell, Alexander <sip:a.g.bell@example.com>;tag=43',
      'comma in an unquoted display name (RFC 4475 §3.1.2.15)',
    ],
    ['sip:user@example.com?Route=%3Csip:sip.example.com%3E', 'URI headers outside <> (RFC 4475 §3.1.2.13)'],
    ['"Joe" <sip:joe@example.org>;;;;', 'empty parameters (RFC 4475 §3.1.2.1)'],
    ['<sip:joe@example.org', 'missing >'],
    ['<sip:joe@example.org> trailing', 'text after the parameters'],
    ['<sip:joe@example.org>;tag=', 'empty parameter value'],
    ['"Joe" sip:joe@example.org', 'quoted display name without <>'],
    ['sip:a@b.example, sip:c@d.example', 'two values'],
  ];
  for (const [value, why] of bad) {
    test(`rejects ${JSON.stringify(value)}: ${why}`, () => {
      assert.throws(
        () => parseNameAddr(value as string, 'To'),
        (e: unknown) => e instanceof SipHeaderError && e.header === 'To',
      );
    });
  }

  test('tag accessor reads and writes the tag parameter', () => {
    const na = parseNameAddr('<sip:alice@atlanta.com>', 'To');
    assert.equal(na.tag, undefined);
    na.tag = 'xyz';
    assert.equal(na.toString(), '<sip:alice@atlanta.com>;tag=xyz');
    na.tag = undefined;
    assert.equal(na.toString(), '<sip:alice@atlanta.com>');
  });

  test('toString keeps the display name as received and always uses <>', () => {
    assert.equal(
      parseNameAddr('token1~` token2  <sip:a@b.example>', 'From').toString(),
      'token1~` token2 <sip:a@b.example>',
    );
    assert.equal(
      parseNameAddr('"A \\"B\\"" <sip:a@b.example>', 'From').toString(),
      '"A \\"B\\"" <sip:a@b.example>',
    );
    const built = new NameAddr({ displayName: 'Carol "CJ"', uri: parseUri('sip:c@example.com;lr') });
    assert.equal(built.toString(), '"Carol \\"CJ\\"" <sip:c@example.com;lr>');
    assert.equal(parseNameAddr(built.toString()).displayName, 'Carol "CJ"');
  });
});

describe('parseContact (RFC 3261 §20.10)', () => {
  test('star', () => {
    const c = parseContact(' * ');
    assert.equal(c.star, true);
    assert.equal(c.toString(), '*');
  });
  test('expires and q parameters', () => {
    const c = parseContact('"Mr. Watson" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600');
    assert.equal(c.star, false);
    assert.equal(c.q, 0.7);
    assert.equal(c.expires, 3600);
  });
  test('bad q or overlarge expires throw SipHeaderError on access (RFC 4475 §3.1.2.4)', () => {
    assert.throws(() => parseContact('<sip:a@b.example>;q=1.5').q, SipHeaderError);
    assert.throws(() => parseContact('<sip:a@b.example>;expires=280297596632815').expires, SipHeaderError);
    assert.equal(parseContact('<sip:a@b.example>;expires=4294967295').expires, 4294967295);
  });
});
