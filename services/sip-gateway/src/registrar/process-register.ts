/**
 * The registrar's decision for one REGISTER (RFC 3261 §10.3 steps 5–8), pure: the request, the
 * AOR's current bindings and the clock in; the new binding set and the response out. svpn's
 * Contact feature tags (RFC 3840 style, DESIGN §2) say on which VPN and CE the contact lives:
 * `Contact: <sip:app@198.51.100.7>;+svpn.vpn-id="00000a:00000001";+svpn.ce="CE1"`.
 * @see https://www.rfc-editor.org/rfc/rfc3261#section-10.3
 */
import { type Contact, SipUri, parseUri, uriEquals, uriToString, type SipRequest } from '@svpn/sip';
import type { Binding } from '@svpn/store';

export interface RegisterContext {
  aor: string;
  now: number;
  source: Binding['source'];
  /** @defaultValue 3600 */
  defaultExpiresS?: number;
  /** Shorter non-zero expirations get 423 (§10.3 step 7). @defaultValue 60 */
  minExpiresS?: number;
  /** Longer ones are shortened (§10.3 step 7 allows it). @defaultValue 86400 */
  maxExpiresS?: number;
}

export type RegisterOutcome =
  | { ok: true; bindings: Binding[]; changed: boolean }
  | { ok: false; status: number; warning: string; headers?: Record<string, string> };

function featureTag(contact: Contact, name: string): string | undefined {
  const value = contact.params.get(name);
  return value === undefined || value === '' ? undefined : value;
}

/** `+svpn.vpn-id` may list several VPNs separated by commas inside its quoted value (RFC 3840 §9). */
function vpnIdsOf(contact: Contact): string[] {
  return (featureTag(contact, '+svpn.vpn-id') ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function processRegister(
  request: SipRequest,
  existing: Binding[],
  ctx: RegisterContext,
): RegisterOutcome {
  const defaultExpires = ctx.defaultExpiresS ?? 3600;
  const minExpires = ctx.minExpiresS ?? 60;
  const maxExpires = ctx.maxExpiresS ?? 86_400;
  const contacts = request.contact;
  const headerExpires = request.expires;
  const callId = request.callId;
  const cseq = request.cseq.seq;

  // §10.3 step 6 — "*" is only valid alone and with Expires: 0: remove every binding.
  if (contacts.some((c) => c.star)) {
    if (contacts.length !== 1 || headerExpires !== 0) {
      return { ok: false, status: 400, warning: 'Contact: * needs Expires: 0 and no other Contact' };
    }
    const stale = existing.find((b) => b.callId === callId && b.cseq >= cseq);
    if (stale !== undefined) return { ok: false, status: 500, warning: "CSeq is not above the binding's" };
    return { ok: true, bindings: [], changed: existing.length > 0 };
  }

  let bindings = existing.filter((b) => b.expiresAt > ctx.now);
  let changed = false;
  for (const contact of contacts) {
    if (!(contact.uri instanceof SipUri)) {
      return { ok: false, status: 400, warning: `Contact ${uriToString(contact.uri)} is not a SIP URI` };
    }
    let expires = contact.expires ?? headerExpires ?? defaultExpires;
    // §10.3 step 7 — a non-zero expiration below the minimum is refused with 423 and Min-Expires.
    if (expires !== 0 && expires < minExpires) {
      return {
        ok: false,
        status: 423,
        warning: `expiration ${expires} s is below ${minExpires} s`,
        headers: { 'Min-Expires': String(minExpires) },
      };
    }
    expires = Math.min(expires, maxExpires);
    const uri = uriToString(contact.uri);
    const index = bindings.findIndex((b) => uriEquals(parseUri(b.contact), contact.uri));
    const current = index < 0 ? undefined : bindings[index];
    // §10.3 step 7 — same Call-ID needs a higher CSeq, else the update is aborted.
    if (current !== undefined && current.callId === callId && cseq <= current.cseq) {
      return { ok: false, status: 500, warning: `CSeq ${cseq} is not above ${current.cseq} for ${uri}` };
    }
    if (index >= 0) bindings = bindings.filter((_, i) => i !== index);
    if (expires === 0) {
      changed ||= current !== undefined;
      continue;
    }
    const q = contact.q;
    bindings.push({
      aor: ctx.aor,
      contact: uri,
      source: ctx.source,
      vpnIds: vpnIdsOf(contact),
      ce: featureTag(contact, '+svpn.ce'),
      callId,
      cseq,
      expiresAt: ctx.now + expires * 1000,
      ...(q === undefined ? {} : { q }),
    });
    changed = true;
  }
  return { ok: true, bindings, changed };
}

/** §10.3 step 8 — the 200 lists every current binding with its remaining expiration. */
export function contactHeaderValues(bindings: Binding[], now: number): string[] {
  return bindings.map((b) => {
    const tags = [
      b.vpnIds.length > 0 ? `;+svpn.vpn-id="${b.vpnIds.join(',')}"` : '',
      b.ce === undefined ? '' : `;+svpn.ce="${b.ce}"`,
    ].join('');
    return `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}${tags}`;
  });
}

/** One binding that moved to another customer edge (VPN mobility, seed 001 Fig. 1). */
export interface BindingMove {
  from: Binding;
  to: Binding;
}

/**
 * VPN mobility — the bindings a REGISTER moved: a new or changed binding on a CE whose VPNs overlap
 * an earlier binding of the same AOR on another CE. The earlier binding is dropped from the result
 * (the registration moves, it does not add a second site), and the pairs are returned so the
 * registrar re-advertises the membership and the controller re-homes the sessions.
 */
export function applyMoves(
  existing: Binding[],
  bindings: Binding[],
): { bindings: Binding[]; moves: BindingMove[] } {
  const moves: BindingMove[] = [];
  const dropped = new Set<Binding>();
  for (const to of bindings) {
    if (to.ce === undefined) continue;
    const was = existing.find((b) => b.contact === to.contact);
    if (was !== undefined && was.ce === to.ce) continue;
    // The same contact re-registered from another CE, or another contact on an overlapping VPN.
    const from =
      was !== undefined && was.ce !== undefined
        ? was
        : bindings.find(
            (b) =>
              b !== to &&
              !dropped.has(b) &&
              b.ce !== undefined &&
              b.ce !== to.ce &&
              b.vpnIds.some((v) => to.vpnIds.includes(v)),
          );
    if (from === undefined) continue;
    if (from !== was) dropped.add(from);
    moves.push({ from, to });
  }
  return { bindings: bindings.filter((b) => !dropped.has(b)), moves };
}
