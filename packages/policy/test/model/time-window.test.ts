import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  checkTimeWindow,
  checkTimeWindows,
  describeTimeWindow,
  isTimeZone,
  type TimeWindow,
} from '../../src/index.js';

const weekdaysParis: TimeWindow = {
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '08:00',
  to: '20:00',
  timeZone: 'Europe/Paris',
};

const at = (iso: string): Date => new Date(iso);

describe('SLA time windows', () => {
  // 2025-01-13 is a Monday; Paris is UTC+1 in January, UTC+2 in July.
  const table: [
    name: string,
    windows: TimeWindow[] | undefined,
    instant: string,
    inside: boolean,
    closesAt?: string,
  ][] = [
    ['no windows: always', undefined, '2025-01-18T03:00:00Z', true],
    ['empty list: always', [], '2025-01-18T03:00:00Z', true],
    [
      'Wednesday noon in Paris (winter)',
      [weekdaysParis],
      '2025-01-15T11:00:00Z',
      true,
      '2025-01-15T19:00:00Z',
    ],
    [
      'Wednesday noon in Paris (summer)',
      [weekdaysParis],
      '2025-07-16T10:00:00Z',
      true,
      '2025-07-16T18:00:00Z',
    ],
    [
      '08:00 local is inside (windows are half-open [from, to))',
      [weekdaysParis],
      '2025-01-15T07:00:00Z',
      true,
      '2025-01-15T19:00:00Z',
    ],
    ['07:59:59 local is outside', [weekdaysParis], '2025-01-15T06:59:59Z', false],
    ['20:00 local is outside', [weekdaysParis], '2025-01-15T19:00:00Z', false],
    ['Saturday is outside', [weekdaysParis], '2025-01-18T11:00:00Z', false],
    [
      'a window across the spring daylight-saving change ends at its local time',
      [{ days: ['sun'], from: '00:00', to: '06:00', timeZone: 'Europe/Paris' }],
      '2025-03-29T23:30:00Z', // Sunday 00:30 CET; 06:00 CEST is 04:00Z
      true,
      '2025-03-30T04:00:00Z',
    ],
    [
      'an overnight window runs into the next day',
      [{ days: ['fri'], from: '22:00', to: '06:00', timeZone: 'UTC' }],
      '2025-01-18T03:00:00Z',
      true,
      '2025-01-18T06:00:00Z',
    ],
    [
      'an overnight window does not start early',
      [{ days: ['fri'], from: '22:00', to: '06:00', timeZone: 'UTC' }],
      '2025-01-17T21:59:00Z',
      false,
    ],
    [
      'a Sunday-night window wraps into Monday',
      [{ days: ['sun'], from: '22:00', to: '02:00', timeZone: 'UTC' }],
      '2025-01-20T01:00:00Z',
      true,
      '2025-01-20T02:00:00Z',
    ],
    [
      'windows that touch are followed to the end',
      [
        { days: ['mon'], from: '00:00', to: '12:00', timeZone: 'UTC' },
        { days: ['mon'], from: '12:00', to: '18:00', timeZone: 'UTC' },
      ],
      '2025-01-13T09:00:00Z',
      true,
      '2025-01-13T18:00:00Z',
    ],
    [
      'windows in different time zones that touch are followed too',
      [
        { days: ['mon'], from: '08:00', to: '10:00', timeZone: 'UTC' },
        { days: ['mon'], from: '11:00', to: '13:00', timeZone: 'Europe/Paris' },
      ],
      '2025-01-13T09:00:00Z',
      true,
      '2025-01-13T12:00:00Z',
    ],
    [
      'a whole week of 00:00-24:00 never closes',
      [
        {
          days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
          from: '00:00',
          to: '24:00',
          timeZone: 'America/New_York',
        },
      ],
      '2025-01-15T11:00:00Z',
      true,
    ],
  ];
  for (const [name, windows, instant, inside, closesAt] of table) {
    it(name, () => {
      const check = checkTimeWindows(windows, at(instant));
      assert.equal(check.inside, inside);
      assert.equal(
        check.closesAt?.toISOString(),
        closesAt === undefined ? undefined : at(closesAt).toISOString(),
      );
    });
  }

  it('rules beyond the schema: a known time zone, a non-empty window', () => {
    assert.deepEqual(checkTimeWindow(weekdaysParis), []);
    assert.equal(isTimeZone('Mars/Olympus_Mons'), false);
    assert.deepEqual(
      checkTimeWindow({ ...weekdaysParis, timeZone: 'Mars/Olympus_Mons', to: '08:00' }, '/timeWindows/0').map(
        (p) => p.path,
      ),
      ['/timeWindows/0/timeZone', '/timeWindows/0/to'],
    );
    assert.deepEqual(checkTimeWindow({ ...weekdaysParis, from: '00:00', to: '24:00' }), []);
  });

  it('describes a window in one line', () => {
    assert.equal(describeTimeWindow(weekdaysParis), 'mon,tue,wed,thu,fri 08:00-20:00 Europe/Paris');
  });
});
