/**
 * The live page: the topology with per-link utilisation, the aggregate tunnels and the live
 * sessions, refreshed on every live update.
 */
import { h, syncRows } from '../dom/h.js';
import { formatBps, formatDuration } from '../model/format.js';
import { priorityLabel, type TopologySnapshot } from '../model/link-load.js';
import type { Session, Tunnel } from '../api/operator-types.js';
import { TopologyPanel } from './topology-panel.js';
import { dataTable, emptyNote, panel, userPart, type View, type ViewContext } from './view.js';

export class OverviewView implements View {
  readonly id = 'overview';
  readonly title = 'Overview';
  readonly live = true;
  readonly element: HTMLElement;
  readonly topology = new TopologyPanel();
  readonly #ctx: ViewContext;
  readonly #sessions = dataTable(
    'Live sessions',
    [
      'Session',
      'Customer',
      'VPN',
      'Caller → callee',
      'Class',
      'Precedence',
      'Granted',
      'DSCP',
      'Path',
      'Tunnel',
      'Phase',
      'Up for',
    ],
    { id: 'sessions-table' },
  );
  readonly #tunnels = dataTable('Aggregate tunnels', ['Tunnel', 'Priority', 'Size', 'Carries', 'Path'], {
    id: 'tunnels-table',
  });
  readonly #noSessions = emptyNote('No live sessions.');
  readonly #noTunnels = emptyNote('No tunnels.');
  readonly #sessionCount = h('span', { class: 'count', 'aria-live': 'polite' });
  readonly #tunnelCount = h('span', { class: 'count' });

  constructor(ctx: ViewContext) {
    this.#ctx = ctx;
    this.element = h(
      'div',
      { class: 'page overview' },
      h(
        'div',
        { class: 'overview-grid' },
        this.topology.element,
        panel(
          'Tunnels',
          { id: 'tunnels', actions: this.#tunnelCount },
          h('div', { class: 'table-wrap' }, this.#tunnels.table),
          this.#noTunnels,
        ),
      ),
      panel(
        'Sessions',
        { id: 'sessions', actions: this.#sessionCount },
        h('div', { class: 'table-wrap' }, this.#sessions.table),
        this.#noSessions,
      ),
    );
  }

  async refresh(): Promise<void> {
    const { client } = this.#ctx;
    const [sessions, tunnels, topology] = await Promise.all([
      client.get<{ sessions: Session[] }>('/v1/sessions'),
      client.get<{ tunnels: Tunnel[] }>('/v1/tunnels'),
      client.get<TopologySnapshot>('/v1/topology'),
    ]);
    this.topology.update(topology);
    this.#renderSessions(sessions.sessions);
    this.#renderTunnels(tunnels.tunnels);
  }

  #renderSessions(sessions: Session[]): void {
    const now = this.#ctx.now();
    const sorted = [...sessions].sort((a, b) => (a.setupAt ?? 0) - (b.setupAt ?? 0));
    syncRows(
      this.#sessions.body,
      sorted,
      (s) => s.sessionId,
      (s) => [
        h('td', { class: 'mono' }, h('span', { title: s.sessionId }, shortId(s.sessionId))),
        s.customerId ?? '—',
        h('td', { class: 'mono' }, s.vpnId ?? '—'),
        `${userPart(s.caller)} → ${userPart(s.callee)}`,
        s.serviceClass ?? '—',
        s.precedence ?? '—',
        h('td', { class: 'num' }, s.grantedBps === undefined ? '—' : formatBps(s.grantedBps)),
        h('td', { class: 'num' }, s.dscp === undefined ? '—' : String(s.dscp)),
        s.ingress && s.egress ? `${s.ingress.ce}@${s.ingress.pe} → ${s.egress.ce}@${s.egress.pe}` : '—',
        h('td', { class: 'mono small wrap' }, s.lspId ?? '—'),
        h('td', {}, h('span', { class: `badge phase-${s.phase ?? 'unknown'}` }, s.phase ?? '—')),
        h(
          'td',
          { class: 'num' },
          formatDuration(
            s.answerAt !== undefined ? now - s.answerAt : s.setupAt !== undefined ? now - s.setupAt : null,
          ),
        ),
      ],
    );
    this.#noSessions.hidden = sorted.length > 0;
    this.#sessionCount.textContent = `${sorted.length} live`;
  }

  #renderTunnels(tunnels: Tunnel[]): void {
    syncRows(
      this.#tunnels.body,
      tunnels,
      (t) => t.id,
      (t) => [
        h(
          'td',
          { class: 'wrap' },
          h('strong', {}, `${t.ingress ?? '?'} → ${t.egress ?? '?'}`),
          h('div', { class: 'mono small muted' }, t.id),
        ),
        t.holdingPriority === undefined ? (t.level ?? '—') : priorityLabel(t.holdingPriority),
        h('td', { class: 'num' }, t.sizeBps === undefined ? '—' : formatBps(t.sizeBps)),
        h('td', { class: 'num' }, String(t.contents?.length ?? 0)),
        h('td', { class: 'wrap small' }, pathOf(t.links ?? [])),
      ],
    );
    this.#noTunnels.hidden = tunnels.length > 0;
    this.#tunnelCount.textContent = `${tunnels.length}`;
  }
}

/** Directional link ids along a path → the routers it visits: `PE1 → P2 → P3 → PE4`. */
export function pathOf(links: readonly string[]): string {
  const hops: string[] = [];
  for (const id of links) {
    const m = /:([^:]+)->([^:]+)$/.exec(id);
    if (!m) return links.join(', ');
    if (hops.length === 0) hops.push(m[1]!);
    hops.push(m[2]!);
  }
  return hops.join(' → ') || '—';
}

function shortId(id: string): string {
  return id.length > 14 ? `${id.slice(0, 12)}…` : id;
}
