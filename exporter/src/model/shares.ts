import { compareIds } from './money';
import { selectFirst } from './select';
import { UNALLOCATED } from './snapshot';

/**
 * The tenants of one report, numbered in order of appearance, so that the hot loops add to arrays
 * instead of maps keyed by ID.
 */
export class TenantIndex {
  readonly ids: string[] = [];
  private readonly numbers = new Map<string, number>();
  /** small decimal IDs (the usual auto-increment keys): tenant number + 1 by ID, 0 for none */
  private small = new Int32Array(1024);

  of(tenantId: string): number {
    const id = smallId(tenantId);
    if (id >= 0) {
      if (id >= this.small.length) this.grow(id);
      const n = (this.small[id] as number) - 1;
      if (n >= 0) return n;
      this.small[id] = this.ids.length + 1;
      this.ids.push(tenantId);
      return this.ids.length - 1;
    }
    let n = this.numbers.get(tenantId);
    if (n === undefined) {
      n = this.ids.length;
      this.ids.push(tenantId);
      this.numbers.set(tenantId, n);
    }
    return n;
  }

  private grow(id: number): void {
    let size = this.small.length;
    while (size <= id) size *= 2;
    const larger = new Int32Array(size);
    larger.set(this.small);
    this.small = larger;
  }
}

/** Below this, a decimal ID is looked up in an array (at most 16 MB), above it in a map. */
const SMALL_ID_LIMIT = 1 << 22;

/** The ID as a number when it is a canonical decimal below SMALL_ID_LIMIT (digits only), else −1. */
function smallId(tenantId: string): number {
  const length = tenantId.length;
  if (length === 0 || length > 7 || (length > 1 && tenantId.charCodeAt(0) === 48)) return -1;
  let n = 0;
  for (let i = 0; i < length; i++) {
    const digit = tenantId.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n < SMALL_ID_LIMIT ? n : -1;
}

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
  const weightSum = weights.positiveSum();
  if (totalCents === 0n || weightSum === 0n) return { byTenant, unallocated: totalCents };
  const remainders: { tenant: number; remainder: bigint }[] = [];
  let given = 0n;
  let unallocated = 0n;
  const u = weights.unallocated;
  if (u !== undefined && u > 0n) {
    const quota = totalCents * u;
    unallocated = quota / weightSum;
    given += unallocated;
    const remainder = quota - unallocated * weightSum;
    if (remainder > 0n) remainders.push({ tenant: -1, remainder });
  }
  weights.byTenant.forEach((w, tenant) => {
    if (w === undefined || w <= 0n) return;
    const quota = totalCents * w;
    const floor = quota / weightSum;
    byTenant[tenant] = floor;
    given += floor;
    const remainder = quota - floor * weightSum;
    if (remainder > 0n) remainders.push({ tenant, remainder });
  });
  // fewer cents are left than there are non-zero remainders (each is below one cent)
  const left = Number(totalCents - given);
  const id = (tenant: number) => (tenant < 0 ? UNALLOCATED : (ids[tenant] as string));
  const largestFirst = (a: (typeof remainders)[number], b: (typeof remainders)[number]) =>
    a.remainder < b.remainder ? 1 : a.remainder > b.remainder ? -1 : compareIds(id(a.tenant), id(b.tenant));
  for (const { tenant } of selectFirst(remainders, left, largestFirst).first) {
    if (tenant < 0) unallocated += 1n;
    else byTenant[tenant] = (byTenant[tenant] ?? 0n) + 1n;
  }
  return { byTenant, unallocated };
}
