/** One reservation carried in an aggregate, as the de-aggregator sees it. */
export interface DeaggregationItem {
  id: string;
  /** What it takes in the aggregate, bit/s (its share after the aggregate's own header overhead). */
  contributionBps: number;
  /** RFC 3181 defending priority: the higher, the more important. */
  defendingPriority: number;
  /** Admission order: larger is newer. */
  sequence: number;
}

/** What happens to one carried reservation. */
export interface DeaggregationStep<T extends DeaggregationItem = DeaggregationItem> {
  item: T;
  /** `reduce`: it keeps `keptBps` (> 0) of its contribution; `end`: it is torn down. */
  action: 'reduce' | 'end';
  /** Contribution it keeps, bit/s (0 for `end`). */
  keptBps: number;
}

/**
 * What an item keeps when it may keep at most `allowedBps` of its contribution: a value in
 * [0, allowedBps] (0 = it cannot live with that and is ended). Lets the caller apply floors
 * (a codec's minimum) and the rounding of its own units.
 * @defaultValue keeps `allowedBps` (any reduction is acceptable)
 */
export type KeepFunction<T extends DeaggregationItem> = (item: T, allowedBps: number) => number;

/**
 * The de-aggregator's choice (RFC 4495 §3.1, seed 003 §2.2): which of the reservations an aggregate
 * carries to reduce or end so that their contributions drop by at least `excessBps`.
 *
 * 1. Lowest RFC 3181 defending priority first — the least important are touched before any other.
 * 2. Within the defending priority where the cut completes, the fewest reservations that free enough
 *    (a k-subset of the largest), and among those the newest.
 * 3. Then, most important first (oldest first on ties), each chosen reservation keeps as much as the
 *    others' sacrifice allows (`keep` decides what it can live with); one that turns out not to be
 *    needed is left alone.
 *
 * Returns the steps, least important first. Frees less than asked only when everything is ended.
 *
 * @see https://www.rfc-editor.org/rfc/rfc4495#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc3181
 */
export function planDeaggregation<T extends DeaggregationItem>(
  items: readonly T[],
  excessBps: number,
  keep: KeepFunction<T> = (_item, allowed) => allowed,
): DeaggregationStep<T>[] {
  if (!(excessBps > 0)) return [];
  const tiers = [...new Set(items.map((i) => i.defendingPriority))].sort((a, b) => a - b);
  const chosen: T[] = [];
  let remaining = excessBps;
  for (const tier of tiers) {
    if (remaining <= 0) break;
    const pool = items.filter((i) => i.defendingPriority === tier && i.contributionBps > 0).sort(newestFirst);
    const total = pool.reduce((a, i) => a + i.contributionBps, 0);
    if (total <= remaining) {
      chosen.push(...pool);
      remaining -= total;
      continue;
    }
    chosen.push(...fewestNewest(pool, remaining));
    remaining = 0;
  }

  // Most important first, oldest first: keep as much as the others allow.
  const protect = [...chosen].sort((a, b) => b.defendingPriority - a.defendingPriority || -newestFirst(a, b));
  let unprocessed = chosen.reduce((a, i) => a + i.contributionBps, 0);
  let freed = 0;
  const steps = new Map<T, DeaggregationStep<T>>();
  for (const item of protect) {
    unprocessed -= item.contributionBps;
    const need = excessBps - freed - unprocessed;
    if (need <= 0) continue; // the others (at worst ended) already free enough
    const allowed = item.contributionBps - need;
    const kept = allowed > 0 ? Math.min(allowed, Math.max(0, keep(item, allowed))) : 0;
    steps.set(item, { item, action: kept > 0 ? 'reduce' : 'end', keptBps: kept });
    freed += item.contributionBps - kept;
  }
  return chosen.filter((i) => steps.has(i)).map((i) => steps.get(i) as DeaggregationStep<T>);
}

/** Newest first: larger sequence, then larger id. */
function newestFirst(a: DeaggregationItem, b: DeaggregationItem): number {
  if (a.sequence !== b.sequence) return b.sequence - a.sequence;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * The newest-first k-subset of `pool` (sorted newest first) whose contributions reach `need`, for
 * the least k that can: k is set by the largest items; then each item, newest first, is taken if the
 * largest of the items after it can still complete the k.
 */
function fewestNewest<T extends DeaggregationItem>(pool: readonly T[], need: number): T[] {
  const sizes = pool.map((i) => i.contributionBps).sort((a, b) => b - a);
  let k = 0;
  for (let acc = 0; acc < need && k < sizes.length; k++) acc += sizes[k] as number;
  // `rest` holds the contributions of the items not yet considered, largest first.
  const rest = [...sizes];
  const out: T[] = [];
  let left = need;
  for (const item of pool) {
    if (out.length === k) break;
    rest.splice(indexOfDesc(rest, item.contributionBps), 1);
    const slots = k - out.length - 1;
    let best = 0;
    for (let j = 0; j < slots && j < rest.length; j++) best += rest[j] as number;
    if (item.contributionBps + best >= left) {
      out.push(item);
      left -= item.contributionBps;
    }
  }
  return out;
}

/** Index of `value` in an array sorted descending (binary search; it is present). */
function indexOfDesc(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
