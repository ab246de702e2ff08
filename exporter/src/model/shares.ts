import { compareIds } from './money';
import { selectFirst } from './select';
import { UNALLOCATED } from './snapshot';

/**
 * Sets `column[index]`, filling any gap with undefined first: an array written far past its end
 * would turn into a slow dictionary, while tenants are numbered as they appear, in any order.
 */
export function setAt<T>(column: (T | undefined)[], index: number, value: T): void {
  while (column.length < index) column.push(undefined);
  column[index] = value;
}

/**
 * Amounts (or weights) by party: the tenants by their number, and the unallocated party. A party
 * is present once something, even 0, was added for it.
 */
export class Shares {
  readonly byTenant: (bigint | undefined)[] = [];
  unallocated: bigint | undefined;

  add(tenant: number, amount: bigint): void {
    const current = this.byTenant[tenant];
    setAt(this.byTenant, tenant, current === undefined ? amount : current + amount);
  }

  addUnallocated(amount: bigint): void {
    this.unallocated = this.unallocated === undefined ? amount : this.unallocated + amount;
  }

  addAll(other: Shares): void {
    other.byTenant.forEach((amount, tenant) => {
      if (amount !== undefined) this.add(tenant, amount);
    });
    if (other.unallocated !== undefined) this.addUnallocated(other.unallocated);
  }

  /** Σ of the positive amounts. */
  positiveSum(): bigint {
    let total = this.unallocated !== undefined && this.unallocated > 0n ? this.unallocated : 0n;
    for (const w of this.byTenant) if (w !== undefined && w > 0n) total += w;
    return total;
  }

  /**
   * Adds `amount` split by these weights (each share rounded down to a unit: the split only weighs
   * the cent apportionment) to `target`; with no positive weight, all of it to the unallocated party.
   */
  splitInto(target: Shares, amount: bigint): void {
    if (amount === 0n) return;
    const total = this.positiveSum();
    if (total === 0n) {
      target.addUnallocated(amount);
      return;
    }
    if (this.unallocated !== undefined && this.unallocated > 0n)
      target.addUnallocated((amount * this.unallocated) / total);
    this.byTenant.forEach((w, tenant) => {
      if (w !== undefined && w > 0n) target.add(tenant, (amount * w) / total);
    });
  }
}

/** Whole cents of one category by party. */
export interface Apportioned {
  byTenant: (bigint | undefined)[];
  unallocated: bigint;
}

/**
 * Splits `totalCents` (a whole number) into whole cents proportionally to `weights`, with the
 * largest-remainder method: every party gets the floor of its exact quota, and the cents left over go
 * to the largest remainders (ties: smaller ID first, the unallocated party's ID being ''). Quotas and
 * remainders are exact integers over the common denominator Σ weights, so the order is exact too.
 * The shares always add up to `totalCents`. Present parties with a zero weight get 0; when no weight
 * is positive, the whole amount is unallocated.
 */
export function apportion(totalCents: bigint, weights: Shares, ids: readonly string[]): Apportioned {
  const byTenant: (bigint | undefined)[] = weights.byTenant.map((w) => (w === undefined ? undefined : 0n));
  const unallocated = apportionEach(totalCents, weights, ids, (tenant, cents) => {
    byTenant[tenant] = BigInt(cents);
  });
  return { byTenant, unallocated };
}

/**
 * apportion() handing each present tenant's cents (a number while it is a safe integer) to `each`
 * instead of building an array of bigints; returns the unallocated party's cents.
 */
export function apportionEach(
  totalCents: bigint,
  weights: Shares,
  ids: readonly string[],
  each: (tenant: number, cents: number | bigint) => void,
): bigint {
  const weightSum = weights.positiveSum();
  // the parties with a positive weight: tenant numbers, −1 for the unallocated party
  const parties: number[] = [];
  const partyWeights: bigint[] = [];
  const u = weights.unallocated;
  if (u !== undefined && u > 0n) {
    parties.push(-1);
    partyWeights.push(u);
  }
  weights.byTenant.forEach((w, tenant) => {
    if (w === undefined) return;
    if (w <= 0n || totalCents === 0n || weightSum === 0n) each(tenant, 0);
    else {
      parties.push(tenant);
      partyWeights.push(w);
    }
  });
  if (totalCents === 0n || weightSum === 0n) return totalCents;
  const id = (p: number) => {
    const party = parties[p] as number;
    return party < 0 ? UNALLOCATED : (ids[party] as string);
  };
  const split = new LargestRemainder(totalCents, partyWeights, weightSum, (a, b) => compareIds(id(a), id(b)));
  let unallocated = 0n;
  parties.forEach((party, p) => {
    const cents = split.cents(p);
    if (party < 0) unallocated = BigInt(cents);
    else each(party, cents);
  });
  return unallocated;
}

/** Up to this many cents, the quotas are estimated in doubles first (see LargestRemainder). */
const ESTIMATED_CENTS_LIMIT = 2n ** 40n;
/** Up to this Σ weights, a weight converts to a finite double with no loss of range. */
const ESTIMATED_WEIGHT_LIMIT = 2n ** 1000n;

