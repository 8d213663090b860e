import { OverheadInvalidError } from '../errors.js';

/**
 * Bytes each encapsulation adds to an IP datagram (overhead H per packet, for {@link addOverhead}).
 * Figures are measured at the IP layer: the outer datagram's size minus the inner datagram's size.
 * Link-layer framing of the carrying link (Ethernet 14–18 B + FCS, PPP, …) is not included.
 */

/** RFC 3032 §2.1 — one MPLS label stack entry (label 20 bits, TC 3, S 1, TTL 8). */
export const MPLS_LABEL_BYTES = 4;

/** An IPv4 header without options (RFC 791 §3.1). */
export const IPV4_HEADER_BYTES = 20;
/** The IPv6 fixed header (RFC 8200 §3). */
export const IPV6_HEADER_BYTES = 40;
/** The UDP header (RFC 768). */
export const UDP_HEADER_BYTES = 8;
/** RFC 2784 §2 — the GRE base header without checksum, key or sequence number. */
export const GRE_BASE_HEADER_BYTES = 4;
/** RFC 7348 §5 — the VXLAN header. */
export const VXLAN_HEADER_BYTES = 8;
/** IEEE 802.3 — an untagged Ethernet header (the inner frame VXLAN carries), without FCS. */
export const ETHERNET_HEADER_BYTES = 14;

/** IPv4 + UDP per packet: 20 + 8 = 28 B. */
export const IPV4_UDP_OVERHEAD_BYTES = IPV4_HEADER_BYTES + UDP_HEADER_BYTES;
/** IPv6 + UDP per packet: 40 + 8 = 48 B. */
export const IPV6_UDP_OVERHEAD_BYTES = IPV6_HEADER_BYTES + UDP_HEADER_BYTES;

/** The bytes `depth` MPLS labels add (RFC 3032 §2.1: 4 B each). A BGP/MPLS VPN packet carries two. */
export function mplsLabelStackOverhead(depth: number): number {
  if (!Number.isInteger(depth) || depth < 0) {
    throw new OverheadInvalidError(`MPLS label stack depth must be a whole number ≥ 0, got ${depth}`);
  }
  return depth * MPLS_LABEL_BYTES;
}

/** Which IP version an outer header uses. */
export type IpVersion = 'ipv4' | 'ipv6';

function outerIpBytes(ipVersion: IpVersion): number {
  return ipVersion === 'ipv4' ? IPV4_HEADER_BYTES : IPV6_HEADER_BYTES;
}

/** GRE over IP (RFC 2784): outer IP header + 4 B GRE header; + 4 B with a key (RFC 2890 §2.1). */
export function greOverhead(options: { outerIp?: IpVersion; key?: boolean } = {}): number {
  return outerIpBytes(options.outerIp ?? 'ipv4') + GRE_BASE_HEADER_BYTES + (options.key === true ? 4 : 0);
}

/** VXLAN (RFC 7348 §5): inner Ethernet 14 + VXLAN 8 + UDP 8 + outer IP header. */
export function vxlanOverhead(options: { outerIp?: IpVersion } = {}): number {
  return (
    ETHERNET_HEADER_BYTES + VXLAN_HEADER_BYTES + UDP_HEADER_BYTES + outerIpBytes(options.outerIp ?? 'ipv4')
  );
}

/** The cipher-suite figures that size an ESP packet. */
export interface EspSuite {
  /** Bytes of explicit IV in each packet (AES-CBC: 16, RFC 3602 §3; AES-GCM: 8, RFC 4106 §3.1). */
  readonly ivBytes: number;
  /** Cipher block size the payload is padded to (AES-CBC: 16; counter modes: 4, RFC 4303 §2.4). */
  readonly blockBytes: number;
  /** Integrity check value bytes (HMAC-SHA1-96: 12, RFC 2404; HMAC-SHA-256-128: 16, RFC 4868; GCM: 16). */
  readonly icvBytes: number;
}

/** AES-CBC (RFC 3602) with HMAC-SHA1-96 (RFC 2404): the suite with the largest common worst case. */
export const ESP_AES_CBC_HMAC_SHA1_96: EspSuite = Object.freeze({
  ivBytes: 16,
  blockBytes: 16,
  icvBytes: 12,
});
/** AES-GCM with a 16-byte ICV (RFC 4106). */
export const ESP_AES_GCM_16: EspSuite = Object.freeze({ ivBytes: 8, blockBytes: 4, icvBytes: 16 });

/**
 * Worst-case bytes IPsec ESP in tunnel mode adds to one datagram (RFC 4303 §2): outer IP header +
 * SPI 4 + sequence number 4 + IV + padding (at most block − 1, RFC 4303 §2.4) + pad length 1 +
 * next header 1 + ICV, + 8 B of UDP when NAT traversal encapsulates ESP (RFC 3948 §2.1).
 *
 * The padding actually needed depends on the inner packet's size; the maximum is used so that a
 * reservation sized with it always suffices.
 */
export function espTunnelOverhead(
  options: { outerIp?: IpVersion; suite?: EspSuite; natTraversal?: boolean } = {},
): number {
  const suite = options.suite ?? ESP_AES_CBC_HMAC_SHA1_96;
  const espHeader = 4 + 4;
  const trailer = suite.blockBytes - 1 + 1 + 1;
  return (
    outerIpBytes(options.outerIp ?? 'ipv4') +
    (options.natTraversal === true ? UDP_HEADER_BYTES : 0) +
    espHeader +
    suite.ivBytes +
    trailer +
    suite.icvBytes
  );
}

/** Tunnel types a request may name (`a=svpn-tunnel-type:mpls|gre|ipsec|vxlan`). */
export type TunnelType = 'mpls' | 'gre' | 'ipsec' | 'vxlan';

/**
 * Default overhead H per tunnel type, IPv4 outer headers:
 *
 * | type | H | made of |
 * |---|---|---|
 * | `mpls` | 8 | two labels, transport + VPN (RFC 4364 §5, RFC 3032 §2.1) |
 * | `gre` | 24 | outer IPv4 20 + GRE 4 (RFC 2784) |
 * | `ipsec` | 73 | ESP tunnel, AES-CBC + HMAC-SHA1-96, worst-case padding (see {@link espTunnelOverhead}) |
 * | `vxlan` | 50 | inner Ethernet 14 + VXLAN 8 + UDP 8 + outer IPv4 20 (RFC 7348 §5) |
 */
export const ENCAPSULATION_OVERHEAD: Readonly<Record<TunnelType, number>> = Object.freeze({
  mpls: mplsLabelStackOverhead(2),
  gre: greOverhead(),
  ipsec: espTunnelOverhead(),
  vxlan: vxlanOverhead(),
});
