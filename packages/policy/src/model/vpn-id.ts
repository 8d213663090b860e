/**
 * VPN identifiers (RFC 2685): seven octets, a 3-octet VPN OUI (the authority that assigned the VPN) and
 * a 4-octet VPN index, written in text as the two numbers in hex separated by a colon. svpn's canonical
 * form pads both to full width in lower case — `00000a:00000001` — so a VPN has one spelling in keys,
 * logs and Contact feature tags; any shorter spelling (`a:1`, `00000A:1`) reads as the same VPN-ID.
 *
 * @see https://www.rfc-editor.org/rfc/rfc2685
 */

/** A VPN-ID as numbers. */
export interface VpnId {
  /** VPN OUI, 0 … 0xffffff. */
  readonly oui: number;
  /** VPN index, 0 … 0xffffffff. */
  readonly index: number;
}

const VPN_ID_RE = /^([0-9a-fA-F]{1,6}):([0-9a-fA-F]{1,8})$/;

/** Parses `OUI:index` in hex; `undefined` if the text is not a VPN-ID. */
export function parseVpnId(text: string): VpnId | undefined {
  const match = VPN_ID_RE.exec(text.trim());
  if (match === null || match[1] === undefined || match[2] === undefined) return undefined;
  // RFC 2685 — the VPN OUI is 3 octets and the VPN index 4 octets; the regex bounds both.
  return { oui: Number.parseInt(match[1], 16), index: Number.parseInt(match[2], 16) };
}

/** The canonical text of a VPN-ID: `00000a:00000001`. */
export function formatVpnId(id: VpnId): string {
  return `${id.oui.toString(16).padStart(6, '0')}:${id.index.toString(16).padStart(8, '0')}`;
}

/** True if the text reads as a VPN-ID (in any accepted spelling). */
export function isVpnId(text: string): boolean {
  return parseVpnId(text) !== undefined;
}

/** The canonical spelling of a VPN-ID text, or `undefined` if it is not one. */
export function canonicalVpnId(text: string): string | undefined {
  const id = parseVpnId(text);
  return id === undefined ? undefined : formatVpnId(id);
}
