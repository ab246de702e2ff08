import { ThresholdsMode, type ThresholdsConfig } from '@grafana/data';

export type BudgetLevel = 'unknown' | 'ok' | 'warning' | 'critical' | 'exceeded';

export interface BudgetStatus {
  level: BudgetLevel;
  /** The highest threshold the utilisation has reached, if any. */
  crossed: number | null;
  /** The next threshold ahead, if any. */
  next: number | null;
}

/**
 * Classifies a budget utilisation ratio against the configured alert thresholds: reaching 1 (or a
 * threshold of 1 or more) is "exceeded", reaching the highest threshold below 1 is "critical", any
 * other threshold "warning".
 */
export function budgetStatus(utilisation: number | null | undefined, thresholds: number[]): BudgetStatus {
  if (utilisation === null || utilisation === undefined || !Number.isFinite(utilisation)) {
    return { level: 'unknown', crossed: null, next: null };
  }
  const sorted = [...new Set(thresholds)].filter((t) => Number.isFinite(t) && t > 0).sort((a, b) => a - b);
  const crossed = sorted.filter((t) => utilisation >= t).pop() ?? null;
  const next = sorted.find((t) => utilisation < t) ?? null;
  if (utilisation >= 1 || (crossed !== null && crossed >= 1)) {
    return { level: 'exceeded', crossed, next };
  }
  if (crossed === null) {
    return { level: 'ok', crossed, next };
  }
  const highestBelowOne = sorted.filter((t) => t < 1).pop();
  return { level: crossed === highestBelowOne ? 'critical' : 'warning', crossed, next };
}

const THRESHOLD_COLOURS = ['yellow', 'orange', 'red', 'dark-red'];

/**
 * Grafana threshold steps for a ratio panel (unit percentunit): green below the first threshold,
 * then warmer colours; a threshold of 1 or more is always red or darker.
 */
export function budgetThresholdSteps(thresholds: number[]): ThresholdsConfig {
  const sorted = [...new Set(thresholds)].filter((t) => Number.isFinite(t) && t > 0).sort((a, b) => a - b);
  const below = sorted.filter((t) => t < 1);
  const above = sorted.filter((t) => t >= 1);
  const warm = THRESHOLD_COLOURS.slice(0, 2);
  const steps = [
    { value: -Infinity, color: 'green' },
    ...below.map((value, i) => ({
      value,
      color:
        i === below.length - 1 && above.length === 0
          ? 'red'
          : (warm[Math.min(i, warm.length - 1)] ?? 'orange'),
    })),
    ...above.map((value, i) => ({ value, color: i === 0 ? 'red' : 'dark-red' })),
  ];
  return { mode: ThresholdsMode.Absolute, steps };
}
