import { SipSyntaxError, parseNameAddr, parseVia } from '../grammar/index.js';
import { generateTag } from './identifiers.js';
import { reasonPhrase } from './reason-phrase.js';
import { type HeaderField, type HeaderValue, SipHeaders } from './sip-headers.js';
import { SipResponse, type SipRequest } from './sip-message.js';
import type { SipParseError } from './sip-parse-error.js';

export interface CreateResponseOptions {
  /** @defaultValue `reasonPhrase(status)` */
  reason?: string;
  /** Tag added to To when the request's To has none (never for 100 Trying). */
  toTag?: string;
  /** Extra header fields, appended after the copied ones. */
  headers?: Record<string, HeaderValue>;
  body?: Buffer;
  /** Content-Type of `body`. */
  contentType?: string;
}

/** The warn-agent used in our Warning header values. */
export const DEFAULT_WARN_AGENT = 'svpn';

/** Longest warn-text we write, in characters: it often quotes the offending input. */
export const MAX_WARNING_TEXT = 256;

/**
 * `399 <agent> "<text>"` (RFC 3261 §20.43); text that already starts with a 3-digit warn-code
 * is returned as is. Text longer than MAX_WARNING_TEXT is cut (ending in `…`), so a refusal never
 * echoes a huge header value twice (once copied, once quoted) and outgrows the request.
 */
export function formatWarning(text: string, agent: string = DEFAULT_WARN_AGENT): string {
  if (/^\d{3} \S+ "/.test(text)) return text;
  // RFC 3261 §25.1 — warn-text is a quoted-string: line breaks become SP, other control characters
  // (which the text may echo from a broken request) '?', and '"' / '\' are escaped (after the cut,
  // so no escape is split).
  let plain = text.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
  if (plain.length > MAX_WARNING_TEXT) plain = plain.slice(0, MAX_WARNING_TEXT - 1) + '…';
  const safe = plain.replace(/["\\]/g, (m) => '\\' + m);
  return `399 ${agent} "${safe}"`;
}

function addToTag(to: string, tag: string): string {
  try {
    const parsed = parseNameAddr(to, 'To');
    if (parsed.tag !== undefined) return to;
  } catch (e) {
    if (!(e instanceof SipSyntaxError)) throw e;
  }
  return `${to};tag=${tag}`;
}

/** Whether the request's To carries a tag, read from its (cached) parsed To where it parses. */
function toHasTag(request: SipRequest, to: string): boolean {
  try {
    return request.to.tag !== undefined;
  } catch (e) {
    if (!(e instanceof SipSyntaxError)) throw e;
    return addToTag(to, '') === to;
  }
}

/**
 * Builds a response to `request` per RFC 3261 §8.2.6: copies every Via (in order), From, To,
 * Call-ID and CSeq; adds the To tag when given and the To has none (never on 100, §8.2.6.2);
 * copies Timestamp into a 100 Trying (§8.2.6.1).
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-8.2.6
 */
export function createResponse(
  request: SipRequest,
  status: number,
  options: CreateResponseOptions = {},
): SipResponse {
  const h = request.headers;
  // The copied fields are shared with the request, not appended again: a field is immutable and
  // its value was checked when it was parsed or added.
  const fields: HeaderField[] = [];
  // RFC 3261 §8.2.6.2 — Via values in the same order, From, Call-ID and CSeq equal to the request's.
  for (const f of h.fields('Via')) fields.push(f);
  const from = h.firstField('From');
  if (from !== undefined) fields.push(from);
  const to = h.firstField('To');
  if (to !== undefined) {
    // RFC 3261 §8.2.6.2 — the UAS MUST add a tag to a To without one, except on 100 (Trying).
    const tag = options.toTag;
    fields.push(
      tag === undefined || status === 100 || toHasTag(request, to.value)
        ? to
        : { key: to.key, name: to.name, value: `${to.value};tag=${tag}` },
    );
  }
  const callId = h.firstField('Call-ID');
  if (callId !== undefined) fields.push(callId);
  const cseq = h.firstField('CSeq');
  if (cseq !== undefined) fields.push(cseq);
  // RFC 3261 §8.2.6.1 — a Timestamp in the request MUST be copied into the 100 (Trying).
  if (status === 100) {
    const ts = h.firstField('Timestamp');
    if (ts !== undefined) fields.push(ts);
  }
  const headers = SipHeaders.fromFields(fields);
  if (options.headers !== undefined) {
    for (const name of Object.keys(options.headers))
      headers.append(name, options.headers[name] as HeaderValue);
  }
  if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
  return new SipResponse({
    status,
    reason: options.reason ?? reasonPhrase(status),
    headers,
    body: options.body,
  });
}

/**
 * A response to a request too broken to parse fully (RFC 3261 §8.2, RFC 4475 §3.3.1), built from
 * the Via/From/To/Call-ID/CSeq fields that could be read. `warning` is the Warning text (see
 * `formatWarning`). Undefined when the error is not about a request or no Via parses: there is
 * nowhere to send a response (RFC 3261 §18.2.2).
 */
export function createErrorResponseFromPartial(
  error: SipParseError,
  status: number,
  warning: string,
): Buffer | undefined {
  if (error.isRequest !== true || error.partial === undefined) return undefined;
  const h = error.partial;
  const vias = h.fields('Via');
  if (vias.length === 0) return undefined;
  try {
    parseVia(h.getAll('Via')[0] ?? '');
  } catch (e) {
    if (e instanceof SipSyntaxError) return undefined;
    throw e;
  }
  const headers = new SipHeaders();
  // A broken request may carry a bare CR or LF in a value: it must not reach the wire again.
  const copy = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    const clean = value.replace(/[\r\n]/g, ' ');
    headers.append(name, name === 'To' && status !== 100 ? addToTag(clean, generateTag()) : clean);
  };
  for (const f of vias) copy('Via', f.value);
  copy('From', h.get('From'));
  copy('To', h.get('To'));
  copy('Call-ID', h.get('Call-ID'));
  copy('CSeq', h.get('CSeq'));
  headers.append('Warning', formatWarning(warning));
  return new SipResponse({ status, headers }).toBuffer();
}
