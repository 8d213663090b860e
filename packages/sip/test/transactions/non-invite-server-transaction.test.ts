import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  NonInviteServerTransaction,
  StateTransitionError,
  TransactionEventError,
  type NonInviteServerTransactionEvent,
  type NonInviteServerTransactionState,
  type TransactionOptions,
} from '../../src/transactions/index.js';
import { MachineClock, is } from './support/machine-clock.js';

const UDP: TransactionOptions = { reliable: false };
const TCP: TransactionOptions = { reliable: true };

type Clock = MachineClock<NonInviteServerTransactionState, NonInviteServerTransactionEvent>;

function trying(options: TransactionOptions = UDP, serialise = false): Clock {
  const clock = new MachineClock(NonInviteServerTransaction, options, serialise);
  clock.feed({ type: 'start' });
  return clock;
}

const tuSend = (status: number): NonInviteServerTransactionEvent => ({ type: 'tuSend', status });
const REQUEST: NonInviteServerTransactionEvent = { type: 'receivedRequest' };

describe('non-INVITE server transaction — Trying (RFC 3261 §17.2.2)', () => {
  it('"The state machine is initialized in the Trying state and is passed a request … the request is passed to the TU"', () => {
    const clock = new MachineClock(NonInviteServerTransaction, UDP);
    assert.equal(clock.state.name, 'Trying');
    assert.deepEqual(clock.feed({ type: 'start' }), [{ type: 'deliver', what: 'request' }]);
    // No 100 (Trying) for non-INVITE: nothing is sent until the TU answers.
    clock.advance(60_000);
    assert.deepEqual(clock.timesOf(is.type('transmit')), []);
  });

  it('"While in the Trying state … any further request retransmissions are discarded"', () => {
    const clock = trying();
    for (let i = 0; i < 3; i += 1) assert.deepEqual(clock.feed(REQUEST), []);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('"While in the Trying state, if the TU passes a provisional response … the server transaction MUST enter the Proceeding state"', () => {
    const clock = trying();
    assert.deepEqual(clock.feed(tuSend(100)), [{ type: 'transmit', what: 'response' }]);
    assert.equal(clock.state.name, 'Proceeding');
  });
});

describe('non-INVITE server transaction — Proceeding', () => {
  it('"Any further provisional responses that are received from the TU while in the Proceeding state MUST be passed to the transport layer"', () => {
    const clock = trying();
    clock.feed(tuSend(100));
    assert.deepEqual(clock.feed(tuSend(183)), [{ type: 'transmit', what: 'response' }]);
    assert.equal(clock.state.name, 'Proceeding');
  });

  it('"If a retransmission of the request is received while in the Proceeding state, the most recently sent provisional response MUST be passed to the transport layer for retransmission"', () => {
    const clock = trying();
    clock.feed(tuSend(100));
    clock.feed(tuSend(180));
    assert.deepEqual(clock.feed(REQUEST), [{ type: 'transmit', what: 'lastResponse' }]);
    assert.equal(clock.state.lastResponseStatus, 180);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });
});

describe('non-INVITE server transaction — final responses, Completed and Timer J', () => {
  for (const [from, setup] of [
    ['Trying', (_clock: Clock) => undefined],
    ['Proceeding', (clock: Clock) => void clock.feed(tuSend(100))],
  ] as const) {
    for (const status of [200, 404, 699]) {
      it(`${status} in ${from}: "the server transaction MUST enter the Completed state, and the response MUST be passed to the transport layer"; J = 64*T1 on UDP`, () => {
        const clock = trying();
        setup(clock);
        assert.deepEqual(clock.feed(tuSend(status)), [
          { type: 'transmit', what: 'response' },
          { type: 'startTimer', timer: 'J', delayMs: 32_000 },
        ]);
        assert.equal(clock.state.name, 'Completed');
      });
    }
  }

  it('"When the server transaction enters the Completed state, it MUST set Timer J to fire in 64*T1 seconds for unreliable transports"', () => {
    const clock = trying({ reliable: false, T1: 100 });
    clock.advance(20);
    clock.feed(tuSend(200));
    clock.advance(6399);
    assert.equal(clock.state.name, 'Completed');
    clock.advance(1);
    assert.deepEqual(clock.effectsSince(6420), [{ type: 'terminated' }]);
  });

  it('"… and zero seconds for reliable transports"', () => {
    const clock = trying(TCP);
    assert.deepEqual(clock.feed(tuSend(200)), [
      { type: 'transmit', what: 'response' },
      { type: 'startTimer', timer: 'J', delayMs: 0 },
    ]);
    clock.advance(0);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('"While in the Completed state, the server transaction MUST pass the final response to the transport layer for retransmission whenever a retransmission of the request is received"', () => {
    const clock = trying();
    clock.feed(tuSend(200));
    for (let i = 0; i < 4; i += 1) {
      clock.advance(700);
      assert.deepEqual(clock.feed(REQUEST), [{ type: 'transmit', what: 'lastResponse' }]);
    }
    assert.deepEqual(clock.timesOf(is.transmit('lastResponse')), [700, 1400, 2100, 2800]);
    assert.deepEqual(clock.timesOf(is.deliver('request')), [0]);
  });

  it('the final response is not retransmitted on its own (no timer besides J)', () => {
    const clock = trying();
    clock.feed(tuSend(200));
    clock.advance(31_000);
    assert.deepEqual(clock.timesOf(is.type('transmit')), [0]);
    assert.deepEqual([...clock.running.keys()], ['J']);
  });

  it('"Any other final responses passed by the TU to the server transaction MUST be discarded while in the Completed state"', () => {
    const clock = trying();
    clock.feed(tuSend(200));
    assert.deepEqual(clock.feed(tuSend(500)), []);
    assert.deepEqual(clock.feed(tuSend(200)), []);
    assert.equal(clock.state.lastResponseStatus, 200);
  });

  it('a provisional response after the final one is a TU bug', () => {
    const clock = trying();
    clock.feed(tuSend(200));
    assert.throws(
      () => clock.feed(tuSend(180)),
      (error: unknown) => error instanceof StateTransitionError && error.from === 'Completed',
    );
  });
});

describe('non-INVITE server transaction — transport errors (§17.2.4, Figure 8)', () => {
  it('in Trying nothing has been sent: absorbed', () => {
    const clock = trying();
    assert.deepEqual(clock.feed({ type: 'transportError' }), []);
    assert.equal(clock.state.name, 'Trying');
  });

  it('in Proceeding: "Trnsprt Err. / Inform TU" and Terminated', () => {
    const clock = trying();
    clock.feed(tuSend(100));
    assert.deepEqual(clock.feed({ type: 'transportError' }), [
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
    assert.equal(clock.state.name, 'Terminated');
  });

  it('in Completed: inform the TU and terminate, cancelling Timer J', () => {
    const clock = trying();
    clock.feed(tuSend(200));
    assert.deepEqual(clock.feed({ type: 'transportError' }), [
      { type: 'cancelTimer', timer: 'J' },
      { type: 'transportError' },
      { type: 'terminated' },
    ]);
  });
});

describe('non-INVITE server transaction — illegal events and bad input', () => {
  it('an ACK never matches a non-INVITE transaction (§17.2.3)', () => {
    const ack = { type: 'receivedAck' } as unknown as NonInviteServerTransactionEvent;
    assert.throws(() => NonInviteServerTransaction.step(trying().state, ack), StateTransitionError);
  });

  it('Timer J outside Completed, start twice, and events after Terminated are refused', () => {
    const clock = trying();
    assert.throws(
      () => NonInviteServerTransaction.step(clock.state, { type: 'timer', timer: 'J' }),
      StateTransitionError,
    );
    assert.throws(() => clock.feed({ type: 'start' }), StateTransitionError);
    clock.feed(tuSend(200));
    clock.advance(32_000);
    assert.throws(() => NonInviteServerTransaction.step(clock.state, REQUEST), StateTransitionError);
  });

  it('a status outside 100-699 is refused', () => {
    assert.throws(() => trying().feed(tuSend(0)), TransactionEventError);
  });
});

describe('non-INVITE server transaction — state is JSON and resumable', () => {
  it('parking the state as JSON between events changes nothing', () => {
    const script = (clock: Clock) => {
      clock.feed(REQUEST);
      clock.feed(tuSend(100));
      clock.advance(500);
      clock.feed(REQUEST);
      clock.feed(tuSend(200));
      clock.feed(REQUEST);
      clock.advance(40_000);
      return clock.log;
    };
    const direct = script(trying());
    assert.deepEqual(script(trying(UDP, true)), direct);
    assert.equal(direct.at(-1)?.effect.type, 'terminated');
  });
});
