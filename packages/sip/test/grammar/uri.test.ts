import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SipUri, SipUriError, escapeUser, parseUri, uriEquals, uriToString } from '@svpn/sip';

describe('parseUri: SIP/SIPS URIs (RFC 3261 §19.1.1, RFC 5118)', () => {
  const cases: {
    text: string;
    scheme: string;
    user?: string;
    userDecoded?: string;
    password?: string;
    host: string;
    hostType: string;
    port?: number;
    params?: [string, string | undefined][];
    headers?: [string, string][];
  }[] = [
    {
      text: 'sip:alice@atlanta.com',
      scheme: 'sip',
      user: 'alice',
      host: 'atlanta.com',
      hostType: 'hostname',
    },
    {
      text: 'sips:bob@biloxi.com:5061',
      scheme: 'sips',
      user: 'bob',
      host: 'biloxi.com',
      hostType: 'hostname',
      port: 5061,
    },
    { text: 'sip:atlanta.com', scheme: 'sip', host: 'atlanta.com', hostType: 'hostname' },
    { text: 'sip:192.0.2.4:5060', scheme: 'sip', host: '192.0.2.4', hostType: 'ipv4', port: 5060 },
    { text: 'sip:[2001:db8::10]', scheme: 'sip', host: '[2001:db8::10]', hostType: 'ipv6' },
    {
      text: 'sip:user@[2001:db8::10]:5070',
      scheme: 'sip',
      user: 'user',
      host: '[2001:db8::10]',
      hostType: 'ipv6',
      port: 5070,
    },
    { text: 'sip:[::ffff:192.0.2.1]', scheme: 'sip', host: '[::ffff:192.0.2.1]', hostType: 'ipv6' },
    { text: 'sip:[::1]', scheme: 'sip', host: '[::1]', hostType: 'ipv6' },
    {
      text: 'sip:alice:secretword@atlanta.com;transport=tcp',
      scheme: 'sip',
      user: 'alice',
      password: 'secretword',
      host: 'atlanta.com',
      hostType: 'hostname',
      params: [['transport', 'tcp']],
    },
    {
      text: 'sip:+1-212-555-1212:1234@gateway.com;user=phone',
      scheme: 'sip',
      user: '+1-212-555-1212',
      password: '1234',
      host: 'gateway.com',
      hostType: 'hostname',
      params: [['user', 'phone']],
    },
    {
      text: 'sip:p.example.com;lr;maddr=239.255.255.1;ttl=15',
      scheme: 'sip',
      host: 'p.example.com',
      hostType: 'hostname',
      params: [
        ['lr', undefined],
        ['maddr', '239.255.255.1'],
        ['ttl', '15'],
      ],
    },
    {
      text: 'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com',
      scheme: 'sip',
      host: 'atlanta.com',
      hostType: 'hostname',
      params: [['method', 'REGISTER']],
      headers: [['to', 'alice%40atlanta.com']],
    },
    {
      text: 'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      scheme: 'sip',
      user: 'alice',
      host: 'atlanta.com',
      hostType: 'hostname',
      headers: [
        ['subject', 'project%20x'],
        ['priority', 'urgent'],
      ],
    },
    {
      text: 'sip:I%20have%20spaces@example.net',
      scheme: 'sip',
      user: 'I%20have%20spaces',
      userDecoded: 'I have spaces',
      host: 'example.net',
      hostType: 'hostname',
    },
    {
      text: 'sip:user;par=u%40example.net@example.com',
      scheme: 'sip',
      user: 'user;par=u%40example.net',
      userDecoded: 'user;par=u@example.net',
      host: 'example.com',
      hostType: 'hostname',
    },
    { text: 'SIP:Bob@Biloxi.COM', scheme: 'sip', user: 'Bob', host: 'Biloxi.COM', hostType: 'hostname' },
  ];
  for (const c of cases) {
    test(c.text, () => {
      const u = parseUri(c.text);
      assert.ok(u instanceof SipUri);
      assert.equal(u.scheme, c.scheme);
      assert.equal(u.user, c.user);
      assert.equal(u.userDecoded, c.userDecoded ?? c.user);
      assert.equal(u.password, c.password);
      assert.equal(u.host, c.host);
      assert.equal(u.hostType, c.hostType);
      assert.equal(u.port, c.port);
      assert.deepEqual(
        [...u.params].map((p) => [p.name, p.value]),
        c.params ?? [],
      );
      assert.deepEqual(
        u.headers.map((h) => [h.name, h.value]),
        c.headers ?? [],
      );
    });
  }

  test('serialization gives back the text (scheme lower-cased)', () => {
    for (const c of cases) assert.equal(uriToString(parseUri(c.text)), c.text.replace(/^SIP:/, 'sip:'));
  });

  test('escaped URI parameter names and values are decoded once (RFC 4475 §3.1.1.3)', () => {
    const u = parseUri('sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31');
    assert.ok(u instanceof SipUri);
    assert.equal(u.userDecoded, 'caller');
    assert.equal(u.lr, true);
    assert.equal(u.params.get('name'), 'value%41');
    assert.equal(u.params.getRaw('name'), 'v%61lue%25%34%31');
  });

  test('an escaped NUL stays in the decoded user (RFC 4475 §3.1.1.4)', () => {
    const u = parseUri('sip:null-%00-null@example.com');
    assert.ok(u instanceof SipUri);
    assert.equal(u.userDecoded, 'null-\0-null');
    assert.equal(u.userDecoded?.length, 11);
  });

  const bad = [
    ['', 'empty'],
    ['sip:', 'no host'],
    ['sip:@example.com', 'empty user'],
    ['sip:alice@', 'empty host'],
    ['sip:alice@exa mple.com', 'space'],
    ['<sip:alice@example.com>', 'angle brackets'],
    ['sip:alice@example.com:99999', 'port out of range'],
    ['sip:alice@example.com:', 'empty port'],
    ['sip:alice@example.com;', 'empty parameter'],
    ['sip:alice@example.com;;lr', 'empty parameter'],
    ['sip:alice@example.com;transport=', 'empty parameter value'],
    ['sip:alice@[2001:db8::10', 'unterminated IPv6'],
    ['sip:alice@[2001:db8:::10]', 'bad IPv6'],
    ['sip:alice@[1:2:3:4:5:6:7:8:9]', 'too many IPv6 groups'],
    ['sip:al%2ice@example.com', 'bad escape'],
    ['sip:alice@-example.com', 'label starts with -'],
    ['sip:alice@example.123', 'numeric top label'],
    ['sip:alice@256.1.1.1.1', 'not IPv4 nor hostname'],
    ['sip:alice@example.com?subject', 'header without ='],
    ['1sip:alice@example.com', 'scheme starts with a digit'],
    ['nocolon', 'no scheme'],
    ['sip:user@example.com; lr', 'LWS inside (RFC 4475 §3.1.2.8)'],
  ];
  for (const [text, why] of bad) {
    test(`rejects ${JSON.stringify(text)} (${why})`, () => {
      assert.throws(() => parseUri(text as string), SipUriError);
    });
  }
});

