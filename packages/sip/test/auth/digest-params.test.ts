import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AuthMalformedError,
  parseChallenge,
  parseCredentials,
  readDigestChallenge,
  readDigestCredentials,
} from '../../src/auth/index.js';

const challenge = (value: string) => readDigestChallenge(parseChallenge(value));
const credentials = (value: string) => readDigestCredentials(parseCredentials(value));

describe('readDigestChallenge', () => {
  it('fills the RFC 7616 §3.3 defaults: algorithm MD5, no qop, stale false, userhash false', () => {
    const c = challenge('Digest realm="r", nonce="n"');
    assert.equal(c.realm, 'r');
    assert.equal(c.nonce, 'n');
    assert.equal(c.algorithm, 'MD5');
    assert.deepEqual(c.qop, []);
    assert.equal(c.stale, false);
    assert.equal(c.userhash, false);
    assert.equal(c.opaque, undefined);
    assert.equal(c.domain, undefined);
  });

  it('splits and lower-cases qop options, splits domain, reads stale=TRUE case-insensitively', () => {
    const c = challenge(
      'Digest realm="r", nonce="n", qop="Auth, auth-int", domain="sip:a sip:b", stale=TRUE, opaque="o", userhash=true, algorithm=SHA-256',
    );
    assert.deepEqual(c.qop, ['auth', 'auth-int']);
    assert.deepEqual(c.domain, ['sip:a', 'sip:b']);
    assert.equal(c.stale, true);
    assert.equal(c.opaque, 'o');
    assert.equal(c.userhash, true);
    assert.equal(c.algorithm, 'SHA-256');
  });

  it('refuses a challenge without realm or nonce, with a bad stale, or not Digest', () => {
    assert.throws(() => challenge('Digest nonce="n"'), AuthMalformedError);
    assert.throws(() => challenge('Digest realm="r"'), AuthMalformedError);
    assert.throws(() => challenge('Digest realm="r", nonce="n", stale=maybe'), AuthMalformedError);
    assert.throws(() => challenge('Basic realm="r", nonce="n"'), AuthMalformedError);
    assert.throws(() => challenge('Digest abc=='), AuthMalformedError);
  });
});

describe('readDigestCredentials', () => {
  const base = 'Digest username="u", realm="r", nonce="n", uri="sip:x", response="0a1B"';

  it('reads the required parameters and the optional ones', () => {
    const c = credentials(`${base}, algorithm=SHA-256, cnonce="c", nc=0000000A, qop=AUTH, opaque="o"`);
    assert.equal(c.username, 'u');
    assert.equal(c.uri, 'sip:x');
    assert.equal(c.response, '0a1B');
    assert.equal(c.algorithm, 'SHA-256');
    assert.equal(c.nc, '0000000A');
    assert.equal(c.ncValue, 10);
    assert.equal(c.qop, 'auth');
    assert.equal(c.opaque, 'o');
  });

  it('leaves algorithm undefined when absent (the caller reads that as MD5)', () => {
    assert.equal(credentials(base).algorithm, undefined);
  });

  const bad: Array<[string, string]> = [
    ['no username', 'Digest realm="r", nonce="n", uri="sip:x", response="00"'],
    ['no uri', 'Digest username="u", realm="r", nonce="n", response="00"'],
    ['no response', 'Digest username="u", realm="r", nonce="n", uri="sip:x"'],
    ['a non-hex response', 'Digest username="u", realm="r", nonce="n", uri="sip:x", response="xyz"'],
    ['qop without nc', `${base}, qop=auth, cnonce="c"`],
    ['qop without cnonce', `${base}, qop=auth, nc=00000001`],
    ['nc without qop', `${base}, nc=00000001, cnonce="c"`],
    ['an nc of 7 digits', `${base}, qop=auth, nc=0000001, cnonce="c"`],
    ['an nc that is not hex', `${base}, qop=auth, nc=0000000g, cnonce="c"`],
  ];
  for (const [what, value] of bad) {
    it(`refuses credentials with ${what}`, () => {
      assert.throws(() => credentials(value), AuthMalformedError);
    });
  }
});
