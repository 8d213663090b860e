/**
 * Header field names: compact forms, canonical spelling and which fields are comma-separated lists.
 * Keys are lower-case full names.
 */

/**
 * Compact forms: RFC 3261 §7.3.3 (c e f i k l m s t v), RFC 3841 (a d j), RFC 3892 (b),
 * RFC 4474 (n y), RFC 6665 (o u), RFC 3515 (r), RFC 4028 (x).
 */
export const COMPACT_FORMS: Readonly<Record<string, string>> = {
  a: 'accept-contact',
  b: 'referred-by',
  c: 'content-type',
  d: 'request-disposition',
  e: 'content-encoding',
  f: 'from',
  i: 'call-id',
  j: 'reject-contact',
  k: 'supported',
  l: 'content-length',
  m: 'contact',
  n: 'identity-info',
  o: 'event',
  r: 'refer-to',
  s: 'subject',
  t: 'to',
  u: 'allow-events',
  v: 'via',
  x: 'session-expires',
  y: 'identity',
};

const CANONICAL_LIST = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Accept-Resource-Priority',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Transfer-Encoding',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Resource-Priority',
  'Retry-After',
  'Route',
  'RSeq',
  'Security-Client',
  'Security-Server',
  'Security-Verify',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
];

const CANONICAL = new Map<string, string>(CANONICAL_LIST.map((n) => [n.toLowerCase(), n]));

/**
 * Headers whose ABNF is `value *(COMMA value)` (RFC 3261 §7.3.1 and extensions): `getAll` splits
 * them at top-level commas. Authorization-style headers and Date are not lists.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  'accept',
  'accept-contact',
  'accept-encoding',
  'accept-language',
  'accept-resource-priority',
  'alert-info',
  'allow',
  'allow-events',
  'call-info',
  'contact',
  'content-encoding',
  'content-language',
  'error-info',
  'history-info',
  'in-reply-to',
  'p-asserted-identity',
  'p-preferred-identity',
  'path',
  'proxy-require',
  'reason',
  'record-route',
  'reject-contact',
  'require',
  'resource-priority',
  'route',
  'security-client',
  'security-server',
  'security-verify',
  'service-route',
  'supported',
  'unsupported',
  'via',
  'warning',
]);

// Fast path without hashing: candidates by (length, lower-cased first letter), compared by plain
// string equality against the canonical and the lower-case spelling; compact forms by char code.
const BY_SHAPE = new Map<number, { canonical: string; key: string }[]>();
for (const n of CANONICAL_LIST) {
  const shape = n.length * 128 + (n.charCodeAt(0) | 0x20);
  const list = BY_SHAPE.get(shape) ?? [];
  list.push({ canonical: n, key: n.toLowerCase() });
  BY_SHAPE.set(shape, list);
}
const SHAPES: ({ canonical: string; key: string }[] | undefined)[] = [];
for (const [shape, list] of BY_SHAPE) SHAPES[shape] = list;
const COMPACT_BY_CODE: (string | undefined)[] = [];
for (const [c, full] of Object.entries(COMPACT_FORMS)) {
  COMPACT_BY_CODE[c.charCodeAt(0)] = full;
  COMPACT_BY_CODE[c.toUpperCase().charCodeAt(0)] = full;
}

/** Lookup key of a header name: lower case, compact form expanded. */
export function headerKey(name: string): string {
  if (name.length === 1) {
    const full = COMPACT_BY_CODE[name.charCodeAt(0)];
    if (full !== undefined) return full;
  } else {
    const list = SHAPES[name.length * 128 + (name.charCodeAt(0) | 0x20)];
    if (list !== undefined) {
      for (const c of list) if (name === c.canonical || name === c.key) return c.key;
    }
  }
  const lower = name.toLowerCase();
  return COMPACT_FORMS[lower] ?? lower;
}

/** Canonical spelling for a lookup key as `headerKey` returns it, undefined for unknown headers. */
export function canonicalNameOfKey(key: string): string | undefined {
  return CANONICAL.get(key);
}

/** Canonical spelling for a known header (`call-id` → `Call-ID`), undefined for unknown ones. */
export function canonicalHeaderName(name: string): string | undefined {
  return CANONICAL.get(headerKey(name));
}

export function isListHeader(name: string): boolean {
  return LIST_HEADERS.has(headerKey(name));
}
