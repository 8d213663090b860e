import { randomFillSync } from 'node:crypto';
import { MAGIC_COOKIE } from '../grammar/index.js';

export { isRfc3261Branch, MAGIC_COOKIE } from '../grammar/index.js';

/**
 * Random octets are drawn from the CSPRNG a pool at a time: one `randomFillSync` call (and the
 * OpenSSL fork check behind it) per 4 KiB instead of per tag, branch and Call-ID. Every octet is
 * handed out once.
 */
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomToken(octets: number): string {
  if (poolOffset + octets > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const start = poolOffset;
  poolOffset += octets;
  // base64url uses only token characters (alphanum, '-', '_').
  return pool.toString('base64url', start, poolOffset);
}

/** RFC 3261 §8.1.1.7 — a branch unique in space and time, starting with the magic cookie `z9hG4bK`. */
export function generateBranch(): string {
  return MAGIC_COOKIE + randomToken(12);
}

/** RFC 3261 §19.3 — a tag with at least 32 bits of randomness (we use 96). */
export function generateTag(): string {
  return randomToken(12);
}

/** RFC 3261 §8.1.1.4 — a globally unique Call-ID: random word `@` host. */
export function generateCallId(host?: string): string {
  const id = randomToken(18);
  return host === undefined || host === '' ? id : `${id}@${host}`;
}
