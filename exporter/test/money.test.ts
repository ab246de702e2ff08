import {
  apportion,
  centsToUnits,
  egressCost,
  fractionToCents,
  money,
  MONEY_SCALE,
  Shares,
  toCents,
} from '../src/model';
import { selectFirst } from '../src/model/select';
import { SumColumn } from '../src/model/sum-column';
import { config } from './support/fixtures';
import { prng } from './support/random-usage';

describe('integer money', () => {
  test('config numbers are the decimals they are written as', () => {
    expect(money(0.1) * 10n).toBe(MONEY_SCALE);
    expect(money(0.1) + money(0.2)).toBe(money(0.3)); // no binary floating point
    expect(money(1e-7) * 10_000_000n).toBe(MONEY_SCALE);
  });

  test('rounding to the cent is half up, never negative', () => {
    expect(toCents(money('0.005'))).toBe(1n);
    expect(toCents(money('0.00499999999999999999999999999'))).toBe(0n);
    expect(toCents(money('12.345'))).toBe(1235n);
    expect(toCents(-money(1))).toBe(0n);
    // 20 a month for half an hour of a 744-hour month: 0.01344… → 0.01
    expect(fractionToCents(money(20) * 1_800_000n, 744n * 3_600_000n)).toBe(1n);
    expect(centsToUnits(1235n)).toBe(12.35);
    expect(centsToUnits(2n ** 64n)).toBe(Number('184467440737095516.16'));
  });

  test('egress: billable bytes above a fractional allowance, exact', () => {
    const cfg = config({ pricing: { bandwidth: { egress_gib: 0.01, included_gib_month: 0.5 } } });
    expect(egressCost(2n ** 29n, cfg)).toBe(0n);
    expect(egressCost(2n ** 31n, cfg)).toBe(money('0.015'));
    // 2^64−1 bytes stay exact: no overflow
    expect(toCents(egressCost(2n ** 64n - 1n, cfg))).toBe(17179869183n);
  });
});

describe('largest-remainder apportionment', () => {
  const shares = (weights: Record<number, bigint>, unallocated?: bigint) => {
    const s = new Shares();
    for (const [t, w] of Object.entries(weights)) s.add(Number(t), w);
    if (unallocated !== undefined) s.addUnallocated(unallocated);
    return s;
  };

  test('the cents add up; equal remainders go to the lower ID, the unallocated party first', () => {
    const ids = ['10', '9', '2'];
    const a = apportion(100n, shares({ 0: 1n, 1: 1n, 2: 1n }), ids);
    expect(a.byTenant).toEqual([33n, 33n, 34n]); // tenant '2' is the lowest ID
    const b = apportion(100n, shares({ 0: 1n, 1: 1n }, 1n), ids);
    expect(b).toEqual({ byTenant: [33n, 33n], unallocated: 34n });
  });

  test('no positive weight: everything unallocated, present parties at 0', () => {
    expect(apportion(5n, shares({ 0: 0n }), ['1'])).toEqual({ byTenant: [0n], unallocated: 5n });
  });

  test('remainders that differ past 2^-100 of a cent are ordered exactly', () => {
    const big = 2n ** 200n;
    const a = apportion(1n, shares({ 0: big, 1: big + 1n }), ['1', '2']);
    expect(a.byTenant).toEqual([0n, 1n]);
  });
});

describe('selectFirst', () => {
  test('equals sorting and slicing, for random arrays and every k', () => {
    const random = prng(3);
    for (let round = 0; round < 200; round++) {
      const items = Array.from({ length: Math.floor(random() * 60) }, () => Math.floor(random() * 20));
      const withIndex = items.map((v, i) => ({ v, i }));
      const compare = (a: { v: number; i: number }, b: { v: number; i: number }) => b.v - a.v || a.i - b.i;
      const k = Math.floor(random() * (items.length + 2));
      const sorted = [...withIndex].sort(compare);
      const { first, rest } = selectFirst(withIndex, k, compare);
      expect(first).toEqual(sorted.slice(0, k));
      expect([...rest].sort(compare)).toEqual(sorted.slice(k));
    }
  });
});

describe('SumColumn: exact sums by entry', () => {
  test('entries, their totals and partial sums are exact across 2^53, whatever the order', () => {
    const random = prng(53);
    const MAX = BigInt(Number.MAX_SAFE_INTEGER);
    const size = 500;
    const column = new SumColumn(size);
    const exact: bigint[] = Array.from({ length: size }, () => 0n);
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(random() * size);
      const kind = random();
      const amount: number | bigint =
        kind < 0.5
          ? Math.floor(random() * 1e6)
          : kind < 0.8
            ? Number(MAX / 64n) - Math.floor(random() * 1000)
            : kind < 0.95
              ? BigInt(Math.floor(random() * 1e9)) * 1000n
              : MAX + BigInt(Math.floor(random() * 1000));
      column.add(t, amount);
      exact[t] = (exact[t] as bigint) + BigInt(amount);
    }
    for (let t = 0; t < size; t++) expect(column.get(t)).toBe(exact[t]);
    const total = (members: number[]) => members.reduce((s, t) => s + (exact[t] as bigint), 0n);
    const all = Array.from({ length: size }, (_, t) => t);
    expect(column.sumFirst(size)).toBe(total(all));
    expect(column.sumFirst(37)).toBe(total(all.slice(0, 37)));
    const members = all.filter(() => random() < 0.3).reverse();
    expect(column.sum(members)).toBe(total(members));
    expect(column.sum([])).toBe(0n);
  });
});
