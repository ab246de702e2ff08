import { clampDaysUntilFull, limitReachedOn } from './capacity';

export type Priority = 'high' | 'medium' | 'low' | 'none';

export interface CapacitySignal {
  /** Stable key, e.g. "storage" or "host_disk node1:/data". */
  key: string;
  /** What the operator reads, e.g. "Site storage". */
  label: string;
  /** Current use of the limit, 0–1; null when unknown. */
  usedRatio: number | null;
  /** Days until the limit at the current growth; null when not growing. */
  daysUntilLimit: number | null;
}

export interface Recommendation {
  key: string;
  label: string;
  usedRatio: number | null;
  daysUntilLimit: number | null;
  limitDate: Date | null;
  priority: Priority;
  action: string;
}

/** Scale when a resource is this full, whatever its growth. */
export const SCALE_NOW_RATIO = 0.9;
export const PLAN_RATIO = 0.75;
/** Lead times: order hardware / plan a migration within these many days of the limit. */
export const SCALE_NOW_DAYS = 14;
export const PLAN_DAYS = 45;
export const REVIEW_DAYS = 90;

const PRIORITY_ORDER: Record<Priority, number> = { high: 0, medium: 1, low: 2, none: 3 };

export function recommend(signal: CapacitySignal, now: Date): Recommendation {
  const days = clampDaysUntilFull(signal.daysUntilLimit);
  const used = signal.usedRatio;
  let priority: Priority = 'none';
  let action = 'No action needed';
  if ((used !== null && used >= SCALE_NOW_RATIO) || (days !== null && days <= SCALE_NOW_DAYS)) {
    priority = 'high';
    action = 'Scale now: add capacity before the limit is reached';
  } else if ((used !== null && used >= PLAN_RATIO) || (days !== null && days <= PLAN_DAYS)) {
    priority = 'medium';
    action = 'Plan scaling this month';
  } else if (days !== null && days <= REVIEW_DAYS) {
    priority = 'low';
    action = 'Review growth next quarter';
  }
  return {
    key: signal.key,
    label: signal.label,
    usedRatio: used,
    daysUntilLimit: days,
    limitDate: limitReachedOn(now, days),
    priority,
    action,
  };
}

/** Recommendations, most urgent first (priority, then the sooner limit). */
export function scalingRecommendations(signals: CapacitySignal[], now: Date): Recommendation[] {
  return signals
    .map((s) => recommend(s, now))
    .sort(
      (a, b) =>
        PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] ||
        (a.daysUntilLimit ?? Infinity) - (b.daysUntilLimit ?? Infinity) ||
        a.key.localeCompare(b.key),
    );
}
