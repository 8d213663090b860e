import { SipSyntaxError } from '../grammar/index.js';
import type { SipHeaders } from './sip-headers.js';

export type SipParseErrorCode =
  | 'SIP_PARSE_EMPTY'
  | 'SIP_PARSE_START_LINE'
  | 'SIP_PARSE_REQUEST_URI'
  | 'SIP_PARSE_STATUS_CODE'
  | 'SIP_PARSE_HEADER_LINE'
  | 'SIP_PARSE_NO_HEADER_END'
  | 'SIP_PARSE_CONTENT_LENGTH'
  | 'SIP_PARSE_TRUNCATED_BODY'
  | 'SIP_PARSE_INTERNAL';

/**
 * A message that cannot be framed or whose start line / header lines are malformed.
 * Carries what could be read so a UAS can still answer 400 (RFC 3261 §8.2, §18.3).
 */
export class SipParseError extends SipSyntaxError {
  declare readonly code: SipParseErrorCode;
  /** Short text for `Warning: 399 <host> "<reason>"`. */
  readonly reason: string;
  /** From the start line: true for a request, false for a response, undefined when unknown. */
  readonly isRequest: boolean | undefined;
  /** Header fields that could be read (for building a 400 to a broken request). */
  readonly partial: SipHeaders | undefined;
  /** Method of a request whose start line could be read this far. */
  readonly method: string | undefined;

  constructor(
    code: SipParseErrorCode,
    reason: string,
    info: { isRequest?: boolean; partial?: SipHeaders; method?: string; cause?: unknown } = {},
  ) {
    super(code, reason, { cause: info.cause });
    this.reason = reason;
    this.isRequest = info.isRequest;
    this.partial = info.partial;
    this.method = info.method;
  }
}
