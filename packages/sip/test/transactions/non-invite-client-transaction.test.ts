import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  NonInviteClientTransaction,
  StateTransitionError,
  TransactionEventError,
  type NonInviteClientTransactionEvent,
  type NonInviteClientTransactionState,
  type TransactionOptions,
} from '../../src/transactions/index.js';
import { MachineClock, doublingSchedule, is } from './support/machine-clock.js';

const UDP: TransactionOptions = { reliable: false };
const TCP: TransactionOptions = { reliable: true };

function trying(options: TransactionOptions = UDP, serialise = false) {
  const clock = new MachineClock(NonInviteClientTransaction, options, serialise);
  clock.feed({ type: 'send' });
  return clock;
}

const response = (status: number): NonInviteClientTransactionEvent => ({ type: 'receivedResponse', status });

describe('non-INVITE client transaction — entering Trying (RFC 3261 §17.1.2.2)', () => {
  it('"Timer F MUST be set to fire in 64*T1 seconds"; "If an unreliable transport is in use … set timer E to fire in T1 seconds"', () => {
    const clock = new MachineClock(NonInviteClientTransaction, UDP);
    assert.equal(clock.state.name, 'Trying');
    assert.deepEqual(clock.feed({ type: 'send' }), [
      { type: 'transmit', what: 'request' },
      { type: 'startTimer', timer: 'E', delayMs: 500 },
      { type: 'startTimer', timer: 'F', delayMs: 32_000 },
    ]);
  });

  it('Timer E is not started on a reliable transport', () => {
    const clock = new MachineClock(NonInviteClientTransaction, TCP);
    assert.deepEqual(clock.feed({ type: 'send' }), [
      { type: 'transmit', what: 'request' },
      { type: 'startTimer', timer: 'F', delayMs: 32_000 },
    ]);
    clock.advance(31_999);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0]);
  });

  it('refuses events before send, and a second send', () => {
    const fresh = NonInviteClientTransaction.initial(UDP);
    assert.throws(
      () => NonInviteClientTransaction.step(fresh, { type: 'timer', timer: 'E' }),
      StateTransitionError,
    );
    assert.throws(() => trying().feed({ type: 'send' }), StateTransitionError);
  });
});

