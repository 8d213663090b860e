import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRequest, type AxisStates, type ConnectionRequest } from '../../src/nsi/connection-rules.js';
import { NsiError } from '../../src/nsi/nsi-error.js';
import { LIFECYCLE_STATES } from '../../src/nsi/lifecycle-state-machine.js';
import { PROVISION_STATES } from '../../src/nsi/provision-state-machine.js';
import { RESERVATION_STATES } from '../../src/nsi/reservation-state-machine.js';

const base: AxisStates = {
  reservationState: 'ReserveStart',
  provisionState: 'Released',
  lifecycleState: 'Created',
};
const REQUESTS: ConnectionRequest[] = ['modify', 'commit', 'abort', 'provision', 'release', 'terminate'];

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof NsiError, String(error));
    return error.nsiCode;
  }
}

test('a held reservation: commit and abort drive the reservation machine; provision needs a committed version', () => {
  const held: AxisStates = { ...base, reservationState: 'ReserveHeld' };
  assert.deepEqual(planRequest(held, 0, 'commit'), { axis: 'reservation', event: 'reserveCommit' });
  assert.deepEqual(planRequest(held, 0, 'abort'), { axis: 'reservation', event: 'reserveAbort' });
  assert.equal(
    code(() => planRequest(held, 0, 'provision')),
    'INVALID_TRANSITION',
  );
  assert.equal(
    code(() => planRequest(held, 0, 'modify')),
    'INVALID_TRANSITION',
  );
  assert.equal(
    code(() => planRequest(held, 0, 'release')),
    'INVALID_TRANSITION',
  );
  assert.deepEqual(planRequest(held, 0, 'terminate'), { axis: 'lifecycle', event: 'terminate' });
});

test('a committed connection: provision, then release; modify only from ReserveStart and not mid-provisioning', () => {
  assert.deepEqual(planRequest(base, 1, 'provision'), { axis: 'provision', event: 'provision' });
  assert.deepEqual(planRequest(base, 1, 'modify'), { axis: 'reservation', event: 'reserve' });
  assert.equal(
    code(() => planRequest(base, 1, 'release')),
    'INVALID_TRANSITION',
  );
  assert.equal(
    code(() => planRequest(base, 1, 'commit')),
    'INVALID_TRANSITION',
  );
  assert.equal(
    code(() => planRequest(base, 1, 'abort')),
    'INVALID_TRANSITION',
  );
  const provisioned: AxisStates = { ...base, provisionState: 'Provisioned' };
  assert.deepEqual(planRequest(provisioned, 1, 'release'), { axis: 'provision', event: 'release' });
  assert.equal(
    code(() => planRequest(provisioned, 1, 'provision')),
    'INVALID_TRANSITION',
  );
  assert.deepEqual(planRequest(provisioned, 1, 'modify'), { axis: 'reservation', event: 'reserve' });
  for (const transient of ['Provisioning', 'Releasing'] as const) {
    assert.equal(
      code(() => planRequest({ ...base, provisionState: transient }, 1, 'modify')),
      'INVALID_TRANSITION',
    );
  }
});

test('every request in every state combination: terminated → CONNECTION_GONE, past end or failed → only terminate', () => {
  let checked = 0;
  for (const lifecycleState of LIFECYCLE_STATES) {
    for (const reservationState of RESERVATION_STATES) {
      for (const provisionState of PROVISION_STATES) {
        for (const request of REQUESTS) {
          const states = { reservationState, provisionState, lifecycleState };
          const outcome = code(() => planRequest(states, 1, request));
          checked++;
          if (request === 'terminate') {
            const ok =
              lifecycleState === 'Created' ||
              lifecycleState === 'PassedEndTime' ||
              lifecycleState === 'Failed';
            assert.equal(outcome, ok ? undefined : 'INVALID_TRANSITION', `${lifecycleState} terminate`);
          } else if (lifecycleState === 'Terminated' || lifecycleState === 'Terminating') {
            assert.equal(outcome, 'CONNECTION_GONE');
          } else if (lifecycleState !== 'Created') {
            assert.equal(outcome, 'INVALID_TRANSITION');
          } else {
            const allowed =
              (request === 'commit' && reservationState === 'ReserveHeld') ||
              (request === 'abort' &&
                ['ReserveHeld', 'ReserveFailed', 'ReserveTimeout'].includes(reservationState)) ||
              (request === 'modify' &&
                reservationState === 'ReserveStart' &&
                provisionState !== 'Provisioning' &&
                provisionState !== 'Releasing') ||
              (request === 'provision' && provisionState === 'Released') ||
              (request === 'release' && provisionState === 'Provisioned');
            assert.equal(
              outcome,
              allowed ? undefined : 'INVALID_TRANSITION',
              `${JSON.stringify(states)} ${request}`,
            );
          }
        }
      }
    }
  }
  assert.equal(checked, 5 * 7 * 4 * 6);
});
