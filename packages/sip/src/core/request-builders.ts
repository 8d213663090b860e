/**
 * Requests the UA core derives from other messages: the ACK for a non-2xx final response
 * (§17.1.1.3), the CANCEL of a pending INVITE (§9.1), and the Via a UAC adds before sending (§8.1.1.7).
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-17.1.1.3
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-9.1
 */
import { Via } from '../grammar/index.js';
import { SipHeaders, SipRequest, type SipResponse, generateBranch } from '../messages/index.js';

/** Fields copied verbatim into a derived request. */
function copy(from: SipHeaders, to: SipHeaders, name: string): void {
  for (const f of from.fields(name)) to.append(name, f.value);
}

/**
 * RFC 3261 §17.1.1.3 — the ACK for a non-2xx final response: same Request-URI, Call-ID, From, CSeq
 * number and top Via (so the same branch) as the INVITE, the To of the response (with its tag), and
 * the INVITE's Route header fields.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.getAll('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  copy(invite.headers, headers, 'Max-Forwards');
  copy(invite.headers, headers, 'From');
  headers.append('To', response.headers.get('To') ?? invite.headers.get('To') ?? '');
  copy(invite.headers, headers, 'Call-ID');
  headers.append('CSeq', `${invite.cseq.seq} ACK`);
  copy(invite.headers, headers, 'Route');
  return new SipRequest({ method: 'ACK', uri: invite.uri.clone(), headers });
}

/**
 * RFC 3261 §9.1 — a CANCEL has the Request-URI, Call-ID, To, CSeq number and From of the request it
 * cancels, a single Via equal to that request's top Via, and its Route header fields.
 */
export function buildCancel(request: SipRequest, reason?: string): SipRequest {
  const headers = new SipHeaders();
  const topVia = request.headers.getAll('Via')[0];
  if (topVia !== undefined) headers.append('Via', topVia);
  headers.append('Max-Forwards', '70');
  copy(request.headers, headers, 'From');
  copy(request.headers, headers, 'To');
  copy(request.headers, headers, 'Call-ID');
  headers.append('CSeq', `${request.cseq.seq} CANCEL`);
  copy(request.headers, headers, 'Route');
  // RFC 3326 — a Reason header may say why the request was cancelled.
  if (reason !== undefined) headers.append('Reason', reason);
  return new SipRequest({ method: 'CANCEL', uri: request.uri.clone(), headers });
}

/** What a UAC writes in its Via sent-by (RFC 3261 §18.1.1): the transport and the advertised address. */
export interface ViaSentBy {
  transport: 'UDP' | 'TCP' | 'TLS';
  host: string;
  port: number;
}

/**
 * RFC 3261 §8.1.1.7 — pushes a Via with a fresh magic-cookie branch; RFC 3581 §3 — with an empty
 * `rport` so the response comes back to the source port even through a NAT.
 */
export function pushVia(request: SipRequest, sentBy: ViaSentBy, branch: string = generateBranch()): string {
  const host = sentBy.host.includes(':') && !sentBy.host.startsWith('[') ? `[${sentBy.host}]` : sentBy.host;
  const via = new Via({ transport: sentBy.transport, host, port: sentBy.port });
  via.params.setRaw('branch', branch);
  via.params.setRaw('rport', undefined);
  request.headers.prepend('Via', via.toString());
  return branch;
}
