import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';

import {
  AuthInvalidOptionsError,
  computeHa1,
  computeHa1Set,
  computeResponse,
  DIGEST_ALGORITHMS,
  digestHash,
  digestHashOf,
  digestHexLength,
  isSessionAlgorithm,
  parseDigestAlgorithm,
} from '../../src/auth/index.js';
import { RFC7616_EXAMPLE as E } from './rfc7616-vectors.js';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('digest algorithms', () => {
  it('RFC 7616 §3.9.1 — MD5 response for Mufasa is 8ca523f5…', () => {
    const ha1 = computeHa1({ username: E.username, realm: E.realm, password: E.password, algorithm: 'MD5' });
    const response = computeResponse({
      algorithm: 'MD5',
      ha1,
      nonce: E.nonce,
      method: E.method,
      uri: E.uri,
      qop: 'auth',
      nc: E.nc,
      cnonce: E.cnonce,
    });
    assert.equal(response, E.responses.MD5);
  });

  it('RFC 7616 §3.9.1 — SHA-256 response for Mufasa is 753927fa…', () => {
    const ha1 = computeHa1({
      username: E.username,
      realm: E.realm,
      password: E.password,
      algorithm: 'SHA-256',
    });
    const response = computeResponse({
      algorithm: 'SHA-256',
      ha1,
      nonce: E.nonce,
      method: E.method,
      uri: E.uri,
      qop: 'auth',
      nc: E.nc,
      cnonce: E.cnonce,
    });
    assert.equal(response, E.responses['SHA-256']);
  });

  it('the password "Circle Of Life" (RFC 2617 spelling) does not give the RFC 7616 response', () => {
    const ha1 = computeHa1({
      username: E.username,
      realm: E.realm,
      password: 'Circle Of Life',
      algorithm: 'MD5',
    });
    const response = computeResponse({
      algorithm: 'MD5',
      ha1,
      nonce: E.nonce,
      method: E.method,
      uri: E.uri,
      qop: 'auth',
      nc: E.nc,
      cnonce: E.cnonce,
    });
    assert.notEqual(response, E.responses.MD5);
  });

  it('RFC 7616 §3.4.2 — H(A1) = H(username:realm:password) for each hash', () => {
    assert.equal(computeHa1({ username: 'u', realm: 'r', password: 'p', algorithm: 'MD5' }), md5('u:r:p'));
    assert.equal(
      computeHa1({ username: 'u', realm: 'r', password: 'p', algorithm: 'SHA-256' }),
      sha256('u:r:p'),
    );
    // -sess algorithms store the same session-independent part
    assert.equal(
      computeHa1({ username: 'u', realm: 'r', password: 'p', algorithm: 'SHA-256-sess' }),
      sha256('u:r:p'),
    );
    assert.equal(
      computeHa1({ username: 'u', realm: 'r', password: 'p', algorithm: 'SHA-512-256' }),
      createHash('sha512-256').update('u:r:p').digest('hex'),
    );
  });

  it('computeHa1Set stores one H(A1) per hash and no password', () => {
    const set = computeHa1Set({ username: 'alice', realm: 'svpn', password: 's3cret' });
    assert.deepEqual(Object.keys(set).sort(), ['MD5', 'SHA-256', 'SHA-512-256']);
    assert.equal(set.MD5, md5('alice:svpn:s3cret'));
    assert.ok(!JSON.stringify(set).includes('s3cret'));
    assert.deepEqual(
      Object.keys(computeHa1Set({ username: 'a', realm: 'r', password: 'p', hashes: ['MD5'] })),
      ['MD5'],
    );
  });

  it('RFC 7616 §3.4.2 — -sess folds nonce and cnonce into H(A1)', () => {
    const ha1 = md5('u:r:p');
    const got = computeResponse({
      algorithm: 'MD5-sess',
      ha1,
      nonce: 'N',
      method: 'INVITE',
      uri: 'sip:b@c',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'C',
    });
    const sessHa1 = md5(`${ha1}:N:C`);
    assert.equal(got, md5(`${sessHa1}:N:00000001:C:auth:${md5('INVITE:sip:b@c')}`));
    assert.throws(
      () => computeResponse({ algorithm: 'MD5-sess', ha1, nonce: 'N', method: 'INVITE', uri: 'sip:b@c' }),
      AuthInvalidOptionsError,
    );
  });

  it('RFC 7616 §3.4.3 — qop=auth-int adds H(body) to A2', () => {
    const ha1 = sha256('u:r:p');
    const body = 'v=0\r\n';
    const got = computeResponse({
      algorithm: 'SHA-256',
      ha1,
      nonce: 'N',
      method: 'INVITE',
      uri: 'sip:b@c',
      qop: 'auth-int',
      nc: '00000002',
      cnonce: 'C',
      body,
    });
    const ha2 = sha256(`INVITE:sip:b@c:${sha256(body)}`);
    assert.equal(got, sha256(`${ha1}:N:00000002:C:auth-int:${ha2}`));
  });

  it('RFC 2617 §3.2.2.1 — without qop the response is H(H(A1):nonce:H(A2)) (RFC 2069 form)', () => {
    const ha1 = md5('u:r:p');
    const got = computeResponse({ algorithm: 'MD5', ha1, nonce: 'N', method: 'REGISTER', uri: 'sip:r' });
    assert.equal(got, md5(`${ha1}:N:${md5('REGISTER:sip:r')}`));
    assert.throws(
      () =>
        computeResponse({ algorithm: 'MD5', ha1, nonce: 'N', method: 'REGISTER', uri: 'sip:r', qop: 'auth' }),
      AuthInvalidOptionsError,
    );
  });

  it('SHA-512/256 is the FIPS 180-4 truncated SHA-512 (NIST "abc" vector)', () => {
    assert.equal(
      digestHash('SHA-512-256', 'abc'),
      '53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23',
    );
  });

  it('RFC 7616 §3.3 — algorithm tokens are case-insensitive; absent means MD5; unknown is undefined', () => {
    assert.equal(parseDigestAlgorithm(undefined), 'MD5');
    assert.equal(parseDigestAlgorithm('sha-256'), 'SHA-256');
    assert.equal(parseDigestAlgorithm('md5-SESS'), 'MD5-sess');
    assert.equal(parseDigestAlgorithm('SHA-512-256'), 'SHA-512-256');
    assert.equal(parseDigestAlgorithm('SHA-1'), undefined);
    assert.equal(parseDigestAlgorithm(''), undefined);
  });

  it('maps algorithms to hashes and hex lengths; lists strongest first', () => {
    assert.equal(digestHashOf('SHA-256-sess'), 'SHA-256');
    assert.equal(digestHashOf('MD5'), 'MD5');
    assert.equal(isSessionAlgorithm('SHA-512-256-sess'), true);
    assert.equal(isSessionAlgorithm('SHA-512-256'), false);
    assert.equal(digestHexLength('MD5'), 32);
    assert.equal(digestHexLength('SHA-256'), 64);
    assert.deepEqual(DIGEST_ALGORITHMS.slice(0, 3), ['SHA-512-256', 'SHA-512-256-sess', 'SHA-256']);
    assert.equal(DIGEST_ALGORITHMS.at(-1), 'MD5-sess');
  });
});
