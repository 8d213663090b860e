/**
 * The location service (RFC 3261 §10.3): which contacts an address-of-record is reachable at,
 * and — for svpn — on which VPN(s) and customer edge (DESIGN §2, Contact feature tags
 * `+svpn.vpn-id` / `+svpn.ce`). Bindings expire; a REGISTER replaces a binding with the same
 * contact URI only when it carries the same Call-ID and a higher CSeq, or another Call-ID (§10.3 step 7).
 */
export interface Binding {
  /** Address of record, e.g. `sip:primary-dc@svpn.example.net`. */
  aor: string;
  /** The Contact URI as registered (compared per RFC 3261 §19.1.4 by the caller; stored verbatim). */
  contact: string;
  /** Where the REGISTER came from (transport address), for NAT'd UAs and topology hiding. */
  source: { protocol: 'udp' | 'tcp' | 'tls'; address: string; port: number };
  vpnIds: string[];
  ce: string | undefined;
  callId: string;
  cseq: number;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  q?: number;
}

export interface LocationStore {
  /** Live bindings of an AOR (expired ones are never returned). */
  lookup(aor: string, now: number): Promise<Binding[]>;
  /** Replaces the AOR's whole binding set atomically (the registrar computes it). */
  replace(aor: string, bindings: Binding[], now: number): Promise<void>;
  /** Every AOR with a live binding on a VPN (for membership routes). */
  listByVpn(vpnId: string, now: number): Promise<Binding[]>;
}

/** In-memory location service for tests and the one-process demo without Redis. */
export class MemoryLocationStore implements LocationStore {
  private readonly byAor = new Map<string, Binding[]>();

  async lookup(aor: string, now: number): Promise<Binding[]> {
    return (this.byAor.get(aor) ?? []).filter((b) => b.expiresAt > now).map((b) => structuredClone(b));
  }

  async replace(aor: string, bindings: Binding[], now: number): Promise<void> {
    const live = bindings.filter((b) => b.expiresAt > now).map((b) => structuredClone(b));
    if (live.length === 0) this.byAor.delete(aor);
    else this.byAor.set(aor, live);
  }

  async listByVpn(vpnId: string, now: number): Promise<Binding[]> {
    return [...this.byAor.values()]
      .flat()
      .filter((b) => b.expiresAt > now && b.vpnIds.includes(vpnId))
      .map((b) => structuredClone(b));
  }
}
