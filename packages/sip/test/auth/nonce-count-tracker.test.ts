import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AuthInvalidOptionsError, NonceCountTracker } from '../../src/auth/index.js';

describe('NonceCountTracker', () => {
  it('RFC 7616 §5.5 — accepts increasing nc values and refuses a repeated or lower one', () => {
    const t = new NonceCountTracker(10);
    assert.equal(t.advance('n', 1, 1), 'ok');
    assert.equal(t.advance('n', 1, 2), 'ok');
    assert.equal(t.advance('n', 1, 2), 'replay');
    assert.equal(t.advance('n', 1, 7), 'ok');
    assert.equal(t.advance('n', 1, 3), 'replay');
    assert.equal(t.advance('n', 1, 8), 'ok');
  });

  it('keeps one counter per nonce', () => {
    const t = new NonceCountTracker(10);
    assert.equal(t.advance('a', 1, 5), 'ok');
    assert.equal(t.advance('b', 1, 1), 'ok');
    assert.equal(t.advance('a', 1, 5), 'replay');
  });

  it('nc 0 is never accepted (counts start at 1)', () => {
    assert.equal(new NonceCountTracker(10).advance('n', 1, 0), 'replay');
  });

  it('"once" (RFC 2069, no nc) uses the nonce up', () => {
    const t = new NonceCountTracker(10);
    assert.equal(t.advance('n', 1, 'once'), 'ok');
    assert.equal(t.advance('n', 1, 'once'), 'replay');
    assert.equal(t.advance('n', 1, 99), 'replay');
    assert.equal(t.advance('m', 1, 1), 'ok');
    assert.equal(t.advance('m', 1, 'once'), 'replay');
  });

  it('holds at most maxNonces entries, evicting the least recently used', () => {
    const t = new NonceCountTracker(2);
    t.advance('a', 1, 1);
    t.advance('b', 2, 1);
    t.advance('a', 1, 2); // a is now the most recent
    t.advance('c', 3, 1); // evicts b
    assert.equal(t.size, 2);
    assert.equal(t.advance('a', 1, 3), 'ok', 'a is still tracked');
    assert.equal(t.advance('a', 1, 3), 'replay');
  });

  it('reports an untracked nonce issued no later than an evicted one as "evicted"; newer ones are fresh', () => {
    const t = new NonceCountTracker(1);
    t.advance('old', 100, 1);
    t.advance('new', 200, 1); // evicts "old" (issued at 100): watermark 100
    assert.equal(t.advance('old', 100, 2), 'evicted', 'history lost: cannot tell a replay');
    assert.equal(t.advance('older', 50, 1), 'evicted');
    assert.equal(t.advance('fresh', 150, 1), 'ok');
  });

  it('refuses a non-positive size', () => {
    assert.throws(() => new NonceCountTracker(0), AuthInvalidOptionsError);
    assert.throws(() => new NonceCountTracker(1.5), AuthInvalidOptionsError);
  });
});
