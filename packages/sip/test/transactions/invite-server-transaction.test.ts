import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  InviteServerTransaction,
  StateTransitionError,
  TransactionEventError,
  type InviteServerTransactionEvent,
  type InviteServerTransactionState,
  type TransactionOptions,
} from '../../src/transactions/index.js';
import { MachineClock, doublingSchedule, is } from './support/machine-clock.js';

const UDP: TransactionOptions = { reliable: false };
const TCP: TransactionOptions = { reliable: true };

type Clock = MachineClock<InviteServerTransactionState, InviteServerTransactionEvent>;

function proceeding(options: TransactionOptions = UDP, serialise = false): Clock {
  const clock = new MachineClock(InviteServerTransaction, options, serialise);
  clock.feed({ type: 'start' });
  return clock;
}

const tuSend = (status: number): InviteServerTransactionEvent => ({ type: 'tuSend', status });
const INVITE: InviteServerTransactionEvent = { type: 'receivedRequest' };
const ACK: InviteServerTransactionEvent = { type: 'receivedAck' };

/** A transaction that answered with a non-2xx final at t = 0. */
function completed(options: TransactionOptions = UDP, status = 486): Clock {
  const clock = proceeding(options);
  clock.feed(tuSend(status));
  return clock;
}

describe('INVITE server transaction — Proceeding and 100 (Trying) (RFC 3261 §17.2.1)', () => {
  it('"The request MUST be passed to the TU"; the 100 (Trying) timer is armed first', () => {
    const clock = new MachineClock(InviteServerTransaction, UDP);
    assert.equal(clock.state.name, 'Proceeding');
    assert.deepEqual(clock.feed({ type: 'start' }), [
      { type: 'startTimer', timer: 'Trying100', delayMs: 200 },
      { type: 'deliver', what: 'request' },
    ]);
  });

  it('"The server transaction MUST generate a 100 (Trying) response unless it knows that the TU will generate a provisional or final response within 200 ms"', () => {
    const clock = proceeding();
    clock.advance(199);
    assert.deepEqual(clock.timesOf(is.transmit('trying')), []);
    clock.advance(1);
    assert.deepEqual(clock.timesOf(is.transmit('trying')), [200]);
    assert.equal(clock.state.lastResponseStatus, 100);
    assert.equal(clock.state.name, 'Proceeding');
  });

  it('a TU that answers within 200 ms suppresses the 100 (Trying)', () => {
    const clock = proceeding();
    clock.advance(150);
    assert.deepEqual(clock.feed(tuSend(180)), [
      { type: 'cancelTimer', timer: 'Trying100' },
      { type: 'transmit', what: 'response' },
    ]);
    clock.advance(10_000);
    assert.deepEqual(clock.timesOf(is.transmit('trying')), []);
  });

  for (const [delay, label] of [
    [50, '50 ms'],
    [1000, '1 s'],
  ] as const) {
    it(`the 100 (Trying) delay is configurable (${label})`, () => {
      const clock = proceeding({ reliable: false, trying100DelayMs: delay });
      clock.advance(5000);
      assert.deepEqual(clock.timesOf(is.transmit('trying')), [delay]);
    });
  }

  it('trying100DelayMs = 0 sends 100 (Trying) before passing the request up, with no timer', () => {
    const clock = new MachineClock(InviteServerTransaction, { reliable: true, trying100DelayMs: 0 });
    assert.deepEqual(clock.feed({ type: 'start' }), [
      { type: 'transmit', what: 'trying' },
      { type: 'deliver', what: 'request' },
    ]);
    assert.equal(clock.running.size, 0);
  });

  it('"The TU passes any number of provisional responses … each of these MUST be passed to the transport layer" without changing state', () => {
    const clock = proceeding();
    clock.advance(300);
    for (const status of [180, 183, 182]) {
      assert.deepEqual(clock.feed(tuSend(status)), [{ type: 'transmit', what: 'response' }]);
    }
    assert.equal(clock.state.name, 'Proceeding');
    assert.equal(clock.state.lastResponseStatus, 182);
    // "They are not sent reliably by the transaction layer."
    clock.advance(60_000);
    assert.deepEqual(clock.timesOf(is.transmit('response')), [300, 300, 300]);
    assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), []);
  });

  it('"If a request retransmission is received while in the Proceeding state, the most recent provisional response … MUST be passed to the transport layer for retransmission"', () => {
    const clock = proceeding();
    clock.advance(250); // 100 (Trying) sent at 200
    assert.deepEqual(clock.feed(INVITE), [{ type: 'transmit', what: 'lastResponse' }]);
    clock.feed(tuSend(180));
    assert.deepEqual(clock.feed(INVITE), [{ type: 'transmit', what: 'lastResponse' }]);
    // Retransmissions are never passed to the TU again.
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('a retransmission before anything was sent is absorbed', () => {
    const clock = proceeding();
    clock.advance(100);
    assert.deepEqual(clock.feed(INVITE), []);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('a stray ACK in Proceeding is absorbed', () => {
    assert.deepEqual(proceeding().feed(ACK), []);
  });
});

describe('INVITE server transaction — non-2xx final, Timers G and H', () => {
  it('"If … the TU passes a response with status code from 300 to 699 … the response MUST be passed to the transport layer … and the state machine MUST enter the Completed state"; G = T1 (unreliable), H = 64*T1', () => {
    const clock = proceeding();
    clock.advance(300);
    assert.deepEqual(clock.feed(tuSend(486)), [
      { type: 'transmit', what: 'response' },
      { type: 'startTimer', timer: 'G', delayMs: 500 },
      { type: 'startTimer', timer: 'H', delayMs: 32_000 },
    ]);
    assert.equal(clock.state.name, 'Completed');
  });

  it('a final within 200 ms also cancels the 100 (Trying) timer', () => {
    const clock = proceeding();
    assert.deepEqual(clock.feed(tuSend(404))[0], { type: 'cancelTimer', timer: 'Trying100' });
  });

  it('"If timer G fires, the response is passed to the transport layer once more … and timer G is set to fire in MIN(2*T1, T2)": 500, 1000, 2000, 4000, 4000 …', () => {
    const clock = completed();
    clock.advance(40_000);
    assert.deepEqual(
      clock.timesOf(is.transmit('lastResponse')),
      [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.deepEqual(
      clock.intervalsOf('G'),
      [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000],
    );
  });

  it('"If timer H fires while in the Completed state … the server transaction MUST transition to the Terminated state, and MUST indicate to the TU that a transaction failure has occurred"', () => {
    const clock = completed();
    clock.advance(31_999);
    assert.equal(clock.state.name, 'Completed');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(32_000), [
      { type: 'cancelTimer', timer: 'G' },
      { type: 'timeout' },
      { type: 'terminated' },
    ]);
  });

  it('"For unreliable transports … timer G": on a reliable transport the final is sent once and only Timer H runs', () => {
    const clock = proceeding(TCP);
    assert.deepEqual(clock.feed(tuSend(486)), [
      { type: 'cancelTimer', timer: 'Trying100' },
      { type: 'transmit', what: 'response' },
      { type: 'startTimer', timer: 'H', delayMs: 32_000 },
    ]);
    clock.advance(40_000);
    assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), []);
    assert.deepEqual(clock.effectsSince(32_000), [{ type: 'timeout' }, { type: 'terminated' }]);
  });

  const configs: Array<[string, TransactionOptions]> = [
    ['T1 = 500, T2 = 2000', { reliable: false, T2: 2000 }],
    ['T1 = 100, T2 = 400', { reliable: false, T1: 100, T2: 400 }],
    ['T1 = 300, T2 = 300', { reliable: false, T1: 300, T2: 300 }],
  ];
  for (const [label, options] of configs) {
    it(`configurable ${label}: G doubles from T1 capped at T2, H = 64·T1`, () => {
      const T1 = options.T1 ?? 500;
      const T2 = options.T2 ?? 4000;
      const clock = completed(options);
      clock.advance(64 * T1 + 1);
      assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), doublingSchedule(T1, T2, 64 * T1));
      assert.deepEqual(clock.timesOf(is.type('timeout')), [64 * T1]);
    });
  }

  it('"Furthermore, while in the Completed state, if a request retransmission is received, the server SHOULD pass the response to the transport for retransmission"', () => {
    const clock = completed();
    clock.advance(100);
    assert.deepEqual(clock.feed(INVITE), [{ type: 'transmit', what: 'lastResponse' }]);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('the TU cannot send anything once a final response went out', () => {
    const clock = completed();
    for (const status of [180, 200, 486]) {
      assert.throws(
        () => clock.feed(tuSend(status)),
        (error: unknown) => error instanceof StateTransitionError && error.from === 'Completed',
      );
    }
  });
});

describe('INVITE server transaction — ACK, Confirmed and Timer I', () => {
  it('"If an ACK is received while the server transaction is in the Completed state, the server transaction MUST transition to the Confirmed state. As Timer G is ignored in this state, any retransmissions of the response will cease"', () => {
    const clock = completed();
    clock.advance(2000); // G fired at 500 and 1500
    assert.deepEqual(clock.feed(ACK), [
      { type: 'cancelTimer', timer: 'G' },
      { type: 'cancelTimer', timer: 'H' },
      { type: 'startTimer', timer: 'I', delayMs: 5000 },
    ]);
    assert.equal(clock.state.name, 'Confirmed');
    clock.advance(4000);
    assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), [500, 1500]);
  });

  it('"The purpose of the Confirmed state is to absorb any additional ACK messages": ACKs and INVITEs are absorbed', () => {
    const clock = completed();
    clock.feed(ACK);
    for (let i = 0; i < 3; i += 1) {
      assert.deepEqual(clock.feed(ACK), []);
      assert.deepEqual(clock.feed(INVITE), []);
    }
    assert.deepEqual(clock.timesOf(is.deliver('ack')), []);
  });

  it('"Timer I … fire in T4 seconds for unreliable transports", then "the transaction MUST transition to the Terminated state"', () => {
    const clock = completed({ reliable: false, T4: 3000 });
    clock.advance(700);
    clock.feed(ACK);
    clock.advance(2999);
    assert.equal(clock.state.name, 'Confirmed');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(3700), [{ type: 'terminated' }]);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('"… and zero seconds for reliable transports"', () => {
    const clock = completed(TCP);
    assert.deepEqual(clock.feed(ACK), [
      { type: 'cancelTimer', timer: 'H' },
      { type: 'startTimer', timer: 'I', delayMs: 0 },
    ]);
    clock.advance(0);
    assert.equal(clock.state.name, 'Terminated');
  });
});

