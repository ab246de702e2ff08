import { BANDWIDTH_DAYS } from './scales';

/** The days the usage logs cover, and when a site has traffic on a day. */

export const DAY_MS = 86_400_000;

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** What decides whether a site has a bandwidth row for a period. */
export interface SiteLifetime {
  vpsId: number | null;
  createdAt: number;
  deletedAt: number | null;
}

/** A site has traffic while it is placed on a server, created and not yet deleted. */
export function isActiveDuring(site: SiteLifetime, start: number, end: number): boolean {
  return site.vpsId !== null && site.createdAt < end && (site.deletedAt === null || site.deletedAt > start);
}

/**
 * Today's row exists for a site created before now (at midnight too: the roll-up creates the row
 * when the day starts).
 */
export function isActiveToday(site: SiteLifetime, now: number): boolean {
  return isActiveDuring(site, startOfUtcDay(now), now + 1);
}

/** The bandwidth window: complete days today-35 … yesterday, then today's partial day. */
export function bandwidthWindow(now: number): { firstDay: number; today: number } {
  const today = startOfUtcDay(now);
  return { firstDay: today - BANDWIDTH_DAYS * DAY_MS, today };
}

/** How many bandwidth rows a site can have: its complete days in the window, and today's. */
export function bandwidthDays(site: SiteLifetime, now: number): { complete: number; today: boolean } {
  const { firstDay, today } = bandwidthWindow(now);
  let complete = 0;
  for (let day = firstDay; day < today; day += DAY_MS)
    if (isActiveDuring(site, day, day + DAY_MS)) complete++;
  return { complete, today: isActiveToday(site, now) };
}

/** The most bandwidth rows the sites can have in the window. */
export function bandwidthCapacity(
  sites: readonly SiteLifetime[],
  now: number,
): { complete: number; today: number } {
  let complete = 0;
  let todayCount = 0;
  for (const site of sites) {
    const days = bandwidthDays(site, now);
    complete += days.complete;
    if (days.today) todayCount++;
  }
  return { complete, today: todayCount };
}
