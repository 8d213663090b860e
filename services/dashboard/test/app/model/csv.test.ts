import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCsv } from '@svpn/charging';
import { countCsvRecords } from '../../../src/app/model/csv.js';

test('records after the header; a final line break ends none', () => {
  assert.equal(countCsvRecords(''), 0);
  assert.equal(countCsvRecords('a,b\r\n'), 0);
  assert.equal(countCsvRecords('a,b\r\n1,2\r\n3,4\r\n'), 2);
  assert.equal(countCsvRecords('a,b\n1,2\n3,4'), 2);
});

test('RFC 4180 §2.6 — line breaks inside quotes do not end a record', () => {
  assert.equal(countCsvRecords('a,b\r\n"x\r\ny",2\r\n"say ""hi""",3\r\n'), 2);
});

test('agrees with the charging package’s CSV reader', () => {
  const field = fc.oneof(
    fc.string({ maxLength: 6 }).filter((s) => !/[",\r\n]/.test(s) && s !== ''),
    fc.string({ maxLength: 6 }).map((s) => `"${s.replace(/"/g, '""')}"`),
  );
  fc.assert(
    fc.property(
      fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      (rows) => {
        const text = rows.map((r) => `${r.join(',')}\r\n`).join('');
        assert.equal(countCsvRecords(text), parseCsv(text).length - 1);
      },
    ),
  );
});
