const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIGINT = BigInt(MAX_SAFE);

/**
 * Whole non-negative sums by tenant number, exact: a number while the sum is a safe integer (no
 * bigint allocated per addition, which a report makes hundreds of thousands of), a bigint for an
 * entry that goes past 2^53 − 1. Adding non-negative numbers, a sum whose double is still at most
 * 2^53 − 1 is exact; one whose true value is past it rounds to at least 2^53, so the check is exact.
 */
export class SumColumn {
  private readonly values: Float64Array;
  /** the entries past 2^53 − 1 (NaN in `values`) */
  private readonly large = new Map<number, bigint>();

  constructor(size: number) {
    this.values = new Float64Array(size);
  }

  add(t: number, amount: bigint | number): void {
    const current = this.values[t] as number;
    const small = typeof amount === 'number' ? amount : amount <= MAX_SAFE_BIGINT ? Number(amount) : NaN;
    const next = current + small;
    if (next <= MAX_SAFE) {
      this.values[t] = next;
      return;
    }
    this.large.set(t, this.get(t) + BigInt(amount));
    this.values[t] = NaN;
  }

  /** The entry as a number, NaN past 2^53 − 1 (then `get` has it exactly). */
  at(t: number): number {
    return this.values[t] as number;
  }

  get(t: number): bigint {
    const v = this.values[t] as number;
    return v === v ? BigInt(v) : (this.large.get(t) as bigint);
  }

  /** −1, 0 or 1 as entry a is below, equal to or above entry b (exactly). */
  compare(a: number, b: number): number {
    const x = this.values[a] as number;
    const y = this.values[b] as number;
    if (x === x && y === y) return x < y ? -1 : x > y ? 1 : 0;
    const X = this.get(a);
    const Y = this.get(b);
    return X < Y ? -1 : X > Y ? 1 : 0;
  }

  /** Σ of the entries 0 … count − 1, exact. */
  sumFirst(count: number): bigint {
    return this.sumOver(count, (k) => k);
  }

  /** Σ of the entries of `members`, exact. */
  sum(members: readonly number[]): bigint {
    return this.sumOver(members.length, (k) => members[k] as number);
  }

  /** Σ of the entries entry(0) … entry(count − 1), with one bigint per overflow of the double. */
  private sumOver(count: number, entry: (k: number) => number): bigint {
    let small = 0;
    let large = 0n;
    for (let k = 0; k < count; k++) {
      const t = entry(k);
      const v = this.values[t] as number;
      const next = small + v;
      if (next <= MAX_SAFE) small = next;
      else if (v === v) {
        large += BigInt(small);
        small = v;
      } else large += this.get(t);
    }
    return large + BigInt(small);
  }
}