describe('parseUri: tel and other schemes', () => {
  test('tel URI: global number with parameters (RFC 3966)', () => {
    const u = parseUri('tel:+1-201-555-0123;ext=1234;phone-context=example.com');
    assert.equal(u.kind, 'tel');
    assert.ok(u.kind === 'tel');
    assert.equal(u.number, '+1-201-555-0123');
    assert.equal(u.global, true);
    assert.equal(u.params.get('ext'), '1234');
    assert.equal(uriToString(u), 'tel:+1-201-555-0123;ext=1234;phone-context=example.com');
  });
  test('tel URI: local number', () => {
    const u = parseUri('tel:7042;phone-context=example.com');
    assert.ok(u.kind === 'tel');
    assert.equal(u.global, false);
  });
  test('tel URI without digits is rejected', () => {
    assert.throws(() => parseUri('tel:;ext=1'), SipUriError);
    assert.throws(() => parseUri('tel:1+2'), SipUriError);
  });
  for (const text of [
    'nobodyKnowsThisScheme:totallyopaquecontent',
    'soap.beep://192.0.2.103:3002',
    'isbn:2983792873',
    'http://www.example.com/a?b=c',
  ]) {
    test(`absolute URI ${text} is kept opaque`, () => {
      const u = parseUri(text);
      assert.equal(u.kind, 'absolute');
      assert.equal(uriToString(u), text);
      assert.equal(u.scheme, text.slice(0, text.indexOf(':')));
    });
  }
  test('absolute URIs may not hold spaces, quotes or angle brackets', () => {
    for (const t of ['http://a b', 'http://a"b', 'http://a<b', 'mailto:'])
      assert.throws(() => parseUri(t), SipUriError);
  });
});

