import { SipHeaderError } from '../grammar/index.js';
import {
  DEFAULT_WARN_AGENT,
  type SipRequest,
  type SipResponse,
  createErrorResponseFromPartial,
  createResponse,
  formatWarning,
  generateTag,
  parseMessage,
} from '../messages/index.js';
import { FRAMING_ERROR_REASONS, type FramingErrorCode, MAX_UDP_PAYLOAD_IPV6 } from '../transport/index.js';
import { type Rejection, type ValidationPolicy, validateRequest } from './request-validation.js';

export type IncomingTransport = 'udp' | 'tcp' | 'tls';

export interface IncomingPolicy extends ValidationPolicy {
  /** warn-agent in the Warning of our refusals. @defaultValue `'svpn'` */
  warnAgent?: string;
  /**
   * Matches a response to a client transaction (RFC 3261 §17.1.3). When given and it returns
   * false, the response is a stray and is dropped. @defaultValue every response is delivered
   */
  matchResponse?: (response: SipResponse) => boolean;
}

export type IncomingDecision =
  /** Hand the message to the transaction layer / UA core. */
  | { action: 'deliver'; message: SipRequest | SipResponse; trailing?: number }
  /** Send this serialized response back (RFC 3261 §18.2.2) and do not process the request. */
  | { action: 'respond'; response: Buffer; status: number; reason: string }
  /** Discard silently. */
  | { action: 'drop'; reason: string };

/** The response carrying a rejection: copied fields per §8.2.6, the extra headers, a Warning. */
export function createRejectionResponse(
  request: SipRequest,
  rejection: Rejection,
  options: { toTag?: string; warnAgent?: string } = {},
): SipResponse {
  return createResponse(request, rejection.status, {
    reason: rejection.reason,
    toTag: options.toTag ?? generateTag(),
    headers: {
      ...rejection.headers,
      Warning: formatWarning(rejection.warning, options.warnAgent ?? DEFAULT_WARN_AGENT),
    },
  });
}

/**
 * The receive pipeline shared by the UA core and the RFC 4475 conformance suite: parse and frame
 * (RFC 3261 §18.3), run the UAS checks (§8.2) on requests and the UAC checks (§8.1.3.3, §18.1.2)
 * on responses. Never answers a response or an ACK. Pure: no IO, no clock.
 */
export function classifyIncoming(
  data: Buffer,
  transport: IncomingTransport,
  policy: IncomingPolicy = {},
): IncomingDecision {
  const parsed = parseMessage(data, { datagram: transport === 'udp' });
  const warnAgent = policy.warnAgent ?? DEFAULT_WARN_AGENT;
  if (!parsed.ok) {
    const error = parsed.error;
    // RFC 3261 §18.3 — a broken response is discarded.
    if (error.isRequest !== true) return { action: 'drop', reason: `unparseable message: ${error.reason}` };
    if (error.method === 'ACK') return { action: 'drop', reason: `unparseable ACK: ${error.reason}` };
    // On a stream a short body only means more octets are due (RFC 4475 §3.1.2.2): the framer
    // waits; a buffer handed to us that way is not answered.
    if (transport !== 'udp' && error.code === 'SIP_PARSE_TRUNCATED_BODY') {
      return { action: 'drop', reason: error.reason };
    }
    // RFC 3261 §18.3 — a request that cannot be framed SHOULD get 400.
    const response = createErrorResponseFromPartial(error, 400, formatWarning(error.reason, warnAgent));
    return response === undefined
      ? { action: 'drop', reason: `unparseable request without a usable Via: ${error.reason}` }
      : refusal(transport, response, 400, error.reason);
  }
  const message = parsed.message;
  const trailing = parsed.trailing;
  if (message.kind === 'response') {
    try {
      // RFC 3261 §8.1.3.3 — a UAC discards a response with more than one Via value.
      const vias = message.via.length;
      if (vias !== 1) return { action: 'drop', reason: `response with ${vias} Via values` };
      // The fields transaction matching needs must parse (RFC 4475 §3.1.2.5: discard).
      message.via[0]?.load();
      void message.cseq;
      void message.callId;
      void message.from;
      void message.to;
    } catch (e) {
      if (e instanceof SipHeaderError) return { action: 'drop', reason: `malformed response: ${e.message}` };
      throw e;
    }
    if (policy.matchResponse !== undefined && !policy.matchResponse(message)) {
      return { action: 'drop', reason: 'stray response: no matching client transaction' };
    }
    return deliver(message, trailing);
  }
  const rejection = validateRequest(message, policy);
  if (rejection === undefined) return deliver(message, trailing);
  // RFC 3261 §17.2.1 — an ACK is never answered.
  if (message.method === 'ACK') return { action: 'drop', reason: `invalid ACK: ${rejection.warning}` };
  const response = createRejectionResponse(message, rejection, { warnAgent });
  return refusal(transport, response.toBuffer(), rejection.status, rejection.warning);
}

