/**
 * The SLA editor's model: what the form holds (text, as typed), how an SLA fills it, and the
 * validation that turns it back into the body of `PUT /v1/slas/{id}`. The rules are those of the
 * policy model (`SlaSchema` and `checkSla` in @svpn/policy), checked here so the operator sees every
 * problem next to its field before anything is sent; the server checks them again.
 */
import { DEFAULT_PRECEDENCE_MAP, SERVICE_CLASS_NAMES } from '@svpn/qos';
import { formatBps } from './format.js';
import { parseRate } from './parse-rate.js';

/** Ids of SLAs and charging profiles; the same pattern as `ID_PATTERN` in @svpn/policy. */
export const SLA_ID_PATTERN = '^[a-z0-9][a-z0-9._-]{0,62}$';

/** A weekly window, kept as the server sent it (the editor does not change windows). */
export interface SlaTimeWindow {
  days: string[];
  from: string;
  to: string;
  timeZone: string;
}

/** An SLA as the operator API answers it. */
export interface Sla {
  id: string;
  description?: string;
  maxSessionBps: number;
  maxTotalBps: number;
  maxSessions: number;
  serviceClasses: string[];
  maxPrecedence: string;
  timeWindows?: SlaTimeWindow[];
  maxDurationS?: number;
  mayShrink: boolean;
  minBps?: number;
  chargingProfile: string;
}

/** The form's fields as text (and the two that are not). */
export interface SlaFormValues {
  id: string;
  description: string;
  maxSessionBps: string;
  maxTotalBps: string;
  maxSessions: string;
  serviceClasses: string[];
  maxPrecedence: string;
  /** Seconds; empty: no limit. */
  maxDurationS: string;
  mayShrink: boolean;
  /** Empty: any reduction. */
  minBps: string;
  chargingProfile: string;
  timeWindows: SlaTimeWindow[];
}

export type SlaField = Exclude<keyof SlaFormValues, 'timeWindows'>;

/** The fields in the order the editor shows them. */
export const SLA_FIELD_ORDER: readonly SlaField[] = [
  'id',
  'description',
  'maxSessionBps',
  'maxTotalBps',
  'maxSessions',
  'maxDurationS',
  'minBps',
  'chargingProfile',
  'maxPrecedence',
  'serviceClasses',
  'mayShrink',
];

export interface SlaProblem {
  field: SlaField;
  message: string;
}

export type SlaValidation = { ok: true; sla: Sla } | { ok: false; problems: SlaProblem[] };

/** The service classes the editor offers (RFC 4594 names, @svpn/qos). */
export const SERVICE_CLASS_CHOICES: readonly string[] = SERVICE_CLASS_NAMES;

/** The `dsn` precedences the editor offers, lowest first (RFC 4412 §12.6). */
export const PRECEDENCE_CHOICES: readonly string[] = [
  'dsn.routine',
  'dsn.priority',
  'dsn.immediate',
  'dsn.flash',
  'dsn.flash-override',
];

/** The form as it shows an SLA. */
export function slaToForm(sla: Sla): SlaFormValues {
  return {
    id: sla.id,
    description: sla.description ?? '',
    maxSessionBps: formatRateInput(sla.maxSessionBps),
    maxTotalBps: formatRateInput(sla.maxTotalBps),
    maxSessions: String(sla.maxSessions),
    serviceClasses: [...sla.serviceClasses],
    maxPrecedence: sla.maxPrecedence,
    maxDurationS: sla.maxDurationS === undefined ? '' : String(sla.maxDurationS),
    mayShrink: sla.mayShrink,
    minBps: sla.minBps === undefined ? '' : formatRateInput(sla.minBps),
    chargingProfile: sla.chargingProfile,
    timeWindows: (sla.timeWindows ?? []).map((w) => ({ ...w, days: [...w.days] })),
  };
}

