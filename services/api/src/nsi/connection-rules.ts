/**
 * Rules across the three axes (NSI CS 2.0 §4): which machine a request drives, and what the other
 * axes must allow first. Pure; the driver calls it before it steps a machine.
 */
import type { LifecycleState, ProvisionState, ReservationState } from '@svpn/api-contract';
import { InvalidTransitionError, NsiError } from './nsi-error.js';
import { reservationStateMachine, type ReservationEvent } from './reservation-state-machine.js';
import { provisionStateMachine, type ProvisionEvent } from './provision-state-machine.js';
import { lifecycleStateMachine, type LifecycleEvent } from './lifecycle-state-machine.js';

/** A request an application makes of a connection (the NSI requester operations). */
export type ConnectionRequest = 'modify' | 'commit' | 'abort' | 'provision' | 'release' | 'terminate';

export interface AxisStates {
  reservationState: ReservationState;
  provisionState: ProvisionState;
  lifecycleState: LifecycleState;
}

export type PlannedStep =
  | { axis: 'reservation'; event: ReservationEvent }
  | { axis: 'provision'; event: ProvisionEvent }
  | { axis: 'lifecycle'; event: LifecycleEvent };

/**
 * The machine step a request makes, once the other axes allow it.
 * @throws NsiError CONNECTION_GONE for a terminated connection, INVALID_TRANSITION otherwise.
 */
export function planRequest(
  states: AxisStates,
  committedVersion: number,
  request: ConnectionRequest,
  connectionId?: string,
): PlannedStep {
  const { lifecycleState } = states;
  if (request === 'terminate') {
    lifecycleStateMachine.step(lifecycleState, 'terminate', connectionId);
    return { axis: 'lifecycle', event: 'terminate' };
  }
  if (lifecycleState === 'Terminated' || lifecycleState === 'Terminating') {
    throw new NsiError('CONNECTION_GONE', `the connection is ${lifecycleState}`, connectionId);
  }
  // NSI CS 2.0 — once past its end time or failed, a connection only accepts terminate.
  if (lifecycleState !== 'Created') {
    throw new InvalidTransitionError('lifecycle', lifecycleState, request, connectionId);
  }
  switch (request) {
    case 'commit':
      reservationStateMachine.step(states.reservationState, 'reserveCommit', connectionId);
      return { axis: 'reservation', event: 'reserveCommit' };
    case 'abort':
      reservationStateMachine.step(states.reservationState, 'reserveAbort', connectionId);
      return { axis: 'reservation', event: 'reserveAbort' };
    case 'modify':
      if (committedVersion < 1) {
        throw new InvalidTransitionError('reservation', 'uncommitted', 'modify', connectionId);
      }
      // A modify while the data plane is changing would race the SIP dialog: one thing at a time.
      if (states.provisionState === 'Provisioning' || states.provisionState === 'Releasing') {
        throw new InvalidTransitionError('provision', states.provisionState, 'modify', connectionId);
      }
      reservationStateMachine.step(states.reservationState, 'reserve', connectionId);
      return { axis: 'reservation', event: 'reserve' };
    case 'provision':
      // NSI CS 2.0 — provisioning needs a committed reservation.
      if (committedVersion < 1) {
        throw new InvalidTransitionError('reservation', 'uncommitted', 'provision', connectionId);
      }
      provisionStateMachine.step(states.provisionState, 'provision', connectionId);
      return { axis: 'provision', event: 'provision' };
    case 'release':
      provisionStateMachine.step(states.provisionState, 'release', connectionId);
      return { axis: 'provision', event: 'release' };
    default: {
      const never: never = request;
      throw new Error(`unknown request ${String(never)}`);
    }
  }
}
