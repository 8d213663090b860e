/**
 * Dialog state (RFC 3261 §12) as plain JSON: built from the request/response pair that creates the
 * dialog, used to build requests inside it, and updated by requests received in it. No I/O here.
 *
 * ```
 *   1xx with To tag        2xx                 BYE / failure
 *  ─────────────► Early ─────────► Confirmed ─────────────► Terminated
 *                   └──────── non-2xx final ───────────────────┘
 * ```
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-12
 */
import { NameAddr, SipUri, parseNameAddr, parseUri, uriToString } from '../grammar/index.js';
import { SipHeaders, SipRequest, type SipResponse } from '../messages/index.js';

export type DialogRole = 'uac' | 'uas';
export type DialogPhase = 'early' | 'confirmed' | 'terminated';

export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

export interface DialogState {
  id: DialogId;
  role: DialogRole;
  phase: DialogPhase;
  /** Local CSeq number; `undefined` until we send our first request (UAS side, §12.1.1). */
  localSeq: number | undefined;
  /** Remote CSeq number; `undefined` until the peer sends a request (UAC side, §12.1.2). */
  remoteSeq: number | undefined;
  /** Our From/To value without the tag (name-addr text). */
  localUri: string;
  remoteUri: string;
  /** The peer's Contact URI: where in-dialog requests go. */
  remoteTarget: string;
  /** Route set, in the order requests carry it (§12.1.1 / §12.1.2). */
  routeSet: string[];
  /** Our Contact header value. */
  localContact: string;
  /** SIPS dialog: the request was sent over TLS with a sips Request-URI (§12.1.1). */
  secure: boolean;
}

/** The key under which the UA core files a dialog: Call-ID, local tag, remote tag. */
export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

function withoutTag(value: string): string {
  const na = parseNameAddr(value);
  na.params.delete('tag');
  return na.toString();
}

/** {@link withoutTag} of a From or To the message has parsed already (left as it is). */
function parsedWithoutTag(na: NameAddr): string {
  if (na.tag === undefined) return na.toString();
  const params = na.params.clone();
  params.delete('tag');
  const copy = new NameAddr({ uri: na.uri, params });
  copy.displayName = na.displayName;
  copy.rawDisplayName = na.rawDisplayName;
  return copy.toString();
}

function firstContactUri(message: SipRequest | SipResponse): string | undefined {
  const contact = message.contact[0];
  return contact === undefined || contact.star ? undefined : uriToString(contact.uri);
}

/**
 * RFC 3261 §12.1.1 — the UAS side: route set from Record-Route in order, remote target from the
 * request's Contact, remote sequence number from the request's CSeq, local sequence number empty.
 */
export function uasDialogState(
  request: SipRequest,
  response: SipResponse,
  localContact: string,
  /** The To tag `response` carries, when the caller knows it (spares parsing its To). */
  responseToTag?: string,
): DialogState {
  const toTag = responseToTag ?? response.to.tag;
  if (toTag === undefined) throw new TypeError('a dialog-creating response needs a To tag');
  return {
    id: { callId: request.callId, localTag: toTag, remoteTag: request.from.tag ?? '' },
    role: 'uas',
    phase: response.status >= 200 ? 'confirmed' : 'early',
    localSeq: undefined,
    remoteSeq: request.cseq.seq,
    localUri: parsedWithoutTag(request.to),
    remoteUri: parsedWithoutTag(request.from),
    remoteTarget: firstContactUri(request) ?? uriToString(request.from.uri),
    routeSet: request.recordRoutes.map((r) => r.toString()),
    localContact,
    secure: request.uri instanceof SipUri && request.uri.scheme === 'sips',
  };
}

/**
 * RFC 3261 §12.1.2 — the UAC side: route set from the response's Record-Route in reverse order,
 * remote target from the response's Contact, local sequence number from the request's CSeq.
 */
export function uacDialogState(
  request: SipRequest,
  response: SipResponse,
  localContact: string,
): DialogState {
  const toTag = response.to.tag;
  if (toTag === undefined) throw new TypeError('a dialog-creating response needs a To tag');
  return {
    id: { callId: request.callId, localTag: request.from.tag ?? '', remoteTag: toTag },
    role: 'uac',
    phase: response.status >= 200 ? 'confirmed' : 'early',
    localSeq: request.cseq.seq,
    remoteSeq: undefined,
    localUri: withoutTag(request.headers.get('From') ?? ''),
    remoteUri: withoutTag(request.headers.get('To') ?? ''),
    remoteTarget: firstContactUri(response) ?? uriToString(request.uri),
    routeSet: response.recordRoutes.map((r) => r.toString()).reverse(),
    localContact,
    secure: request.uri instanceof SipUri && request.uri.scheme === 'sips',
  };
}

