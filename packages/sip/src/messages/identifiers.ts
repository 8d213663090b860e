import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from '../grammar/index.js';

export { isRfc3261Branch, MAGIC_COOKIE } from '../grammar/index.js';

function randomToken(octets: number): string {
  // base64url uses only token characters (alphanum, '-', '_').
  return randomBytes(octets).toString('base64url');
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
