import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AuthInvalidOptionsError, NonceIssuer } from '../../src/auth/index.js';

const SECRET = Buffer.alloc(32, 7);
const T0 = 1_750_000_000_000;

function issuer(clock: { t: number }, overrides: { secret?: Uint8Array; realm?: string } = {}): NonceIssuer {
  return new NonceIssuer({
    secret: overrides.secret ?? SECRET,
    realm: overrides.realm ?? 'svpn',
    lifetimeMs: 300_000,
    now: () => clock.t,
  });
}

/** Flips one base64url character of the nonce at `index` to another valid one. */
function flip(nonce: string, index: number): string {
  const c = nonce.charAt(index);
  return nonce.slice(0, index) + (c === 'A' ? 'B' : 'A') + nonce.slice(index + 1);
}

describe('NonceIssuer', () => {
  it('issues 43-character token nonces that check as valid, stamped with the clock', () => {
    const clock = { t: T0 };
    const n = issuer(clock).issue();
    assert.equal(n.length, 43);
    assert.match(n, /^[A-Za-z0-9_-]+$/, 'only token characters');
    assert.deepEqual(issuer(clock).check(n), { status: 'valid', issuedAt: T0 });
  });

  it('issues a different nonce each time', () => {
    const i = issuer({ t: T0 });
    const seen = new Set(Array.from({ length: 50 }, () => i.issue()));
    assert.equal(seen.size, 50);
  });

  it('RFC 7616 §3.3 — a nonce expires after its lifetime (valid at exactly 300 s, expired 1 ms later)', () => {
    const clock = { t: T0 };
    const i = issuer(clock);
    const n = i.issue();
    clock.t = T0 + 300_000;
    assert.equal(i.check(n).status, 'valid');
    clock.t = T0 + 300_001;
    assert.deepEqual(i.check(n), { status: 'expired', issuedAt: T0 });
  });

  it('treats a clock stepped back by more than a lifetime as expiry', () => {
    const clock = { t: T0 };
    const i = issuer(clock);
    const n = i.issue();
    clock.t = T0 - 1000;
    assert.equal(i.check(n).status, 'valid');
    clock.t = T0 - 300_001;
    assert.equal(i.check(n).status, 'expired');
  });

  it('any changed character (timestamp, random part or MAC) makes the nonce invalid', () => {
    const i = issuer({ t: T0 });
    const n = i.issue();
    for (const index of [0, 5, 10, 15, 20, 30, 42]) {
      assert.deepEqual(i.check(flip(n, index)), { status: 'invalid' }, `index ${index}`);
    }
  });

  it('a nonce from another secret or another realm is invalid', () => {
    const clock = { t: T0 };
    const n = issuer(clock).issue();
    assert.equal(issuer(clock, { secret: Buffer.alloc(32, 8) }).check(n).status, 'invalid');
    assert.equal(issuer(clock, { realm: 'other' }).check(n).status, 'invalid');
  });

  it('garbage, wrong lengths and non-canonical base64url are invalid', () => {
    const i = issuer({ t: T0 });
    const n = i.issue();
    for (const bad of [
      '',
      'abc',
      n + 'A',
      n.slice(1),
      n.slice(0, 42) + '=',
      '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    ]) {
      assert.deepEqual(i.check(bad), { status: 'invalid' }, bad);
    }
  });

  it('uses the injected random source', () => {
    const make = () =>
      new NonceIssuer({
        secret: SECRET,
        realm: 'r',
        lifetimeMs: 1000,
        now: () => T0,
        random: (n) => Buffer.alloc(n, 1),
      });
    assert.equal(make().issue(), make().issue());
  });

  it('refuses a short secret and a non-positive lifetime', () => {
    assert.throws(
      () => new NonceIssuer({ secret: Buffer.alloc(8), realm: 'r', lifetimeMs: 1, now: () => 0 }),
      AuthInvalidOptionsError,
    );
    assert.throws(
      () => new NonceIssuer({ secret: SECRET, realm: 'r', lifetimeMs: 0, now: () => 0 }),
      AuthInvalidOptionsError,
    );
  });
});
