/**
 * The NSI CS 2.0 provision state machine: whether the data plane should be up. For a scheduled
 * connection, Provisioned means "active from the start time": the SIP call is placed then.
 *
 * ```
 *            provision                provisionConfirmed
 *  Released ──────────► Provisioning ───────────────────► Provisioned
 *     ▲  ▲                  │ provisionFailed                  │ release
 *     │  └──────────────────┘                                  ▼
 *     └──────────────── releaseConfirmed ─────────────────── Releasing
 * ```
 */
import { StateMachine, type TransitionTable } from './state-machine.js';
import type { ProvisionState } from '@svpn/api-contract';

export type { ProvisionState } from '@svpn/api-contract';

export const PROVISION_STATES = [
  'Released',
  'Provisioning',
  'Provisioned',
  'Releasing',
] as const satisfies readonly ProvisionState[];

export const PROVISION_EVENTS = [
  'provision',
  'provisionConfirmed',
  'provisionFailed',
  'release',
  'releaseConfirmed',
] as const;
export type ProvisionEvent = (typeof PROVISION_EVENTS)[number];

const table: TransitionTable<ProvisionState, ProvisionEvent> = {
  Released: {
    provision: { to: 'Provisioning', effects: [{ kind: 'activateDataPlane' }] },
  },
  Provisioning: {
    provisionConfirmed: {
      to: 'Provisioned',
      effects: [{ kind: 'notify', type: 'provisionConfirmed' }],
    },
    // DEVIATION(NSI CS 2.0): NSI has no provisionFailed; a refused SIP call returns to Released and
    // says why, so the application may try again.
    provisionFailed: { to: 'Released', effects: [{ kind: 'notify', type: 'provisionFailed' }] },
  },
  Provisioned: {
    release: { to: 'Releasing', effects: [{ kind: 'deactivateDataPlane' }] },
  },
  Releasing: {
    releaseConfirmed: { to: 'Released', effects: [{ kind: 'notify', type: 'releaseConfirmed' }] },
  },
};

export const provisionStateMachine = new StateMachine<ProvisionState, ProvisionEvent>(
  'provision',
  PROVISION_STATES,
  PROVISION_EVENTS,
  table,
  'Released',
);
