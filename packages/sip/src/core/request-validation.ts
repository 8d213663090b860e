import { SipHeaderError, mediaTypeName } from '../grammar/index.js';
import type { SipRequest } from '../messages/index.js';

/**
 * What this UAS supports. Every field is optional; `resolveValidationPolicy` fills the defaults.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-8.2
 */
export interface ValidationPolicy {
  /** Methods the element handles; others get 405 (known method) or 501 (unknown). @defaultValue `DEFAULT_ALLOWED_METHODS` */
  allowedMethods?: readonly string[];
  /** Methods the stack knows; a request with a method outside it gets 501. @defaultValue `KNOWN_METHODS` */
  knownMethods?: readonly string[];
  /** Request-URI schemes served; others get 416. @defaultValue `['sip', 'sips']` */
  supportedSchemes?: readonly string[];
  /** Option tags understood in Require; others get 420. @defaultValue `[]` */
  supportedExtensions?: readonly string[];
  /** Body types understood (`type/subtype`, lower case); others get 415. @defaultValue `DEFAULT_ACCEPTED_CONTENT_TYPES` */
  acceptedContentTypes?: readonly string[];
  /** Content-Encodings understood; others get 415. @defaultValue `['identity']` */
  acceptedEncodings?: readonly string[];
  /** The element is a registrar: a REGISTER whose To or From is not a SIP/SIPS URI gets 400. @defaultValue `true` */
  registrar?: boolean;
  /**
   * Status for an INVITE whose SDP offer cannot be answered because Accept excludes
   * application/sdp (RFC 4475 §3.3.15): 406 with a Warning, or 400. @defaultValue `406`
   */
  unacceptableAcceptStatus?: 406 | 400;
  /**
   * Reject (400) a Via branch that is exactly the magic cookie with no transaction ID
   * (RFC 4475 §3.2.1) instead of falling back to RFC 2543 matching. @defaultValue `true`
   */
  rejectEmptyBranch?: boolean;
}

/** Methods of RFC 3261 and its extensions that a UA stack can meet. */
export const KNOWN_METHODS: readonly string[] = [
  'ACK',
  'BYE',
  'CANCEL',
  'INFO',
  'INVITE',
  'MESSAGE',
  'NOTIFY',
  'OPTIONS',
  'PRACK',
  'PUBLISH',
  'REFER',
  'REGISTER',
  'SUBSCRIBE',
  'UPDATE',
];

export const DEFAULT_ALLOWED_METHODS: readonly string[] = [
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
];

export const DEFAULT_ACCEPTED_CONTENT_TYPES: readonly string[] = [
  'application/sdp',
  'multipart/mixed',
  'multipart/alternative',
];

export type ResolvedValidationPolicy = Required<ValidationPolicy>;

export const DEFAULT_VALIDATION_POLICY: ResolvedValidationPolicy = {
  allowedMethods: DEFAULT_ALLOWED_METHODS,
  knownMethods: KNOWN_METHODS,
  supportedSchemes: ['sip', 'sips'],
  supportedExtensions: [],
  acceptedContentTypes: DEFAULT_ACCEPTED_CONTENT_TYPES,
  acceptedEncodings: ['identity'],
  registrar: true,
  unacceptableAcceptStatus: 406,
  rejectEmptyBranch: true,
};

/** Policies this module resolved: resolving one of them again returns it as it is. */
const RESOLVED = new WeakSet<object>();

/**
 * The policy with every default filled in (other fields of `policy`, such as an `IncomingPolicy`'s,
 * are kept). Resolve once and pass the result on: `validateRequest` then uses it without copying.
 */
