/**
 * How the dashboard writes numbers and instants: bit rates with decimal SI prefixes (as the
 * topology and SLAs state them: 1 Gbit/s = 10⁹ bit/s), money from integer minor units, times in
 * the operator's locale.
 */

const RATE_UNITS: readonly [number, string][] = [
  [1e12, 'Tbit/s'],
  [1e9, 'Gbit/s'],
  [1e6, 'Mbit/s'],
  [1e3, 'kbit/s'],
];

/** `200000000` → `200 Mbit/s`; `2500000000` → `2.5 Gbit/s`; up to three significant decimals. */
export function formatBps(bps: number): string {
  if (!Number.isFinite(bps)) return '—';
  const abs = Math.abs(bps);
  for (const [scale, unit] of RATE_UNITS) {
    if (abs >= scale) return `${trim(bps / scale)} ${unit}`;
  }
  return `${trim(bps)} bit/s`;
}

function trim(value: number): string {
  return String(Number(value.toFixed(Math.abs(value) >= 100 ? 1 : 3)));
}

/** A share as a whole percent, `0.4567` → `46 %`; more than 0 but under 1 % shows as `<1 %`. */
export function formatPercent(share: number): string {
  if (!Number.isFinite(share)) return '—';
  if (share > 0 && share < 0.005) return '<1 %';
  return `${Math.round(share * 100)} %`;
}

/** Integer minor units as a decimal amount: `350, 'EUR'` → `3.50 EUR`; null → `—`. */
export function formatMinorUnits(
  minor: number | null | undefined,
  currency: string | null | undefined,
): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '—';
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.round(minor));
  const major = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${sign}${major}.${cents}${currency ? ` ${currency}` : ''}`;
}

/** Milliseconds as `1 h 02 min`, `3 min 05 s` or `12 s`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(sec).padStart(2, '0')} s`;
  return `${sec} s`;
}

/** An instant (ms since the epoch or RFC 3339 text) as ISO 8601 UTC without milliseconds. */
export function formatInstant(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return '—';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The time of day of an instant, `HH:MM:SS` UTC. */
export function formatClock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
