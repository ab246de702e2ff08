import {
  monthPeriod,
  parsePeriodKey,
  periodForRun,
  previousPeriod,
  monthSegments,
} from '../src/schedule/period';
import { nextRuns, type ScheduleSpec } from '../src/schedule/runs';
import { missedRun } from '../src/service/scheduler';

const spec = (cron: string, timeZone: string, extra: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  cron,
  timeZone,
  workdaysOnly: false,
  lastDayOfMonth: false,
  ...extra,
});
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('next run times (croner)', () => {
  test('08:00 Berlin on the 1st is 07:00 UTC in winter and 06:00 UTC in summer', () => {
    expect(iso(nextRuns(spec('0 8 1 * *', 'Europe/Berlin'), 3, new Date('2026-02-15T00:00:00Z')))).toEqual([
      '2026-03-01T07:00:00.000Z',
      '2026-04-01T06:00:00.000Z',
      '2026-05-01T06:00:00.000Z',
    ]);
  });

  test('a daily 02:30 run in Berlin on the spring-forward night runs once, at 03:30 local', () => {
    // 2026-03-29 02:00 → 03:00 in Europe/Berlin: 02:30 does not exist that day.
    const runs = iso(nextRuns(spec('30 2 * * *', 'Europe/Berlin'), 3, new Date('2026-03-27T12:00:00Z')));
    expect(runs[0]).toBe('2026-03-28T01:30:00.000Z');
    expect(runs[1]).toBe('2026-03-29T01:30:00.000Z');
    expect(runs[2]).toBe('2026-03-30T00:30:00.000Z');
    expect(new Set(runs).size).toBe(3);
  });

  test('a daily 02:30 run in Berlin on the fall-back night runs once, not twice', () => {
    // 2026-10-25 03:00 → 02:00: 02:30 happens twice; one run is wanted.
    const runs = nextRuns(spec('30 2 * * *', 'Europe/Berlin'), 3, new Date('2026-10-24T12:00:00Z'));
    const onThe25th = runs.filter((r) => r.toISOString().startsWith('2026-10-25'));
    expect(onThe25th).toHaveLength(1);
    expect(iso(runs)).toContain('2026-10-26T01:30:00.000Z');
  });

  test('last_day_of_month runs on the 28th, 29th, 30th or 31st as the month has it', () => {
    const runs = nextRuns(
      spec('0 18 * * *', 'UTC', { lastDayOfMonth: true }),
      5,
      new Date('2027-12-31T19:00:00Z'),
    );
    expect(iso(runs)).toEqual([
      '2028-01-31T18:00:00.000Z',
      '2028-02-29T18:00:00.000Z',
      '2028-03-31T18:00:00.000Z',
      '2028-04-30T18:00:00.000Z',
      '2028-05-31T18:00:00.000Z',
    ]);
  });

  test('workdays_only moves a weekend 1st to the Monday after', () => {
    // 2026-11-01 is a Sunday, 2027-05-01 a Saturday.
    const runs = iso(
      nextRuns(
        spec('0 8 1 * *', 'Europe/Berlin', { workdaysOnly: true }),
        7,
        new Date('2026-10-15T00:00:00Z'),
      ),
    );
    expect(runs).toContain('2026-11-02T07:00:00.000Z');
    expect(runs).not.toContain('2026-11-01T07:00:00.000Z');
    expect(runs).toContain('2026-12-01T07:00:00.000Z');
    expect(runs).toContain('2027-05-03T06:00:00.000Z');
  });

  test('workdays_only moves a weekend month end to the Friday before, staying in its month', () => {
    // 2026-10-31 is a Saturday; the Monday after is in November.
    const runs = iso(
      nextRuns(
        spec('0 17 * * *', 'Europe/Berlin', { workdaysOnly: true, lastDayOfMonth: true }),
        2,
        new Date('2026-10-20T00:00:00Z'),
      ),
    );
    expect(runs).toEqual(['2026-10-30T16:00:00.000Z', '2026-11-30T16:00:00.000Z']);
  });

  test('workdays_only keeps the local time across a DST change (Monday after the fall-back weekend)', () => {
    // Sunday 2026-10-25 is the fall-back day in Berlin; the Monday run is at 08:00 CET = 07:00 UTC.
    const runs = nextRuns(
      spec('0 8 25 10 *', 'Europe/Berlin', { workdaysOnly: true }),
      1,
      new Date('2026-10-01T00:00:00Z'),
    );
    expect(iso(runs)).toEqual(['2026-10-26T07:00:00.000Z']);
  });

  test('a run missed while the service was down is found within the catch-up window only', () => {
    const monthly = spec('0 8 1 * *', 'Europe/Berlin');
    expect(missedRun(monthly, new Date('2026-12-01T09:00:00Z'))?.toISOString()).toBe(
      '2026-12-01T07:00:00.000Z',
    );
    expect(missedRun(monthly, new Date('2026-12-05T09:00:00Z'))).toBeNull();
    expect(missedRun(monthly, new Date('2026-12-01T06:59:00Z'))).toBeNull();
  });
});

