import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteClientTransaction,
  NonInviteServerTransaction,
  StateTransitionError,
  TransactionEventError,
  type TransactionEvent,
  type TransactionMachine,
  type TransactionOptions,
  type TransactionStateBase,
} from '../../src/transactions/index.js';
import { dispatchRow, eventKey, statusClass } from '../../src/transactions/transaction-machine.js';
import { MachineClock } from './support/machine-clock.js';

describe('transaction-machine helpers', () => {
  it('statusClass accepts 100-699 integers only (RFC 3261 §7.2)', () => {
    assert.deepEqual([100, 199, 200, 302, 486, 503, 699].map(statusClass), [1, 1, 2, 3, 4, 5, 6]);
    for (const bad of [0, 99, 700, 1000, 200.5, -200, Number.NaN]) {
      assert.throws(() => statusClass(bad), TransactionEventError);
    }
  });

  it('eventKey puts timers in per-timer columns', () => {
    assert.equal(eventKey({ type: 'timer', timer: 'Trying100' }), 'timer:Trying100');
    assert.equal(eventKey({ type: 'tuSend', status: 180 }), 'tuSend');
  });

  it('dispatchRow refuses a missing column, and does not fall back to Object.prototype', () => {
    const state = InviteClientTransaction.initial({ reliable: false });
    const event = { type: 'toString' } as unknown as TransactionEvent;
    assert.throws(() => dispatchRow({}, state, event), StateTransitionError);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random event sequences: whatever the network does, in whatever order, and
// however time passes, a machine absorbs or handles it per the RFC — it never throws on network
// input, never leaks a timer (MachineClock checks start/cancel pairing and Terminated), and never
// passes a retransmission up twice.
// ---------------------------------------------------------------------------------------------

type Action =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'event'; readonly event: TransactionEvent };

const statusArb = fc.oneof(
  fc.constantFrom(100, 180, 183, 200, 202, 302, 404, 486, 500, 503, 603),
  fc.integer({ min: 100, max: 699 }),
);
const advanceArb = fc
  .oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 40_000 }))
  .map((ms): Action => ({ kind: 'advance', ms }));
const optionsArb: fc.Arbitrary<TransactionOptions> = fc.record({
  reliable: fc.boolean(),
  T1: fc.constantFrom(100, 500),
  T2: fc.constantFrom(500, 4000),
  T4: fc.constantFrom(1000, 5000),
  trying100DelayMs: fc.constantFrom(0, 200),
});
const event = (e: TransactionEvent): Action => ({ kind: 'event', event: e });

function clientActions(): fc.Arbitrary<Action[]> {
  return fc.array(
    fc.oneof(
      advanceArb,
      statusArb.map((status) => event({ type: 'receivedResponse', status })),
      fc.constant(event({ type: 'transportError' })),
    ),
    { maxLength: 30 },
  );
}

function serverActions(invite: boolean): fc.Arbitrary<Action[]> {
  const network = [
    advanceArb,
    fc.constant(event({ type: 'receivedRequest' })),
    fc.constant(event({ type: 'transportError' })),
    statusArb.map((status) => event({ type: 'tuSend', status })),
  ];
  if (invite) network.push(fc.constant(event({ type: 'receivedAck' })));
  return fc.array(fc.oneof(...network), { maxLength: 30 });
}

/** Runs `actions`; TU events may be refused (StateTransitionError, state unchanged), nothing else may throw. */
function run<S extends TransactionStateBase, E extends TransactionEvent>(
  machine: TransactionMachine<S, E>,
  options: TransactionOptions,
  entry: E,
  actions: readonly Action[],
  check: (
    before: S,
    event: E,
    effects: readonly { type: string; what?: string }[],
    clock: MachineClock<S, E>,
  ) => void,
): MachineClock<S, E> {
  const clock = new MachineClock(machine, options);
  clock.feed(entry);
  for (const action of actions) {
    if (clock.state.name === 'Terminated') break;
    if (action.kind === 'advance') {
      clock.advance(action.ms);
      continue;
    }
    const before = clock.state;
    const e = action.event as E;
    if (e.type === 'tuSend') {
      try {
        check(before, e, clock.feed(e), clock);
      } catch (error) {
        if (!(error instanceof StateTransitionError)) throw error;
        assert.equal(clock.state, before, 'a refused event leaves the state as it was');
      }
    } else {
      check(before, e, clock.feed(e), clock);
    }
  }
  return clock;
}

const delivered = (effects: readonly { type: string; what?: string }[], what: string) =>
  effects.filter((effect) => effect.type === 'deliver' && effect.what === what).length;

