/**
 * The reservation timeline's model: what is booked when. Each booking (a live SIP session, a
 * scheduled API connection) is a bar from its start to its end (open-ended bookings run off the
 * right edge); bars that overlap in time go on separate lanes (greedy interval partitioning, so the
 * number of lanes is the most bookings held at any one instant).
 */

export interface TimelineItem {
  id: string;
  label: string;
  /** ms since the epoch. */
  start: number;
  /** Exclusive end, ms since the epoch; null for open-ended. */
  end: number | null;
  bandwidthBps: number;
  /** `session` (SIP) or `connection` (API), or any other source name. */
  kind: string;
  /** A state word shown on the bar (`active`, `ReserveHeld`, …). */
  state?: string;
}

export interface TimelineBar {
  item: TimelineItem;
  lane: number;
  x: number;
  width: number;
  /** The booking starts before the window / ends after it (drawn with a cut edge). */
  clippedStart: boolean;
  clippedEnd: boolean;
}

export interface TimelineTick {
  at: number;
  x: number;
  label: string;
}

export interface TimelineLayout {
  bars: TimelineBar[];
  lanes: number;
  ticks: TimelineTick[];
  /** x of `now`, when it is inside the window. */
  nowX: number | undefined;
}

export interface TimelineWindow {
  from: number;
  to: number;
  /** Drawing width, px. */
  width: number;
  now?: number;
}

const MINUTE = 60_000;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * MINUTE);

/** A tick step that gives at most `maxTicks` ticks across the window. */
export function tickStep(spanMs: number, maxTicks = 8): number {
  for (const step of TICK_STEPS) if (spanMs / step <= maxTicks) return step;
  return Math.ceil(spanMs / maxTicks / (1440 * MINUTE)) * 1440 * MINUTE;
}

function tickLabel(at: number, step: number): string {
  const iso = new Date(at).toISOString();
  return step >= 1440 * MINUTE ? iso.slice(0, 10) : iso.slice(11, 16);
}

/** Bars, lanes and ticks for the items that touch the window [from, to). */
export function layoutTimeline(items: readonly TimelineItem[], window: TimelineWindow): TimelineLayout {
  const { from, to, width } = window;
  if (!(to > from)) throw new RangeError('the timeline window must end after it starts');
  const scale = width / (to - from);
  const xOf = (at: number): number => Math.round((at - from) * scale * 10) / 10;
  const visible = items
    .filter((i) => i.start < to && (i.end === null || i.end > from) && (i.end === null || i.end > i.start))
    .sort((x, y) => x.start - y.start || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  // Each lane remembers when it is free again; a bar takes the first free lane.
  const laneFreeAt: number[] = [];
  const bars: TimelineBar[] = [];
  for (const item of visible) {
    const end = item.end ?? Infinity;
    let lane = laneFreeAt.findIndex((free) => free <= item.start);
    if (lane === -1) lane = laneFreeAt.push(end) - 1;
    else laneFreeAt[lane] = end;
    const x0 = xOf(Math.max(item.start, from));
    const x1 = xOf(Math.min(end, to));
    bars.push({
      item,
      lane,
      x: x0,
      width: Math.max(x1 - x0, 2),
      clippedStart: item.start < from,
      clippedEnd: end > to,
    });
  }
  const step = tickStep(to - from);
  const ticks: TimelineTick[] = [];
  for (let at = Math.ceil(from / step) * step; at < to; at += step)
    ticks.push({ at, x: xOf(at), label: tickLabel(at, step) });
  const now = window.now;
  return {
    bars,
    lanes: laneFreeAt.length,
    ticks,
    nowX: now !== undefined && now >= from && now < to ? xOf(now) : undefined,
  };
}
