import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaderError } from '../../src/grammar/index.js';
import {
  type ReliableProvisionalEvent,
  type ReliableProvisionalState,
  acceptReliableProvisional,
  formatRAck,
  initialRSeq,
  initialReliableProvisionalState,
  parseRAck,
  parseRSeq,
  stepReliableProvisional,
} from '../../src/dialogs/reliable-provisional.js';
import { DialogStateTransitionError } from '../../src/dialogs/errors.js';

const T1 = 500;

function start(): ReliableProvisionalState {
  return initialReliableProvisionalState({ inviteCseq: 7, T1, firstRSeq: 100 });
}

function run(state: ReliableProvisionalState, ...events: ReliableProvisionalEvent[]) {
  let s = state;
  let effects: unknown[] = [];
  for (const e of events) {
    const step = stepReliableProvisional(s, e);
    s = step.state;
    effects = [...step.effects];
  }
  return { state: s, effects };
}

const prack = (rseq: number, cseq = 7, method = 'INVITE'): ReliableProvisionalEvent => ({
  type: 'prack',
  rack: { rseq, cseq, method },
});

test('RFC 3262 §7.1 — RSeq is 1*DIGIT, 1 to 2^32-1', () => {
  assert.equal(parseRSeq(' 988789 '), 988789);
  assert.equal(parseRSeq('4294967295'), 4294967295);
  assert.throws(() => parseRSeq('4294967296'), SipHeaderError);
  assert.throws(() => parseRSeq('0'), SipHeaderError);
  assert.throws(() => parseRSeq('12a'), SipHeaderError);
});

test('RFC 3262 §7.2 — RAck is response-num, CSeq-num and method; round trip', () => {
  assert.deepEqual(parseRAck('776656 1 INVITE'), { rseq: 776656, cseq: 1, method: 'INVITE' });
  assert.deepEqual(parseRAck('  5\t 314159   INVITE '), { rseq: 5, cseq: 314159, method: 'INVITE' });
  assert.equal(formatRAck({ rseq: 9, cseq: 2, method: 'INVITE' }), '9 2 INVITE');
  assert.deepEqual(parseRAck(formatRAck({ rseq: 41, cseq: 12, method: 'INVITE' })), {
    rseq: 41,
    cseq: 12,
    method: 'INVITE',
  });
  for (const bad of ['776656', '776656 INVITE', 'x 1 INVITE', '1 2', '']) {
    assert.throws(() => parseRAck(bad), SipHeaderError, bad);
  }
});

test('RFC 3262 §3 — the first RSeq lies between 1 and 2^31-1', () => {
  assert.equal(
    initialRSeq(() => 0),
    1,
  );
  assert.equal(
    initialRSeq(() => 0.9999999999),
    2 ** 31 - 1,
  );
  for (let i = 0; i < 100; i++) {
    const r = initialRSeq();
    assert.ok(r >= 1 && r <= 2 ** 31 - 1 && Number.isInteger(r));
  }
});

test('RFC 3262 §4 — the UAC takes any first RSeq, then only the next one', () => {
  assert.equal(acceptReliableProvisional(undefined, 5000), true);
  assert.equal(acceptReliableProvisional(5000, 5001), true);
  assert.equal(acceptReliableProvisional(5000, 5000), false, 'a retransmission is not PRACKed again');
  assert.equal(acceptReliableProvisional(5000, 5002), false, 'out of order: a predecessor is missing');
  assert.equal(acceptReliableProvisional(5000, 4999), false);
});

test('RFC 3262 §3 — a reliable provisional is sent with the next RSeq and both timers start', () => {
  const { state, effects } = run(start(), { type: 'provisional' });
  assert.equal(state.name, 'AwaitingPrack');
  assert.deepEqual(state.unacknowledged, { rseq: 100, intervalMs: T1 });
  assert.equal(state.nextRSeq, 101);
  assert.deepEqual(effects, [
    { type: 'send', rseq: 100 },
    { type: 'startTimer', timer: 'retransmit', delayMs: T1 },
    { type: 'startTimer', timer: 'giveUp', delayMs: 64 * T1 },
  ]);
});

test('RFC 3262 §3 — retransmissions start at T1 and double each time (no T2 cap)', () => {
  let state = run(start(), { type: 'provisional' }).state;
  const delays: number[] = [];
  for (let i = 0; i < 6; i++) {
    const step = stepReliableProvisional(state, { type: 'timer', timer: 'retransmit' });
    state = step.state;
    assert.deepEqual(step.effects[0], { type: 'retransmit' });
    const start = step.effects[1] as { delayMs: number };
    delays.push(start.delayMs);
  }
  assert.deepEqual(delays, [2 * T1, 4 * T1, 8 * T1, 16 * T1, 32 * T1, 64 * T1]);
});

test('RFC 3262 §3 — a matching PRACK stops the retransmissions and is answered 200', () => {
  const { state, effects } = run(start(), { type: 'provisional' }, prack(100));
  assert.equal(state.name, 'Idle');
  assert.equal(state.unacknowledged, undefined);
  assert.deepEqual(effects, [
    { type: 'cancelTimer', timer: 'retransmit' },
    { type: 'cancelTimer', timer: 'giveUp' },
    { type: 'answerPrack', status: 200 },
  ]);
});

