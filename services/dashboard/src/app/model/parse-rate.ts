/**
 * Bit rates as an operator types them: `1G`, `2.5 Gbit/s`, `200M`, `64k`, `1000000` (bit/s).
 * Prefixes are decimal (SI), as in the topology file: 1G = 10⁹ bit/s.
 */

const PREFIX: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 };

const RATE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)\s*(?:bit\/s|bps|b\/s)?$/i;

/** Whole bit/s, or `undefined` when the text is not a rate (or not a whole number of bit/s). */
export function parseRate(text: string): number | undefined {
  const match = RATE.exec(text.trim());
  if (!match) return undefined;
  const scale = PREFIX[(match[2] ?? '').toLowerCase()] ?? 1;
  // Decimal arithmetic through the digits, so `2.5G` is exactly 2 500 000 000.
  const [whole = '0', fraction = ''] = (match[1] ?? '').split('.');
  const digits = Math.round(Math.log10(scale));
  if (fraction.length > digits) return undefined;
  const bps = Number(whole) * scale + (fraction === '' ? 0 : Number(fraction.padEnd(digits, '0')));
  return Number.isSafeInteger(bps) ? bps : undefined;
}
