/** The calendar month (UTC) around an instant. */
export interface MonthClock {
  now: Date;
  monthStart: Date;
  nextMonthStart: Date;
  /** seconds in this calendar month (28–31 days) */
  monthSeconds: number;
  /** seconds since the 1st, 00:00 UTC */
  elapsedSeconds: number;
}

export function monthClock(now: Date): MonthClock {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const nextMonthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return {
    now,
    monthStart,
    nextMonthStart,
    monthSeconds: (nextMonthStart.getTime() - monthStart.getTime()) / 1000,
    elapsedSeconds: (now.getTime() - monthStart.getTime()) / 1000,
  };
}

/** A row is deleted when its deleted_at is at or before now; a future deleted_at is not deleted yet. */
export function isDeleted(deletedAt: Date | null, now: Date): boolean {
  return deletedAt !== null && deletedAt.getTime() <= now.getTime();
}

/** Seconds of [from, to) that fall inside this month up to now. */
export function secondsThisMonth(from: Date | null, to: Date | null, clock: MonthClock): number {
  const start = Math.max(from?.getTime() ?? -Infinity, clock.monthStart.getTime());
  const end = Math.min(to?.getTime() ?? Infinity, clock.now.getTime());
  return end > start ? (end - start) / 1000 : 0;
}
