import { SvpnError } from '@svpn/errors';
/** Error codes of the UA core. */
export type SipCoreErrorCode =
  | 'SIP_CORE_UNROUTABLE'
  | 'SIP_CORE_UNRESOLVABLE'
  | 'SIP_CORE_UNSUPPORTED_TRANSPORT'
  | 'SIP_CORE_NO_TRANSPORT'
  | 'SIP_CORE_CLOSED'
  | 'SIP_CORE_INVALID_STATE';

/** Errors the UA core raises to its callers (bad requests to send, closed stack, …). */
export class SipCoreError extends SvpnError<SipCoreErrorCode> {}
