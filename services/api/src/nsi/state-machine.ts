/**
 * A table-driven, sans-IO state machine (STYLE.md "State machines"): `step(state, event)` looks the
 * pair up and returns the next state with its effects as plain data; a pair the table does not list
 * throws {@link InvalidTransitionError}. The driver applies the effects (timers, SIP, ledger, notices).
 */
import type { ConnectionEvent } from '@svpn/api-contract';
import { InvalidTransitionError } from './nsi-error.js';

/** What a transition asks the driver to do. */
export type Effect =
  | { kind: 'checkResources' }
  | { kind: 'commitResources' }
  | { kind: 'releaseHeldResources' }
  | { kind: 'startHoldTimer' }
  | { kind: 'cancelHoldTimer' }
  | { kind: 'activateDataPlane' }
  | { kind: 'deactivateDataPlane' }
  | { kind: 'teardown' }
  | { kind: 'notify'; type: NotificationType };

/** Notification types (NSI CS 2.0 names where they exist), as the contract's `ConnectionEvent.type`. */
export type NotificationType = ConnectionEvent['type'];

export interface Transition<S extends string> {
  readonly to: S;
  readonly effects: readonly Effect[];
}

export type TransitionTable<S extends string, E extends string> = {
  readonly [state in S]: { readonly [event in E]?: Transition<S> };
};

export interface StepResult<S extends string> {
  state: S;
  effects: Effect[];
}

/** One axis: its name, states, events and the table. */
export class StateMachine<S extends string, E extends string> {
  constructor(
    readonly name: string,
    readonly states: readonly S[],
    readonly events: readonly E[],
    private readonly table: TransitionTable<S, E>,
    readonly initial: S,
  ) {}

  /** The next state and effects. @throws InvalidTransitionError when `event` is not allowed in `state`. */
  step(state: S, event: E, connectionId?: string): StepResult<S> {
    const transition = this.table[state][event];
    if (transition === undefined) throw new InvalidTransitionError(this.name, state, event, connectionId);
    return { state: transition.to, effects: [...transition.effects] };
  }

  /** Whether `event` is allowed in `state`. */
  accepts(state: S, event: E): boolean {
    return this.table[state][event] !== undefined;
  }

  /** Every (from, event, to) the table allows, for documentation and tests. */
  transitions(): { from: S; event: E; to: S }[] {
    const out: { from: S; event: E; to: S }[] = [];
    for (const from of this.states) {
      for (const event of this.events) {
        const t = this.table[from][event];
        if (t !== undefined) out.push({ from, event, to: t.to });
      }
    }
    return out;
  }
}
