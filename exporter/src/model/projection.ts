import type { Config } from '../config/schema';
import { monthClock } from './calendar';
import type { DailyUsage } from './daily-usage';
import { toCents } from './money';
import { egressCost, emailPrice } from './pricing';
import type { CostReport } from './report';

/**
 * The exporter's own month-end cost projection, from what it reads in the database rather than from
 * Prometheus' history (so a fresh install has one from its first collection):
 * - what exists (servers, storage, database, fixed items) costs its run-rate for the rest of the
 *   calendar month, on top of what it accrued so far;
 * - usage (egress, e-mail) is priced on the month's projected total: month-to-date plus, for each day
 *   left (the rest of today included, pro rata), the mean of the same weekday over the last four
 *   completed weeks of the daily history (weekday seasonality; a campaign every Tuesday counts on
 *   Tuesdays). Without a completed day of that weekday, the mean of all completed days.
 * It is an estimate (doubles for usage, rounded to cents at the end), not a figure that reconciles.
 */

const DAY_MS = 86_400_000;
/** completed days of the same weekday averaged per weekday */
const WEEKS = 4;

/** The expected usage of one day of each weekday (0 = Sunday) from the completed days of `values`. */
export function weekdayMeans(days: readonly string[], values: readonly number[]): number[] {
  const byWeekday: number[][] = Array.from({ length: 7 }, () => []);
  const completed: number[] = [];
  // the last day is today (partial): left out; newest first, so the last WEEKS of each weekday count
  for (let i = days.length - 2; i >= 0; i--) {
    const weekday = new Date(`${days[i]}T00:00:00Z`).getUTCDay();
    const list = byWeekday[weekday] as number[];
    if (list.length < WEEKS) list.push(values[i] ?? 0);
    completed.push(values[i] ?? 0);
  }
  const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
  const overall = completed.length > 0 ? mean(completed) : 0;
  return byWeekday.map((list) => (list.length > 0 ? mean(list) : overall));
}

/** Usage expected from `now` to the end of the month: the rest of today pro rata, then whole days. */
export function expectedRestOfMonth(days: readonly string[], values: readonly number[], now: Date): number {
  const means = weekdayMeans(days, values);
  const { nextMonthStart } = monthClock(now);
  const todayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  let rest =
    (means[new Date(todayStart).getUTCDay()] as number) * ((todayStart + DAY_MS - now.getTime()) / DAY_MS);
  for (let day = todayStart + DAY_MS; day < nextMonthStart.getTime(); day += DAY_MS)
    rest += means[new Date(day).getUTCDay()] as number;
  return rest;
}

const USAGE_TYPES = new Set(['bandwidth', 'email']);

/** Projected cost of the whole calendar month, in cents per category. */
export function monthEndProjectionCents(
  report: CostReport,
  daily: DailyUsage,
  config: Config,
  now: Date,
): Map<string, bigint> {
  const clock = monthClock(now);
  const left = 1 - clock.elapsedSeconds / clock.monthSeconds;
  const projected = new Map<string, number>();
  const add = (category: string, cents: number) =>
    projected.set(category, (projected.get(category) ?? 0) + cents);
  for (const [category, cents] of report.monthToDateCents) add(category, Number(cents));
  for (const line of report.runRate)
    if (!USAGE_TYPES.has(line.resourceType)) add(line.category, Number(line.cents) * left);

  // usage: the month-to-date usage cost is replaced by the cost of the projected month total
  const egressSoFar = report.usage.egressMonthToDateBytes;
  const egressRest = BigInt(Math.round(expectedRestOfMonth(daily.days, daily.egressBytes, now)));
  add(
    'network',
    Number(toCents(egressCost(egressSoFar + egressRest, config)) - toCents(egressCost(egressSoFar, config))),
  );
  const price = emailPrice(config);
  for (const e of report.usage.emails) {
    const rest = BigInt(Math.round(expectedRestOfMonth(daily.days, daily.emails[e.type] ?? [], now)));
    add('email', Number(toCents(rest * price(e.type))));
  }
  return new Map([...projected].map(([category, cents]) => [category, BigInt(Math.round(cents))]));
}