/**
 * The largest-remainder split of `totalCents` over parties 0 … n − 1 by exact `weights` (all > 0,
 * summing to `weightSum`); `compareParties` breaks ties of equal remainders.
 *
 * Exact integer arithmetic on every party costs several bigint operations each, and a report
 * splits every category over every tenant. So each quota x = total × w / Σw is first estimated in
 * doubles: the estimate is within E = total × 2^−50 of the exact quota (four roundings of at most
 * 2^−53 each, relative to a quota of at most `total`). Whenever that is not enough to decide, the
 * exact integers decide:
 * - the floor of a quota is the estimate's unless the estimate is within E of a whole number;
 * - with k* the estimated remainder of the `left`-th largest, a party whose estimated remainder is
 *   above k* + 2E is among the largest `left` for sure, one below k* − 2E is not, and the few within
 *   2E of k* are ordered by their exact remainders (and the tie rule).
 * The result is the exact method's, cent for cent.
 */
class LargestRemainder {
  /** each party's floor: a number when estimated (at most ESTIMATED_CENTS_LIMIT), else exact */
  private readonly floors: Float64Array;
  private readonly exactFloors: bigint[] = [];
  private readonly extra: Uint8Array;

  constructor(
    private readonly totalCents: bigint,
    private readonly weights: readonly bigint[],
    private readonly weightSum: bigint,
    private readonly compareParties: (a: number, b: number) => number,
  ) {
    this.floors = new Float64Array(weights.length);
    this.extra = new Uint8Array(weights.length);
    if (totalCents <= ESTIMATED_CENTS_LIMIT && weightSum < ESTIMATED_WEIGHT_LIMIT) this.estimate();
    else this.exact();
  }

  /** A party's cents: a number when estimated (then at most ESTIMATED_CENTS_LIMIT). */
  cents(party: number): number | bigint {
    const extra = this.extra[party] as number;
    const floor = this.exactFloors[party];
    if (floor !== undefined) return floor + BigInt(extra);
    return (this.floors[party] as number) + extra;
  }

  /** The exact floor and remainder (over Σ weights) of a party's quota. */
  private quota(party: number): { floor: bigint; remainder: bigint } {
    const quota = this.totalCents * (this.weights[party] as bigint);
    const floor = quota / this.weightSum;
    return { floor, remainder: quota - floor * this.weightSum };
  }

  private exact(): void {
    const remainders: { party: number; remainder: bigint }[] = [];
    let given = 0n;
    for (let p = 0; p < this.weights.length; p++) {
      const { floor, remainder } = this.quota(p);
      this.exactFloors[p] = floor;
      given += floor;
      if (remainder > 0n) remainders.push({ party: p, remainder });
    }
    // fewer cents are left than there are non-zero remainders (each is below one cent)
    this.giveOneEach(remainders, Number(this.totalCents - given));
  }

  private estimate(): void {
    const n = this.weights.length;
    const total = Number(this.totalCents);
    const sum = Number(this.weightSum);
    const error = total * 2 ** -50;
    // estimated remainders (as fractions of a cent); NaN: none (an exact whole quota)
    const fractions = new Float64Array(n);
    const exactRemainders = new Map<number, bigint>();
    let given = 0;
    for (let p = 0; p < n; p++) {
      const x = total * (Number(this.weights[p] as bigint) / sum);
      const floor = Math.floor(x);
      if (x - floor > error && floor + 1 - x > error) {
        this.floors[p] = floor;
        fractions[p] = x - floor;
      } else {
        const { floor: exactFloor, remainder } = this.quota(p);
        this.floors[p] = Number(exactFloor);
        exactRemainders.set(p, remainder);
        fractions[p] = remainder === 0n ? NaN : Number(remainder) / sum;
      }
      given += this.floors[p] as number;
    }
    const left = total - given;
    if (left === 0) return;
    const candidates = fractions.filter((f) => f === f).sort();
    const threshold = candidates[candidates.length - left] as number;
    const band: { party: number; remainder: bigint }[] = [];
    let sure = 0;
    for (let p = 0; p < n; p++) {
      const f = fractions[p] as number;
      if (f > threshold + 2 * error) {
        this.extra[p] = 1;
        sure++;
      } else if (f >= threshold - 2 * error) {
        band.push({ party: p, remainder: exactRemainders.get(p) ?? this.quota(p).remainder });
      }
    }
    this.giveOneEach(band, left - sure);
  }

  /** One more cent to each of the `count` parties with the largest remainders (ties: compareParties). */
  private giveOneEach(remainders: { party: number; remainder: bigint }[], count: number): void {
    const largestFirst = (a: (typeof remainders)[number], b: (typeof remainders)[number]) =>
      a.remainder < b.remainder ? 1 : a.remainder > b.remainder ? -1 : this.compareParties(a.party, b.party);
    for (const { party } of selectFirst(remainders, count, largestFirst).first) this.extra[party] = 1;
  }
}
