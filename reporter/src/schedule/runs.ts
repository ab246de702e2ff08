import { Cron } from 'croner';
import type { ReportDefinition } from '../config/schema';

export interface ScheduleSpec {
  readonly cron: string;
  readonly timeZone: string;
  readonly workdaysOnly: boolean;
  readonly lastDayOfMonth: boolean;
}

export function scheduleOf(report: ReportDefinition, defaultTimeZone: string): ScheduleSpec {
  return {
    cron: report.schedule.cron,
    timeZone: report.schedule.time_zone ?? defaultTimeZone,
    workdaysOnly: report.schedule.workdays_only,
    lastDayOfMonth: report.schedule.last_day_of_month,
  };
}

/** The cron pattern croner runs: last_day_of_month puts "L" in the day-of-month field. */
export function effectivePattern(spec: ScheduleSpec): string {
  const fields = spec.cron.trim().split(/\s+/);
  if (spec.lastDayOfMonth) fields[fields.length - 3] = 'L';
  return fields.join(' ');
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number; // 0 = Sunday
}

function localParts(instant: Date, timeZone: string): LocalParts {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday')),
  };
}

/**
 * Moves a weekend run to a workday at the same local time: to the next Monday, or to the Friday before
 * when Monday is already in the next month (so month-end reports stay in their month). Croner does the
 * time-zone arithmetic: the shifted run is the next match of a one-off pattern for that local date.
 */
function toWorkday(run: Date, timeZone: string): Date {
  const local = localParts(run, timeZone);
  if (local.weekday !== 0 && local.weekday !== 6) return run;
  const forward = local.weekday === 6 ? 2 : 1;
  const monday = new Date(Date.UTC(local.year, local.month - 1, local.day + forward));
  const target =
    monday.getUTCMonth() === local.month - 1
      ? monday
      : new Date(Date.UTC(local.year, local.month - 1, local.day - (local.weekday === 6 ? 1 : 2)));
  const pattern = `${local.second} ${local.minute} ${local.hour} ${target.getUTCDate()} ${target.getUTCMonth() + 1} *`;
  const searchFrom = new Date(target.getTime() - 2 * 86_400_000);
  return new Cron(pattern, { timezone: timeZone, paused: true }).nextRun(searchFrom) ?? run;
}

/** The next `count` run times strictly after `after`. */
export function nextRuns(spec: ScheduleSpec, count: number, after: Date): Date[] {
  const cron = new Cron(effectivePattern(spec), { timezone: spec.timeZone, paused: true });
  if (!spec.workdaysOnly) return cron.nextRuns(count, after);
  // Shifting can move a run earlier (Friday before a month end) or merge runs, so look further ahead.
  const candidates = cron.nextRuns(count * 3 + 6, new Date(after.getTime() - 4 * 86_400_000));
  const shifted = candidates.map((run) => toWorkday(run, spec.timeZone)).filter((run) => run > after);
  const unique = [...new Map(shifted.map((run) => [run.getTime(), run])).values()].sort(
    (a, b) => a.getTime() - b.getTime(),
  );
  return unique.slice(0, count);
}

/** Throws a message naming the field when croner cannot read the pattern. */
export function checkPattern(spec: ScheduleSpec): void {
  try {
    new Cron(effectivePattern(spec), { timezone: spec.timeZone, paused: true });
  } catch (error) {
    throw new Error(`schedule.cron: ${(error as Error).message}`);
  }
}
