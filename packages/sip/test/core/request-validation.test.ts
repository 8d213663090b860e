import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_VALIDATION_POLICY,
  type SipRequest,
  type ValidationPolicy,
  parseMessageOrThrow,
  resolveValidationPolicy,
  validateRequest,
} from '@svpn/sip';

const SDP =
  'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n';

interface Build {
  method?: string;
  uri?: string;
  version?: string;
  cseqMethod?: string;
  drop?: string[];
  set?: Record<string, string>;
  add?: [string, string][];
  body?: string;
}

function request(b: Build = {}): SipRequest {
  const method = b.method ?? 'INVITE';
  const fields = new Map<string, string>([
    ['Via', 'SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds'],
    ['Max-Forwards', '70'],
    ['To', 'Bob <sip:bob@biloxi.example.com>'],
    ['From', 'Alice <sip:alice@atlanta.example.com>;tag=1928301774'],
    ['Call-ID', 'a84b4c76e66710@pc33.atlanta.example.com'],
    ['CSeq', `314159 ${b.cseqMethod ?? method}`],
    ['Contact', '<sip:alice@pc33.atlanta.example.com>'],
  ]);
  for (const d of b.drop ?? []) fields.delete(d);
  for (const [k, v] of Object.entries(b.set ?? {})) fields.set(k, v);
  const lines = [`${method} ${b.uri ?? 'sip:bob@biloxi.example.com'} ${b.version ?? 'SIP/2.0'}`];
  for (const [k, v] of fields) lines.push(`${k}: ${v}`);
  for (const [k, v] of b.add ?? []) lines.push(`${k}: ${v}`);
  const body = b.body ?? '';
  if (body !== '' && !fields.has('Content-Type')) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  const m = parseMessageOrThrow(lines.join('\r\n') + '\r\n\r\n' + body);
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

function expectReject(
  r: ReturnType<typeof validateRequest>,
  status: number,
  warning: RegExp,
  headers: Record<string, string> = {},
): void {
  assert.ok(r, 'expected a rejection');
  assert.equal(r.status, status);
  assert.match(r.warning, warning);
  for (const [k, v] of Object.entries(headers)) assert.equal(r.headers[k], v);
}

describe('validateRequest: RFC 3261 §8.2 UAS checks', () => {
  test('a well-formed INVITE with SDP passes', () => {
    assert.equal(validateRequest(request({ body: SDP })), undefined);
  });
  test('RFC 2543 request: no branch, no From tag, no Max-Forwards passes', () => {
    const r = request({
      drop: ['Max-Forwards'],
      set: {
        Via: 'SIP/2.0/UDP iftgw.example.com',
        From: '<sip:+13035551111@ift.client.example.net;user=phone>',
      },
    });
    assert.equal(validateRequest(r), undefined);
  });
  test('Max-Forwards 0 or garbage is a proxy matter: the UAS processes the request', () => {
    assert.equal(validateRequest(request({ set: { 'Max-Forwards': '0' } })), undefined);
    assert.equal(validateRequest(request({ set: { 'Max-Forwards': '300' } })), undefined);
  });

  test('505 for another SIP version (checked first)', () => {
    expectReject(validateRequest(request({ version: 'SIP/7.0', method: 'NEWMETHOD' })), 505, /SIP\/7\.0/);
  });

  test('400 listing the missing mandatory headers', () => {
    expectReject(
      validateRequest(request({ drop: ['Call-ID', 'From', 'To'] })),
      400,
      /Missing mandatory header fields: From, To, Call-ID/,
    );
    expectReject(validateRequest(request({ drop: ['Via'] })), 400, /Missing mandatory header field: Via/);
    expectReject(validateRequest(request({ drop: ['CSeq'] })), 400, /CSeq/);
  });
  test('400 for several values of a single-value header', () => {
    expectReject(
      validateRequest(
        request({
          add: [
            ['Call-ID', 'other@x'],
            ['CSeq', '1 INVITE'],
          ],
        }),
      ),
      400,
      /Multiple values in single-value header fields: Call-ID, CSeq/,
    );
    expectReject(validateRequest(request({ add: [['Max-Forwards', '5']] })), 400, /Max-Forwards/);
  });
  const syntax: [string, Build, RegExp][] = [
    ['Via with empty params', { set: { Via: 'SIP/2.0/UDP 192.0.2.15;;,;,,' } }, /^Via/],
    ['unterminated To display name', { set: { To: '"Mr. J. User <sip:j.user@example.com>' } }, /^To/],
    [
      'From with a comma in an unquoted display name',
      { set: { From: 'Bell, Alexander <sip:a@b.example>;tag=1' } },
      /^From/,
    ],
    ['Call-ID with a space', { set: { 'Call-ID': 'a b' } }, /^Call-ID/],
    ['CSeq beyond 2^31-1', { set: { CSeq: '2147483648 INVITE' } }, /^CSeq/],
    [
      'Contact with URI headers outside <>',
      { set: { Contact: 'sip:u@example.com?Route=%3Csip:x.example.com%3E' } },
      /^Contact/,
    ],
    [
      'Contact with an overlarge expires',
      { set: { Contact: '<sip:u@example.com>;expires=99999999999' } },
      /^Contact/,
    ],
    ['Route that does not parse', { add: [['Route', '<sip:r.example.com;lr']] }, /^Route/],
    ['Require with a non-token', { add: [['Require', 'a b']] }, /^Require/],
    ['Content-Type without subtype', { set: { 'Content-Type': 'application' }, body: SDP }, /^Content-Type/],
  ];
  for (const [why, build, warning] of syntax) {
    test(`400 for ${why}`, () => expectReject(validateRequest(request(build)), 400, warning));
  }
  test('a Contact nobody reads (BYE, ACK, CANCEL, PRACK, INFO) is left unparsed; INVITE, REGISTER and OPTIONS check it', () => {
    const broken = { Contact: 'sip:u@example.com?Route=%3Csip:x.example.com%3E' };
    for (const method of ['BYE', 'ACK', 'CANCEL', 'PRACK', 'INFO']) {
      const policy = { allowedMethods: [...DEFAULT_VALIDATION_POLICY.allowedMethods, 'PRACK'] };
      assert.equal(validateRequest(request({ method, set: broken }), policy), undefined, method);
    }
    for (const method of ['INVITE', 'REGISTER', 'OPTIONS', 'UPDATE']) {
      expectReject(validateRequest(request({ method, set: broken })), 400, /^Contact/);
    }
  });
  test('400 for a branch that is only the magic cookie, unless the policy allows it', () => {
    const r = request({ set: { Via: 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK' } });
    expectReject(validateRequest(r), 400, /magic cookie/);
    assert.equal(validateRequest(r, { rejectEmptyBranch: false }), undefined);
  });

  test('501 with Allow for an unknown method, before the CSeq method check (RFC 4475 §3.1.2.18)', () => {
    const r = validateRequest(request({ method: 'NEWMETHOD', cseqMethod: 'INVITE' }));
    expectReject(r, 501, /NEWMETHOD/, { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE' });
  });
  test('405 with Allow for a known method the policy does not serve', () => {
    const r = validateRequest(request({ method: 'SUBSCRIBE' }));
    expectReject(r, 405, /SUBSCRIBE/, { Allow: DEFAULT_VALIDATION_POLICY.allowedMethods.join(', ') });
    expectReject(
      validateRequest(request({ method: 'REGISTER' }), { allowedMethods: ['INVITE', 'ACK'] }),
      405,
      /REGISTER/,
      {
        Allow: 'INVITE, ACK',
      },
    );
  });
  test('methods are case-sensitive tokens', () => {
    expectReject(validateRequest(request({ method: 'invite' })), 501, /invite/);
  });
  test('400 when the CSeq method differs from the request method', () => {
    expectReject(
      validateRequest(request({ method: 'OPTIONS', cseqMethod: 'INVITE' })),
      400,
      /CSeq method INVITE does not match request method OPTIONS/,
    );
  });

  test('416 for a Request-URI scheme we do not serve', () => {
    expectReject(
      validateRequest(request({ uri: 'nobodyKnowsThisScheme:totallyopaquecontent' })),
      416,
      /nobodyKnowsThisScheme/,
    );
    expectReject(validateRequest(request({ uri: 'tel:+1-201-555-0123' })), 416, /tel/);
    assert.equal(
      validateRequest(request({ uri: 'tel:+1-201-555-0123' }), { supportedSchemes: ['sip', 'sips', 'tel'] }),
      undefined,
    );
    assert.equal(validateRequest(request({ uri: 'sips:bob@biloxi.example.com' })), undefined);
  });
  test('400 for headers in the Request-URI', () => {
    expectReject(
      validateRequest(request({ uri: 'sip:user@example.com?Route=%3Csip:example.com%3E' })),
      400,
      /Request-URI/,
    );
  });

  test('registrar: 400 when To or From of a REGISTER is not a SIP/SIPS URI', () => {
    expectReject(
      validateRequest(request({ method: 'REGISTER', set: { To: 'isbn:2983792873' } })),
      400,
      /To of a REGISTER/,
    );
    expectReject(
      validateRequest(request({ method: 'REGISTER', set: { From: '<http://www.example.com>;tag=1' } })),
      400,
      /From of a REGISTER/,
    );
    assert.equal(
      validateRequest(request({ method: 'REGISTER', set: { To: 'isbn:2983792873' } }), { registrar: false }),
      undefined,
    );
    assert.equal(validateRequest(request({ method: 'REGISTER' })), undefined);
  });

  test('420 with Unsupported listing the unknown Require option tags', () => {
    const r = validateRequest(
      request({
        method: 'OPTIONS',
        add: [
          ['Require', 'nothingSupportsThis, nothingSupportsThisEither'],
          ['Proxy-Require', 'noProxiesSupportThis'],
        ],
      }),
    );
    expectReject(r, 420, /nothingSupportsThis, nothingSupportsThisEither/, {
      Unsupported: 'nothingSupportsThis, nothingSupportsThisEither',
    });
    const partly = validateRequest(request({ add: [['Require', 'timer, foo']] }), {
      supportedExtensions: ['timer'],
    });
    expectReject(partly, 420, /foo/, { Unsupported: 'foo' });
    assert.equal(
      validateRequest(request({ add: [['Require', 'timer']] }), { supportedExtensions: ['timer'] }),
      undefined,
    );
  });
  test('Require is not checked on ACK and CANCEL (RFC 3261 §8.2.2.3)', () => {
    assert.equal(validateRequest(request({ method: 'CANCEL', add: [['Require', 'foo']] })), undefined);
    assert.equal(validateRequest(request({ method: 'ACK', add: [['Require', 'foo']] })), undefined);
  });

  test('415 with Accept for a body type we do not take', () => {
    const r = validateRequest(
      request({ set: { 'Content-Type': 'application/unknownformat' }, body: '<audio/>' }),
    );
    expectReject(r, 415, /application\/unknownformat/, {
      Accept: 'application/sdp, multipart/mixed, multipart/alternative',
    });
    assert.equal(
      validateRequest(request({ set: { 'Content-Type': 'Application/SDP' }, body: SDP })),
      undefined,
    );
  });
  test('415 with Accept-Encoding for an unknown Content-Encoding', () => {
    const r = validateRequest(request({ add: [['Content-Encoding', 'gzip']], body: SDP }));
    expectReject(r, 415, /gzip/, { 'Accept-Encoding': 'identity' });
  });
  test('400 for a body without Content-Type (RFC 3261 §20.15)', () => {
    const m = request();
    m.body = Buffer.from('opaque');
    expectReject(validateRequest(m), 400, /without Content-Type/);
  });
  test('406 (or 400 by policy) when Accept excludes application/sdp on an INVITE offer (RFC 4475 §3.3.15)', () => {
    const r = request({ add: [['Accept', 'text/nobodyKnowsThis']], body: SDP });
    expectReject(validateRequest(r), 406, /text\/nobodyKnowsThis.*application\/sdp/);
    expectReject(validateRequest(r, { unacceptableAcceptStatus: 400 }), 400, /application\/sdp/);
    for (const accept of ['application/sdp', 'application/*', '*/*', 'text/plain, application/sdp;level=1']) {
      assert.equal(validateRequest(request({ add: [['Accept', accept]], body: SDP })), undefined, accept);
    }
    assert.equal(validateRequest(request({ method: 'OPTIONS', add: [['Accept', 'text/plain']] })), undefined);
  });

  test('the RFC order: version, then headers, then method, then scheme, then Require, then body', () => {
    const all: Build = {
      method: 'FOO',
      uri: 'urn:x:y',
      add: [['Require', 'foo']],
      set: { 'Content-Type': 'x/y' },
      body: 'z',
    };
    expectReject(validateRequest(request({ ...all, version: 'SIP/3.0' })), 505, /SIP\/3\.0/);
    expectReject(validateRequest(request({ ...all, drop: ['Call-ID'] })), 400, /Call-ID/);
    expectReject(validateRequest(request(all)), 501, /FOO/);
    expectReject(validateRequest(request({ ...all, method: 'INVITE' })), 416, /urn/);
    expectReject(validateRequest(request({ ...all, method: 'INVITE', uri: 'sip:b@c.example' })), 420, /foo/);
    expectReject(
      validateRequest(request({ ...all, method: 'INVITE', uri: 'sip:b@c.example', add: [] })),
      415,
      /x\/y/,
    );
  });

  test('every rejection carries a warning text', () => {
    for (const b of [
      { version: 'SIP/1.0' },
      { drop: ['To'] },
      { method: 'XYZ' },
      { uri: 'urn:a:b' },
    ] as Build[]) {
      const r = validateRequest(request(b));
      assert.ok(r && r.warning.length > 10, JSON.stringify(b));
    }
  });

  test('policy defaults are filled per field', () => {
    const p: ValidationPolicy = { supportedExtensions: ['timer'], registrar: undefined };
    const resolved = resolveValidationPolicy(p);
    assert.deepEqual(resolved.supportedExtensions, ['timer']);
    assert.equal(resolved.registrar, true);
    assert.deepEqual(resolved.supportedSchemes, ['sip', 'sips']);
  });
});