describe('INVITE server transaction — 2xx and Accepted (RFC 6026 §7.1)', () => {
  it('"If, while in the Proceeding state, the TU passes a 2xx response … MUST pass this response to the transport layer … MUST then transition to the Accepted state"; Timer L = 64*T1 for all transports', () => {
    for (const options of [UDP, TCP]) {
      const clock = proceeding(options);
      clock.advance(300);
      assert.deepEqual(clock.feed(tuSend(200)), [
        { type: 'transmit', what: 'response' },
        { type: 'startTimer', timer: 'L', delayMs: 32_000 },
      ]);
      assert.equal(clock.state.name, 'Accepted');
    }
  });

  it('"The server transaction MUST NOT generate 2xx retransmissions on its own": no Timer G, nothing re-sent without an ACK', () => {
    const clock = proceeding();
    clock.feed(tuSend(200));
    clock.advance(31_000);
    assert.deepEqual(clock.intervalsOf('G'), []);
    assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), []);
    assert.deepEqual(clock.timesOf(is.transmit('response')), [0]);
  });

  it('"While in the Accepted state, any retransmissions of the INVITE received will match this transaction … and will be absorbed"', () => {
    const clock = proceeding();
    clock.feed(tuSend(200));
    for (let i = 0; i < 3; i += 1) assert.deepEqual(clock.feed(INVITE), []);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('"Any retransmission of the 2xx response passed from the TU to the transaction while in the Accepted state MUST be passed to the transport layer"', () => {
    const clock = proceeding();
    clock.feed(tuSend(200));
    clock.advance(500);
    assert.deepEqual(clock.feed(tuSend(200)), [{ type: 'transmit', what: 'response' }]);
    assert.equal(clock.state.name, 'Accepted');
  });

  it('"Any ACKs received from the network while in the Accepted state MUST be passed directly to the TU and not absorbed"', () => {
    const clock = proceeding();
    clock.feed(tuSend(200));
    assert.deepEqual(clock.feed(ACK), [{ type: 'deliver', what: 'ack' }]);
    assert.deepEqual(clock.feed(ACK), [{ type: 'deliver', what: 'ack' }]);
    assert.equal(clock.state.name, 'Accepted');
  });

  it('"When Timer L fires and the state machine is in the Accepted state, the machine MUST transition to the Terminated state" — with no failure reported', () => {
    const clock = proceeding({ reliable: false, T1: 100 });
    clock.feed(tuSend(200));
    clock.advance(6399);
    assert.equal(clock.state.name, 'Accepted');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(6400), [{ type: 'terminated' }]);
    assert.deepEqual(clock.timesOf(is.type('timeout')), []);
  });

  it('a provisional or non-2xx response after a 2xx is a TU bug', () => {
    const clock = proceeding();
    clock.feed(tuSend(200));
    assert.throws(() => clock.feed(tuSend(180)), StateTransitionError);
    assert.throws(() => clock.feed(tuSend(486)), StateTransitionError);
  });
});

