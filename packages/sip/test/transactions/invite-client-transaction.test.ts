import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InviteClientTransaction,
  StateTransitionError,
  TransactionEventError,
  type InviteClientTransactionEvent,
  type InviteClientTransactionState,
  type TransactionOptions,
} from '../../src/transactions/index.js';
import { MachineClock, doublingSchedule, is } from './support/machine-clock.js';

const UDP: TransactionOptions = { reliable: false };
const TCP: TransactionOptions = { reliable: true };

function calling(options: TransactionOptions = UDP, serialise = false) {
  const clock = new MachineClock(InviteClientTransaction, options, serialise);
  clock.feed({ type: 'send' });
  return clock;
}

const response = (status: number): InviteClientTransactionEvent => ({ type: 'receivedResponse', status });

describe('INVITE client transaction — entering Calling (RFC 3261 §17.1.1.2)', () => {
  it('starts in Calling, not yet sent, with plain-JSON state', () => {
    const state = InviteClientTransaction.initial(UDP);
    assert.equal(state.name, 'Calling');
    assert.equal(state.started, false);
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state);
  });

  it('"MUST pass the request to the transport", "MUST start timer A with T1" (unreliable) and "timer B with 64*T1"', () => {
    const clock = new MachineClock(InviteClientTransaction, UDP);
    assert.deepEqual(clock.feed({ type: 'send' }), [
      { type: 'transmit', what: 'request' },
      { type: 'startTimer', timer: 'A', delayMs: 500 },
      { type: 'startTimer', timer: 'B', delayMs: 32_000 },
    ]);
    assert.equal(clock.state.name, 'Calling');
  });

  it('"If a reliable transport is being used, the client transaction SHOULD NOT start timer A"', () => {
    const clock = new MachineClock(InviteClientTransaction, TCP);
    assert.deepEqual(clock.feed({ type: 'send' }), [
      { type: 'transmit', what: 'request' },
      { type: 'startTimer', timer: 'B', delayMs: 32_000 },
    ]);
  });

  it('refuses any event before the request is sent, and a second send', () => {
    const fresh = InviteClientTransaction.initial(UDP);
    assert.throws(() => InviteClientTransaction.step(fresh, response(180)), StateTransitionError);
    const clock = calling();
    assert.throws(
      () => clock.feed({ type: 'send' }),
      (error: unknown) =>
        error instanceof StateTransitionError &&
        error.code === 'SIP_TRANSACTION_STATE_TRANSITION' &&
        error.from === 'Calling' &&
        error.event.type === 'send',
    );
  });
});

describe('INVITE client transaction — Timer A and Timer B', () => {
  it('"When timer A fires … retransmit the request … and reset the timer with a value of 2*T1": 500, 1000, 2000 … uncapped', () => {
    const clock = calling();
    clock.advance(40_000);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    // The seventh start (32 s) is never reached: Timer B cancels it. INVITE has no T2 cap.
    assert.deepEqual(clock.intervalsOf('A'), [500, 1000, 2000, 4000, 8000, 16_000, 32_000]);
  });

  it('"If the client transaction is still in the Calling state when timer B fires … inform the TU that a timeout has occurred"', () => {
    const clock = calling();
    clock.advance(31_999);
    assert.equal(clock.state.name, 'Calling');
    assert.deepEqual(clock.timesOf(is.type('timeout')), []);
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(32_000), [
      { type: 'cancelTimer', timer: 'A' },
      { type: 'timeout' },
      { type: 'terminated' },
    ]);
    assert.equal(clock.state.name, 'Terminated');
    // "The client transaction MUST NOT generate an ACK."
    assert.deepEqual(clock.timesOf(is.transmit('ack')), []);
  });

  it('on a reliable transport the request is sent once and Timer B still fires at 64*T1', () => {
    const clock = calling(TCP);
    clock.advance(40_000);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0]);
    assert.deepEqual(clock.intervalsOf('A'), []);
    assert.deepEqual(clock.timesOf(is.type('timeout')), [32_000]);
    assert.deepEqual(clock.effectsSince(32_000), [{ type: 'timeout' }, { type: 'terminated' }]);
  });

  for (const T1 of [100, 250, 500, 1000]) {
    it(`configurable T1 = ${T1} ms scales both A (T1·2^n) and B (64·T1)`, () => {
      const clock = calling({ reliable: false, T1 });
      clock.advance(64 * T1 * 2);
      const expected = [0, ...doublingSchedule(T1, Number.POSITIVE_INFINITY, 64 * T1)];
      assert.deepEqual(clock.timesOf(is.transmit('request')), expected);
      assert.equal(expected.length, 7);
      assert.deepEqual(clock.timesOf(is.type('timeout')), [64 * T1]);
    });
  }

  it('T2 does not cap Timer A (§17.1.1.2 doubles it without bound)', () => {
    const clock = calling({ reliable: false, T1: 500, T2: 1000 });
    clock.advance(32_000);
    assert.deepEqual(clock.intervalsOf('A'), [500, 1000, 2000, 4000, 8000, 16_000, 32_000]);
  });
});