describe('uriEquals (RFC 3261 §19.1.4)', () => {
  const equal = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;security=on'],
    ['sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'],
    [
      'sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com',
      'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com',
    ],
    [
      'sip:alice@atlanta.com?subject=project%20x&priority=urgent',
      'sip:alice@atlanta.com?priority=urgent&subject=project%20x',
    ],
    ['sip:[2001:db8::1]', 'sip:[2001:DB8:0:0::1]'],
    ['tel:+1-201-555-0123', 'tel:+1.201.555.0123'],
    ['urn:x:y', 'URN:x:y'],
  ];
  const different = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;security=off'],
    ['sip:alice@atlanta.com', 'sips:alice@atlanta.com'],
    ['sip:%00@host5.example.com', 'sip:%00%00@host5.example.com'],
    ['sip:a%3Bb@example.com', 'sip:a;b@example.com'],
    ['sip:alice@atlanta.com', 'tel:+12015550123'],
  ];
  for (const [a, b] of equal) {
    test(`${a} == ${b}`, () => {
      assert.equal(uriEquals(parseUri(a as string), parseUri(b as string)), true);
      assert.equal(uriEquals(parseUri(b as string), parseUri(a as string)), true);
    });
  }
  for (const [a, b] of different) {
    test(`${a} != ${b}`, () => {
      assert.equal(uriEquals(parseUri(a as string), parseUri(b as string)), false);
      assert.equal(uriEquals(parseUri(b as string), parseUri(a as string)), false);
    });
  }
});

describe('building SIP URIs', () => {
  test('SipUri from parts, params set decoded and encoded once', () => {
    const u = new SipUri({ user: escapeUser('I have spaces'), host: 'example.net', port: 5060 });
    u.params.set('transport', 'tcp').set('lr');
    u.params.set('x', 'a b');
    assert.equal(u.toString(), 'sip:I%20have%20spaces@example.net:5060;transport=tcp;lr;x=a%20b');
    assert.equal(u.userDecoded, 'I have spaces');
    assert.equal(u.transport, 'tcp');
    const back = parseUri(u.toString());
    assert.ok(uriEquals(back, u));
  });

  test('property: user, host, port and params survive toString → parseUri', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.array(label, { minLength: 1, maxLength: 3 }),
        fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
        fc.array(fc.tuple(label, fc.option(fc.string({ maxLength: 6 }), { nil: undefined })), {
          maxLength: 3,
        }),
        (user, labels, port, params) => {
          const u = new SipUri({
            user: user === '' ? undefined : escapeUser(user),
            host: labels.join('.'),
            port,
          });
          for (const [n, v] of params) u.params.set(n, v);
          const back = parseUri(u.toString());
          assert.ok(back instanceof SipUri);
          assert.equal(back.userDecoded, user === '' ? undefined : user);
          assert.equal(back.host, labels.join('.'));
          assert.equal(back.port, port);
          for (const [n] of params) assert.equal(back.params.get(n), u.params.get(n) || undefined);
        },
      ),
      { numRuns: 200 },
    );
  });
});
