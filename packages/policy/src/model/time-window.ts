import { Type, type Static } from '@sinclair/typebox';

import type { PolicyProblem } from '../errors.js';

/**
 * When an SLA lets sessions run: weekly windows in a named IANA time zone, e.g. weekdays 08:00–20:00
 * in `Europe/Paris`. A window whose `to` is not after its `from` runs past midnight into the next day
 * (`fri 22:00–06:00` ends Saturday 06:00); `to` may be `24:00`. Windows are half-open, [from, to).
 * An SLA with no windows allows every time.
 *
 * Local times are converted with the runtime's time-zone database (`Intl`), so daylight-saving changes
 * are honoured: a window closing at 20:00 local closes at 20:00 local on either side of a change.
 */

/** Days of the week as windows name them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/** TypeBox schema of one weekly window. */
export const TimeWindowSchema = Type.Object(
  {
    days: Type.Array(Type.Union(WEEKDAYS.map((d) => Type.Literal(d))), { minItems: 1, uniqueItems: true }),
    from: Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM local time' }),
    to: Type.String({
      pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$',
      description: 'HH:MM local time, or 24:00',
    }),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Paris' }),
  },
  { additionalProperties: false },
);

/** One weekly window. */
export type TimeWindow = Static<typeof TimeWindowSchema>;

const MINUTES_PER_DAY = 1440;
const MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY;
const MS_PER_MINUTE = 60_000;
/** How far ahead `checkTimeWindows` follows windows that touch; past it the session counts as unbounded. */
const LOOKAHEAD_MS = 8 * 24 * 3600_000;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True if the runtime knows the IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  /** Minutes since Monday 00:00 local, with the fraction of the minute. */
  weekMinute: number;
  /** Local wall-clock time minus UTC, ms. */
  offsetMs: number;
}

const DAY_INDEX: Readonly<Record<string, number>> = {
  Mon: 0,
  Tue: 1,
  Wed: 2,
  Thu: 3,
  Fri: 4,
  Sat: 5,
  Sun: 6,
};

function localTime(at: Date, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const n = (k: string): number => Number(parts[k]);
  const ms = at.getTime();
  const wholeSecond = Math.floor(ms / 1000) * 1000;
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  const weekMinute =
    (DAY_INDEX[parts['weekday'] ?? ''] ?? 0) * MINUTES_PER_DAY +
    n('hour') * 60 +
    n('minute') +
    (n('second') + (ms - wholeSecond) / 1000) / 60;
  return { weekMinute, offsetMs: wall - wholeSecond };
}

/** The window's occurrences in the week as [start, end) minutes since Monday 00:00 (end may pass the week). */
function occurrences(window: TimeWindow): [number, number][] {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  const length = to > from ? to - from : MINUTES_PER_DAY - from + to;
  return window.days.map((day) => {
    const start = WEEKDAYS.indexOf(day) * MINUTES_PER_DAY + from;
    return [start, start + length];
  });
}

/** If `at` is inside the window, the instant that occurrence ends; else undefined. */
function occurrenceEnd(window: TimeWindow, at: Date): Date | undefined {
  const local = localTime(at, window.timeZone);
  let remaining = -1;
  for (const [start, end] of occurrences(window)) {
    // The occurrence may run past Sunday midnight, so also try the same instant one week on.
    for (const m of [local.weekMinute, local.weekMinute + MINUTES_PER_WEEK]) {
      if (m >= start && m < end) remaining = Math.max(remaining, end - m);
    }
  }
  if (remaining < 0) return undefined;
  const wallEnd = Math.round(at.getTime() + remaining * MS_PER_MINUTE);
  // A daylight-saving change inside the occurrence moves its end by the change in offset.
  const shift = localTime(new Date(wallEnd), window.timeZone).offsetMs - local.offsetMs;
  return new Date(wallEnd - shift);
}

/** Whether an instant is allowed, and until when. */
export interface TimeWindowCheck {
  readonly inside: boolean;
  /**
   * When the allowed time that contains the instant ends (following windows that touch or overlap);
   * `undefined` when inside and no end is in sight (no windows, or windows that cover the whole week).
   */
  readonly closesAt: Date | undefined;
}

/** Checks an instant against a set of windows (none, or an empty list, means always allowed). */
export function checkTimeWindows(windows: readonly TimeWindow[] | undefined, at: Date): TimeWindowCheck {
  if (windows === undefined || windows.length === 0) return { inside: true, closesAt: undefined };
  const endOf = (t: Date): Date | undefined => {
    let latest: Date | undefined;
    for (const w of windows) {
      const end = occurrenceEnd(w, t);
      if (end !== undefined && (latest === undefined || end > latest)) latest = end;
    }
    return latest;
  };
  let end = endOf(at);
  if (end === undefined) return { inside: false, closesAt: undefined };
  for (;;) {
    if (end.getTime() - at.getTime() > LOOKAHEAD_MS) return { inside: true, closesAt: undefined };
    const next = endOf(end);
    if (next === undefined || next <= end) return { inside: true, closesAt: end };
    end = next;
  }
}

/** Rules beyond the schema: a known time zone and a window that is not empty. */
export function checkTimeWindow(window: TimeWindow, path = ''): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!isTimeZone(window.timeZone)) {
    problems.push({ path: `${path}/timeZone`, message: `unknown time zone "${window.timeZone}"` });
  }
  if (minutesOf(window.from) === minutesOf(window.to) % MINUTES_PER_DAY && window.to !== '24:00') {
    problems.push({ path: `${path}/to`, message: 'a window from a time to the same time is empty' });
  }
  return problems;
}

/** A short text of a window for Warning headers and logs: `mon-fri 08:00-20:00 Europe/Paris`. */
export function describeTimeWindow(window: TimeWindow): string {
  return `${window.days.join(',')} ${window.from}-${window.to} ${window.timeZone}`;
}
