/**
 * Counts the records of an RFC 4180 CSV text after its header line: line breaks inside quoted
 * fields (RFC 4180 §2.6) do not end a record, and a final line break ends none.
 */
export function countCsvRecords(text: string): number {
  let records = 0;
  let quoted = false;
  let lineHasContent = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      quoted = !quoted;
      lineHasContent = true;
    } else if (!quoted && (c === '\n' || c === '\r')) {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (lineHasContent) records++;
      lineHasContent = false;
    } else {
      lineHasContent = true;
    }
  }
  if (lineHasContent) records++;
  // The first record is the header (text/csv; header=present).
  return Math.max(records - 1, 0);
}
