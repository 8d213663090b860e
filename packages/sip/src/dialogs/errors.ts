import { SvpnError } from '@svpn/errors';

/**
 * Typed errors of the dialog layer (RFC 3261 §12 and its extensions: RFC 3262 reliable provisional
 * responses, RFC 4028 session timers). Each carries a stable `code` (`SIP_DIALOG_…`).
 */

export type DialogErrorCode = 'SIP_DIALOG_INVALID_OPTIONS' | 'SIP_DIALOG_STATE_TRANSITION';

/** Base of every error raised by the dialog layer. */
export class DialogError extends SvpnError<DialogErrorCode> {}

/** Options failed validation (a session interval below the minimum, a non-integer Min-SE, …). */
export class DialogOptionsError extends DialogError {
  /** The offending option. */
  readonly option: string;

  constructor(option: string, message: string) {
    super('SIP_DIALOG_INVALID_OPTIONS', message);
    this.option = option;
  }
}

/**
 * An event is illegal in a dialog-layer machine's current state (a timer fired that the state
 * never starts). A bug in the driver, not a network condition: network input is absorbed.
 */
export class DialogStateTransitionError extends DialogError {
  /** The machine that refused the event (`sessionTimer`, `reliableProvisional`). */
  readonly machine: string;
  readonly from: string;
  readonly event: { readonly type: string };

  constructor(machine: string, from: string, event: { readonly type: string }) {
    const detail = 'timer' in event ? `timer:${String(event.timer)}` : event.type;
    super('SIP_DIALOG_STATE_TRANSITION', `${machine}: event ${detail} is illegal in state ${from}`);
    this.machine = machine;
    this.from = from;
    this.event = event;
  }
}
