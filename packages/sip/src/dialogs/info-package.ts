/**
 * The INFO framework (RFC 6086), sans-IO: which Info Package an INFO request carries, and whether
 * the receiver accepts it given the packages it listed in Recv-Info.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6086
 */
import { SipHeaderError, isSipToken, splitList, trimWsp } from '../grammar/index.js';
import type { SipHeaders } from '../messages/index.js';

/**
 * RFC 6086 §8.1 — `Info-Package = "Info-Package" HCOLON Info-package-type`,
 * `Info-package-type = Info-package-name *( SEMI Info-package-param )`. Returns the name (the
 * parameters are not used by any package we know), lower-cased as names compare
 * case-insensitively.
 */
export function parseInfoPackage(value: string): string {
  const name = trimWsp(value.split(';', 1)[0] ?? '');
  if (!isSipToken(name)) {
    throw new SipHeaderError(
      'SIP_HEADER_SYNTAX',
      'Info-Package',
      `Info-Package: '${name}' is not a package name`,
    );
  }
  return name.toLowerCase();
}

/**
 * RFC 6086 §8.2 — `Recv-Info = "Recv-Info" HCOLON [Info-package-list]`: the packages a UA is
 * willing to receive, possibly none (an empty header). Every field is read, lower-cased.
 */
export function parseRecvInfo(headers: SipHeaders): string[] {
  const out: string[] = [];
  for (const field of headers.fields('Recv-Info')) {
    for (const item of splitList(field.value)) {
      if (trimWsp(item) !== '') out.push(parseInfoPackage(item));
    }
  }
  return out;
}

export type InfoCheck =
  | { readonly ok: true; readonly infoPackage: string | undefined }
  | {
      readonly ok: false;
      readonly status: 469 | 400;
      readonly warning: string;
      readonly headers: Record<string, string>;
    };

/**
 * RFC 6086 §4.2.2 — an INFO for a package the receiver has not listed in its Recv-Info gets 469
 * (Bad Info Package). An INFO without Info-Package is a legacy INFO (RFC 2976 usage) and passes.
 */
export function checkInfoPackage(headers: SipHeaders, recvInfo: readonly string[]): InfoCheck {
  const value = headers.get('Info-Package');
  if (value === undefined) return { ok: true, infoPackage: undefined };
  let name: string;
  try {
    name = parseInfoPackage(value);
  } catch (error) {
    if (error instanceof SipHeaderError)
      return { ok: false, status: 400, warning: error.message, headers: {} };
    throw error;
  }
  const accepted = recvInfo.map((p) => p.toLowerCase());
  if (accepted.includes(name)) return { ok: true, infoPackage: name };
  return {
    ok: false,
    status: 469,
    warning: `Info Package '${name}' is not one this UA receives`,
    // RFC 6086 §4.2.2 — the 469 carries our Recv-Info (empty when we take none).
    headers: { 'Recv-Info': accepted.join(', ') },
  };
}
