import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidTransitionError } from '../../src/nsi/nsi-error.js';
import {
  RESERVATION_EVENTS,
  RESERVATION_STATES,
  reservationStateMachine,
} from '../../src/nsi/reservation-state-machine.js';
import {
  PROVISION_EVENTS,
  PROVISION_STATES,
  provisionStateMachine,
} from '../../src/nsi/provision-state-machine.js';
import {
  LIFECYCLE_EVENTS,
  LIFECYCLE_STATES,
  lifecycleStateMachine,
} from '../../src/nsi/lifecycle-state-machine.js';
import type { StateMachine } from '../../src/nsi/state-machine.js';

/** The valid transitions as NSI CS 2.0 draws them: `from event → to [effect kinds]`. */
const RESERVATION: [string, string, string, string[]][] = [
  ['ReserveStart', 'reserve', 'ReserveChecking', ['checkResources']],
  ['ReserveChecking', 'reserveConfirmed', 'ReserveHeld', ['startHoldTimer', 'notify:reserveConfirmed']],
  ['ReserveChecking', 'reserveFailed', 'ReserveFailed', ['notify:reserveFailed']],
  ['ReserveHeld', 'reserveCommit', 'ReserveCommitting', ['cancelHoldTimer', 'commitResources']],
  ['ReserveHeld', 'reserveAbort', 'ReserveAborting', ['cancelHoldTimer', 'releaseHeldResources']],
  ['ReserveHeld', 'holdTimeout', 'ReserveTimeout', ['releaseHeldResources', 'notify:reserveTimeout']],
  ['ReserveCommitting', 'reserveCommitConfirmed', 'ReserveStart', ['notify:reserveCommitConfirmed']],
  [
    'ReserveCommitting',
    'reserveCommitFailed',
    'ReserveStart',
    ['releaseHeldResources', 'notify:reserveCommitFailed'],
  ],
  ['ReserveFailed', 'reserveAbort', 'ReserveAborting', ['releaseHeldResources']],
  ['ReserveTimeout', 'reserveAbort', 'ReserveAborting', []],
  ['ReserveAborting', 'reserveAbortConfirmed', 'ReserveStart', ['notify:reserveAbortConfirmed']],
];

const PROVISION: [string, string, string, string[]][] = [
  ['Released', 'provision', 'Provisioning', ['activateDataPlane']],
  ['Provisioning', 'provisionConfirmed', 'Provisioned', ['notify:provisionConfirmed']],
  ['Provisioning', 'provisionFailed', 'Released', ['notify:provisionFailed']],
  ['Provisioned', 'release', 'Releasing', ['deactivateDataPlane']],
  ['Releasing', 'releaseConfirmed', 'Released', ['notify:releaseConfirmed']],
];

const LIFECYCLE: [string, string, string, string[]][] = [
  ['Created', 'terminate', 'Terminating', ['teardown']],
  ['Created', 'endTimeEvent', 'PassedEndTime', ['teardown', 'notify:passedEndTime']],
  ['Created', 'forcedEnd', 'Failed', ['teardown', 'notify:errorEvent']],
  ['PassedEndTime', 'terminate', 'Terminating', ['teardown']],
  ['Failed', 'terminate', 'Terminating', ['teardown']],
  ['Terminating', 'terminateConfirmed', 'Terminated', ['notify:terminateConfirmed']],
];

function exhaustive<S extends string, E extends string>(
  machine: StateMachine<S, E>,
  states: readonly S[],
  events: readonly E[],
  valid: [string, string, string, string[]][],
): void {
  let validCount = 0;
  let invalidCount = 0;
  for (const from of states) {
    for (const event of events) {
      const expected = valid.find(([f, e]) => f === from && e === event);
      if (expected !== undefined) {
        const result = machine.step(from, event);
        assert.equal(result.state, expected[2], `${machine.name}: ${from} --${event}-->`);
        assert.deepEqual(
          result.effects.map((e) => (e.kind === 'notify' ? `notify:${e.type}` : e.kind)),
          expected[3],
          `${machine.name}: effects of ${from} --${event}-->`,
        );
        assert.equal(machine.accepts(from, event), true);
        validCount++;
      } else {
        assert.throws(
          () => machine.step(from, event, 'c-00000000000000000000'),
          (error: unknown) =>
            error instanceof InvalidTransitionError &&
            error.nsiCode === 'INVALID_TRANSITION' &&
            error.nsiErrorId === '00201' &&
            error.status === 409 &&
            error.from === from &&
            error.event === event &&
            error.connectionId === 'c-00000000000000000000' &&
            error.message.includes(from) &&
            error.message.includes(event),
          `${machine.name}: ${from} --${event}--> must be refused`,
        );
        assert.equal(machine.accepts(from, event), false);
        invalidCount++;
      }
    }
  }
  assert.equal(validCount, valid.length, 'every listed transition exists');
  assert.equal(validCount + invalidCount, states.length * events.length);
  assert.equal(machine.transitions().length, valid.length, 'the table allows nothing more');
}

test('reservation machine: every (state, event) pair — 11 valid, the other 52 refused with 00201', () => {
  exhaustive(reservationStateMachine, RESERVATION_STATES, RESERVATION_EVENTS, RESERVATION);
  assert.equal(RESERVATION_STATES.length * RESERVATION_EVENTS.length - RESERVATION.length, 52);
});

test('provision machine: every (state, event) pair — 5 valid, 15 refused', () => {
  exhaustive(provisionStateMachine, PROVISION_STATES, PROVISION_EVENTS, PROVISION);
});

test('lifecycle machine: every (state, event) pair — 6 valid, 14 refused; Terminated accepts nothing', () => {
  exhaustive(lifecycleStateMachine, LIFECYCLE_STATES, LIFECYCLE_EVENTS, LIFECYCLE);
  for (const event of LIFECYCLE_EVENTS)
    assert.equal(lifecycleStateMachine.accepts('Terminated', event), false);
});

test('initial states are ReserveStart, Released, Created (NSI CS 2.0)', () => {
  assert.equal(reservationStateMachine.initial, 'ReserveStart');
  assert.equal(provisionStateMachine.initial, 'Released');
  assert.equal(lifecycleStateMachine.initial, 'Created');
});
