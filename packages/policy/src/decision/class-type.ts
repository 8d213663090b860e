import type { ServiceClassName } from '@svpn/qos';

/**
 * Which DiffServ-TE class type (RFC 4124) carries each RFC 4594 service class. The default follows the
 * bandwidth constraints of the demo topology (Russian Dolls, RFC 4127): CT2 for the network's own
 * control and management traffic, CT1 for inelastic real-time traffic, CT0 for everything else —
 * elastic data, the bulk of what GRID/SAN applications ask for.
 *
 * | CT | service classes |
 * |---|---|
 * | 2 | network-control, signaling, oam |
 * | 1 | telephony, real-time-interactive, multimedia-conferencing, broadcast-video |
 * | 0 | multimedia-streaming, low-latency-data, high-throughput-data, standard, low-priority-data |
 *
 * @see https://www.rfc-editor.org/rfc/rfc4124#section-2
 */
export const DEFAULT_CLASS_TYPES: Readonly<Record<ServiceClassName, number>> = Object.freeze({
  'network-control': 2,
  signaling: 2,
  oam: 2,
  telephony: 1,
  'real-time-interactive': 1,
  'multimedia-conferencing': 1,
  'broadcast-video': 1,
  'multimedia-streaming': 0,
  'low-latency-data': 0,
  'high-throughput-data': 0,
  standard: 0,
  'low-priority-data': 0,
});

/** RFC 4124 §2 — up to eight class types, CT0 … CT7. */
export const MAX_CLASS_TYPE = 7;