describe('INVITE server transaction — transport errors (RFC 6026 Figure 7)', () => {
  for (const [label, make] of [
    ['Proceeding', () => proceeding()],
    ['Completed', () => completed()],
    [
      'Accepted',
      () => {
        const clock = proceeding();
        clock.feed(tuSend(200));
        return clock;
      },
    ],
  ] as const) {
    it(`in ${label}: "Transport Err. / Inform TU" without leaving the state`, () => {
      const clock = make();
      assert.deepEqual(clock.feed({ type: 'transportError' }), [{ type: 'transportError' }]);
      assert.equal(clock.state.name, label);
    });
  }

  it('in Confirmed nothing is in flight: absorbed', () => {
    const clock = completed();
    clock.feed(ACK);
    assert.deepEqual(clock.feed({ type: 'transportError' }), []);
  });
});

describe('INVITE server transaction — illegal events and bad input', () => {
  it('timers the state never starts throw StateTransitionError', () => {
    const clock = proceeding();
    for (const timer of ['G', 'H', 'I', 'L'] as const) {
      assert.throws(
        () => InviteServerTransaction.step(clock.state, { type: 'timer', timer }),
        StateTransitionError,
      );
    }
    clock.feed(tuSend(486));
    assert.throws(() => clock.feed({ type: 'timer', timer: 'Trying100' }), StateTransitionError);
    assert.throws(() => clock.feed({ type: 'timer', timer: 'I' }), StateTransitionError);
  });

  it('start twice, events before start, and events after Terminated are refused', () => {
    const fresh = InviteServerTransaction.initial(UDP);
    assert.throws(() => InviteServerTransaction.step(fresh, tuSend(180)), StateTransitionError);
    const clock = proceeding();
    assert.throws(() => clock.feed({ type: 'start' }), StateTransitionError);
    clock.feed(tuSend(200));
    clock.advance(32_000);
    assert.equal(clock.state.name, 'Terminated');
    assert.throws(() => InviteServerTransaction.step(clock.state, ACK), StateTransitionError);
  });

  it('tuSend with a status outside 100-699 is refused', () => {
    assert.throws(() => proceeding().feed(tuSend(1000)), TransactionEventError);
  });
});

describe('INVITE server transaction — state is JSON and resumable', () => {
  it('parking the state as JSON between events changes nothing', () => {
    const script = (clock: Clock) => {
      clock.advance(400);
      clock.feed(INVITE);
      clock.feed(tuSend(180));
      clock.feed(tuSend(603));
      clock.advance(5000);
      clock.feed(INVITE);
      clock.feed(ACK);
      clock.advance(10_000);
      return clock.log;
    };
    const direct = script(proceeding());
    assert.deepEqual(script(proceeding(UDP, true)), direct);
    assert.equal(direct.at(-1)?.effect.type, 'terminated');
  });
});
