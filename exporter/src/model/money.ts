import { Decimal, ZERO } from '../decimal';

/** An exact amount rounded to whole cents (half up); never negative. */
export function toCents(amount: Decimal): Decimal {
  const cents = amount.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
  return cents.isNegative() ? ZERO : cents;
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}

/** Adds `amount` to `map[key]`. */
export function addTo(map: Map<string, Decimal>, key: string, amount: Decimal): void {
  const current = map.get(key);
  map.set(key, current ? current.plus(amount) : amount);
}

/**
 * Splits `totalCents` (a whole number) into whole cents proportionally to `weights`, with the
 * largest-remainder method: every share is the floor of its exact quota, and the cents left over go
 * to the largest remainders (ties: smaller key first). The shares always add up to `totalCents`
 * exactly. Keys with a zero weight get zero; when every weight is zero the whole amount goes to
 * `fallbackKey`.
 */
export function apportionCents(
  totalCents: Decimal,
  weights: ReadonlyMap<string, Decimal>,
  fallbackKey: string,
): Map<string, Decimal> {
  const shares = new Map<string, Decimal>();
  let weightSum = ZERO;
  for (const [key, w] of weights) {
    shares.set(key, ZERO);
    if (w.isPositive() && !w.isZero()) weightSum = weightSum.plus(w);
  }
  if (totalCents.isZero()) return shares;
  if (weightSum.isZero()) {
    shares.set(fallbackKey, totalCents);
    return shares;
  }
  // remainders lie in [0, 1): as doubles they order correctly down to ~1e-16, ties go by key
  const remainders: { key: string; remainder: number }[] = [];
  let given = ZERO;
  const perWeight = totalCents.dividedBy(weightSum);
  for (const [key, w] of weights) {
    if (!w.isPositive() || w.isZero()) continue;
    const quota = w.times(perWeight);
    const floor = quota.floor();
    shares.set(key, floor);
    given = given.plus(floor);
    remainders.push({ key, remainder: quota.minus(floor).toNumber() });
  }
  let left = totalCents.minus(given).toNumber();
  if (left > 0) {
    remainders.sort((a, b) => b.remainder - a.remainder || compareIds(a.key, b.key));
    for (const { key } of remainders) {
      if (left <= 0) break;
      shares.set(key, (shares.get(key) ?? ZERO).plus(1));
      left--;
    }
  }
  return shares;
}

/** Orders numeric IDs numerically, anything else after them by text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