export interface InDialogRequestOptions {
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  contentType?: string;
  /** For ACK and CANCEL: the CSeq number of the INVITE they belong to (§13.2.2.4, §9.1). */
  cseq?: number;
}

/**
 * RFC 3261 §12.2.1.1 — a request within the dialog. Returns the request and the state with the
 * local sequence number advanced (ACK and CANCEL reuse the INVITE's number and advance nothing).
 */
export function createInDialogRequest(
  state: DialogState,
  method: string,
  options: InDialogRequestOptions = {},
): { request: SipRequest; state: DialogState } {
  let seq: number;
  let localSeq = state.localSeq;
  if ((method === 'ACK' || method === 'CANCEL') && options.cseq !== undefined) seq = options.cseq;
  else {
    // §12.2.1.1 — the local sequence number is incremented by one; an empty one starts anywhere
    // below 2^31 (§8.1.1.5); we start at 1 for readable traces.
    seq = (state.localSeq ?? 0) + 1;
    localSeq = seq;
  }
  const headers = new SipHeaders();
  const to = parseNameAddr(state.remoteUri);
  if (state.id.remoteTag !== '') to.tag = state.id.remoteTag;
  const from = parseNameAddr(state.localUri);
  from.tag = state.id.localTag;

  let requestUri = parseUri(state.remoteTarget);
  const routes = state.routeSet.map((r) => parseNameAddr(r));
  const first = routes[0];
  if (first !== undefined && !(first.uri instanceof SipUri && first.uri.lr)) {
    // §12.2.1.1 — strict routing: the first route becomes the Request-URI and the remote target is
    // appended to the Route header field.
    routes.shift();
    routes.push(new NameAddr({ uri: requestUri }));
    requestUri = first.uri;
  }
  for (const r of routes) headers.append('Route', r.toString());
  headers.append('Max-Forwards', '70');
  headers.append('From', from.toString());
  headers.append('To', to.toString());
  headers.append('Call-ID', state.id.callId);
  headers.append('CSeq', `${seq} ${method}`);
  if (method !== 'ACK' && method !== 'CANCEL' && method !== 'BYE')
    headers.append('Contact', state.localContact);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.append(name, value);
  if (options.contentType !== undefined) headers.set('Content-Type', options.contentType);
  const request = new SipRequest({ method, uri: requestUri, headers, body: options.body });
  return { request, state: { ...state, localSeq } };
}

export type InDialogCheck = { ok: true; state: DialogState } | { ok: false; status: 500; warning: string };

/**
 * RFC 3261 §12.2.2 — a request received inside the dialog: a CSeq lower than the remote sequence
 * number is out of order (500); otherwise the number is remembered. A target-refresh request
 * (re-INVITE, UPDATE) with a Contact replaces the remote target.
 */
export function receiveInDialogRequest(state: DialogState, request: SipRequest): InDialogCheck {
  const seq = request.cseq.seq;
  if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true, state };
  if (state.remoteSeq !== undefined && seq <= state.remoteSeq) {
    return { ok: false, status: 500, warning: `CSeq ${seq} is not above ${state.remoteSeq} (out of order)` };
  }
  let remoteTarget = state.remoteTarget;
  if (request.method === 'INVITE' || request.method === 'UPDATE') {
    const contact = firstContactUri(request);
    if (contact !== undefined) remoteTarget = contact;
  }
  return { ok: true, state: { ...state, remoteSeq: seq, remoteTarget } };
}

/** A 2xx to a re-INVITE/UPDATE we sent refreshes the remote target from its Contact (§12.2.1.2). */
export function receiveTargetRefreshResponse(state: DialogState, response: SipResponse): DialogState {
  const contact = firstContactUri(response);
  return contact === undefined ? state : { ...state, remoteTarget: contact };
}

/**
 * An early dialog becomes confirmed with the 2xx to its INVITE. RFC 3261 §13.2.2.4 — the UAC MUST
 * recompute the route set from the 2xx (as in §12.1.2) and takes the remote target from its
 * Contact; the UAS side only changes phase. Sequence numbers (advanced by PRACK or UPDATE in the
 * early dialog) are kept.
 */
export function confirmDialog(state: DialogState, response: SipResponse): DialogState {
  if (state.role === 'uas') return { ...state, phase: 'confirmed' };
  return {
    ...state,
    phase: 'confirmed',
    remoteTarget: firstContactUri(response) ?? state.remoteTarget,
    routeSet: response.recordRoutes.map((r) => r.toString()).reverse(),
  };
}
