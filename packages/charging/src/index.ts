/**
 * @svpn/charging — pure charging logic (DESIGN §5 "Charges"): tariffs, exact integer rating,
 * charge records folded from session events, CSV export. No IO: the charging service drives it.
 */
export * from './errors.js';
export * from './tariff/tariff.js';
export * from './record/charge-record.js';
export * from './record/apply-event.js';
export * from './rating/rate.js';
export * from './export/charge-csv.js';
