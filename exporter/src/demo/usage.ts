import type { Dataset } from './dataset';
import { PLAN_PROFILES } from './catalog';
import { Random, WeightedIndex } from './random';
import { BANDWIDTH_DAYS, EMAIL_DAYS } from './scales';
import {
  DAY_MS,
  bandwidthCapacity,
  bandwidthWindow,
  isActiveDuring,
  isActiveToday,
  isoDay,
  startOfUtcDay,
} from './window';

/**
 * The usage logs of a data set, generated lazily row by row (deterministic like the data set):
 * one site_bandwidth_daily row per (site, day) while the site exists and is placed on a server, and
 * one email_logs row per message, with weekday/weekend patterns and growth.
 */

export interface BandwidthRow {
  siteId: number;
  /** 'YYYY-MM-DD' (UTC). */
  day: string;
  bytesIn: number;
  bytesOut: number;
}

export interface EmailRow {
  id: number;
  teamId: number;
  type: 'transactional' | 'marketing';
  sentAt: number;
}

/** Relative web traffic by UTC weekday (0 = Sunday). */
const TRAFFIC_BY_WEEKDAY = [0.55, 1.0, 1.05, 1.05, 1.0, 0.9, 0.6];
/** Relative e-mail volume by UTC weekday (0 = Sunday). */
const EMAIL_BY_WEEKDAY = [0.35, 1.05, 1.0, 1.0, 1.0, 0.9, 0.4];
/** Relative e-mail volume by UTC hour: office hours in Europe. */
const EMAIL_BY_HOUR = [
  0.2, 0.15, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.4, 1.6, 1.6, 1.5, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2, 1.0, 0.9, 0.8,
  0.6, 0.4, 0.3,
];

/**
 * Bandwidth rows: every complete day of the last 35 (today-35 … yesterday) for every site that
 * existed that day, plus today's partial row for as many sites as it takes to reach the scale's
 * row count (today's roll-up has reached those sites so far). Rows come in (site_id, day) order.
 */
export function* bandwidthRows(dataset: Dataset): Generator<BandwidthRow> {
  const random = Random.stream(dataset.options.seed, 'bandwidth');
  const { firstDay, today } = bandwidthWindow(dataset.now);
  const elapsedToday = (dataset.now - today) / DAY_MS;
  const capacity = bandwidthCapacity(dataset.sites, dataset.now);
  const pastRows = capacity.complete;
  let todayNeeded = Math.max(0, dataset.scale.bandwidthRows - pastRows);
  let todayLeft = capacity.today;
  let emitted = 0;
  const limit = dataset.scale.bandwidthRows;
  const planOf = new Map(dataset.teams.map((t) => [t.id, t.plan]));

  // Per-day values computed once: the day as text, its weekday factor, how far into the window it is.
  const pastDays: { start: number; iso: string; weekday: number; progress: number }[] = [];
  for (let day = firstDay; day <= today; day += DAY_MS) {
    pastDays.push({
      start: day,
      iso: isoDay(day),
      weekday: TRAFFIC_BY_WEEKDAY[new Date(day).getUTCDay()] ?? 1,
      progress: (day - firstDay) / (BANDWIDTH_DAYS * DAY_MS),
    });
  }
  const todayInfo = pastDays.pop();
  if (todayInfo === undefined) return;

  for (const site of dataset.sites) {
    if (emitted >= limit) return;
    const plan = planOf.get(site.teamId) ?? 'starter';
    // Per-site profile: weekday egress, growth over the window, a rare one-day spike.
    const base = Math.min(200 * 2 ** 30, random.logNormal(PLAN_PROFILES[plan].egressMedianBytes, 1.2));
    const growth = Math.max(-0.3, Math.min(0.8, 0.12 + 0.15 * random.normal()));
    const status = site.status === 'suspended' ? 0.02 : 1;
    const spikeDay = random.chance(0.003) ? today - random.int(1, 3) * DAY_MS : -1;
    const inShare = 0.04 + 0.12 * random.next();
    const row = (day: (typeof pastDays)[number], partOfDay: number): BandwidthRow => {
      const spike = day.start === spikeDay ? 6 + 6 * random.next() : 1;
      const noise = random.logNormal(1, 0.15);
      const bytesOut = Math.round(
        base * (1 + growth * day.progress) * day.weekday * status * spike * noise * partOfDay,
      );
      return { siteId: site.id, day: day.iso, bytesIn: Math.round(bytesOut * inShare), bytesOut };
    };
    for (const day of pastDays) {
      if (emitted >= limit) break;
      if (!isActiveDuring(site, day.start, day.start + DAY_MS)) continue;
      emitted++;
      yield row(day, 1);
    }
    if (isActiveToday(site, dataset.now)) {
      // Selection sampling: exactly todayNeeded of the candidates, spread over the sites.
      if (random.next() * todayLeft < todayNeeded && emitted < limit) {
        todayNeeded--;
        emitted++;
        yield row(todayInfo, elapsedToday);
      }
      todayLeft--;
    }
  }
}

