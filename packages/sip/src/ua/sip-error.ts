import { SvpnError } from '@svpn/errors';
import type { SipResponse } from '../messages/index.js';

/**
 * A SIP request ended with a non-2xx final response (or a synthetic 408/503, RFC 3261 §8.1.3.1).
 * Carries the protocol result, as the style guide asks: status, reason and the response itself.
 */
export class SipError extends SvpnError<'SIP_FAILURE_RESPONSE'> {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly response?: SipResponse,
  ) {
    super('SIP_FAILURE_RESPONSE', `${status} ${reason}`);
  }
}
