/**
 * Queue health: the job counts of every PE's provisioning queue with a verdict, and for a queue
 * with failed jobs, the jobs and a Retry button for each (BullMQ `job.retry()` through the API).
 */
import { h, replaceChildren, syncRows } from '../dom/h.js';
import { formatInstant } from '../model/format.js';
import type { Job, QueueCounts } from '../api/operator-types.js';
import { dataTable, emptyNote, panel, type View, type ViewContext } from './view.js';

export type QueueHealth = 'idle' | 'busy' | 'backlog' | 'failing';

/** The verdict on one queue: failed jobs first, then a backlog of waiting work, then activity. */
export function queueHealth(q: QueueCounts, backlogAt = 50): QueueHealth {
  if (q.failed > 0) return 'failing';
  if (q.waiting + q.delayed >= backlogAt) return 'backlog';
  if (q.active + q.waiting + q.delayed > 0) return 'busy';
  return 'idle';
}

export class QueuesView implements View {
  readonly id = 'queues';
  readonly title = 'Queues';
  readonly live = true;
  readonly element: HTMLElement;
  readonly #ctx: ViewContext;
  readonly #table = dataTable(
    'Provisioning queues',
    ['PE', 'Queue', 'Health', 'Waiting', 'Active', 'Delayed', 'Failed', 'Completed', ''],
    { id: 'queues-table' },
  );
  readonly #empty = emptyNote('No queues.');
  readonly #failed: HTMLElement;
  #openPe: string | undefined;

  constructor(ctx: ViewContext) {
    this.#ctx = ctx;
    this.#failed = h('div', { class: 'failed-jobs', 'aria-live': 'polite' });
    this.element = h(
      'div',
      { class: 'page' },
      panel(
        'Queue health',
        { id: 'queues' },
        h('div', { class: 'table-wrap' }, this.#table.table),
        this.#empty,
      ),
      this.#failed,
    );
  }

  async refresh(): Promise<void> {
    const { queues } = await this.#ctx.client.get<{ queues: QueueCounts[] }>('/v1/queues');
    syncRows(
      this.#table.body,
      queues,
      (q) => q.pe,
      (q) => {
        const health = queueHealth(q);
        return [
          h('th', { scope: 'row' }, q.pe),
          h('td', { class: 'mono small' }, q.queue),
          h('td', {}, h('span', { class: `badge health-${health}` }, health)),
          h('td', { class: 'num' }, String(q.waiting)),
          h('td', { class: 'num' }, String(q.active)),
          h('td', { class: 'num' }, String(q.delayed)),
          h('td', { class: 'num' }, String(q.failed)),
          h('td', { class: 'num' }, String(q.completed)),
          h(
            'td',
            {},
            q.failed > 0
              ? h(
                  'button',
                  { type: 'button', class: 'small', onclick: () => void this.#showFailed(q.pe) },
                  `Failed jobs of ${q.pe}`,
                )
              : null,
          ),
        ];
      },
    );
    this.#empty.hidden = queues.length > 0;
    if (this.#openPe !== undefined) await this.#showFailed(this.#openPe);
  }

  async #showFailed(pe: string): Promise<void> {
    this.#openPe = pe;
    let jobs: Job[];
    try {
      jobs = (await this.#ctx.client.get<{ jobs: Job[] }>(`/v1/queues/${encodeURIComponent(pe)}/failed`))
        .jobs;
    } catch (error) {
      this.#ctx.reportError(error);
      return;
    }
    const { table, body } = dataTable(`Failed jobs of ${pe}`, [
      'Job',
      'Name',
      'Attempts',
      'Failed',
      'Reason',
      '',
    ]);
    syncRows(
      body,
      jobs,
      (j) => j.id,
      (j) => [
        h('td', { class: 'mono small' }, j.id),
        j.name,
        h('td', { class: 'num' }, String(j.attemptsMade)),
        formatInstant(j.finishedOn ?? null),
        h('td', { class: 'reason' }, j.failedReason ?? '—'),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: async (event: Event) => {
                (event.currentTarget as HTMLButtonElement).disabled = true;
                try {
                  await this.#ctx.client.post(
                    `/v1/queues/${encodeURIComponent(pe)}/jobs/${encodeURIComponent(j.id)}/retry`,
                  );
                } catch (error) {
                  this.#ctx.reportError(error);
                }
                await this.refresh();
              },
            },
            'Retry',
          ),
        ),
      ],
    );
    replaceChildren(
      this.#failed,
      panel(
        `Failed jobs — ${pe}`,
        {
          id: 'failed-jobs',
          actions: h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: () => {
                this.#openPe = undefined;
                replaceChildren(this.#failed);
              },
            },
            'Close',
          ),
        },
        jobs.length === 0
          ? h('p', { class: 'empty' }, 'No failed jobs.')
          : h('div', { class: 'table-wrap' }, table),
      ),
    );
  }
}
