import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AuthInvalidOptionsError,
  AuthMalformedError,
  AuthNoUsableChallengeError,
  AuthUnsupportedAlgorithmError,
  AuthUnsupportedQopError,
  computeHa1,
  DigestClient,
  parseCredentials,
  pickChallenge,
  readDigestCredentials,
} from '../../src/auth/index.js';
import { RFC7616_EXAMPLE as E, rfc7616Challenge } from './rfc7616-vectors.js';

const CH = (algorithm: string, extra = ''): string =>
  `Digest realm="r", nonce="n-${algorithm}", algorithm=${algorithm}, qop="auth"${extra}`;

function rfcAuthorize(client: DigestClient, algorithm: 'MD5' | 'SHA-256'): string {
  return client.authorize({
    challenge: rfc7616Challenge(algorithm),
    method: E.method,
    uri: E.uri,
    username: E.username,
    password: E.password,
    cnonce: E.cnonce,
  });
}

describe('DigestClient.authorize', () => {
  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    it(`RFC 7616 §3.9.1 — ${algorithm} Authorization for Mufasa carries the RFC response`, () => {
      const value = rfcAuthorize(new DigestClient(), algorithm);
      const c = readDigestCredentials(parseCredentials(value));
      assert.equal(c.response, E.responses[algorithm]);
      assert.equal(c.username, E.username);
      assert.equal(c.realm, E.realm);
      assert.equal(c.uri, E.uri);
      assert.equal(c.nc, E.nc);
      assert.equal(c.qop, 'auth');
      assert.equal(c.cnonce, E.cnonce);
      assert.equal(c.opaque, E.opaque, 'RFC 7616 §3.4 — opaque returned unchanged');
      assert.equal(c.algorithm, algorithm);
    });
  }

  it('RFC 7616 §3.4 — writes algorithm, qop and nc bare, the rest quoted', () => {
    const value = rfcAuthorize(new DigestClient(), 'SHA-256');
    assert.equal(
      value,
      `Digest username="Mufasa", realm="http-auth@example.org", nonce="${E.nonce}", uri="/dir/index.html", ` +
        `response="${E.responses['SHA-256']}", algorithm=SHA-256, cnonce="${E.cnonce}", opaque="${E.opaque}", qop=auth, nc=00000001`,
    );
  });

  it('the same H(A1) instead of the password gives the same value (string or per-hash record)', () => {
    const ha1 = computeHa1({
      username: E.username,
      realm: E.realm,
      password: E.password,
      algorithm: 'SHA-256',
    });
    const base = {
      challenge: rfc7616Challenge('SHA-256'),
      method: E.method,
      uri: E.uri,
      username: E.username,
      cnonce: E.cnonce,
    };
    const expected = rfcAuthorize(new DigestClient(), 'SHA-256');
    assert.equal(new DigestClient().authorize({ ...base, ha1 }), expected);
    assert.equal(new DigestClient().authorize({ ...base, ha1: { 'SHA-256': ha1.toUpperCase() } }), expected);
  });

  it('keeps an nc counter per nonce: 1, 2, 3 …; a new nonce starts at 1; an explicit nc moves it on', () => {
    const client = new DigestClient();
    const nc = (challenge: string, explicit?: number) =>
      readDigestCredentials(
        parseCredentials(
          client.authorize({
            challenge,
            method: 'REGISTER',
            uri: 'sip:r',
            username: 'u',
            password: 'p',
            ...(explicit !== undefined && { nc: explicit }),
          }),
        ),
      ).nc;
    assert.deepEqual([nc(CH('MD5')), nc(CH('MD5')), nc(CH('MD5'))], ['00000001', '00000002', '00000003']);
    assert.equal(nc(CH('SHA-256')), '00000001');
    assert.equal(nc(CH('MD5'), 0x1a), '0000001a');
    assert.equal(nc(CH('MD5')), '0000001b');
    assert.equal(client.nextNonceCount('n-MD5'), 0x1c);
  });

  it('generates a fresh cnonce per request unless one is given', () => {
    const client = new DigestClient();
    const cnonce = () =>
      readDigestCredentials(
        parseCredentials(
          client.authorize({ challenge: CH('MD5'), method: 'M', uri: 'sip:r', username: 'u', password: 'p' }),
        ),
      ).cnonce;
    const a = cnonce();
    assert.match(a ?? '', /^[0-9a-f]{32}$/);
    assert.notEqual(a, cnonce());
    const fixed = new DigestClient({ cnonce: () => 'fixed' });
    assert.match(
      fixed.authorize({ challenge: CH('MD5'), method: 'M', uri: 'sip:r', username: 'u', password: 'p' }),
      /cnonce="fixed"/,
    );
  });

  it('forgets the nc counters of the oldest nonces beyond maxTrackedNonces', () => {
    const client = new DigestClient({ maxTrackedNonces: 2 });
    const go = (nonce: string) =>
      client.authorize({
        challenge: `Digest realm="r", nonce="${nonce}", qop="auth"`,
        method: 'M',
        uri: 'u',
        username: 'u',
        password: 'p',
      });
    go('a');
    go('b');
    go('c');
    assert.equal(client.nextNonceCount('a'), 1);
    assert.equal(client.nextNonceCount('c'), 2);
  });

  it('picks qop=auth when offered with auth-int, auth-int when alone, and the RFC 2069 form without qop', () => {
    const client = new DigestClient();
    const go = (challenge: string) =>
      parseCredentials(
        client.authorize({ challenge, method: 'M', uri: 'sip:r', username: 'u', password: 'p' }),
      ).params;
    assert.equal(go('Digest realm="r", nonce="a", qop="auth-int,auth"')['qop'], 'auth');
    assert.equal(go('Digest realm="r", nonce="b", qop="auth-int"')['qop'], 'auth-int');
    const legacy = go('Digest realm="r", nonce="c"');
    assert.deepEqual(Object.keys(legacy), ['username', 'realm', 'nonce', 'uri', 'response']);
  });

  it('escapes a quote in the username and refuses one with CR/LF (no header injection)', () => {
    const client = new DigestClient();
    const value = client.authorize({
      challenge: CH('MD5'),
      method: 'M',
      uri: 'sip:r',
      username: 'a"b',
      password: 'p',
    });
    assert.equal(parseCredentials(value).params['username'], 'a"b');
    assert.throws(
      () =>
        client.authorize({
          challenge: CH('MD5'),
          method: 'M',
          uri: 'sip:r',
          username: 'a\r\nVia: x',
          password: 'p',
        }),
      AuthMalformedError,
    );
  });

  it('throws typed errors for challenges it cannot answer and for bad options', () => {
    const client = new DigestClient();
    const base = { method: 'M', uri: 'sip:r', username: 'u', password: 'p' };
    assert.throws(() => client.authorize({ ...base, challenge: CH('SHA-1') }), AuthUnsupportedAlgorithmError);
    assert.throws(
      () => client.authorize({ ...base, challenge: 'Digest realm="r", nonce="n", qop="auth-conf"' }),
      AuthUnsupportedQopError,
    );
    assert.throws(
      () => client.authorize({ ...base, challenge: 'Digest realm="r", nonce="n", algorithm=MD5-sess' }),
      AuthUnsupportedQopError,
    );
    assert.throws(() => client.authorize({ ...base, challenge: 'Digest realm="r' }), AuthMalformedError);
    assert.throws(() => client.authorize({ ...base, challenge: 'Basic realm="r"' }), AuthMalformedError);
    const noSecret = { method: 'M', uri: 'sip:r', username: 'u', challenge: CH('MD5') };
    assert.throws(() => client.authorize(noSecret), AuthInvalidOptionsError);
    assert.throws(() => client.authorize({ ...noSecret, password: 'p', ha1: 'ab' }), AuthInvalidOptionsError);
    assert.throws(() => client.authorize({ ...noSecret, ha1: 'abcd' }), AuthInvalidOptionsError);
    assert.throws(
      () => client.authorize({ ...noSecret, ha1: { 'SHA-256': 'a'.repeat(64) } }),
      AuthInvalidOptionsError,
    );
    assert.throws(() => client.authorize({ ...base, challenge: CH('MD5'), nc: 0 }), AuthInvalidOptionsError);
    assert.throws(
      () => client.authorize({ ...base, challenge: CH('MD5'), nc: 2 ** 32 }),
      AuthInvalidOptionsError,
    );
    assert.throws(() => new DigestClient({ algorithms: [] }), AuthInvalidOptionsError);
    assert.throws(() => new DigestClient({ maxTrackedNonces: 0 }), AuthInvalidOptionsError);
  });

  it('refuses an algorithm the client was configured not to use', () => {
    const client = new DigestClient({ algorithms: ['SHA-256'] });
    assert.throws(
      () =>
        client.authorize({ challenge: CH('MD5'), method: 'M', uri: 'sip:r', username: 'u', password: 'p' }),
      AuthUnsupportedAlgorithmError,
    );
  });
});