test('RFC 3262 §3 — a PRACK whose RAck does not match (RSeq, CSeq or method) gets 481', () => {
  const sent = run(start(), { type: 'provisional' }).state;
  for (const bad of [prack(99), prack(101), prack(100, 8), prack(100, 7, 'UPDATE')]) {
    const step = stepReliableProvisional(sent, bad);
    assert.deepEqual(step.effects, [{ type: 'answerPrack', status: 481 }]);
    assert.equal(step.state, sent, 'nothing changes');
  }
  assert.deepEqual(stepReliableProvisional(start(), prack(100)).effects, [
    { type: 'answerPrack', status: 481 },
  ]);
});

test('RFC 3262 §3 — a second reliable provisional waits for the PRACK of the first', () => {
  const queued = run(start(), { type: 'provisional' }, { type: 'provisional' });
  assert.deepEqual(queued.effects, [], 'nothing is sent');
  assert.equal(queued.state.queued, 1);
  const after = run(queued.state, prack(100));
  assert.equal(after.state.name, 'AwaitingPrack');
  assert.deepEqual(after.state.unacknowledged, { rseq: 101, intervalMs: T1 });
  assert.deepEqual(after.effects.slice(2), [
    { type: 'answerPrack', status: 200 },
    { type: 'send', rseq: 101 },
    { type: 'startTimer', timer: 'retransmit', delayMs: T1 },
    { type: 'startTimer', timer: 'giveUp', delayMs: 64 * T1 },
  ]);
});

test('RFC 3262 §3 — a 2xx is held until the PRACK, then sent after the PRACK is answered', () => {
  const held = run(start(), { type: 'provisional' }, { type: 'final', status: 200 });
  assert.deepEqual(held.effects, []);
  assert.equal(held.state.finalHeld, true);
  const released = run(held.state, prack(100));
  assert.equal(released.state.name, 'Terminated');
  assert.deepEqual(released.effects.slice(2), [{ type: 'answerPrack', status: 200 }, { type: 'sendFinal' }]);
});

test('RFC 3262 §3 — 64·T1 without a PRACK: give up with a 5xx, dropping a held 2xx', () => {
  const { state, effects } = run(
    start(),
    { type: 'provisional' },
    { type: 'provisional' },
    { type: 'final', status: 200 },
    { type: 'timer', timer: 'giveUp' },
  );
  assert.equal(state.name, 'Terminated');
  assert.equal(state.finalHeld, false);
  assert.deepEqual(effects, [
    { type: 'cancelTimer', timer: 'retransmit' },
    { type: 'discardQueued' },
    { type: 'discardFinal' },
    { type: 'giveUp' },
  ]);
  assert.deepEqual(stepReliableProvisional(state, prack(100)).effects, [
    { type: 'answerPrack', status: 481 },
  ]);
});

test('RFC 3262 §3 — a non-2xx final goes out at once; a PRACK for the outstanding one still gets 200', () => {
  const { state, effects } = run(start(), { type: 'provisional' }, { type: 'final', status: 486 });
  assert.equal(state.name, 'Terminated');
  assert.deepEqual(effects, [
    { type: 'cancelTimer', timer: 'retransmit' },
    { type: 'cancelTimer', timer: 'giveUp' },
    { type: 'discardQueued' },
    { type: 'sendFinal' },
  ]);
  const late = stepReliableProvisional(state, prack(100));
  assert.deepEqual(late.effects, [{ type: 'answerPrack', status: 200 }]);
  assert.deepEqual(stepReliableProvisional(late.state, prack(100)).effects, [
    { type: 'answerPrack', status: 481 },
  ]);
});

test('a CANCEL (487) replaces a held 2xx', () => {
  const { effects } = run(
    start(),
    { type: 'provisional' },
    { type: 'final', status: 200 },
    { type: 'final', status: 487 },
  );
  assert.deepEqual(effects.slice(2), [
    { type: 'discardQueued' },
    { type: 'discardFinal' },
    { type: 'sendFinal' },
  ]);
});

test('without an outstanding provisional the final goes straight out; later input is absorbed', () => {
  const done = run(start(), { type: 'final', status: 200 });
  assert.deepEqual(done.effects, [{ type: 'sendFinal' }]);
  assert.equal(done.state.name, 'Terminated');
  assert.deepEqual(stepReliableProvisional(done.state, { type: 'provisional' }).effects, []);
  assert.deepEqual(stepReliableProvisional(done.state, { type: 'final', status: 500 }).effects, []);
});

test('a timer the state never started is a driver bug (DialogStateTransitionError)', () => {
  assert.throws(
    () => stepReliableProvisional(start(), { type: 'timer', timer: 'retransmit' }),
    DialogStateTransitionError,
  );
  const done = run(start(), { type: 'final', status: 200 }).state;
  assert.throws(
    () => stepReliableProvisional(done, { type: 'timer', timer: 'giveUp' }),
    (e: unknown) => {
      assert.ok(e instanceof DialogStateTransitionError);
      assert.equal(e.code, 'SIP_DIALOG_STATE_TRANSITION');
      assert.equal(e.from, 'Terminated');
      return true;
    },
  );
});

test('the state is plain JSON', () => {
  const { state } = run(
    start(),
    { type: 'provisional' },
    { type: 'provisional' },
    { type: 'final', status: 200 },
  );
  assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
});