describe('non-INVITE client transaction — Timer E and Timer F', () => {
  it('"If timer E fires while still in this state, the timer is reset, but this time with a value of MIN(2*T1, T2)": 500, 1000, 2000, 4000, 4000 …', () => {
    const clock = trying();
    clock.advance(40_000);
    assert.deepEqual(
      clock.timesOf(is.transmit('request')),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.deepEqual(
      clock.intervalsOf('E'),
      [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000, 4000],
    );
  });

  it('"If Timer F fires while the client transaction is still in the Trying state, the client transaction SHOULD inform the TU about the timeout"', () => {
    const clock = trying();
    clock.advance(31_999);
    assert.equal(clock.state.name, 'Trying');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(32_000), [
      { type: 'cancelTimer', timer: 'E' },
      { type: 'timeout' },
      { type: 'terminated' },
    ]);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('Timer F fires on a reliable transport too, with nothing to cancel', () => {
    const clock = trying(TCP);
    clock.advance(32_000);
    assert.deepEqual(clock.effectsSince(32_000), [{ type: 'timeout' }, { type: 'terminated' }]);
  });

  const configs: Array<[string, TransactionOptions]> = [
    ['T1 = 500, T2 = 2000', { reliable: false, T1: 500, T2: 2000 }],
    ['T1 = 100, T2 = 4000', { reliable: false, T1: 100 }],
    ['T1 = T2 = 500 (constant interval)', { reliable: false, T1: 500, T2: 500 }],
    ['T1 = 200, T2 = 1000', { reliable: false, T1: 200, T2: 1000 }],
  ];
  for (const [label, options] of configs) {
    it(`configurable ${label}: E doubles from T1, caps at T2, F = 64·T1`, () => {
      const T1 = options.T1 ?? 500;
      const T2 = options.T2 ?? 4000;
      const clock = trying(options);
      clock.advance(64 * T1 + 1);
      assert.deepEqual(clock.timesOf(is.transmit('request')), [0, ...doublingSchedule(T1, T2, 64 * T1)]);
      assert.ok(clock.intervalsOf('E').every((ms) => ms <= T2));
      assert.equal(Math.max(...clock.intervalsOf('E')), Math.min(T2, 64 * T1));
      assert.deepEqual(clock.timesOf(is.type('timeout')), [64 * T1]);
    });
  }
});

describe('non-INVITE client transaction — provisional responses and Proceeding', () => {
  it('"If a provisional response is received while in the Trying state, the response MUST be passed to the TU, and then the client transaction SHOULD move to the Proceeding state"', () => {
    const clock = trying();
    assert.deepEqual(clock.feed(response(100)), [{ type: 'deliver', what: 'response' }]);
    assert.equal(clock.state.name, 'Proceeding');
    assert.deepEqual(clock.feed(response(180)), [{ type: 'deliver', what: 'response' }]);
    assert.equal(clock.state.name, 'Proceeding');
  });

  it('"If Timer E fires while in the Proceeding state, the request MUST be passed to the transport layer for retransmission, and Timer E MUST be reset with a value of T2"', () => {
    const clock = trying();
    clock.advance(600); // Timer E fired at 500 and runs again for 1000 ms (due 1500)
    clock.feed(response(100));
    clock.advance(12_000);
    // The running interval completes at 1500; from then on every T2 = 4000 ms.
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0, 500, 1500, 5500, 9500]);
    assert.deepEqual(clock.intervalsOf('E'), [500, 1000, 4000, 4000, 4000]);
  });

  it('in Proceeding with T2 = 1000, retransmissions come every second', () => {
    const clock = trying({ reliable: false, T2: 1000 });
    clock.feed(response(100));
    clock.advance(4000);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0, 500, 1500, 2500, 3500]);
  });

  it('Timer F also ends Proceeding with a timeout', () => {
    const clock = trying();
    clock.feed(response(100));
    clock.advance(32_000);
    assert.deepEqual(clock.timesOf(is.type('timeout')), [32_000]);
    assert.equal(clock.state.name, 'Terminated');
  });
});

