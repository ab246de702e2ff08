export interface Point {
  /** Unix time in seconds. */
  time: number;
  value: number;
}

export interface LinearFit {
  /** Change per second. */
  slope: number;
  /** Value at time 0. */
  intercept: number;
}

const SECONDS_PER_DAY = 86400;

/** Least-squares line through the finite points; null with fewer than two distinct times. */
export function linearFit(points: Point[]): LinearFit | null {
  const usable = points.filter((p) => Number.isFinite(p.time) && Number.isFinite(p.value));
  if (usable.length < 2) {
    return null;
  }
  // Centre on the first time so that large Unix timestamps do not cost precision.
  const origin = usable[0]!.time;
  const n = usable.length;
  const meanT = usable.reduce((s, p) => s + (p.time - origin), 0) / n;
  const meanV = usable.reduce((s, p) => s + p.value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of usable) {
    const dt = p.time - origin - meanT;
    covariance += dt * (p.value - meanV);
    variance += dt * dt;
  }
  if (variance === 0) {
    return null;
  }
  const slope = covariance / variance;
  return { slope, intercept: meanV - slope * (meanT + origin) };
}

/** The fitted value at a time (seconds); null when no line can be fitted. */
export function forecastAt(points: Point[], time: number): number | null {
  const fit = linearFit(points);
  return fit ? fit.intercept + fit.slope * time : null;
}

/** Fitted values `days` ahead of `now` (seconds), for each horizon. */
export function forecastHorizons(
  points: Point[],
  now: number,
  days: number[] = [30, 60, 90],
): Array<{ days: number; value: number | null }> {
  return days.map((d) => ({ days: d, value: forecastAt(points, now + d * SECONDS_PER_DAY) }));
}

/**
 * Days from `now` until the fitted line reaches `limit`: 0 when already there, null when the series
 * is not growing towards it (or cannot be fitted).
 */
export function daysUntilLimit(points: Point[], limit: number, now: number): number | null {
  const fit = linearFit(points);
  if (!fit) {
    return null;
  }
  const current = fit.intercept + fit.slope * now;
  if (current >= limit) {
    return 0;
  }
  if (fit.slope <= 0) {
    return null;
  }
  return (limit - current) / fit.slope / SECONDS_PER_DAY;
}