describe('INVITE client transaction — provisional responses', () => {
  it('"If the client transaction receives a provisional response while in the Calling state, it transitions to the Proceeding state"', () => {
    const clock = calling();
    clock.advance(700);
    assert.deepEqual(clock.feed(response(180)), [
      { type: 'cancelTimer', timer: 'A' },
      { type: 'cancelTimer', timer: 'B' },
      { type: 'deliver', what: 'response' },
    ]);
    assert.equal(clock.state.name, 'Proceeding');
  });

  it('"In the Proceeding state, the client transaction SHOULD NOT retransmit the request any longer" (and Timer B no longer applies)', () => {
    const clock = calling();
    clock.advance(700);
    clock.feed(response(100));
    clock.advance(120_000);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0, 500]);
    assert.equal(clock.state.name, 'Proceeding');
    assert.deepEqual(clock.timesOf(is.type('timeout')), []);
  });

  it('on a reliable transport only Timer B is cancelled', () => {
    const clock = calling(TCP);
    assert.deepEqual(clock.feed(response(183)), [
      { type: 'cancelTimer', timer: 'B' },
      { type: 'deliver', what: 'response' },
    ]);
  });

  it('"Any further provisional responses MUST be passed up to the TU while in the Proceeding state"', () => {
    const clock = calling();
    clock.feed(response(100));
    assert.deepEqual(clock.feed(response(180)), [{ type: 'deliver', what: 'response' }]);
    assert.deepEqual(clock.feed(response(183)), [{ type: 'deliver', what: 'response' }]);
    assert.equal(clock.state.name, 'Proceeding');
  });
});

