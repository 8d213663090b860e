import type { ApiClient } from '../api/api-client.js';
import { h, type Child } from '../dom/h.js';

/** One page of the dashboard (a route `#/<id>`). */
export interface View {
  readonly id: string;
  /** The navigation label and page title. */
  readonly title: string;
  readonly element: HTMLElement;
  /** Whether live updates (stream events, polls) refresh it; editors say no. */
  readonly live: boolean;
  /** Fetches what the view shows and redraws it. */
  refresh(): Promise<void>;
}

/** What every view is built with. */
export interface ViewContext {
  client: ApiClient;
  /** Reports a failed request once in the page's alert area. */
  reportError(error: unknown): void;
  /** The clock (tests and screenshots use the real one). */
  now(): number;
}

let panelCount = 0;

/** A titled region (`<section aria-labelledby>`), the building block of every page. */
export function panel(
  title: string,
  options: { id?: string; className?: string; actions?: Child } = {},
  ...children: Child[]
): HTMLElement {
  const headingId = `${options.id ?? `panel-${++panelCount}`}-title`;
  return h(
    'section',
    {
      class: `panel ${options.className ?? ''}`.trim(),
      'aria-labelledby': headingId,
      ...(options.id === undefined ? {} : { id: options.id }),
    },
    h('div', { class: 'panel-head' }, h('h2', { id: headingId }, title), options.actions ?? null),
    ...children,
  );
}

/** A table with a caption (for screen readers) and header cells; returns the table and its body. */
export function dataTable(
  caption: string,
  headers: readonly string[],
  options: { id?: string; captionVisible?: boolean } = {},
): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'data', ...(options.id === undefined ? {} : { id: options.id }) },
    h('caption', { class: options.captionVisible ? '' : 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        headers.map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  return { table, body };
}

/** A short line shown when a table has no rows. */
export function emptyNote(text: string): HTMLParagraphElement {
  return h('p', { class: 'empty', hidden: true }, text);
}

/** `sip:primary-dc@svpn.example.net` → `primary-dc`. */
export function userPart(uri: string | undefined): string {
  if (!uri) return '—';
  const m = /^(?:sips?:)?([^@;>]+)@/i.exec(uri.replace(/^<|>$/g, ''));
  return m?.[1] ?? uri;
}
