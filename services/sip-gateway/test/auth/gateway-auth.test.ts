import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DigestFailureReason } from '@svpn/sip';
import { parseDigestAlgorithms, statusForFailure } from '../../src/auth/gateway-auth.js';

test('RFC 3261 §22.2 — no usable credentials yet are challenged (401); refused credentials get 403 (§21.4.4)', () => {
  const table: [DigestFailureReason, 401 | 403][] = [
    ['missing', 401],
    ['stale', 401],
    ['unknown-scheme', 401],
    ['realm-mismatch', 401],
    ['algorithm', 401],
    ['bad-response', 403],
    ['unknown-user', 403],
    ['replay', 403],
    ['malformed', 403],
    ['uri-mismatch', 403],
  ];
  for (const [reason, status] of table) assert.equal(statusForFailure(reason), status, reason);
});

test('RFC 7616 §5.2 — an unknown user is answered exactly like a wrong password', () => {
  assert.equal(statusForFailure('unknown-user'), statusForFailure('bad-response'));
});

test('digest algorithms are offered in the configured order; unknown names are refused', () => {
  assert.deepEqual(parseDigestAlgorithms('MD5, SHA-256'), ['MD5', 'SHA-256']);
  assert.deepEqual(parseDigestAlgorithms('SHA-256,MD5'), ['SHA-256', 'MD5']);
  assert.throws(() => parseDigestAlgorithms('SHA-1'), /unknown digest algorithm/);
  assert.throws(() => parseDigestAlgorithms(' , '), /names no algorithm/);
});
