/**
 * The NSI CS 2.0 lifecycle state machine.
 *
 * ```
 *           endTimeEvent
 *  Created ─────────────► PassedEndTime ──┐
 *     │  │  forcedEnd                      │ terminate
 *     │  └──────────────► Failed ──────────┤
 *     │ terminate                          ▼
 *     └──────────────────────────────► Terminating ──terminateConfirmed──► Terminated
 * ```
 */
import { StateMachine, type TransitionTable } from './state-machine.js';
import type { LifecycleState } from '@svpn/api-contract';

export type { LifecycleState } from '@svpn/api-contract';

export const LIFECYCLE_STATES = [
  'Created',
  'Failed',
  'PassedEndTime',
  'Terminating',
  'Terminated',
] as const satisfies readonly LifecycleState[];

export const LIFECYCLE_EVENTS = ['terminate', 'terminateConfirmed', 'endTimeEvent', 'forcedEnd'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

const terminate = { to: 'Terminating', effects: [{ kind: 'teardown' }] } as const;

const table: TransitionTable<LifecycleState, LifecycleEvent> = {
  Created: {
    terminate,
    endTimeEvent: {
      to: 'PassedEndTime',
      effects: [{ kind: 'teardown' }, { kind: 'notify', type: 'passedEndTime' }],
    },
    // The data plane ended without being asked (preempted, far end hung up, reservation lost).
    forcedEnd: { to: 'Failed', effects: [{ kind: 'teardown' }, { kind: 'notify', type: 'errorEvent' }] },
  },
  PassedEndTime: { terminate },
  Failed: { terminate },
  Terminating: {
    terminateConfirmed: {
      to: 'Terminated',
      effects: [{ kind: 'notify', type: 'terminateConfirmed' }],
    },
  },
  Terminated: {},
};

export const lifecycleStateMachine = new StateMachine<LifecycleState, LifecycleEvent>(
  'lifecycle',
  LIFECYCLE_STATES,
  LIFECYCLE_EVENTS,
  table,
  'Created',
);
