// A tiny registrar for the RFC 4475 conformance cases: registrar-application behaviour that the
// receive pipeline hands REGISTER requests to. Not production code.
import {
  type SipRequest,
  type SipResponse,
  type Uri,
  createResponse,
  generateTag,
  uriToString,
} from '@svpn/sip';

export type RegistrarMode = 'open' | 'authenticating';

export interface Binding {
  /** Address-of-record: scheme, user and host of the To URI (RFC 3261 §10.3 step 5). */
  aor: string;
  /** The contact URI exactly as it will be stored and returned. */
  contact: string;
  uri: Uri;
  /** Contact header parameters other than expires / q, as written. */
  contactParams: string[];
  expires: number;
}

export interface RegistrarResult {
  response: SipResponse;
  bindings: Binding[];
}

export const TEST_REALM = 'svpn.test';
/** Deterministic nonce: the test registrar has no clock and no secret. */
export const TEST_NONCE = 'bm9uY2UtZm9yLXJmYzQ0NzU';

const DEFAULT_EXPIRES = 3600;

/**
 * RFC 3261 §10.3 in miniature. `authenticating`: no credentials database exists, so no Digest
 * credentials are ever valid and every REGISTER gets a 401 challenge (RFC 3261 §22.1, RFC 8760
 * SHA-256) — an unknown scheme in Authorization is ignored, as RFC 4475 §3.3.7 asks.
 * `open`: stores one binding per Contact and answers 200 listing them.
 */
export function tinyRegistrar(request: SipRequest, mode: RegistrarMode): RegistrarResult {
  const toTag = generateTag();
  if (mode === 'authenticating') {
    const response = createResponse(request, 401, {
      toTag,
      headers: {
        'WWW-Authenticate': `Digest realm="${TEST_REALM}", nonce="${TEST_NONCE}", algorithm=SHA-256, qop="auth"`,
      },
    });
    return { response, bindings: [] };
  }
  const to = request.to.uri;
  if (to.kind !== 'sip') throw new Error('validation lets only SIP/SIPS AORs through');
  const aor = `${to.scheme}:${to.user === undefined ? '' : to.user + '@'}${to.host.toLowerCase()}`;
  const headerExpires = safe(() => request.expires);
  const bindings: Binding[] = [];
  for (const c of request.contact) {
    if (c.star) continue;
    // RFC 3261 §10.3 step 7 — expires from the contact parameter, else the Expires header, else
    // the default; an overlarge value takes the default (RFC 4475 §3.1.2.4).
    const expires = safe(() => c.expires) ?? headerExpires ?? DEFAULT_EXPIRES;
    const contactParams = [...c.params]
      .filter((p) => !['expires', 'q'].includes(p.name.toLowerCase()))
      .map((p) => (p.value === undefined ? p.name : `${p.name}=${p.value}`));
    bindings.push({ aor, contact: uriToString(c.uri), uri: c.uri, contactParams, expires });
  }
  const response = createResponse(request, 200, {
    toTag,
    headers:
      bindings.length === 0 ? {} : { Contact: bindings.map((b) => `<${b.contact}>;expires=${b.expires}`) },
  });
  return { response, bindings };
}

function safe<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
