/**
 * Numeric limits of the simulator's bookkeeping.
 *
 * Redis's Lua `cjson` writes numbers with 14 significant digits, so every bandwidth and time the scripts
 * store must stay below 10^14 to round-trip exactly. Bandwidths are therefore capped at 10 Tbit/s per link
 * or reservation, and times at 10^14 ms (year 5138).
 */

/** Largest bandwidth (bit/s) of a link, LSP or session: 10 Tbit/s. */
export const MAX_BPS = 10_000_000_000_000;

/** Largest clock value (ms) the simulator accepts. */
export const MAX_TIME_MS = 99_999_999_999_999;

/** Ids of nodes, links, LSPs, sessions, VPNs and CEs: printable, no whitespace, no `{`, `}` or `|`. */
export const ID_PATTERN = /^[^\s{}|]{1,200}$/;