/** A rate as the editor writes it back into a field: `1G`, `2.5G`, `200M`, `1501` (at most one decimal with a prefix; exact, round-trips). */
export function formatRateInput(bps: number): string {
  for (const [scale, prefix] of [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (bps >= scale && bps % (scale / 10) === 0) return `${bps / scale}${prefix}`;
  }
  return String(bps);
}

function positiveInteger(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** Checks the form; on success, the SLA to PUT (its `id` is the path, not the body). */
export function validateSlaForm(form: SlaFormValues): SlaValidation {
  const problems: SlaProblem[] = [];
  const bad = (field: SlaField, message: string): void => {
    problems.push({ field, message });
  };
  if (!new RegExp(SLA_ID_PATTERN).test(form.id))
    bad('id', 'lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (at most 63)');
  if (form.description.length > 200) bad('description', 'at most 200 characters');

  const rate = (field: 'maxSessionBps' | 'maxTotalBps' | 'minBps', text: string): number | undefined => {
    const bps = parseRate(text);
    if (bps === undefined || bps < 1) {
      bad(field, 'a bit rate such as 1G, 200M or 64000 (bit/s), at least 1 bit/s');
      return undefined;
    }
    return bps;
  };
  const maxSessionBps = rate('maxSessionBps', form.maxSessionBps);
  const maxTotalBps = rate('maxTotalBps', form.maxTotalBps);
  const minBps = form.minBps.trim() === '' ? undefined : rate('minBps', form.minBps);

  const maxSessions = positiveInteger(form.maxSessions);
  if (maxSessions === undefined) bad('maxSessions', 'a whole number, at least 1');

  if (form.serviceClasses.length === 0) bad('serviceClasses', 'choose at least one service class');
  const unknown = form.serviceClasses.filter((c) => !SERVICE_CLASS_CHOICES.includes(c));
  if (unknown.length > 0) bad('serviceClasses', `unknown service class: ${unknown.join(', ')}`);
  if (new Set(form.serviceClasses).size !== form.serviceClasses.length)
    bad('serviceClasses', 'each service class once');

  try {
    DEFAULT_PRECEDENCE_MAP.levelOf(form.maxPrecedence);
  } catch (error) {
    bad('maxPrecedence', error instanceof Error ? error.message : 'not a Resource-Priority value');
  }

  let maxDurationS: number | undefined;
  if (form.maxDurationS.trim() !== '') {
    maxDurationS = positiveInteger(form.maxDurationS);
    if (maxDurationS === undefined) bad('maxDurationS', 'whole seconds, at least 1 (empty: no limit)');
  }

  if (!new RegExp(SLA_ID_PATTERN).test(form.chargingProfile))
    bad('chargingProfile', 'a charging profile id (lower-case letters, digits, ".", "_", "-")');

  // Rules beyond the schema (checkSla in @svpn/policy).
  if (maxSessionBps !== undefined && maxTotalBps !== undefined && maxSessionBps > maxTotalBps)
    bad('maxSessionBps', `exceeds the total of ${formatBps(maxTotalBps)}`);
  if (minBps !== undefined && maxSessionBps !== undefined && minBps > maxSessionBps)
    bad('minBps', `exceeds the per-session maximum of ${formatBps(maxSessionBps)}`);

  if (problems.length > 0) {
    // In the order the form shows its fields, so the first problem is the first one on screen.
    problems.sort((x, y) => SLA_FIELD_ORDER.indexOf(x.field) - SLA_FIELD_ORDER.indexOf(y.field));
    return { ok: false, problems };
  }
  const description = form.description.trim();
  const sla: Sla = {
    id: form.id,
    ...(description === '' ? {} : { description }),
    maxSessionBps: maxSessionBps!,
    maxTotalBps: maxTotalBps!,
    maxSessions: maxSessions!,
    serviceClasses: [...form.serviceClasses],
    maxPrecedence: form.maxPrecedence.trim(),
    ...(form.timeWindows.length === 0 ? {} : { timeWindows: form.timeWindows }),
    ...(maxDurationS === undefined ? {} : { maxDurationS }),
    mayShrink: form.mayShrink,
    ...(minBps === undefined ? {} : { minBps }),
    chargingProfile: form.chargingProfile,
  };
  return { ok: true, sla };
}

/** The body of `PUT /v1/slas/{id}` (the SLA without its id). */
export function slaPutBody(sla: Sla): Omit<Sla, 'id'> {
  const { id: _id, ...body } = sla;
  return body;
}