describe('reporting periods', () => {
  test('a run on 1 March reports on February, also in a leap year', () => {
    const p = periodForRun('previous_month', new Date('2028-03-01T07:00:00Z'), 'Europe/Berlin');
    expect(p.key).toBe('2028-02');
    expect(p.start.toISOString()).toBe('2028-02-01T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(p.label).toBe('February 2028');
  });

  test('the calendar day of a run is taken in the schedule time zone', () => {
    // 23:30 UTC on 31 October is already 1 November in Berlin, still 31 October in New York.
    const at = new Date('2026-10-31T23:30:00Z');
    expect(periodForRun('previous_month', at, 'Europe/Berlin').key).toBe('2026-10');
    expect(periodForRun('previous_month', at, 'America/New_York').key).toBe('2026-09');
  });

  test('month to date covers the complete days before the run day', () => {
    const p = periodForRun('month_to_date', new Date('2026-11-22T08:00:00Z'), 'UTC');
    expect(p.key).toBe('2026-11-22');
    expect(p.start.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-11-22T00:00:00.000Z');
    // On the 1st, month to date is the whole previous month.
    const first = periodForRun('month_to_date', new Date('2026-12-01T08:00:00Z'), 'UTC');
    expect([first.start.toISOString(), first.end.toISOString()]).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
  });

  test('previous week is the ISO week before, across a year end', () => {
    const p = periodForRun('previous_week', new Date('2027-01-04T07:30:00Z'), 'UTC');
    expect(p.key).toBe('2026-W53');
    expect(p.start.toISOString()).toBe('2026-12-28T00:00:00.000Z');
    expect(p.end.toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(monthSegments(p).map((s) => s.start.toISOString())).toEqual([
      '2026-12-28T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
  });

  test('the previous period of a month to date is the same days of the month before, clamped', () => {
    const p = previousPeriod(parsePeriodKey('month_to_date', '2026-03-31'));
    expect([p.start.toISOString(), p.end.toISOString()]).toEqual([
      '2026-02-01T00:00:00.000Z',
      '2026-03-01T00:00:00.000Z',
    ]);
    expect(previousPeriod(monthPeriod(2026, 0)).key).toBe('2025-12');
  });

  test.each([
    ['previous_month', '2026-13', /expected YYYY-MM/],
    ['previous_month', 'October', /expected YYYY-MM/],
    ['month_to_date', '2026-02-30', /expected YYYY-MM-DD/],
    ['previous_week', '2026-W54', /expected YYYY-Www/],
    ['previous_week', '2025-W53', /expected YYYY-Www/],
  ] as const)('the period key %s "%s" is refused with the expected format', (kind, key, message) => {
    expect(() => parsePeriodKey(kind, key)).toThrow(message);
    expect(() => parsePeriodKey(kind, key)).toThrow(`--period: "${key}"`);
  });
});