describe('pickChallenge', () => {
  it('RFC 8760 §2.4 — chooses the strongest supported algorithm whatever the order', () => {
    assert.equal(pickChallenge([CH('MD5'), CH('SHA-256')]), CH('SHA-256'));
    assert.equal(pickChallenge([CH('SHA-256'), CH('MD5')]), CH('SHA-256'));
    assert.equal(pickChallenge([CH('MD5'), CH('SHA-512-256'), CH('SHA-256')]), CH('SHA-512-256'));
    assert.equal(pickChallenge([CH('MD5-sess'), CH('MD5')]), CH('MD5'));
  });

  it('an absent algorithm counts as MD5; among equals the first offered wins', () => {
    const legacy = 'Digest realm="r", nonce="x"';
    assert.equal(pickChallenge([legacy, CH('MD5')]), legacy);
    assert.equal(pickChallenge([legacy, CH('SHA-256')]), CH('SHA-256'));
  });

  it('skips malformed, non-Digest, unknown-algorithm and unusable-qop challenges', () => {
    const values = [
      'Digest realm="r',
      'Basic realm="r"',
      'NoOneKnowsThisScheme x=y',
      CH('SHA-1'),
      'Digest realm="r", nonce="n", qop="auth-conf", algorithm=SHA-256',
      'Digest realm="r", nonce="n", algorithm=SHA-256-sess',
      CH('MD5'),
    ];
    assert.equal(pickChallenge(values), CH('MD5'));
    assert.equal(pickChallenge(values.slice(0, 6)), undefined);
    assert.equal(pickChallenge([]), undefined);
  });

  it('honours the client’s algorithm list', () => {
    const client = new DigestClient({ algorithms: ['MD5'] });
    assert.equal(client.pickChallenge([CH('SHA-256'), CH('MD5')]), CH('MD5'));
    assert.equal(client.pickChallenge([CH('SHA-256')]), undefined);
  });

  it('authorizeAny answers the picked challenge, or throws AuthNoUsableChallengeError', () => {
    const client = new DigestClient();
    const value = client.authorizeAny({
      challenges: [CH('MD5'), CH('SHA-256')],
      method: 'M',
      uri: 'sip:r',
      username: 'u',
      password: 'p',
    });
    assert.equal(parseCredentials(value).params['algorithm'], 'SHA-256');
    assert.throws(
      () =>
        client.authorizeAny({
          challenges: ['Basic x=y'],
          method: 'M',
          uri: 'sip:r',
          username: 'u',
          password: 'p',
        }),
      (e: unknown) => e instanceof AuthNoUsableChallengeError && e.code === 'SIP_AUTH_NO_USABLE_CHALLENGE',
    );
  });
});
