/**
 * Replay protection for Digest with qop: remembers, per nonce, the highest nonce-count (`nc`)
 * accepted, in bounded memory.
 *
 * RFC 7616 §3.4 / §5.5 — the server remembers the nc values it has seen for a nonce; a request
 * whose nc it has already seen is a replay. This tracker keeps the stricter rule that nc must
 * increase (an out-of-order request is refused too; the client retries with a fresh nc).
 *
 * Memory holds at most `maxNonces` entries, least recently used evicted first. Once a nonce has
 * been evicted its history is lost, so the tracker keeps a watermark: the newest issue time of any
 * evicted nonce. An untracked nonce issued at or before the watermark may have been used already,
 * so it is reported `evicted` (the server then answers stale=true and the client simply retries
 * with a new nonce); an untracked nonce issued after it has never been used.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7616#section-5.5
 */
import { AuthInvalidOptionsError } from './errors.js';

/** Verdict of `NonceCountTracker.advance`. */
export type NonceCountVerdict = 'ok' | 'replay' | 'evicted';

interface Entry {
  readonly issuedAt: number;
  highest: number;
}

/** Per-nonce highest-nc memory with LRU eviction. Not shared between processes. */
export class NonceCountTracker {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  #watermark = Number.NEGATIVE_INFINITY;

  /** @param maxNonces how many nonces to remember (at least 1). */
  constructor(maxNonces: number) {
    if (!Number.isInteger(maxNonces) || maxNonces < 1) {
      throw new AuthInvalidOptionsError('maxTrackedNonces must be a positive integer');
    }
    this.#max = maxNonces;
  }

  /** Number of nonces currently remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Records a use of `nonce` (issued at `issuedAt`) with nonce-count `nc`. `'once'` is the
   * RFC 2069 form without qop: accepted only for a nonce never used before, which it then uses up.
   * Only call this after the response digest has been verified, so forged requests cannot move
   * the counter.
   */
  advance(nonce: string, issuedAt: number, nc: number | 'once'): NonceCountVerdict {
    let entry = this.#entries.get(nonce);
    if (entry === undefined) {
      if (issuedAt <= this.#watermark) return 'evicted';
      entry = { issuedAt, highest: 0 };
    } else {
      this.#entries.delete(nonce); // re-inserted below as most recently used
    }
    const verdict =
      nc === 'once' ? (entry.highest === 0 ? 'ok' : 'replay') : nc > entry.highest ? 'ok' : 'replay';
    if (verdict === 'ok') entry.highest = nc === 'once' ? Number.POSITIVE_INFINITY : nc;
    this.#entries.set(nonce, entry);
    this.#evict();
    return verdict;
  }

  #evict(): void {
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.entries().next();
      if (oldest.done === true) return;
      const [nonce, entry] = oldest.value;
      this.#entries.delete(nonce);
      this.#watermark = Math.max(this.#watermark, entry.issuedAt);
    }
  }
}