export function resolveValidationPolicy<P extends ValidationPolicy>(
  policy: P = {} as P,
): P & ResolvedValidationPolicy {
  if (RESOLVED.has(policy)) return policy as P & ResolvedValidationPolicy;
  const out: ResolvedValidationPolicy = { ...DEFAULT_VALIDATION_POLICY };
  for (const [k, v] of Object.entries(policy)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  RESOLVED.add(out);
  return out as P & ResolvedValidationPolicy;
}

/** Why a request is refused, and what the response must carry besides the copied fields. */
export interface Rejection {
  status: number;
  reason: string;
  /** Human-readable text for `Warning: 399 <agent> "<warning>"`. */
  warning: string;
  /** Extra header fields required with this status (Allow, Unsupported, Accept, …). */
  headers: Record<string, string | string[]>;
}

const MANDATORY = ['Via', 'From', 'To', 'Call-ID', 'CSeq'] as const;
/** Header fields that may appear once only (RFC 3261 §7.3.1, RFC 4475 §3.3.8). */
const SINGLE_VALUED = ['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards', 'Content-Type', 'Expires'] as const;

function reject(
  status: number,
  reason: string,
  warning: string,
  headers: Record<string, string | string[]> = {},
): Rejection {
  return { status, reason, warning, headers };
}

/**
 * Requests whose Contact nobody reads, so it is left unparsed (RFC 3261 Table 3: BYE and CANCEL
 * carry none; an ACK, PRACK or INFO neither creates a dialog nor refreshes its target, §12.2.2).
 * The other requests' Contact is checked: it is a dialog's or a registration's target.
 */
const CONTACT_UNREAD: ReadonlySet<string> = new Set(['ACK', 'BYE', 'CANCEL', 'PRACK', 'INFO']);

/**
 * The first header field (in this order) that does not parse: every Via, From, To, Call-ID,
 * CSeq, Contact (with its expires and q; not where it is unread, `CONTACT_UNREAD`), Route,
 * Require, Content-Type. The parsed values stay cached on the request for the layers above.
 */
function firstSyntaxProblem(request: SipRequest): string | undefined {
  try {
    for (const via of request.via) via.load();
    void request.from;
    void request.to;
    void request.callId;
    void request.cseq;
    if (!CONTACT_UNREAD.has(request.method)) {
      for (const contact of request.contact) {
        void contact.expires;
        void contact.q;
      }
    }
    void request.routes;
    void request.require;
    void request.contentType;
    return undefined;
  } catch (e) {
    if (e instanceof SipHeaderError) return e.message;
    throw e;
  }
}

function accepts(list: readonly string[], type: string): boolean {
  const [major] = type.split('/');
  return list.some((a) => {
    const t = a.split(';')[0]?.trim().toLowerCase() ?? '';
    return t === type || t === '*/*' || t === `${major}/*`;
  });
}

/**
 * The UAS checks of RFC 3261 §8.2, in the RFC's order, on a request that parsed. Returns the
 * rejection to send, or undefined when the request may go on to the transaction user.
 * Max-Forwards is not checked: that is a proxy concern (RFC 4475 §3.3.11), and a response is
 * never sent to an ACK whatever this returns (RFC 3261 §17.2.1) — the caller drops it.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-8.2
 */
export function validateRequest(request: SipRequest, policy: ValidationPolicy = {}): Rejection | undefined {
  const p = resolveValidationPolicy(policy);
  const h = request.headers;

  // RFC 3261 §8.1.1 / §21.5.6 — an unsupported SIP-Version gets 505.
  if (request.version.toUpperCase() !== 'SIP/2.0') {
    return reject(
      505,
      'Version Not Supported',
      `SIP version ${request.version} is not supported; use SIP/2.0`,
    );
  }

  // RFC 3261 §8.1.1 — a valid request MUST contain To, From, CSeq, Call-ID and Via (Max-Forwards
  // is only checked by proxies; RFC 2543 requests lack it).
  // The checks below run for every request: plain loops, arrays only for a rejection.
  let absent: string[] | undefined;
  for (const name of MANDATORY) if (!h.has(name)) (absent ??= []).push(name);
  if (absent !== undefined) {
    return reject(
      400,
      'Bad Request',
      `Missing mandatory header field${absent.length > 1 ? 's' : ''}: ${absent.join(', ')}`,
    );
  }
  // RFC 3261 §7.3.1 — single-valued fields appear once (RFC 4475 §3.3.8).
  let repeated: string[] | undefined;
  for (const name of SINGLE_VALUED) if (h.fieldCount(name) > 1) (repeated ??= []).push(name);
  if (repeated !== undefined) {
    return reject(
      400,
      'Bad Request',
      `Multiple values in single-value header field${repeated.length > 1 ? 's' : ''}: ${repeated.join(', ')}`,
    );
  }
  // RFC 3261 §8.2 — a syntactically invalid request gets 400 (RFC 4475 §3.1.2).
  const problem = firstSyntaxProblem(request);
  if (problem !== undefined) return reject(400, 'Bad Request', problem);
  if (p.rejectEmptyBranch && request.topVia?.branch === 'z9hG4bK') {
    // RFC 4475 §3.2.1 — magic cookie without a transaction ID; rejected statelessly.
    return reject(
      400,
      'Bad Request',
      'Via branch is the bare magic cookie z9hG4bK with no transaction identifier',
    );
  }

  // RFC 3261 §8.2.1 — method inspection: 405 with Allow for a method we know but do not serve;
  // 501 for one we do not implement at all (checked before the CSeq method, RFC 4475 §3.1.2.18).
  if (!p.allowedMethods.includes(request.method)) {
    const allow = p.allowedMethods.join(', ');
    return p.knownMethods.includes(request.method)
      ? reject(405, 'Method Not Allowed', `Method ${request.method} is not allowed here`, { Allow: allow })
      : reject(501, 'Not Implemented', `Method ${request.method} is not implemented`, { Allow: allow });
  }
  // RFC 3261 §8.1.1.5 — the CSeq method MUST match the request method (RFC 4475 §3.1.2.17).
  if (request.cseq.method !== request.method) {
    return reject(
      400,
      'Bad Request',
      `CSeq method ${request.cseq.method} does not match request method ${request.method}`,
    );
  }

  // RFC 3261 §8.2.2.1 — a Request-URI scheme we do not understand gets 416.
  const scheme = request.uri.scheme.toLowerCase();
  if (!p.supportedSchemes.includes(scheme)) {
    return reject(
      416,
      'Unsupported URI Scheme',
      `Request-URI scheme '${request.uri.scheme}' is not supported`,
    );
  }
  // RFC 3261 §19.1.1 — headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
  if (request.uri.kind === 'sip' && request.uri.headers.length > 0) {
    return reject(400, 'Bad Request', 'Request-URI must not contain escaped headers');
  }
  // RFC 3261 §10.3 step 3 — the To of a REGISTER is the address-of-record: a SIP or SIPS URI
  // (RFC 4475 §3.3.4).
  if (p.registrar && request.method === 'REGISTER') {
    for (const [name, uri] of [
      ['To', request.to.uri],
      ['From', request.from.uri],
    ] as const) {
      if (uri.kind !== 'sip') {
        return reject(
          400,
          'Bad Request',
          `${name} of a REGISTER must be a SIP or SIPS URI, not '${uri.scheme}:'`,
        );
      }
    }
  }

  // RFC 3261 §8.2.2.3 — Require with unknown option tags gets 420 listing them in Unsupported;
  // never for CANCEL or ACK.
  if (request.method !== 'ACK' && request.method !== 'CANCEL') {
    const unsupported = request.require.filter((tag) => !p.supportedExtensions.includes(tag));
    if (unsupported.length > 0) {
      return reject(
        420,
        'Bad Extension',
        `Unsupported extension${unsupported.length > 1 ? 's' : ''} required: ${unsupported.join(', ')}`,
        {
          Unsupported: unsupported.join(', '),
        },
      );
    }
  }

  // RFC 3261 §8.2.3 — content processing: 415 with Accept / Accept-Encoding listing what we take.
  if (request.body.length > 0) {
    const ct = request.contentType;
    // RFC 3261 §20.15 — Content-Type MUST be present when the body is not empty.
    if (ct === undefined) return reject(400, 'Bad Request', 'Message body without Content-Type');
    const type = mediaTypeName(ct);
    if (!p.acceptedContentTypes.includes(type)) {
      return reject(415, 'Unsupported Media Type', `Content-Type ${type} is not supported`, {
        Accept: p.acceptedContentTypes.join(', '),
      });
    }
    let badEncoding: string | undefined;
    if (h.has('Content-Encoding')) {
      const encodings = h.getAll('Content-Encoding').map((e) => e.toLowerCase());
      badEncoding = encodings.find((e) => !p.acceptedEncodings.includes(e));
    }
    if (badEncoding !== undefined) {
      return reject(415, 'Unsupported Media Type', `Content-Encoding ${badEncoding} is not supported`, {
        'Accept-Encoding': p.acceptedEncodings.join(', '),
      });
    }
    // RFC 3261 §20.1 / RFC 4475 §3.3.15 — an INVITE offer whose Accept excludes application/sdp
    // cannot be answered in an acceptable format.
    if (request.method === 'INVITE' && type === 'application/sdp' && h.has('Accept')) {
      const accept = h.getAll('Accept');
      if (!accepts(accept, 'application/sdp')) {
        const warning = `Accept (${accept.join(', ') || 'empty'}) excludes application/sdp, so the SDP offer cannot be answered`;
        return p.unacceptableAcceptStatus === 406
          ? reject(406, 'Not Acceptable', warning)
          : reject(400, 'Bad Request', warning);
      }
    }
  }
  return undefined;
}
