import { DAY, HOUR, noiseTable } from './scenario';

/** Hour of the UTC day (fractional) and day of the week (0 = Sunday). */
export const hourOfDay = (t: number) => (t % DAY) / HOUR;
export const weekday = (t: number) => new Date(t * 1000).getUTCDay();
export const isWeekend = (t: number) => weekday(t) === 0 || weekday(t) === 6;

/** Traffic over the day: quiet at night, a bump from 06:00 to 22:00; mean 1. */
export function dailyProfile(t: number): number {
  const h = hourOfDay(t);
  const bump = h > 6 && h < 22 ? Math.sin((Math.PI * (h - 6)) / 16) : 0;
  return (0.5 + bump) / (0.5 + (2 / Math.PI) * (16 / 24));
}

export interface UsageOptions {
  /** mean units per day at t0 */
  perDay: number;
  t0: number;
  growthPerMonth: number;
  seed: number;
  /** relative noise per day and per hour */
  dailyNoise?: number;
  hourlyNoise?: number;
  weekendFactor?: number;
  /** a weekly campaign: Tuesdays 10:00–16:00 times this factor */
  campaignFactor?: number;
  /** multiplied in after everything else: surges, spikes */
  events?: Array<{ from: number; to: number; factor: number }>;
}

/** A usage rate (units per second) with growth, weekday/weekend, daily profile, noise and events. */
export function usageRate(options: UsageOptions): (t: number) => number {
  const daily = noiseTable(options.seed);
  const hourly = noiseTable(options.seed + 1);
  const perMonth = Math.log(1 + options.growthPerMonth) / (30 * DAY);
  return (t) => {
    const day = Math.floor(t / DAY);
    const hour = Math.floor(t / HOUR);
    let rate = (options.perDay / DAY) * Math.exp(perMonth * (t - options.t0)) * dailyProfile(t);
    rate *= isWeekend(t) ? (options.weekendFactor ?? 0.6) : 1.1;
    rate *= 1 + (options.dailyNoise ?? 0.15) * daily(day);
    rate *= 1 + (options.hourlyNoise ?? 0.1) * hourly(hour);
    const h = hourOfDay(t);
    if (options.campaignFactor && weekday(t) === 2 && h >= 10 && h < 16) rate *= options.campaignFactor;
    for (const e of options.events ?? []) if (t >= e.from && t < e.to) rate *= e.factor;
    return rate;
  };
}

/** A count that follows exponential growth in whole units, plus step events (servers added). */
export function fleetSize(options: {
  start: number;
  t0: number;
  growthPerMonth: number;
  steps?: Array<{ from: number; to?: number; add: number }>;
}): (t: number) => number {
  const perMonth = Math.log(1 + options.growthPerMonth) / (30 * DAY);
  return (t) => {
    // Whole servers, added at 10:00 on the day the trend passes the next one.
    const day = Math.floor(t / DAY) * DAY + 10 * HOUR;
    const trendDay = t >= day ? day : day - DAY;
    let n = Math.floor(options.start * Math.exp(perMonth * (trendDay - options.t0)));
    for (const s of options.steps ?? []) if (t >= s.from && (s.to === undefined || t < s.to)) n += s.add;
    return n;
  };
}

/** Capacity used: linear growth with noise. */
export function linearFill(options: {
  from: number;
  t0: number;
  perDay: number;
  noise: number;
  seed: number;
}) {
  const noise = noiseTable(options.seed);
  return (t: number) =>
    options.from + (options.perDay * (t - options.t0)) / DAY + options.noise * noise(Math.floor(t / 300));
}

/** Capacity used: grows only in business hours (08:00–18:00 UTC), `perDay` per day on average. */
export function businessHoursFill(options: {
  from: number;
  t0: number;
  perDay: number;
  noise: number;
  seed: number;
}) {
  const noise = noiseTable(options.seed);
  const grownBy = (t: number) => {
    const days = Math.floor(t / DAY) - Math.floor(options.t0 / DAY);
    const hours =
      Math.min(Math.max(hourOfDay(t) - 8, 0), 10) - Math.min(Math.max(hourOfDay(options.t0) - 8, 0), 10);
    return (options.perDay / 10) * (days * 10 + hours);
  };
  return (t: number) => options.from + grownBy(t) + options.noise * noise(Math.floor(t / 300));
}

/**
 * Capacity used: rises from `low` to `high` over each period and is cleaned back to `low` in one hour
 * at `cleanAt` seconds into the period (daily backup rotation, weekly purge).
 */
export function fillAndClean(options: {
  low: number;
  high: number;
  period: number;
  /** the period starts at t ≡ offset (mod period) */
  offset: number;
  noise: number;
  seed: number;
}) {
  const noise = noiseTable(options.seed);
  return (t: number) => {
    const phase = (((t - options.offset) % options.period) + options.period) % options.period;
    const cleaning = HOUR;
    const level =
      phase < cleaning
        ? options.high - ((options.high - options.low) * phase) / cleaning
        : options.low + ((options.high - options.low) * (phase - cleaning)) / (options.period - cleaning);
    return level + options.noise * noise(Math.floor(t / 300));
  };
}
