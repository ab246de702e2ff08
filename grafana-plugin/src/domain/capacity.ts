import { MAX_DAYS_UNTIL_LIMIT } from '../constants';

/**
 * Normalises a days-until-full figure for display: negative values (already full) become 0, values
 * at or beyond the horizon become null ("not within the horizon"), non-numbers become null.
 */
export function clampDaysUntilFull(
  days: number | null | undefined,
  horizonDays = MAX_DAYS_UNTIL_LIMIT,
): number | null {
  if (days === null || days === undefined || Number.isNaN(days)) {
    return null;
  }
  if (days <= 0) {
    return 0;
  }
  if (days >= horizonDays || !Number.isFinite(days)) {
    return null;
  }
  return days;
}

/** The UTC calendar day on which a limit is reached, `days` after `now`. */
export function limitReachedOn(now: Date, days: number | null): Date | null {
  if (days === null) {
    return null;
  }
  const at = new Date(now.getTime() + days * 86400 * 1000);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}

/** "in 12 days", "today", "not within 10 years". */
export function describeDaysUntil(days: number | null, horizonDays = MAX_DAYS_UNTIL_LIMIT): string {
  if (days === null) {
    return `not within ${Math.round(horizonDays / 365)} years`;
  }
  if (days < 1) {
    return 'today';
  }
  const whole = Math.floor(days);
  return `in ${whole} day${whole === 1 ? '' : 's'}`;
}