/**
 * A refusal copies the request's Via values, in their long form: a request near the datagram
 * limit (compact `v:` lines) can get an answer larger than any datagram (65 487 octets fit both IP
 * families, RFC 768 / RFC 8200). Such an answer cannot be sent, so over UDP it is dropped.
 */
function deliver(message: SipRequest | SipResponse, trailing: number | undefined): IncomingDecision {
  return trailing === undefined ? { action: 'deliver', message } : { action: 'deliver', message, trailing };
}

function refusal(
  transport: IncomingTransport,
  response: Buffer,
  status: number,
  reason: string,
): IncomingDecision {
  if (transport === 'udp' && response.length > MAX_UDP_PAYLOAD_IPV6) {
    return {
      action: 'drop',
      reason: `refusal of ${response.length} bytes does not fit in a datagram: ${reason}`,
    };
  }
  return { action: 'respond', response, status, reason };
}

/**
 * A stream message the framer refused (`StreamFramer` error output, `TransportMessage.framingError`):
 * the connection cannot be resynchronised and will close, but a request is answered first,
 * RFC 3261 §18.3 — 400 for a missing, invalid or conflicting Content-Length; §21.4.11 — 513 when
 * the header section or body is larger than we accept. `data` is the header section as far as it
 * was read; the answer is built from whatever fields parse (as for a datagram, RFC 4475 §3.1.2.3).
 * A response, an ACK or a request without a usable Via is dropped. Pure: no IO, no clock.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-18.3
 */
export function classifyUnframeable(
  data: Buffer,
  framingError: FramingErrorCode,
  policy: Pick<IncomingPolicy, 'warnAgent'> = {},
): IncomingDecision {
  const tooLarge = framingError === 'header-too-large' || framingError === 'body-too-large';
  const status = tooLarge ? 513 : 400;
  const reason = `message framing error: ${FRAMING_ERROR_REASONS[framingError]}`;
  const warning = formatWarning(reason, policy.warnAgent ?? DEFAULT_WARN_AGENT);
  const parsed = parseMessage(data, { datagram: true });
  if (parsed.ok) {
    const message = parsed.message;
    if (message.kind === 'response') return { action: 'drop', reason: `unframeable response: ${reason}` };
    // RFC 3261 §17.2.1 — an ACK is never answered.
    if (message.method === 'ACK') return { action: 'drop', reason: `unframeable ACK: ${reason}` };
    const response = createResponse(message, status, { toTag: generateTag(), headers: { Warning: warning } });
    return { action: 'respond', response: response.toBuffer(), status, reason };
  }
  const error = parsed.error;
  if (error.isRequest !== true) return { action: 'drop', reason: `unframeable message: ${reason}` };
  if (error.method === 'ACK') return { action: 'drop', reason: `unframeable ACK: ${reason}` };
  const response = createErrorResponseFromPartial(error, status, warning);
  return response === undefined
    ? { action: 'drop', reason: `unframeable request without a usable Via: ${reason}` }
    : { action: 'respond', response, status, reason };
}