/**
 * E-mail rows over the last 40 days (today up to now included): the scale's row count spread over
 * the days by weekday pattern and growth, each message from a tenant drawn by its e-mail volume
 * (only tenants that existed at that moment), typed by the tenant's marketing share.
 */
export function* emailRows(dataset: Dataset): Generator<EmailRow> {
  const random = Random.stream(dataset.options.seed, 'email');
  const today = startOfUtcDay(dataset.now);
  const firstDay = today - (EMAIL_DAYS - 1) * DAY_MS;
  const days: number[] = [];
  for (let day = firstDay; day <= today; day += DAY_MS) days.push(day);
  const weights = days.map((day, i) => {
    const weekday = EMAIL_BY_WEEKDAY[new Date(day).getUTCDay()] ?? 1;
    const partOfDay = day === today ? (dataset.now - today) / DAY_MS : 1;
    return weekday * (1 + 0.006 * i) * partOfDay;
  });
  const perDay = splitByWeight(dataset.scale.emailRows, weights);
  const teamIndex = new WeightedIndex(dataset.teamProfiles.map((p) => p.emailWeight));
  const hourIndex = new WeightedIndex(EMAIL_BY_HOUR);
  const fallback = dataset.teams[0];
  if (teamIndex.total === 0 || fallback === undefined) return;

  let id = 0;
  for (let d = 0; d < days.length; d++) {
    const day = days[d] as number;
    const count = perDay[d] ?? 0;
    for (let n = 0; n < count; n++) {
      const sentAt =
        day === today
          ? day + Math.floor(random.next() * (dataset.now - today))
          : day + hourIndex.pick(random) * 3_600_000 + Math.floor(random.next() * 3_600_000);
      const sentAtSecond = Math.floor(sentAt / 1000) * 1000;
      // A tenant that did not exist yet cannot send: draw again, a few times at most.
      let index = teamIndex.pick(random);
      for (let tries = 0; tries < 8 && (dataset.teams[index]?.createdAt ?? 0) > sentAtSecond; tries++) {
        index = teamIndex.pick(random);
      }
      if ((dataset.teams[index]?.createdAt ?? 0) > sentAtSecond) index = 0;
      const profile = dataset.teamProfiles[index];
      const marketing = profile !== undefined && random.next() < profile.marketingShare;
      id++;
      yield {
        id,
        teamId: dataset.teams[index]?.id ?? fallback.id,
        type: marketing ? 'marketing' : 'transactional',
        sentAt: sentAtSecond,
      };
    }
  }
}

/** Splits `total` into integers proportional to `weights` that add up to exactly `total`. */
export function splitByWeight(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (sum <= 0) return weights.map(() => 0);
  const counts: number[] = [];
  let cumulative = 0;
  let assigned = 0;
  for (const weight of weights) {
    cumulative += weight;
    const upTo = Math.round((total * cumulative) / sum);
    counts.push(upTo - assigned);
    assigned = upTo;
  }
  return counts;
}
