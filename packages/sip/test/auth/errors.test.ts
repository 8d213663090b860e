import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AuthDuplicateParamError,
  AuthInvalidOptionsError,
  AuthMalformedError,
  AuthNoUsableChallengeError,
  AuthUnsupportedAlgorithmError,
  AuthUnsupportedQopError,
  SipAuthError,
} from '../../src/auth/index.js';

describe('auth errors', () => {
  it('each error extends SipAuthError with a stable code and its own name', () => {
    const cases: Array<[SipAuthError, string, string]> = [
      [new AuthMalformedError('x', 3), 'SIP_AUTH_MALFORMED', 'AuthMalformedError'],
      [new AuthDuplicateParamError('realm'), 'SIP_AUTH_DUPLICATE_PARAM', 'AuthDuplicateParamError'],
      [
        new AuthUnsupportedAlgorithmError('SHA-1'),
        'SIP_AUTH_UNSUPPORTED_ALGORITHM',
        'AuthUnsupportedAlgorithmError',
      ],
      [new AuthUnsupportedQopError(['auth-conf']), 'SIP_AUTH_UNSUPPORTED_QOP', 'AuthUnsupportedQopError'],
      [new AuthNoUsableChallengeError(), 'SIP_AUTH_NO_USABLE_CHALLENGE', 'AuthNoUsableChallengeError'],
      [new AuthInvalidOptionsError('x'), 'SIP_AUTH_INVALID_OPTIONS', 'AuthInvalidOptionsError'],
    ];
    for (const [error, code, name] of cases) {
      assert.ok(error instanceof SipAuthError);
      assert.ok(error instanceof Error);
      assert.equal(error.code, code);
      assert.equal(error.name, name);
    }
  });

  it('carries the offending data', () => {
    assert.equal(new AuthMalformedError('bad', 7).offset, 7);
    assert.match(new AuthMalformedError('bad', 7).message, /offset 7/);
    assert.equal(new AuthDuplicateParamError('nonce').param, 'nonce');
    assert.equal(new AuthUnsupportedAlgorithmError('SHA-1').algorithm, 'SHA-1');
    const cause = new Error('root');
    assert.equal(new SipAuthError('SIP_AUTH_MALFORMED', 'm', { cause }).cause, cause);
  });
});
