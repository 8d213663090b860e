/**
 * The SLA editor: pick an SLA, change its limits, and save. The form is checked field by field
 * before anything is sent (every problem is shown next to its field and announced); the API checks
 * again, and a refusal's problem document is shown as it came.
 */
import { h, replaceChildren } from '../dom/h.js';
import { DashboardApiError } from '../api/api-error.js';
import {
  PRECEDENCE_CHOICES,
  SERVICE_CLASS_CHOICES,
  slaPutBody,
  slaToForm,
  validateSlaForm,
  type Sla,
  type SlaField,
  type SlaFormValues,
} from '../model/sla-form.js';
import { panel, type View, type ViewContext } from './view.js';

interface FieldSpec {
  name: Exclude<SlaField, 'serviceClasses' | 'mayShrink' | 'maxPrecedence'>;
  label: string;
  hint: string;
  inputMode?: string;
}

const TEXT_FIELDS: readonly FieldSpec[] = [
  { name: 'description', label: 'Description', hint: 'at most 200 characters' },
  { name: 'maxSessionBps', label: 'Per-session maximum', hint: 'bit/s; 1G, 200M, 64k or a number' },
  { name: 'maxTotalBps', label: 'Total maximum', hint: 'bit/s over all the customer’s sessions' },
  { name: 'maxSessions', label: 'Most sessions at once', hint: 'a whole number', inputMode: 'numeric' },
  {
    name: 'maxDurationS',
    label: 'Longest session (s)',
    hint: 'seconds; empty for no limit',
    inputMode: 'numeric',
  },
  { name: 'minBps', label: 'Least after a shrink', hint: 'bit/s a preempted session keeps; empty: any' },
  { name: 'chargingProfile', label: 'Charging profile', hint: 'tariff id' },
];

export class SlaEditorView implements View {
  readonly id = 'slas';
  readonly title = 'SLAs';
  readonly live = false;
  readonly element: HTMLElement;
  readonly #ctx: ViewContext;
  readonly #picker: HTMLSelectElement;
  readonly #form: HTMLFormElement;
  readonly #status: HTMLElement;
  readonly #summary: HTMLElement;
  #slas: Sla[] = [];
  #current: SlaFormValues | undefined;

