/**
 * Self-validating Digest nonces: the server keeps no state per challenge.
 *
 * A nonce is base64url( issuedAt (8 bytes, ms, big-endian) ‖ 8 random bytes ‖ first 16 bytes of
 * HMAC-SHA-256(secret, label ‖ realm ‖ 0x00 ‖ issuedAt ‖ random) ) — 43 characters, all token
 * characters. The HMAC makes it unforgeable without the secret; the timestamp lets it expire.
 * RFC 7616 §3.3 leaves the nonce's construction to the server, which should make a fresh one for
 * each challenge and MAY limit how long it is accepted; §5.4 suggests a time stamp bound by a
 * private key, which is what this does.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-3.3
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-5.4
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

import { AuthInvalidOptionsError } from './errors.js';

/** Options of `NonceIssuer`. */
export interface NonceIssuerOptions {
  /** HMAC key; at least 16 bytes. */
  secret: Uint8Array;
  /** Bound into the HMAC so a nonce from one realm is not accepted in another sharing the secret. */
  realm: string;
  /** How long a nonce stays valid, in milliseconds. */
  lifetimeMs: number;
  /** Clock in milliseconds (e.g. `Date.now`). */
  now: () => number;
  /**
   * Source of the per-nonce random bytes.
   * @defaultValue `crypto.randomBytes`
   */
  random?: (size: number) => Uint8Array;
}

/** Result of `NonceIssuer.check`. */
export type NonceCheck =
  | { readonly status: 'valid'; readonly issuedAt: number }
  | { readonly status: 'expired'; readonly issuedAt: number }
  | { readonly status: 'invalid' };

const LABEL = Buffer.from('svpn-digest-nonce-v1:');
const TS_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const NONCE_BYTES = TS_BYTES + RANDOM_BYTES + MAC_BYTES;
const NONCE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Issues and checks self-validating nonces. */
export class NonceIssuer {
  readonly #secret: Buffer;
  readonly #realm: Buffer;
  readonly #lifetimeMs: number;
  readonly #now: () => number;
  readonly #random: (size: number) => Uint8Array;

  constructor(options: NonceIssuerOptions) {
    if (options.secret.length < 16)
      throw new AuthInvalidOptionsError('nonce secret must be at least 16 bytes');
    if (!(options.lifetimeMs > 0)) throw new AuthInvalidOptionsError('nonce lifetime must be positive');
    this.#secret = Buffer.from(options.secret);
    this.#realm = Buffer.from(options.realm, 'utf8');
    this.#lifetimeMs = options.lifetimeMs;
    this.#now = options.now;
    this.#random = options.random ?? randomBytes;
  }

  /** A fresh nonce stamped with the current time. */
  issue(): string {
    const body = Buffer.alloc(TS_BYTES + RANDOM_BYTES);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.#now()))), 0);
    const random = this.#random(RANDOM_BYTES);
    if (random.length !== RANDOM_BYTES)
      throw new AuthInvalidOptionsError('random source returned a wrong size');
    body.set(random, TS_BYTES);
    return Buffer.concat([body, this.#mac(body)]).toString('base64url');
  }

  /**
   * `invalid` when the nonce was not issued with this secret and realm (forged, tampered, from
   * another deployment or before a secret change), `expired` when it is ours but older than the
   * lifetime, `valid` otherwise.
   */
  check(nonce: string): NonceCheck {
    if (!NONCE_SHAPE.test(nonce)) return { status: 'invalid' };
    const raw = Buffer.from(nonce, 'base64url');
    if (raw.length !== NONCE_BYTES || raw.toString('base64url') !== nonce) return { status: 'invalid' };
    const body = raw.subarray(0, TS_BYTES + RANDOM_BYTES);
    if (!timingSafeEqual(raw.subarray(TS_BYTES + RANDOM_BYTES), this.#mac(body)))
      return { status: 'invalid' };
    const issuedAt = Number(raw.readBigUInt64BE(0));
    const age = this.#now() - issuedAt;
    // A clock stepped back by more than a lifetime is treated like expiry: ask for a fresh nonce.
    if (age > this.#lifetimeMs || age < -this.#lifetimeMs) return { status: 'expired', issuedAt };
    return { status: 'valid', issuedAt };
  }

  #mac(body: Uint8Array): Buffer {
    return createHmac('sha256', this.#secret)
      .update(LABEL)
      .update(this.#realm)
      .update(Buffer.of(0))
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES);
  }
}
