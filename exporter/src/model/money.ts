import { exactDecimal, type ExactDecimal } from '../decimal';

/**
 * Exact money as integers. An amount is a bigint count of money units; one currency unit is
 * MONEY_SCALE units: 10^30 × 2^30. The 2^30 makes a price per GiB a whole number of units per byte,
 * the 10^30 holds every decimal a config price, factor or per-1,000 rate can carry, so that usage ×
 * price is exact with no division. True divisions (a shared server's split, an elapsed share of the
 * month) are done once, on totals, as exact fractions rounded to the cent at the end; only the
 * weights of a split are rounded down to a unit (about 1e-39 of a currency unit).
 */
export type Money = bigint;

export const MONEY_DECIMALS = 30;
export const GIB_BYTES = 2n ** 30n;
export const MONEY_SCALE: Money = 10n ** BigInt(MONEY_DECIMALS) * GIB_BYTES;
const CENT: Money = MONEY_SCALE / 100n;

/**
 * A decimal amount (config number, DECIMAL column) in money units. Digits past the 30th decimal
 * (only a computed config number has them) are rounded half up.
 */
export function money(value: number | string | ExactDecimal): Money {
  const { digits, scale } = typeof value === 'object' ? value : exactDecimal(value);
  const units = digits * GIB_BYTES;
  if (scale <= MONEY_DECIMALS) return units * 10n ** BigInt(MONEY_DECIMALS - scale);
  const divisor = 10n ** BigInt(scale - MONEY_DECIMALS);
  return roundHalfUp(units, divisor);
}

/** n / d rounded half up, for n ≥ 0 and d > 0. */
export function roundHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/** An exact amount rounded to whole cents (half up); never negative. */
export function toCents(amount: Money): bigint {
  return amount <= 0n ? 0n : roundHalfUp(amount, CENT);
}

/** (numerator / denominator) money units rounded half up to whole cents; never negative. */
export function fractionToCents(numerator: bigint, denominator: bigint): bigint {
  return numerator <= 0n ? 0n : roundHalfUp(numerator, denominator * CENT);
}

export function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** Adds `amount` to `map[key]`. */
export function addTo(map: Map<string, bigint>, key: string, amount: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + amount);
}

/** Orders numeric IDs numerically, anything else after them by text. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length && /^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length;
  return compareText(a, b);
}

/** Orders strings by their UTF-16 code units (as `<` does). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whole cents as currency units, the nearest double (for the exposition). */
export function centsToUnits(cents: bigint): number {
  if (cents <= 9_007_199_254_740_991n && cents >= -9_007_199_254_740_991n) return Number(cents) / 100;
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return Number(`${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`);
}
