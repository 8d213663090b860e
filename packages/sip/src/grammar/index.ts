// RFC 3261 §25 grammar: hand-written linear scanners, no backtracking regexes on input.
export { SipSyntaxError, SipUriError, SipHeaderError } from './errors.js';
export { isToken as isSipToken, TOKEN as TOKEN_CHARS, WORD as WORD_CHARS, trimWsp } from './char-classes.js';
export { quoteString, unquoteString } from './scanner.js';
export { unescape as unescapeUri, escapeChars } from './escape.js';
export { type HostType, isIPv4, isIPv6, isHostname, hostType, normalizeHost } from './host.js';
export { type Parameter, type ParametersKind, Parameters, parseHeaderParams } from './parameters.js';
export {
  type Uri,
  type UriHeader,
  type SipUriInit,
  SipUri,
  TelUri,
  AbsoluteUri,
  parseUri,
  uriToString,
  uriEquals,
  escapeUser,
} from './uri.js';
export { splitList } from './list.js';
export { type NameAddrInit, NameAddr, Contact, parseNameAddr, parseContact } from './name-addr.js';
export { type ViaInit, Via, MAGIC_COOKIE, parseVia, isRfc3261Branch } from './via.js';
export {
  type CSeq,
  type RetryAfter,
  MAX_CSEQ,
  parseBoundedInteger,
  parseCSeq,
  parseMaxForwards,
  parseContentLength,
  parseDeltaSeconds,
  parseRetryAfter,
  parseStatusCode,
  parseQValue,
} from './scalars.js';
export { type MediaType, parseMediaType, mediaTypeName, parseOptionTag } from './media-type.js';
