/**
 * The dashboard's entry point (bundled into dist/app.js): log in, then the pages — Overview
 * (topology, tunnels, sessions), Timeline, Queues, Charges, SLAs — routed by the URL hash, kept live
 * by the API's event stream with polling as the fallback.
 */
import { ApiClient } from './api/api-client.js';
import { DashboardApiError } from './api/api-error.js';
import type { ApiKeyInfo } from './api/operator-types.js';
import { h, replaceChildren } from './dom/h.js';
import { formatClock } from './model/format.js';
import { LiveFeed, type LiveStatus } from './live/live-feed.js';
import { Refresher } from './live/refresher.js';
import { ChargesView } from './views/charges-view.js';
import { API_KEY_STORAGE, checkOperatorKey, loginView } from './views/login-view.js';
import { OverviewView } from './views/overview-view.js';
import { QueuesView } from './views/queues-view.js';
import { SlaEditorView } from './views/sla-editor-view.js';
import { TimelineView } from './views/timeline-view.js';
import type { View, ViewContext } from './views/view.js';

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'connecting…',
  streaming: 'live (event stream)',
  polling: 'live (polling every second)',
  unauthorized: 'key refused',
  stopped: 'stopped',
};

/** Where the API is: same origin unless `<meta name="svpn-api-base" content="…">` says otherwise. */
function apiBase(): string {
  return (
    document.querySelector<HTMLMetaElement>('meta[name="svpn-api-base"]')?.content.replace(/\/$/, '') ?? ''
  );
}

function root(): HTMLElement {
  const el = document.getElementById('app');
  if (!el) throw new Error('index.html has no #app element');
  return el;
}

function showLogin(notice?: string): void {
  document.title = 'svpn operator — log in';
  replaceChildren(
    root(),
    loginView({
      baseUrl: apiBase(),
      onLogin: (client, me) => showShell(client, me),
      ...(notice === undefined ? {} : { notice }),
    }),
  );
}

function showShell(client: ApiClient, me: ApiKeyInfo): void {
  const alerts = h('div', { class: 'alerts', role: 'alert', id: 'alerts' });
  const status = h(
    'span',
    { class: 'live-status', id: 'live-status', role: 'status' },
    STATUS_TEXT.connecting,
  );
  const updated = h('span', { class: 'updated', id: 'last-update' });
  let stopped = false;

  const logout = (notice?: string): void => {
    if (stopped) return;
    stopped = true;
    feed.stop();
    window.removeEventListener('hashchange', route);
    sessionStorage.removeItem(API_KEY_STORAGE);
    showLogin(notice);
  };

  const reportError = (error: unknown): void => {
    if (error instanceof DashboardApiError && error.code === 'SVPN_DASHBOARD_UNAUTHORIZED') {
      logout('Your key was refused (revoked or expired): log in again.');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    replaceChildren(alerts, h('p', {}, message));
  };

  const ctx: ViewContext = { client, reportError, now: () => Date.now() };
  const views: View[] = [
    new OverviewView(ctx),
    new TimelineView(ctx),
    new QueuesView(ctx),
    new ChargesView(ctx),
    new SlaEditorView(ctx),
  ];
  let active: View = views[0]!;

  const links = views.map((v) => h('a', { href: `#/${v.id}`, 'data-view': v.id }, v.title));
  const main = h('main', { id: 'main', tabindex: -1 });
  const refresher = new Refresher(async () => {
    const view = active;
    try {
      await view.refresh();
      replaceChildren(alerts);
      updated.textContent = `updated ${formatClock(Date.now())} UTC`;
      document.body.dataset.refreshedAt = String(Date.now());
    } catch (error) {
      reportError(error);
    }
  });

  function route(): void {
    const id = location.hash.replace(/^#\/?/, '') || views[0]!.id;
    const next = views.find((v) => v.id === id) ?? views[0]!;
    active = next;
    for (const a of links) {
      if (a.dataset.view === next.id) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `svpn operator — ${next.title}`;
    replaceChildren(main, next.element);
    void refresher.request();
  }

  let eventTimer: ReturnType<typeof setTimeout> | undefined;
  const feed = new LiveFeed({
    client,
    onChange: (reason) => {
      if (!active.live) return;
      if (reason === 'poll') {
        void refresher.request();
        return;
      }
      // Events come in bursts (one call: several state changes): gather them for a moment.
      if (eventTimer === undefined)
        eventTimer = setTimeout(() => {
          eventTimer = undefined;
          void refresher.request();
        }, 100);
    },
    onStatus: (s) => {
      status.textContent = STATUS_TEXT[s];
      status.dataset.status = s;
      if (s === 'unauthorized') logout('Your key was refused (revoked or expired): log in again.');
    },
  });

  replaceChildren(
    root(),
    h(
      'a',
      {
        class: 'skip-link',
        href: '#main',
        onclick: (e: Event) => {
          e.preventDefault();
          main.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      { class: 'topbar' },
      h('span', { class: 'brand' }, 'svpn operator'),
      h(
        'nav',
        { 'aria-label': 'Pages' },
        h(
          'ul',
          {},
          links.map((a) => h('li', {}, a)),
        ),
      ),
      h(
        'div',
        { class: 'session-info' },
        status,
        updated,
        h('span', { class: 'who' }, `key ${me.name}`),
        h('button', { type: 'button', id: 'logout', onclick: () => logout('Logged out.') }, 'Log out'),
      ),
    ),
    alerts,
    main,
  );
  window.addEventListener('hashchange', route);
  route();
  feed.start();
}

function boot(): void {
  const key = sessionStorage.getItem(API_KEY_STORAGE);
  if (!key) {
    showLogin();
    return;
  }
  const client = new ApiClient({ apiKey: key, baseUrl: apiBase() });
  checkOperatorKey(client).then(
    (me) => showShell(client, me),
    (error: unknown) => {
      sessionStorage.removeItem(API_KEY_STORAGE);
      showLogin(error instanceof Error ? error.message : String(error));
    },
  );
}

boot();