describe('transaction machines — properties over random event sequences', () => {
  it('INVITE client: a non-2xx final reaches the TU once; 2xx after it never; no ACK for a 2xx', () => {
    fc.assert(
      fc.property(optionsArb, clientActions(), (options, actions) => {
        let anyFinal = false;
        let sawNon2xx = false;
        run(InviteClientTransaction, options, { type: 'send' }, actions, (_before, e, effects) => {
          if (e.type !== 'receivedResponse') return;
          const cls = Math.floor(e.status / 100);
          const up = delivered(effects, 'response');
          if (cls >= 3) {
            assert.equal(up, anyFinal ? 0 : 1, 'only the first final response goes up');
            if (!anyFinal) sawNon2xx = true;
            anyFinal = true;
          } else if (cls === 2) {
            // RFC 6026 §7.2: every 2xx goes up (Calling, Proceeding, Accepted) unless a non-2xx won.
            assert.equal(up, sawNon2xx ? 0 : 1);
            assert.ok(!effects.some((f) => f.type === 'transmit' && f.what === 'ack'), 'no ACK for a 2xx');
            anyFinal = true;
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('non-INVITE client: exactly one final response reaches the TU; nothing is sent after it', () => {
    fc.assert(
      fc.property(optionsArb, clientActions(), (options, actions) => {
        let finals = 0;
        const clock = run(
          NonInviteClientTransaction,
          options,
          { type: 'send' },
          actions,
          (_b, e, effects) => {
            if (e.type === 'receivedResponse' && e.status >= 200) {
              assert.equal(delivered(effects, 'response'), finals === 0 ? 1 : 0);
              finals += 1;
            }
          },
        );
        const firstFinal = clock.log.findIndex(
          (l) => l.effect.type === 'startTimer' && l.effect.timer === 'K',
        );
        if (firstFinal >= 0) {
          assert.ok(!clock.log.slice(firstFinal).some((l) => l.effect.type === 'transmit'));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('INVITE server: the request reaches the TU once; a retransmission only re-sends what was sent; ACKs go up only after a 2xx', () => {
    fc.assert(
      fc.property(optionsArb, serverActions(true), (options, actions) => {
        const clock = run(
          InviteServerTransaction,
          options,
          { type: 'start' },
          actions,
          (before, e, effects) => {
            assert.equal(delivered(effects, 'request'), 0);
            if (e.type === 'receivedRequest') {
              assert.ok(effects.every((f) => f.type === 'transmit' && f.what === 'lastResponse'));
              if (effects.length > 0) assert.ok(before.lastResponseStatus !== null);
            }
            if (e.type === 'receivedAck') {
              assert.equal(delivered(effects, 'ack'), before.name === 'Accepted' ? 1 : 0);
            }
          },
        );
        assert.equal(clock.timesOf((f) => f.type === 'deliver' && f.what === 'request').length, 1);
      }),
      { numRuns: 300 },
    );
  });

  it('non-INVITE server: the request reaches the TU once; only one final response is ever sent', () => {
    fc.assert(
      fc.property(optionsArb, serverActions(false), (options, actions) => {
        let finalsSent = 0;
        const clock = run(
          NonInviteServerTransaction,
          options,
          { type: 'start' },
          actions,
          (_b, e, effects) => {
            if (e.type === 'tuSend' && e.status >= 200) {
              finalsSent += effects.filter((f) => f.type === 'transmit' && f.what === 'response').length;
            }
          },
        );
        assert.ok(finalsSent <= 1);
        assert.equal(clock.timesOf((f) => f.type === 'deliver' && f.what === 'request').length, 1);
      }),
      { numRuns: 300 },
    );
  });

  it('every machine reaches Terminated by itself once time runs long enough after its last input', () => {
    fc.assert(
      fc.property(optionsArb, clientActions(), serverActions(true), (options, client, server) => {
        const machines = [
          run(InviteClientTransaction, options, { type: 'send' }, client, () => undefined),
          run(NonInviteClientTransaction, options, { type: 'send' }, client, () => undefined),
        ];
        for (const clock of machines) {
          // A client in INVITE Proceeding waits for the TU (CANCEL / Timer C): the exception.
          if (clock.state.name === 'Proceeding' && clock.state.kind === 'inviteClient') continue;
          clock.advance(200_000);
          assert.equal(clock.state.name, 'Terminated');
        }
        const ist = run(InviteServerTransaction, options, { type: 'start' }, server, () => undefined);
        if (ist.state.name !== 'Proceeding') {
          ist.advance(200_000);
          assert.equal(ist.state.name, 'Terminated');
        }
      }),
      { numRuns: 200 },
    );
  });
});
