import type { CustomerUsage } from '@svpn/policy';

import { UsageClaimInvalidError } from './errors.js';
import type { SessionUsage, UsageClaim, UsageWindow } from './policy-store.js';

/**
 * One session's claim as stored: its bit/s over [start, end), ms. An entry written before claims had
 * windows has `start` −∞ and `end` +∞ (it counts at every instant until released).
 * @internal
 */
export interface StoredClaim {
  readonly bps: number;
  readonly start: number;
  readonly end: number;
}

/**
 * A stored claim as text: `bps;start;end` (`end` `inf` when open). The pre-window format, a bare
 * `bps`, still reads (as −∞ … +∞); `claimUsage-2.lua` parses the same text.
 * @internal
 */
export function encodeClaim(claim: StoredClaim): string {
  return `${claim.bps};${claim.start};${claim.end === Number.POSITIVE_INFINITY ? 'inf' : claim.end}`;
}

/** @internal */
export function decodeClaim(text: string): StoredClaim {
  const parts = text.split(';');
  if (parts.length !== 3) {
    return { bps: Number(text), start: Number.NEGATIVE_INFINITY, end: Number.POSITIVE_INFINITY };
  }
  const [bps, start, end] = parts as [string, string, string];
  return {
    bps: Number(bps),
    start: Number(start),
    end: end === 'inf' ? Number.POSITIVE_INFINITY : Number(end),
  };
}

/** Whether a claim counts at instant `at`. @internal */
export function claimActiveAt(claim: StoredClaim, at: number): boolean {
  return claim.start <= at && at < claim.end;
}

/** The view of a stored claim. @internal */
export function sessionUsageOf(sessionId: string, customerId: string, claim: StoredClaim): SessionUsage {
  return {
    sessionId,
    customerId,
    bps: claim.bps,
    start: Number.isFinite(claim.start) ? claim.start : null,
    end: Number.isFinite(claim.end) ? claim.end : null,
  };
}

/** A claim's limits and window, checked and with the defaults filled in. @internal */
export interface NormalizedClaim {
  readonly claim: UsageClaim;
  readonly stored: StoredClaim;
  readonly now: number;
}

/** @throws UsageClaimInvalidError */
export function normalizeClaim(claim: UsageClaim): NormalizedClaim {
  const now = claim.now ?? Date.now();
  const start = claim.start ?? now;
  const end = claim.end ?? Number.POSITIVE_INFINITY;
  const bad = (why: string): never => {
    throw new UsageClaimInvalidError(claim.sessionId, why);
  };
  if (!Number.isSafeInteger(claim.bps) || claim.bps < 0) bad(`bit/s ${claim.bps} is not a whole number ≥ 0`);
  if (!Number.isSafeInteger(now)) bad(`now ${now} is not a time in ms`);
  if (!Number.isSafeInteger(start)) bad(`start ${start} is not a time in ms`);
  if (end !== Number.POSITIVE_INFINITY && !Number.isSafeInteger(end)) bad(`end ${end} is not a time in ms`);
  // [start, end) must hold an instant not yet past: a claim that could never count is a caller's bug.
  if (end <= Math.max(start, now)) bad(`window ends (${end}) before it starts (${Math.max(start, now)})`);
  return { claim, stored: { bps: claim.bps, start, end }, now };
}

/**
 * The most sessions and the most bit/s the claims hold at any one instant of `window` (each maximum
 * on its own: they may peak at different instants). Usage only rises where a claim starts, so the
 * candidates are the window's start and the starts inside it; a sweep over the start and end
 * instants (ends first at a tie: windows are half-open) finds them in O(k log k) for k overlapping
 * claims. `claimUsage-2.lua` computes the same.
 * @internal
 */
export function peakUsage(claims: Iterable<StoredClaim>, window: UsageWindow): CustomerUsage {
  let sessions = 0;
  let bps = 0;
  const events: [at: number, kind: 0 | 1, bps: number][] = [];
  for (const c of claims) {
    if (c.start >= window.end || c.end <= window.start) continue;
    if (c.start <= window.start) {
      sessions += 1;
      bps += c.bps;
    } else {
      events.push([c.start, 1, c.bps]);
    }
    if (c.end < window.end) events.push([c.end, 0, c.bps]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let peakSessions = sessions;
  let peakBps = bps;
  for (const [, kind, b] of events) {
    if (kind === 1) {
      sessions += 1;
      bps += b;
      if (sessions > peakSessions) peakSessions = sessions;
      if (bps > peakBps) peakBps = bps;
    } else {
      sessions -= 1;
      bps -= b;
    }
  }
  return { activeSessions: peakSessions, reservedBps: peakBps };
}

/** The part of a window still to come at `now`. @internal */
export function remainingWindow(window: UsageWindow, now: number): UsageWindow {
  return { start: Math.max(window.start, now), end: window.end };
}

/**
 * Whether a new window for a session reaches an instant (from `now` on) its previous claim did not
 * cover: then the claim is checked as a new one, sessions included. @internal
 */
export function widens(previous: StoredClaim, next: UsageWindow, now: number): boolean {
  return next.end > previous.end || Math.max(next.start, now) < Math.max(previous.start, now);
}

/**
 * Whether replacing the claim a session holds with one over `next` is a wider claim (checked like a
 * new session), rather than a change of bit/s within the time it holds (`claimUsage`'s rule).
 */
export function claimWidens(previous: SessionUsage, next: UsageWindow, now: number): boolean {
  return widens(
    {
      bps: previous.bps,
      start: previous.start ?? Number.NEGATIVE_INFINITY,
      end: previous.end ?? Number.POSITIVE_INFINITY,
    },
    next,
    now,
  );
}

/** Usage plus one session of `bps`. @internal */
export function plusSession(usage: CustomerUsage, bps: number): CustomerUsage {
  return { activeSessions: usage.activeSessions + 1, reservedBps: usage.reservedBps + bps };
}

/** The outcome of checking a claim against the others of its customer. @internal */
export type ClaimCheck =
  | { readonly ok: true; readonly usage: CustomerUsage }
  | {
      readonly ok: false;
      readonly reason: 'session-limit' | 'total-bandwidth';
      readonly usage: CustomerUsage;
    };

/**
 * The SLA check of a claim (what `claimUsage-2.lua` does, for the memory store): the peak of the
 * customer's other live claims over the claim's remaining window, plus the claim, within the limits.
 * A re-claim that neither raises the bit/s nor widens the window asks for nothing more and passes.
 * @internal
 */
export function checkClaim(
  normalized: NormalizedClaim,
  others: Iterable<StoredClaim>,
  previous: StoredClaim | undefined,
): ClaimCheck {
  const { claim, stored, now } = normalized;
  const window = remainingWindow(stored, now);
  const peak = peakUsage(others, window);
  const wider = previous === undefined || widens(previous, stored, now);
  if (wider && peak.activeSessions + 1 > claim.maxSessions) {
    return { ok: false, reason: 'session-limit', usage: peak };
  }
  const more = wider || claim.bps > (previous?.bps ?? 0);
  if (more && peak.reservedBps + claim.bps > claim.maxTotalBps) {
    return { ok: false, reason: 'total-bandwidth', usage: peak };
  }
  return { ok: true, usage: plusSession(peak, claim.bps) };
}
