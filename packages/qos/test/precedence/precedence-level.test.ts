import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  comparePrecedence,
  isHigherPrecedence,
  isPrecedenceLevel,
  PRECEDENCE_LEVELS,
  PrecedenceInvalidError,
  precedenceRank,
  type PrecedenceLevel,
} from '../../src/index.js';

describe('MLPP precedence levels', () => {
  it('are ordered routine < priority < immediate < flash < flash-override', () => {
    assert.deepEqual(PRECEDENCE_LEVELS, ['routine', 'priority', 'immediate', 'flash', 'flash-override']);
    assert.deepEqual(PRECEDENCE_LEVELS.map(precedenceRank), [0, 1, 2, 3, 4]);
  });

  it('compare as a sort comparator', () => {
    const shuffled: PrecedenceLevel[] = ['flash', 'routine', 'flash-override', 'immediate', 'priority'];
    assert.deepEqual([...shuffled].sort(comparePrecedence), PRECEDENCE_LEVELS);
    assert.ok(isHigherPrecedence('flash', 'immediate'));
    assert.equal(isHigherPrecedence('flash', 'flash'), false);
    assert.equal(isHigherPrecedence('routine', 'priority'), false);
    assert.equal(comparePrecedence('priority', 'priority'), 0);
  });

  it('recognises levels and rejects others', () => {
    assert.ok(isPrecedenceLevel('flash-override'));
    assert.equal(isPrecedenceLevel('flash-override-override'), false);
    assert.equal(isPrecedenceLevel('Flash'), false);
    assert.throws(() => precedenceRank('urgent' as PrecedenceLevel), PrecedenceInvalidError);
  });
});
