import type { PeriodKind } from '../config/schema';

/**
 * A reporting period: a half-open interval [start, end) of UTC instants. Data boundaries are UTC
 * because the exporter's month-to-date figures restart on the 1st at 00:00 UTC; the schedule's time
 * zone only decides which period a run reports on.
 */
export interface Period {
  readonly kind: PeriodKind;
  /** Stable identifier: 2026-10 (month), 2026-11-22 (month to date, as of that day), 2026-W43 (ISO week). */
  readonly key: string;
  readonly start: Date;
  readonly end: Date;
  readonly label: string;
}

/** A piece of a period inside one calendar month (UTC). */
export interface MonthSegment {
  readonly start: Date;
  readonly end: Date;
  readonly monthStart: Date;
  readonly monthEnd: Date;
}

const DAY_MS = 86_400_000;
const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const utc = (year: number, monthIndex: number, day = 1) => new Date(Date.UTC(year, monthIndex, day));
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dayLabel = (d: Date) =>
  `${d.getUTCDate()} ${monthNames[d.getUTCMonth()]!.slice(0, 3)} ${d.getUTCFullYear()}`;

export function monthPeriod(year: number, monthIndex: number): Period {
  const start = utc(year, monthIndex);
  return {
    kind: 'previous_month',
    key: `${start.getUTCFullYear()}-${pad(start.getUTCMonth() + 1)}`,
    start,
    end: utc(year, monthIndex + 1),
    label: `${monthNames[start.getUTCMonth()]} ${start.getUTCFullYear()}`,
  };
}

/** Month to date as of `day` (a UTC midnight): from the 1st of the month of the day before, to `day`. */
export function monthToDatePeriod(day: Date): Period {
  const lastDay = new Date(day.getTime() - DAY_MS);
  const start = utc(lastDay.getUTCFullYear(), lastDay.getUTCMonth());
  const first = start.getUTCDate();
  return {
    kind: 'month_to_date',
    key: `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`,
    start,
    end: day,
    label: `${first}–${lastDay.getUTCDate()} ${monthNames[lastDay.getUTCMonth()]} ${lastDay.getUTCFullYear()}`,
  };
}

/** Monday 00:00 UTC of ISO week `week` of ISO year `year`. */
function isoWeekStart(year: number, week: number): Date {
  const jan4 = utc(year, 0, 4);
  const mondayOfWeek1 = jan4.getTime() - ((jan4.getUTCDay() + 6) % 7) * DAY_MS;
  return new Date(mondayOfWeek1 + (week - 1) * 7 * DAY_MS);
}

function isoWeekOf(day: Date): { year: number; week: number } {
  const thursday = new Date(day.getTime() + (3 - ((day.getUTCDay() + 6) % 7)) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - isoWeekStart(year, 1).getTime()) / (7 * DAY_MS)) + 1;
  return { year, week };
}

export function weekPeriod(year: number, week: number): Period {
  const start = isoWeekStart(year, week);
  const end = new Date(start.getTime() + 7 * DAY_MS);
  const iso = isoWeekOf(start);
  return {
    kind: 'previous_week',
    key: `${iso.year}-W${pad(iso.week)}`,
    start,
    end,
    label: `week ${iso.week} of ${iso.year} (${dayLabel(start)} – ${dayLabel(new Date(end.getTime() - DAY_MS))})`,
  };
}

/** The calendar date of `instant` in `timeZone`, as a UTC midnight. */
export function localDate(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return utc(get('year'), get('month') - 1, get('day'));
}

/** The period a run at `runAt` reports on; the calendar day of the run is taken in `timeZone`. */
export function periodForRun(kind: PeriodKind, runAt: Date, timeZone: string): Period {
  const today = localDate(runAt, timeZone);
  switch (kind) {
    case 'previous_month':
      return monthPeriod(today.getUTCFullYear(), today.getUTCMonth() - 1);
    case 'month_to_date':
      return monthToDatePeriod(today);
    case 'previous_week': {
      const lastWeek = isoWeekOf(new Date(today.getTime() - 7 * DAY_MS));
      return weekPeriod(lastWeek.year, lastWeek.week);
    }
  }
}

const keyFormats: Record<PeriodKind, string> = {
  previous_month: 'YYYY-MM (e.g. 2026-10)',
  month_to_date: 'YYYY-MM-DD, the day the report is as of (e.g. 2026-11-22)',
  previous_week: 'YYYY-Www, an ISO week (e.g. 2026-W43)',
};

/** Reads a period key given on the command line; throws a message that names the expected format. */
export function parsePeriodKey(kind: PeriodKind, key: string): Period {
  const fail = (): never => {
    throw new Error(`--period: "${key}" is not a ${kind} period; expected ${keyFormats[kind]}`);
  };
  if (kind === 'previous_month') {
    const m = /^(\d{4})-(\d{2})$/.exec(key) ?? fail();
    const month = Number(m[2]);
    if (month < 1 || month > 12) fail();
    return monthPeriod(Number(m[1]), month - 1);
  }
  if (kind === 'month_to_date') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key) ?? fail();
    const day = utc(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (day.getUTCDate() !== Number(m[3]) || day.getUTCMonth() !== Number(m[2]) - 1) fail();
    return monthToDatePeriod(day);
  }
  const m = /^(\d{4})-W(\d{2})$/.exec(key) ?? fail();
  const week = Number(m[2]);
  if (week < 1 || week > 53 || isoWeekOf(isoWeekStart(Number(m[1]), week)).week !== week) fail();
  return weekPeriod(Number(m[1]), week);
}

/** The period compared against: the month before, the same days of the month before, or the week before. */
export function previousPeriod(period: Period): Period {
  switch (period.kind) {
    case 'previous_month':
      return monthPeriod(period.start.getUTCFullYear(), period.start.getUTCMonth() - 1);
    case 'month_to_date': {
      const days = Math.round((period.end.getTime() - period.start.getTime()) / DAY_MS);
      const prevStart = utc(period.start.getUTCFullYear(), period.start.getUTCMonth() - 1);
      const prevMonthDays = Math.round((period.start.getTime() - prevStart.getTime()) / DAY_MS);
      return monthToDatePeriod(new Date(prevStart.getTime() + Math.min(days, prevMonthDays) * DAY_MS));
    }
    case 'previous_week':
      return weekPeriod(
        isoWeekOf(new Date(period.start.getTime() - 7 * DAY_MS)).year,
        isoWeekOf(new Date(period.start.getTime() - 7 * DAY_MS)).week,
      );
  }
}

/** Splits a period at month boundaries (a week can span two months). */
export function monthSegments(period: Period): MonthSegment[] {
  const segments: MonthSegment[] = [];
  let cursor = period.start;
  while (cursor < period.end) {
    const monthStart = utc(cursor.getUTCFullYear(), cursor.getUTCMonth());
    const monthEnd = utc(cursor.getUTCFullYear(), cursor.getUTCMonth() + 1);
    const end = monthEnd < period.end ? monthEnd : period.end;
    segments.push({ start: cursor, end, monthStart, monthEnd });
    cursor = end;
  }
  return segments;
}

export const periodSeconds = (period: Period) =>
  Math.round((period.end.getTime() - period.start.getTime()) / 1000);
