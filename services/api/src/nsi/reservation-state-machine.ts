/**
 * The NSI CS 2.0 reservation state machine (one per connection; a modify runs it again for the
 * next version).
 *
 * ```
 *                reserve                 reserveConfirmed
 *  ReserveStart ────────► ReserveChecking ───────────────► ReserveHeld ──holdTimeout──► ReserveTimeout
 *     ▲   ▲                    │ reserveFailed               │     │ reserveAbort            │
 *     │   │                    ▼                             │     ▼                         │ reserveAbort
 *     │   │              ReserveFailed ──reserveAbort──► ReserveAborting ◄───────────────────┘
 *     │   └──────────── reserveAbortConfirmed ──────────────┘     │ reserveCommit
 *     │                                                            ▼
 *     └───── reserveCommitConfirmed / reserveCommitFailed ── ReserveCommitting
 * ```
 */
import { StateMachine, type TransitionTable } from './state-machine.js';
import type { ReservationState } from '@svpn/api-contract';

export type { ReservationState } from '@svpn/api-contract';

export const RESERVATION_STATES = [
  'ReserveStart',
  'ReserveChecking',
  'ReserveHeld',
  'ReserveCommitting',
  'ReserveFailed',
  'ReserveTimeout',
  'ReserveAborting',
] as const satisfies readonly ReservationState[];

export const RESERVATION_EVENTS = [
  'reserve',
  'reserveConfirmed',
  'reserveFailed',
  'reserveCommit',
  'reserveCommitConfirmed',
  'reserveCommitFailed',
  'reserveAbort',
  'reserveAbortConfirmed',
  'holdTimeout',
] as const;
export type ReservationEvent = (typeof RESERVATION_EVENTS)[number];

const table: TransitionTable<ReservationState, ReservationEvent> = {
  ReserveStart: {
    // A reserve on a new connection, or a modify of a committed one (the next version).
    reserve: { to: 'ReserveChecking', effects: [{ kind: 'checkResources' }] },
  },
  ReserveChecking: {
    reserveConfirmed: {
      to: 'ReserveHeld',
      effects: [{ kind: 'startHoldTimer' }, { kind: 'notify', type: 'reserveConfirmed' }],
    },
    reserveFailed: { to: 'ReserveFailed', effects: [{ kind: 'notify', type: 'reserveFailed' }] },
  },
  ReserveHeld: {
    reserveCommit: {
      to: 'ReserveCommitting',
      effects: [{ kind: 'cancelHoldTimer' }, { kind: 'commitResources' }],
    },
    reserveAbort: {
      to: 'ReserveAborting',
      effects: [{ kind: 'cancelHoldTimer' }, { kind: 'releaseHeldResources' }],
    },
    // The hold expired before a commit: what was held is given back.
    holdTimeout: {
      to: 'ReserveTimeout',
      effects: [{ kind: 'releaseHeldResources' }, { kind: 'notify', type: 'reserveTimeout' }],
    },
  },
  ReserveCommitting: {
    reserveCommitConfirmed: {
      to: 'ReserveStart',
      effects: [{ kind: 'notify', type: 'reserveCommitConfirmed' }],
    },
    reserveCommitFailed: {
      to: 'ReserveStart',
      effects: [{ kind: 'releaseHeldResources' }, { kind: 'notify', type: 'reserveCommitFailed' }],
    },
  },
  ReserveFailed: {
    reserveAbort: { to: 'ReserveAborting', effects: [{ kind: 'releaseHeldResources' }] },
  },
  ReserveTimeout: {
    // Resources went back at the timeout; the abort only acknowledges it.
    reserveAbort: { to: 'ReserveAborting', effects: [] },
  },
  ReserveAborting: {
    reserveAbortConfirmed: {
      to: 'ReserveStart',
      effects: [{ kind: 'notify', type: 'reserveAbortConfirmed' }],
    },
  },
};

export const reservationStateMachine = new StateMachine<ReservationState, ReservationEvent>(
  'reservation',
  RESERVATION_STATES,
  RESERVATION_EVENTS,
  table,
  'ReserveStart',
);
