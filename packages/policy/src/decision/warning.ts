/**
 * Text helpers for the SIP side of a decision: the `Warning` header the gateway adds to a refusal
 * (DESIGN §7: `399 svpn "…"`) and bit rates written for people.
 */

/**
 * A `Warning` header value: RFC 3261 §20.43 — warn-code 399 (miscellaneous), the agent, and the text
 * as a quoted-string (`"` and `\` escaped, control characters dropped).
 */
export function formatWarning(text: string, agent = 'svpn', code = 399): string {
  const quoted = text.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, (c) => `\\${c}`);
  return `${code} ${agent} "${quoted}"`;
}

const UNITS: readonly [number, string][] = [
  [1e12, 'Tbit/s'],
  [1e9, 'Gbit/s'],
  [1e6, 'Mbit/s'],
  [1e3, 'kbit/s'],
];

/** `1500000000` → `1.5 Gbit/s`; at most three decimals, decimal (SI) units. */
export function formatBitRate(bps: number): string {
  for (const [scale, unit] of UNITS) {
    if (Math.abs(bps) >= scale) return `${Number((bps / scale).toFixed(3))} ${unit}`;
  }
  return `${bps} bit/s`;
}
