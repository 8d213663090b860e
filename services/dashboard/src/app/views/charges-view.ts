/**
 * Charges per customer: the charge records (all, or one customer's), totals per customer and
 * currency, and a CSV export of what is shown.
 */
import { h, replaceChildren, syncRows } from '../dom/h.js';
import { countCsvRecords } from '../model/csv.js';
import { formatBps, formatDuration, formatInstant, formatMinorUnits } from '../model/format.js';
import { chargeCustomer, type Charge, type Customer } from '../api/operator-types.js';
import { dataTable, emptyNote, panel, userPart, type View, type ViewContext } from './view.js';

/** Sum of the rated costs per customer and currency (open or unrated records count for nothing). */
export function totalsByCustomer(
  charges: readonly Charge[],
): { customer: string; currency: string; totalMinor: number; records: number }[] {
  const totals = new Map<
    string,
    { customer: string; currency: string; totalMinor: number; records: number }
  >();
  for (const c of charges) {
    const customer = chargeCustomer(c);
    const currency = c.currency ?? '';
    const key = `${customer}\u0000${currency}`;
    let t = totals.get(key);
    if (!t) totals.set(key, (t = { customer, currency, totalMinor: 0, records: 0 }));
    t.records++;
    if (typeof c.cost === 'number') t.totalMinor += c.cost;
  }
  return [...totals.values()].sort((a, b) =>
    a.customer === b.customer ? a.currency.localeCompare(b.currency) : a.customer.localeCompare(b.customer),
  );
}

export class ChargesView implements View {
  readonly id = 'charges';
  readonly title = 'Charges';
  readonly live = true;
  readonly element: HTMLElement;
  readonly #ctx: ViewContext;
  readonly #customer: HTMLSelectElement;
  readonly #table = dataTable(
    'Charge records',
    [
      'Session',
      'Customer',
      'VPN',
      'Caller → callee',
      'Granted',
      'Answered',
      'Duration',
      'Bytes',
      'Cost',
      'Status',
    ],
    { id: 'charges-table' },
  );
  readonly #totals = dataTable('Totals per customer', ['Customer', 'Records', 'Total'], {
    id: 'charge-totals',
  });
  readonly #empty = emptyNote('No charge records.');
  readonly #exportStatus = h('span', { class: 'hint', role: 'status' });
  #customersLoaded = false;

  constructor(ctx: ViewContext) {
    this.#ctx = ctx;
    this.#customer = h(
      'select',
      { id: 'charges-customer', onchange: () => void this.refresh() },
      h('option', { value: '' }, 'All customers'),
    );
    const exportButton = h(
      'button',
      { type: 'button', id: 'charges-export', onclick: () => void this.#export() },
      'Export CSV',
    );
    this.element = h(
      'div',
      { class: 'page' },
      panel(
        'Charges',
        {
          id: 'charges',
          actions: h(
            'div',
            { class: 'toolbar' },
            h('label', { for: 'charges-customer' }, 'Customer'),
            this.#customer,
            exportButton,
            this.#exportStatus,
          ),
        },
        h('div', { class: 'table-wrap' }, this.#table.table),
        this.#empty,
      ),
      panel('Totals', { id: 'charge-totals-panel' }, h('div', { class: 'table-wrap' }, this.#totals.table)),
    );
  }

  /** The customer chosen, or undefined for all. */
  get customer(): string | undefined {
    return this.#customer.value === '' ? undefined : this.#customer.value;
  }

  async refresh(): Promise<void> {
    const { client } = this.#ctx;
    if (!this.#customersLoaded) {
      const customers = await client.get<Customer[]>('/v1/customers');
      for (const c of customers)
        this.#customer.appendChild(h('option', { value: c.id }, c.name ? `${c.name} (${c.id})` : c.id));
      this.#customersLoaded = true;
    }
    const customer = this.customer;
    // One customer's records come filtered by the API; totals are summed here from the same rows, so
    // the table and its totals cannot disagree.
    const { charges } = await client.get<{ charges: Charge[] }>('/v1/charges', {
      limit: 1000,
      ...(customer === undefined ? {} : { customer }),
    });
    const sorted = [...charges].sort((a, b) => (b.setupAt ?? 0) - (a.setupAt ?? 0));
    syncRows(
      this.#table.body,
      sorted,
      (c) => c.sessionId,
      (c) => [
        h(
          'td',
          { class: 'mono' },
          h(
            'span',
            { title: c.sessionId },
            c.sessionId.length > 14 ? `${c.sessionId.slice(0, 12)}…` : c.sessionId,
          ),
        ),
        chargeCustomer(c) || '—',
        h('td', { class: 'mono' }, c.vpnId ?? '—'),
        `${userPart(c.caller)} → ${userPart(c.callee)}`,
        h('td', { class: 'num' }, c.grantedBps === undefined ? '—' : formatBps(c.grantedBps)),
        formatInstant(c.answerAt ?? null),
        h('td', { class: 'num' }, formatDuration(c.durationMs ?? null)),
        h(
          'td',
          { class: 'num' },
          c.bytes === null || c.bytes === undefined ? '—' : c.bytes.toLocaleString('en'),
        ),
        h('td', { class: 'num cost' }, formatMinorUnits(c.cost, c.currency)),
        h('td', {}, h('span', { class: `badge charge-${c.status ?? 'unknown'}` }, c.status ?? '—')),
      ],
    );
    this.#empty.hidden = sorted.length > 0;
    const totals = totalsByCustomer(sorted);
    syncRows(
      this.#totals.body,
      totals,
      (t) => `${t.customer}/${t.currency}`,
      (t) => [
        h('th', { scope: 'row' }, t.customer || '—'),
        h('td', { class: 'num' }, String(t.records)),
        h('td', { class: 'num' }, formatMinorUnits(t.totalMinor, t.currency || null)),
      ],
    );
  }

  /** Downloads `/v1/charges.csv` with the operator key (a plain link could not send it). */
  async #export(): Promise<void> {
    const customer = this.customer;
    replaceChildren(this.#exportStatus, 'Exporting…');
    try {
      const { text, fileName } = await this.#ctx.client.download(
        '/v1/charges.csv',
        customer === undefined ? {} : { customer },
      );
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      const a = h('a', { href: url, download: fileName ?? `charges${customer ? `-${customer}` : ''}.csv` });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      const rows = countCsvRecords(text);
      replaceChildren(this.#exportStatus, `Exported ${rows} record${rows === 1 ? '' : 's'}.`);
    } catch (error) {
      replaceChildren(this.#exportStatus, '');
      this.#ctx.reportError(error);
    }
  }
}
