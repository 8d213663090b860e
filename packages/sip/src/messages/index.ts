// SIP message model (RFC 3261 §7): headers, requests/responses, parser, serializer, framing.
export { COMPACT_FORMS, LIST_HEADERS, canonicalHeaderName, headerKey, isListHeader } from './header-names.js';
export { type HeaderField, type HeaderValue, type HeadersInit, SipHeaders } from './sip-headers.js';
export {
  type SipMessageInit,
  type SipRequestInit,
  type SipResponseInit,
  SipMessage,
  SipRequest,
  SipResponse,
  parseCallId,
} from './sip-message.js';
export { type SipParseErrorCode, SipParseError } from './sip-parse-error.js';
export { type ParseOptions, type ParseResult, parseMessage, parseMessageOrThrow } from './parse-message.js';
export {
  type FrameResult,
  type FrameStreamOptions,
  DEFAULT_MAX_BODY_SIZE,
  DEFAULT_MAX_HEADER_SIZE,
  frameStream,
} from './frame-stream.js';
export { reasonPhrase } from './reason-phrase.js';
export {
  type CreateResponseOptions,
  DEFAULT_WARN_AGENT,
  MAX_WARNING_TEXT,
  createErrorResponseFromPartial,
  createResponse,
  formatWarning,
} from './create-response.js';
export { generateBranch, generateCallId, generateTag } from './identifiers.js';
