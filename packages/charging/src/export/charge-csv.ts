import type { ChargeRecord } from '../record/charge-record.js';

/** The columns of the charge CSV, in order (fixed: downstream billing parses by position or name). */
export const CHARGE_CSV_COLUMNS = [
  'session_id',
  'customer',
  'vpn_id',
  'caller',
  'callee',
  'service_class',
  'precedence',
  'dscp',
  'granted_bps',
  'segments',
  'setup_at',
  'answer_at',
  'end_at',
  'duration_s',
  'bytes',
  'cost_minor',
  'currency',
  'status',
  'reason',
  'charging_profile',
  'lsp_id',
  'complete',
] as const;

/** RFC 4180 §2: records end with CRLF. */
const CRLF = '\r\n';

/**
 * One field per RFC 4180 §2 rules 5–7: enclosed in double quotes when it holds a comma, a double
 * quote, CR or LF (or starts/ends with a space, which some readers would trim); a double quote
 * inside is escaped by doubling it.
 * @see https://www.rfc-editor.org/rfc/rfc4180#section-2
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line (with its CRLF). */
export function chargeCsvHeader(): string {
  return CHARGE_CSV_COLUMNS.join(',') + CRLF;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `<bps>@<seconds>s` per segment, `;`-separated (`…@open` for a running one). */
function segmentsField(record: ChargeRecord): string {
  return record.segments
    .map((s) => `${s.bps}@${s.toAt === null ? 'open' : `${(s.toAt - s.fromAt) / 1000}s`}`)
    .join(';');
}

/** One record as a CSV line (with its CRLF), columns as {@link CHARGE_CSV_COLUMNS}. */
export function chargeCsvRow(record: ChargeRecord): string {
  const values: (string | number | null)[] = [
    record.sessionId,
    record.customer,
    record.vpnId,
    record.caller,
    record.callee,
    record.serviceClass,
    record.precedence,
    record.dscp,
    record.grantedBps,
    segmentsField(record),
    iso(record.setupAt),
    iso(record.answerAt),
    iso(record.endAt),
    record.durationS,
    record.bytes,
    record.cost,
    record.currency,
    record.status,
    record.reason,
    record.chargingProfile,
    record.lspId,
    // A closed record is final only when complete (no event of the session is still missing).
    record.complete ? 'true' : 'false',
  ];
  return values.map(csvField).join(',') + CRLF;
}

/** A whole CSV document: the header, then one line per record (RFC 4180, `text/csv; header=present`). */
export function toChargeCsv(records: Iterable<ChargeRecord>): string {
  let out = chargeCsvHeader();
  for (const record of records) out += chargeCsvRow(record);
  return out;
}

/**
 * Parses RFC 4180 text back into rows of fields (quoted fields, doubled quotes, CRLF or LF line
 * ends). For tests and tools reading exports; not a general CSV library.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
