/**
 * What is booked when: live SIP sessions and API connections (scheduled ones included) on a time
 * axis, one lane per overlapping booking, with the same bookings as a table for screen readers.
 */
import { h, replaceChildren, s, syncRows } from '../dom/h.js';
import { formatBps, formatInstant } from '../model/format.js';
import { layoutTimeline, type TimelineItem } from '../model/timeline.js';
import type { Connection, Session } from '../api/operator-types.js';
import { dataTable, emptyNote, panel, userPart, type View, type ViewContext } from './view.js';

const WIDTH = 1200;
const LANE_HEIGHT = 26;
const AXIS_HEIGHT = 24;
const HOUR = 3_600_000;

/** The windows the operator can pick: how far back and ahead of now. */
const WINDOWS: readonly { label: string; backMs: number; aheadMs: number }[] = [
  { label: '1 h', backMs: 15 * 60_000, aheadMs: 45 * 60_000 },
  { label: '6 h', backMs: HOUR, aheadMs: 5 * HOUR },
  { label: '24 h', backMs: 2 * HOUR, aheadMs: 22 * HOUR },
  { label: '7 days', backMs: 12 * HOUR, aheadMs: 7 * 24 * HOUR - 12 * HOUR },
];

/** Connections whose booking is over (terminated, failed, aborted) are not drawn. */
function booked(c: Connection): boolean {
  const { lifecycleState, reservationState } = c.states;
  if (lifecycleState === 'Terminated' || lifecycleState === 'Failed') return false;
  return reservationState !== 'ReserveFailed' && reservationState !== 'ReserveTimeout';
}

/** Timeline items from sessions and connections (a provisioned connection's session is shown once). */
export function timelineItems(
  sessions: readonly Session[],
  connections: readonly Connection[],
): TimelineItem[] {
  const items: TimelineItem[] = [];
  for (const c of connections) {
    if (!booked(c)) continue;
    const start = c.criteria.startTime === null ? Date.parse(c.createdAt) : Date.parse(c.criteria.startTime);
    const end = c.criteria.endTime === null ? null : Date.parse(c.criteria.endTime);
    if (!Number.isFinite(start)) continue;
    items.push({
      id: c.connectionId,
      label: `${c.source.application} → ${c.destination.application}`,
      start,
      end: end !== null && Number.isFinite(end) ? end : null,
      bandwidthBps: c.criteria.bandwidthBps,
      kind: 'connection',
      state: `${c.states.reservationState} / ${c.states.provisionState}`,
    });
  }
  for (const ses of sessions) {
    const start = ses.answerAt ?? ses.setupAt;
    if (start === undefined) continue;
    items.push({
      id: ses.sessionId,
      label: `${userPart(ses.caller)} → ${userPart(ses.callee)}`,
      start,
      end: ses.maxDurationS === undefined ? null : start + ses.maxDurationS * 1000,
      bandwidthBps: ses.grantedBps ?? 0,
      kind: 'session',
      state: ses.phase ?? 'active',
    });
  }
  return items;
}

export class TimelineView implements View {
  readonly id = 'timeline';
  readonly title = 'Timeline';
  readonly live = true;
  readonly element: HTMLElement;
  readonly #ctx: ViewContext;
  readonly #svg: SVGSVGElement;
  readonly #table = dataTable('Bookings', ['Kind', 'Id', 'Who', 'Bandwidth', 'From', 'Until', 'State'], {
    id: 'timeline-table',
  });
  readonly #empty = emptyNote('Nothing is booked in this window.');
  #window = WINDOWS[1]!;
  #items: TimelineItem[] = [];

  constructor(ctx: ViewContext) {
    this.#ctx = ctx;
    this.#svg = s('svg', {
      class: 'timeline',
      viewBox: `0 0 ${WIDTH} ${AXIS_HEIGHT + LANE_HEIGHT}`,
      role: 'img',
      'aria-label': 'Reservation timeline',
    });
    const choices = h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Time window' },
      WINDOWS.map((w) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(w === this.#window),
            onclick: (event: Event) => {
              this.#window = w;
              for (const b of choices.querySelectorAll('button'))
                b.setAttribute('aria-pressed', String(b === event.currentTarget));
              this.#render();
            },
          },
          w.label,
        ),
      ),
    );
    this.element = h(
      'div',
      { class: 'page' },
      panel(
        'Reservation timeline',
        { id: 'timeline', actions: choices },
        h(
          'p',
          { class: 'hint' },
          'Live sessions and API connections; the red line is now. Open-ended bookings run off the right edge.',
        ),
        h('div', { class: 'timeline-wrap' }, this.#svg),
        h('div', { class: 'table-wrap' }, this.#table.table),
        this.#empty,
      ),
    );
  }

  async refresh(): Promise<void> {
    const { client } = this.#ctx;
    const [sessions, connections] = await Promise.all([
      client.get<{ sessions: Session[] }>('/v1/sessions'),
      client.get<{ connections: Connection[] }>('/v1/connections', { limit: 1000 }),
    ]);
    this.#items = timelineItems(sessions.sessions, connections.connections);
    this.#render();
  }

  #render(): void {
    const now = this.#ctx.now();
    const from = now - this.#window.backMs;
    const to = now + this.#window.aheadMs;
    const layout = layoutTimeline(this.#items, { from, to, width: WIDTH, now });
    const height = AXIS_HEIGHT + Math.max(layout.lanes, 1) * LANE_HEIGHT + 4;
    this.#svg.setAttribute('viewBox', `0 0 ${WIDTH} ${height}`);
    replaceChildren(
      this.#svg,
      layout.ticks.map((t) =>
        s(
          'g',
          { class: 'tick' },
          s('line', { x1: t.x, x2: t.x, y1: AXIS_HEIGHT - 4, y2: height }),
          s('text', { x: t.x + 3, y: 14 }, t.label),
        ),
      ),
      layout.bars.map((b) => {
        const y = AXIS_HEIGHT + b.lane * LANE_HEIGHT + 3;
        const text = `${b.item.label}, ${formatBps(b.item.bandwidthBps)}`;
        return s(
          'g',
          { class: `bar bar-${b.item.kind}`, 'data-id': b.item.id },
          s('rect', { x: b.x, y, width: b.width, height: LANE_HEIGHT - 6, rx: 3 }),
          b.width > 60 ? s('text', { x: b.x + 5, y: y + 14 }, text) : null,
          s(
            'title',
            {},
            `${b.item.kind} ${b.item.id}: ${text}, ${formatInstant(b.item.start)} – ${b.item.end === null ? 'open' : formatInstant(b.item.end)} (${b.item.state ?? ''})`,
          ),
        );
      }),
      layout.nowX === undefined
        ? null
        : s('line', { class: 'now', x1: layout.nowX, x2: layout.nowX, y1: 0, y2: height }),
    );
    const visible = layout.bars.map((b) => b.item);
    syncRows(
      this.#table.body,
      visible,
      (i) => i.id,
      (i) => [
        i.kind,
        h('td', { class: 'mono' }, i.id),
        i.label,
        h('td', { class: 'num' }, formatBps(i.bandwidthBps)),
        formatInstant(i.start),
        i.end === null ? 'open-ended' : formatInstant(i.end),
        i.state ?? '—',
      ],
    );
    this.#empty.hidden = visible.length > 0;
  }
}
