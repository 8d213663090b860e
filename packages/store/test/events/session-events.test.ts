import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeSessionEvent,
  isTerminalSessionEvent,
  parseSessionEvent,
  SESSION_END_REASONS,
  SESSION_EVENT_TYPES,
  SESSION_PRECEDENCE_LEVELS,
  SessionEventInvalidError,
  sessionEventId,
  sessionEventProblems,
} from '../../src/index.js';
import { T0, validStart } from './fixtures.js';

describe('session event contract', () => {
  test('eventId is <sessionId>:<seq>', () => {
    assert.equal(sessionEventId('abc', 3), 'abc:3');
  });

  test('a valid start and stop pass', () => {
    assert.deepEqual(parseSessionEvent(validStart), validStart);
    const stop = {
      ...validStart,
      type: 'stop',
      seq: 2,
      eventId: 'sess-1:2',
      endAt: T0 + 9000,
      reason: 'bye',
      bytes: 5,
    };
    assert.deepEqual(sessionEventProblems(stop), []);
    assert.deepEqual(decodeSessionEvent(JSON.stringify(stop)), stop);
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['an eventId that is not <sessionId>:<seq>', { eventId: 'other:0' }, /eventId/],
    ['a start with seq > 0', { seq: 1, eventId: 'sess-1:1' }, /start event has seq 0/],
    ['a modify with seq 0', { type: 'modify' }, /only the start/],
    ['a stop without endAt', { type: 'stop', seq: 1, eventId: 'sess-1:1' }, /endAt/],
    ['an unknown type', { type: 'pause' }, /type/],
    ['an unknown precedence', { precedence: 'urgent' }, /precedence/],
    ['a DSCP of 64', { dscp: 64 }, /dscp/],
    ['a fractional bandwidth', { grantedBps: 1.5 }, /grantedBps/],
    ['a negative time', { at: -1 }, /at/],
    ['an unknown field', { extra: 1 }, /extra|additional/i],
    ['an answer before setup', { answerAt: T0 - 1 }, /answerAt/],
    ['an end before the answer', { type: 'stop', seq: 1, eventId: 'sess-1:1', endAt: T0 + 10 }, /endAt/],
    ['an unknown reason', { reason: 'tired' }, /reason/],
    ['whitespace in a session id', { sessionId: 'a b', eventId: 'a b:0' }, /sessionId/],
  ];
  for (const [name, change, where] of invalid) {
    test(`refuses ${name}`, () => {
      const value = { ...validStart, ...change };
      assert.throws(
        () => parseSessionEvent(value),
        (e: unknown) =>
          e instanceof SessionEventInvalidError && e.code === 'STORE_EVENT_INVALID' && where.test(e.message),
      );
    });
  }

  test('every listed type, reason and precedence passes the schema', () => {
    const stop = { ...validStart, seq: 1, eventId: 'sess-1:1', endAt: T0 + 100 };
    for (const type of SESSION_EVENT_TYPES)
      assert.deepEqual(sessionEventProblems(type === 'start' ? validStart : { ...stop, type }), [], type);
    for (const reason of SESSION_END_REASONS)
      assert.deepEqual(sessionEventProblems({ ...stop, type: 'stop', reason }), [], reason);
    for (const precedence of SESSION_PRECEDENCE_LEVELS)
      assert.deepEqual(sessionEventProblems({ ...validStart, precedence }), [], precedence);
  });

  test('decodeSessionEvent refuses text that is not JSON', () => {
    assert.throws(() => decodeSessionEvent('{'), SessionEventInvalidError);
  });

  test('terminal events: every stop, a preempt only with endAt', () => {
    assert.equal(isTerminalSessionEvent({ type: 'stop', endAt: 1 }), true);
    assert.equal(isTerminalSessionEvent({ type: 'preempt', endAt: 1 }), true);
    assert.equal(isTerminalSessionEvent({ type: 'preempt' }), false);
    assert.equal(isTerminalSessionEvent({ type: 'modify', endAt: 1 }), false);
  });
});