  constructor(ctx: ViewContext) {
    this.#ctx = ctx;
    this.#picker = h('select', {
      id: 'sla-picker',
      onchange: () => this.#select(this.#picker.value),
    });
    this.#form = h('form', {
      id: 'sla-form',
      class: 'sla-form',
      novalidate: true,
      'aria-describedby': 'sla-form-summary',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void this.#save();
      },
    });
    this.#status = h('p', { class: 'save-status', role: 'status', id: 'sla-status' });
    this.#summary = h('div', { id: 'sla-form-summary', class: 'error-summary', role: 'alert', hidden: true });
    this.element = h(
      'div',
      { class: 'page' },
      panel(
        'SLA editor',
        {
          id: 'sla-editor',
          actions: h('div', { class: 'toolbar' }, h('label', { for: 'sla-picker' }, 'SLA'), this.#picker),
        },
        this.#summary,
        this.#form,
        this.#status,
      ),
    );
  }

  async refresh(): Promise<void> {
    this.#slas = await this.#ctx.client.get<Sla[]>('/v1/slas');
    const chosen = this.#picker.value || this.#slas[0]?.id || '';
    replaceChildren(
      this.#picker,
      this.#slas.map((s) => h('option', { value: s.id, selected: s.id === chosen }, s.id)),
    );
    this.#select(chosen);
  }

  #select(id: string): void {
    const sla = this.#slas.find((s) => s.id === id);
    replaceChildren(this.#status);
    this.#showProblems([]);
    if (!sla) {
      this.#current = undefined;
      replaceChildren(this.#form, h('p', { class: 'empty' }, 'No SLA to edit.'));
      return;
    }
    this.#current = slaToForm(sla);
    this.#renderForm(this.#current);
  }

  #renderForm(values: SlaFormValues): void {
    const field = (spec: FieldSpec): HTMLElement => {
      const id = `sla-${spec.name}`;
      return h(
        'div',
        { class: 'field', 'data-field': spec.name },
        h('label', { for: id }, spec.label),
        h('input', {
          id,
          name: spec.name,
          type: 'text',
          value: values[spec.name],
          autocomplete: 'off',
          'aria-describedby': `${id}-hint ${id}-error`,
          ...(spec.inputMode ? { inputmode: spec.inputMode } : {}),
        }),
        h('small', { id: `${id}-hint`, class: 'hint' }, spec.hint),
        h('span', { id: `${id}-error`, class: 'field-error' }),
      );
    };
    replaceChildren(
      this.#form,
      h(
        'div',
        { class: 'field', 'data-field': 'id' },
        h('label', { for: 'sla-id' }, 'Id'),
        h('input', { id: 'sla-id', name: 'id', type: 'text', value: values.id, readonly: true }),
        h('span', { id: 'sla-id-error', class: 'field-error' }),
      ),
      TEXT_FIELDS.map(field),
      h(
        'div',
        { class: 'field', 'data-field': 'maxPrecedence' },
        h('label', { for: 'sla-maxPrecedence' }, 'Highest precedence'),
        h(
          'select',
          { id: 'sla-maxPrecedence', name: 'maxPrecedence', 'aria-describedby': 'sla-maxPrecedence-error' },
          (PRECEDENCE_CHOICES.includes(values.maxPrecedence)
            ? PRECEDENCE_CHOICES
            : [values.maxPrecedence, ...PRECEDENCE_CHOICES]
          ).map((p) => h('option', { value: p, selected: p === values.maxPrecedence }, p)),
        ),
        h('span', { id: 'sla-maxPrecedence-error', class: 'field-error' }),
      ),
      h(
        'fieldset',
        {
          class: 'field checkboxes',
          'data-field': 'serviceClasses',
          'aria-describedby': 'sla-serviceClasses-error',
        },
        h('legend', {}, 'Service classes (RFC 4594)'),
        SERVICE_CLASS_CHOICES.map((c) =>
          h(
            'label',
            { class: 'check' },
            h('input', {
              type: 'checkbox',
              name: 'serviceClasses',
              value: c,
              checked: values.serviceClasses.includes(c),
            }),
            c,
          ),
        ),
        h('span', { id: 'sla-serviceClasses-error', class: 'field-error' }),
      ),
      h(
        'div',
        { class: 'field check-field', 'data-field': 'mayShrink' },
        h(
          'label',
          { class: 'check' },
          h('input', { id: 'sla-mayShrink', type: 'checkbox', name: 'mayShrink', checked: values.mayShrink }),
          'Preempted sessions may shrink instead of ending (RFC 4495)',
        ),
        h('span', { id: 'sla-mayShrink-error', class: 'field-error' }),
      ),
      values.timeWindows.length > 0
        ? h(
            'p',
            { class: 'hint' },
            `Time windows (kept as they are): ${values.timeWindows
              .map((w) => `${w.days.join(',')} ${w.from}–${w.to} ${w.timeZone}`)
              .join('; ')}`,
          )
        : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Save SLA')),
    );
  }

  /** What the form holds now. */
  #read(): SlaFormValues {
    const base = this.#current!;
    const text = (name: string): string =>
      (this.#form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null)?.value ?? '';
    return {
      ...base,
      description: text('description'),
      maxSessionBps: text('maxSessionBps'),
      maxTotalBps: text('maxTotalBps'),
      maxSessions: text('maxSessions'),
      maxDurationS: text('maxDurationS'),
      minBps: text('minBps'),
      chargingProfile: text('chargingProfile'),
      maxPrecedence: text('maxPrecedence'),
      serviceClasses: keepOrder(
        base.serviceClasses,
        Array.from(this.#form.querySelectorAll<HTMLInputElement>('input[name="serviceClasses"]:checked')).map(
          (i) => i.value,
        ),
      ),
      mayShrink: (this.#form.elements.namedItem('mayShrink') as HTMLInputElement | null)?.checked ?? false,
    };
  }

  #showProblems(problems: readonly { field: SlaField | undefined; message: string }[]): void {
    for (const el of this.#form.querySelectorAll('.field-error')) el.textContent = '';
    for (const el of this.#form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const summary: HTMLElement[] = [];
    for (const p of problems) {
      const error = p.field === undefined ? null : this.#form.querySelector(`#sla-${p.field}-error`);
      if (error) error.textContent = error.textContent ? `${error.textContent}; ${p.message}` : p.message;
      const control = p.field === undefined ? null : this.#form.querySelector(`#sla-${p.field}`);
      control?.setAttribute('aria-invalid', 'true');
      summary.push(h('li', {}, p.field === undefined ? p.message : `${p.field}: ${p.message}`));
    }
    this.#summary.hidden = problems.length === 0;
    replaceChildren(
      this.#summary,
      problems.length === 0
        ? null
        : h('p', {}, `The SLA was not saved: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`),
      problems.length === 0 ? null : h('ul', {}, summary),
    );
  }

  async #save(): Promise<void> {
    if (!this.#current) return;
    replaceChildren(this.#status);
    const result = validateSlaForm(this.#read());
    if (!result.ok) {
      this.#showProblems(result.problems);
      const first = result.problems[0];
      if (first) (this.#form.querySelector(`#sla-${first.field}`) as HTMLElement | null)?.focus();
      return;
    }
    this.#showProblems([]);
    const button = this.#form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    try {
      const saved = await this.#ctx.client.put<Sla>(
        `/v1/slas/${encodeURIComponent(result.sla.id)}`,
        slaPutBody(result.sla),
      );
      this.#slas = this.#slas.map((s) => (s.id === saved.id ? saved : s));
      this.#current = slaToForm(saved);
      this.#renderForm(this.#current);
      replaceChildren(
        this.#status,
        `Saved ${saved.id} at ${new Date(this.#ctx.now()).toISOString().slice(11, 19)} UTC.`,
      );
    } catch (error) {
      if (
        error instanceof DashboardApiError &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 401
      ) {
        this.#showProblems(serverProblems(error));
      } else {
        this.#ctx.reportError(error);
      }
    } finally {
      if (button) button.disabled = false;
    }
  }
}

/** The checked values: those the SLA had, in its order, then newly checked ones in the form's order. */
function keepOrder(before: readonly string[], checked: readonly string[]): string[] {
  return [...before.filter((c) => checked.includes(c)), ...checked.filter((c) => !before.includes(c))];
}

/** The problems of a refusal: the policy service lists them as `{ path, message }` (path `/field`). */
function serverProblems(error: DashboardApiError): { field: SlaField | undefined; message: string }[] {
  const listed = error.problem?.['problems'] ?? error.problem?.['errors'];
  if (Array.isArray(listed) && listed.length > 0) {
    return listed.map((p: unknown) => {
      const item = (typeof p === 'object' && p !== null ? p : {}) as { path?: unknown; message?: unknown };
      const path = typeof item.path === 'string' ? item.path.replace(/^\//, '').split('/')[0] : undefined;
      return {
        field: path === undefined || path === '' ? undefined : (path as SlaField),
        message: typeof item.message === 'string' ? item.message : String(p),
      };
    });
  }
  return [{ field: undefined, message: error.problem?.detail ?? error.message }];
}
