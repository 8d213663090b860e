import { SipHeaderError } from './errors.js';
import { type Parameters, parseHeaderParams } from './parameters.js';
import { Scanner } from './scanner.js';

/** media-type = m-type SLASH m-subtype *( SEMI m-parameter ) (RFC 3261 §20.15). */
export interface MediaType {
  /** Lower-cased type, e.g. `application`. */
  type: string;
  /** Lower-cased subtype, e.g. `sdp`. */
  subtype: string;
  params: Parameters;
}

export function parseMediaType(value: string, header = 'Content-Type'): MediaType {
  const sc = new Scanner(value, header, (m) => new SipHeaderError('SIP_HEADER_SYNTAX', header, m));
  sc.skipWs();
  const type = sc.token().toLowerCase();
  sc.expect(0x2f, true);
  const subtype = sc.token().toLowerCase();
  const params = parseHeaderParams(sc);
  sc.end();
  return { type, subtype, params };
}

/** `type/subtype` in lower case. */
export function mediaTypeName(mt: MediaType): string {
  return `${mt.type}/${mt.subtype}`;
}

/** Option tags (Require, Supported, Proxy-Require, Unsupported): one token per list element. */
export function parseOptionTag(value: string, header: string): string {
  const sc = new Scanner(value, header, (m) => new SipHeaderError('SIP_HEADER_SYNTAX', header, m));
  sc.skipWs();
  const tag = sc.token();
  sc.end();
  return tag;
}