describe('INVITE client transaction — non-2xx final responses and the ACK (§17.1.1.2, §17.1.1.3)', () => {
  for (const status of [300, 404, 486, 503, 603, 699]) {
    it(`${status} in Calling: "MUST cause the client transaction to transition to Completed", send ACK, pass up, start Timer D`, () => {
      const clock = calling();
      assert.deepEqual(clock.feed(response(status)), [
        { type: 'cancelTimer', timer: 'A' },
        { type: 'cancelTimer', timer: 'B' },
        { type: 'transmit', what: 'ack' },
        { type: 'deliver', what: 'response' },
        { type: 'startTimer', timer: 'D', delayMs: 32_000 },
      ]);
      assert.equal(clock.state.name, 'Completed');
    });
  }

  it('a 300-699 in Proceeding also moves to Completed with the ACK sent', () => {
    const clock = calling();
    clock.feed(response(180));
    assert.deepEqual(clock.feed(response(486)), [
      { type: 'transmit', what: 'ack' },
      { type: 'deliver', what: 'response' },
      { type: 'startTimer', timer: 'D', delayMs: 32_000 },
    ]);
    assert.equal(clock.state.name, 'Completed');
  });

  it('"Any retransmissions of the final response … MUST cause the ACK to be re-passed to the transport layer … but the newly received response MUST NOT be passed up to the TU"', () => {
    const clock = calling();
    clock.feed(response(486));
    for (let i = 0; i < 3; i += 1) {
      clock.advance(1000);
      assert.deepEqual(clock.feed(response(486)), [{ type: 'transmit', what: 'ack' }]);
    }
    assert.deepEqual(clock.timesOf(is.deliver('response')), [0]);
    assert.deepEqual(clock.timesOf(is.transmit('ack')), [0, 1000, 2000, 3000]);
  });

  it('provisional and 2xx responses in Completed are absorbed', () => {
    const clock = calling();
    clock.feed(response(486));
    assert.deepEqual(clock.feed(response(180)), []);
    assert.deepEqual(clock.feed(response(200)), []);
    assert.equal(clock.state.name, 'Completed');
  });

  it('"If timer D fires while the client transaction is in the Completed state, the client transaction MUST move to the terminated state" (≥ 32 s on UDP)', () => {
    const clock = calling();
    clock.advance(1000);
    clock.feed(response(404));
    clock.advance(31_999);
    assert.equal(clock.state.name, 'Completed');
    clock.advance(1);
    assert.equal(clock.state.name, 'Terminated');
    assert.deepEqual(clock.effectsSince(33_000), [{ type: 'terminated' }]);
  });

  it('"Timer D … a value of zero seconds for reliable transports"', () => {
    const clock = calling(TCP);
    assert.deepEqual(clock.feed(response(404)).at(-1), { type: 'startTimer', timer: 'D', delayMs: 0 });
    clock.advance(0);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('Timer D is at least 32 s, and covers 64·T1 when T1 is larger than the default', () => {
    for (const [T1, expected] of [
      [100, 32_000],
      [500, 32_000],
      [1000, 64_000],
    ] as const) {
      const clock = calling({ reliable: false, T1 });
      assert.deepEqual(clock.feed(response(480)).at(-1), {
        type: 'startTimer',
        timer: 'D',
        delayMs: expected,
      });
    }
  });
});

describe('INVITE client transaction — 2xx responses (RFC 6026 §7.2, Accepted)', () => {
  it('a 2xx in Calling moves to Accepted, is passed up, and "MUST start Timer M" with 64*T1', () => {
    const clock = calling();
    assert.deepEqual(clock.feed(response(200)), [
      { type: 'cancelTimer', timer: 'A' },
      { type: 'cancelTimer', timer: 'B' },
      { type: 'deliver', what: 'response' },
      { type: 'startTimer', timer: 'M', delayMs: 32_000 },
    ]);
    assert.equal(clock.state.name, 'Accepted');
  });

  it('a 2xx in Proceeding moves to Accepted too', () => {
    const clock = calling();
    clock.feed(response(180));
    assert.deepEqual(clock.feed(response(202)), [
      { type: 'deliver', what: 'response' },
      { type: 'startTimer', timer: 'M', delayMs: 32_000 },
    ]);
    assert.equal(clock.state.name, 'Accepted');
  });

  it('"Any 2xx responses that match this client transaction and that are received while in the Accepted state MUST be passed up to the TU"', () => {
    const clock = calling();
    clock.feed(response(200));
    for (let i = 1; i <= 4; i += 1) {
      clock.advance(500 * 2 ** i);
      assert.deepEqual(clock.feed(response(200)), [{ type: 'deliver', what: 'response' }]);
    }
    assert.equal(clock.timesOf(is.deliver('response')).length, 5);
  });

  it('"The client transaction MUST NOT generate an ACK to any 2xx response on its own"', () => {
    const clock = calling();
    clock.feed(response(200));
    clock.feed(response(200));
    clock.advance(40_000);
    assert.deepEqual(clock.timesOf(is.transmit('ack')), []);
  });

  it('non-2xx responses in Accepted are absorbed', () => {
    const clock = calling();
    clock.feed(response(200));
    assert.deepEqual(clock.feed(response(180)), []);
    assert.deepEqual(clock.feed(response(486)), []);
  });

  it('"If Timer M fires while the client transaction is in the Accepted state, the client transaction MUST move to the Terminated state"', () => {
    const clock = calling({ reliable: true, T1: 250 });
    clock.feed(response(200));
    clock.advance(64 * 250 - 1);
    assert.equal(clock.state.name, 'Accepted');
    clock.advance(1);
    assert.equal(clock.state.name, 'Terminated');
    assert.deepEqual(clock.timesOf(is.type('terminated')), [16_000]);
    assert.deepEqual(clock.timesOf(is.type('timeout')), []);
  });
});

describe('INVITE client transaction — transport errors (§17.1.4)', () => {
  it('in Calling: "inform the TU that a transport failure has occurred" and "transition directly to the Terminated state"', () => {
    const clock = calling();
    assert.deepEqual(clock.feed({ type: 'transportError' }), [
      { type: 'cancelTimer', timer: 'A' },
      { type: 'cancelTimer', timer: 'B' },
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('in Completed (the ACK could not be sent): inform the TU and terminate', () => {
    const clock = calling();
    clock.feed(response(486));
    assert.deepEqual(clock.feed({ type: 'transportError' }), [
      { type: 'cancelTimer', timer: 'D' },
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
  });

  it('in Proceeding and Accepted nothing of the transaction is in flight: absorbed', () => {
    const proceeding = calling();
    proceeding.feed(response(180));
    assert.deepEqual(proceeding.feed({ type: 'transportError' }), []);
    assert.equal(proceeding.state.name, 'Proceeding');
    const accepted = calling();
    accepted.feed(response(200));
    assert.deepEqual(accepted.feed({ type: 'transportError' }), []);
    assert.equal(accepted.state.name, 'Accepted');
  });
});

describe('INVITE client transaction — illegal events and bad input', () => {
  const cases: Array<
    [
      string,
      (clock: MachineClock<InviteClientTransactionState, InviteClientTransactionEvent>) => void,
      InviteClientTransactionEvent,
    ]
  > = [
    ['Timer A in Proceeding', (c) => c.feed(response(180)), { type: 'timer', timer: 'A' }],
    ['Timer B in Completed', (c) => c.feed(response(486)), { type: 'timer', timer: 'B' }],
    ['Timer D in Calling', () => undefined, { type: 'timer', timer: 'D' }],
    ['Timer M in Proceeding', (c) => c.feed(response(180)), { type: 'timer', timer: 'M' }],
    ['Timer D in Accepted', (c) => c.feed(response(200)), { type: 'timer', timer: 'D' }],
  ];
  for (const [label, setup, event] of cases) {
    it(`${label} throws StateTransitionError`, () => {
      const clock = calling();
      setup(clock);
      const from = clock.state.name;
      assert.throws(
        () => InviteClientTransaction.step(clock.state, event),
        (error: unknown) =>
          error instanceof StateTransitionError && error.from === from && error.machine === 'inviteClient',
      );
    });
  }

  it('"The client transaction MUST be destroyed the instant it enters the Terminated state": Terminated takes no events', () => {
    const clock = calling();
    clock.feed({ type: 'transportError' });
    for (const event of [
      response(200),
      { type: 'transportError' } as const,
      { type: 'timer', timer: 'B' } as const,
    ]) {
      assert.throws(() => InviteClientTransaction.step(clock.state, event), StateTransitionError);
    }
  });

  it('a state record naming no known state is refused', () => {
    const corrupt = { ...calling().state, name: 'Ringing' } as unknown as InviteClientTransactionState;
    assert.throws(
      () => InviteClientTransaction.step(corrupt, response(180)),
      (error: unknown) => error instanceof StateTransitionError && error.from === 'Ringing',
    );
  });

  for (const status of [99, 700, 180.5, Number.NaN, 4294967301]) {
    it(`status ${status} is not a SIP status code: TransactionEventError`, () => {
      assert.throws(() => calling().feed(response(status)), TransactionEventError);
    });
  }
});

describe('INVITE client transaction — state is JSON and resumable', () => {
  it('a run that parks the state as JSON between every event produces the same effects', () => {
    const script = (clock: MachineClock<InviteClientTransactionState, InviteClientTransactionEvent>) => {
      clock.advance(2000);
      clock.feed(response(100));
      clock.advance(5000);
      clock.feed(response(486));
      clock.advance(1000);
      clock.feed(response(486));
      clock.advance(40_000);
      return clock.log;
    };
    const direct = script(calling(UDP));
    const parked = script(calling(UDP, true));
    assert.deepEqual(parked, direct);
    assert.equal(direct.at(-1)?.effect.type, 'terminated');
  });
});