describe('non-INVITE client transaction — final responses and Completed', () => {
  for (const status of [200, 202, 302, 401, 408, 500, 604]) {
    it(`${status}: "If a final response (status codes 200-699) is received … the response MUST be passed to the TU … and transition to the Completed state"`, () => {
      const clock = trying();
      assert.deepEqual(clock.feed(response(status)), [
        { type: 'cancelTimer', timer: 'E' },
        { type: 'cancelTimer', timer: 'F' },
        { type: 'deliver', what: 'response' },
        { type: 'startTimer', timer: 'K', delayMs: 5000 },
      ]);
      assert.equal(clock.state.name, 'Completed');
    });
  }

  it('a final response in Proceeding moves to Completed as well', () => {
    const clock = trying();
    clock.feed(response(100));
    clock.feed(response(200));
    assert.equal(clock.state.name, 'Completed');
  });

  it('"Once the client transaction enters the Completed state, it MUST set Timer K to fire in T4 seconds for unreliable transports"', () => {
    const clock = trying({ reliable: false, T4: 2500 });
    clock.advance(100);
    clock.feed(response(200));
    clock.advance(2499);
    assert.equal(clock.state.name, 'Completed');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(2600), [{ type: 'terminated' }]);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('"… and zero seconds for reliable transports"', () => {
    const clock = trying(TCP);
    assert.deepEqual(clock.feed(response(200)), [
      { type: 'cancelTimer', timer: 'F' },
      { type: 'deliver', what: 'response' },
      { type: 'startTimer', timer: 'K', delayMs: 0 },
    ]);
    clock.advance(0);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('"The Completed state exists to buffer any additional response retransmissions": they are absorbed, not passed up', () => {
    const clock = trying();
    clock.feed(response(200));
    for (const status of [200, 180, 500]) assert.deepEqual(clock.feed(response(status)), []);
    clock.advance(6000);
    assert.deepEqual(clock.timesOf(is.deliver('response')), [0]);
    assert.deepEqual(clock.timesOf(is.transmit('request')), [0]);
  });
});

describe('non-INVITE client transaction — transport errors (§17.1.4)', () => {
  it('in Trying: inform the TU and terminate', () => {
    assert.deepEqual(trying().feed({ type: 'transportError' }), [
      { type: 'cancelTimer', timer: 'E' },
      { type: 'cancelTimer', timer: 'F' },
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
  });

  it('in Proceeding (retransmissions still go out): inform the TU and terminate', () => {
    const clock = trying(TCP);
    clock.feed(response(100));
    assert.deepEqual(clock.feed({ type: 'transportError' }), [
      { type: 'cancelTimer', timer: 'F' },
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
  });

  it('in Completed nothing is in flight: absorbed', () => {
    const clock = trying();
    clock.feed(response(200));
    assert.deepEqual(clock.feed({ type: 'transportError' }), []);
    assert.equal(clock.state.name, 'Completed');
  });
});

describe('non-INVITE client transaction — illegal events and bad input', () => {
  it('a timer of another machine, or one the state never starts, throws StateTransitionError', () => {
    const clock = trying();
    const foreign = { type: 'timer', timer: 'A' } as unknown as NonInviteClientTransactionEvent;
    assert.throws(() => NonInviteClientTransaction.step(clock.state, foreign), StateTransitionError);
    assert.throws(() => clock.feed({ type: 'timer', timer: 'K' }), StateTransitionError);
    clock.feed(response(200));
    assert.throws(
      () => NonInviteClientTransaction.step(clock.state, { type: 'timer', timer: 'E' }),
      StateTransitionError,
    );
    assert.throws(
      () => NonInviteClientTransaction.step(clock.state, { type: 'timer', timer: 'F' }),
      StateTransitionError,
    );
  });

  it('Terminated takes no events', () => {
    const clock = trying(TCP);
    clock.feed(response(200));
    clock.advance(0);
    assert.throws(() => NonInviteClientTransaction.step(clock.state, response(200)), StateTransitionError);
  });

  it('a server-side event is refused', () => {
    const event = { type: 'tuSend', status: 200 } as unknown as NonInviteClientTransactionEvent;
    assert.throws(
      () => NonInviteClientTransaction.step(trying().state, event),
      (error: unknown) => error instanceof StateTransitionError && error.from === 'Trying',
    );
  });

  it('a status code outside 100-699 is refused even in Completed', () => {
    const clock = trying();
    assert.throws(() => clock.feed(response(700)), TransactionEventError);
    clock.feed(response(200));
    assert.throws(() => clock.feed(response(42)), TransactionEventError);
  });

  it('a corrupt state name is refused', () => {
    const corrupt = { ...trying().state, name: 'Calling' } as unknown as NonInviteClientTransactionState;
    assert.throws(() => NonInviteClientTransaction.step(corrupt, response(200)), StateTransitionError);
  });
});

describe('non-INVITE client transaction — state is JSON and resumable', () => {
  it('parking the state as JSON between events changes nothing', () => {
    const script = (
      clock: MachineClock<NonInviteClientTransactionState, NonInviteClientTransactionEvent>,
    ) => {
      clock.advance(3000);
      clock.feed(response(100));
      clock.advance(9000);
      clock.feed(response(200));
      clock.feed(response(200));
      clock.advance(10_000);
      return clock.log;
    };
    assert.deepEqual(script(trying(UDP, true)), script(trying(UDP)));
  });
});
