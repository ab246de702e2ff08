import { apportion, compareIds, Shares } from '../src/model';
import { prng } from './support/random-usage';

/** The largest-remainder method as cost-model.md states it, in exact integers and a full sort. */
function reference(totalCents: bigint, weights: Shares, ids: readonly string[]) {
  const byTenant: (bigint | undefined)[] = weights.byTenant.map((w) => (w === undefined ? undefined : 0n));
  const parties: { id: string; tenant: number; weight: bigint }[] = [];
  if (weights.unallocated !== undefined && weights.unallocated > 0n)
    parties.push({ id: '', tenant: -1, weight: weights.unallocated });
  weights.byTenant.forEach((w, tenant) => {
    if (w !== undefined && w > 0n) parties.push({ id: ids[tenant] as string, tenant, weight: w });
  });
  const weightSum = parties.reduce((s, p) => s + p.weight, 0n);
  if (totalCents === 0n || weightSum === 0n) return { byTenant, unallocated: totalCents };
  const quotas = parties.map((p) => ({
    ...p,
    floor: (totalCents * p.weight) / weightSum,
    remainder: (totalCents * p.weight) % weightSum,
  }));
  let left = totalCents - quotas.reduce((s, q) => s + q.floor, 0n);
  const order = [...quotas].sort((a, b) =>
    a.remainder < b.remainder ? 1 : a.remainder > b.remainder ? -1 : compareIds(a.id, b.id),
  );
  const cents = new Map(quotas.map((q) => [q, q.floor]));
  for (const q of order) {
    if (left === 0n) break;
    cents.set(q, (cents.get(q) as bigint) + 1n);
    left--;
  }
  let unallocated = 0n;
  for (const [q, c] of cents) {
    if (q.tenant < 0) unallocated = c;
    else byTenant[q.tenant] = c;
  }
  return { byTenant, unallocated };
}

describe('largest-remainder apportionment: estimated quotas decide like exact ones', () => {
  test('random weights, totals on both sides of 2^40 cents, near-ties and whole quotas', () => {
    const random = prng(12);
    const int = (n: number) => Math.floor(random() * n);
    const bigRandom = (bits: number) => {
      let v = 0n;
      for (let b = 0; b < bits; b += 30) v = (v << 30n) | BigInt(int(2 ** 30));
      return v >> BigInt(Math.max(0, Math.ceil(bits / 30) * 30 - bits));
    };
    for (let round = 0; round < 400; round++) {
      const tenants = 1 + int(300);
      const ids = Array.from({ length: tenants }, (_, i) => String(1 + int(1000) * 1000 + i));
      const total = [0n, 1n, BigInt(int(100)), BigInt(int(1e7)), 2n ** 40n, 2n ** 40n + 1n, bigRandom(60)][
        int(7)
      ] as bigint;
      const base = bigRandom(1 + int(200)) + 1n;
      const weights = new Shares();
      for (let t = 0; t < tenants; t++) {
        const kind = int(6);
        // equal weights (exact ties), multiples of a base (whole quotas), off by one unit (near-ties), any
        const w =
          kind === 0
            ? base
            : kind === 1
              ? base * BigInt(1 + int(5))
              : kind === 2
                ? base + BigInt(int(3)) - 1n
                : kind === 3
                  ? 0n
                  : bigRandom(1 + int(200));
        if (random() < 0.95) weights.add(t, w);
      }
      if (random() < 0.5) weights.addUnallocated(random() < 0.5 ? base : bigRandom(1 + int(200)));
      expect(apportion(total, weights, ids)).toEqual(reference(total, weights, ids));
    }
  });

  test('many parties with a handful of cents: the remainders near the cut are ordered exactly', () => {
    const random = prng(5);
    for (let round = 0; round < 20; round++) {
      const tenants = 5000;
      const ids = Array.from({ length: tenants }, (_, i) => String(i + 1));
      const weights = new Shares();
      const unit = 10n ** 40n;
      // weights one unit apart: estimated remainders all but equal, the exact ones differ
      for (let t = 0; t < tenants; t++) weights.add(t, unit + BigInt(Math.floor(random() * 4)));
      const total = BigInt(Math.floor(random() * 3 * tenants));
      expect(apportion(total, weights, ids)).toEqual(reference(total, weights, ids));
    }
  });

  test('quotas closer than a double can tell: floors and remainder order come from the exact integers', () => {
    const shares = (...weights: bigint[]) => {
      const s = new Shares();
      weights.forEach((w, t) => s.add(t, w));
      return s;
    };
    const ids = ['1', '2', '3'];
    // found by a search: with the doubles alone (no error bound), a cent goes to the wrong tenant
    const cases: [bigint, bigint[], bigint[]][] = [
      [10n, [85770874759286001501105n, 21442718689821500374859n, 21442718689821500375256n], [7n, 1n, 2n]],
      [4n, [519627013855868091551n, 129906753463967023447n, 129906753463967022488n], [3n, 1n, 0n]],
      [4n, [71093542242693938609n, 213280626728081816854n, 284374168970775757490n], [0n, 2n, 2n]],
    ];
    for (const [total, weights, expected] of cases) {
      const s = shares(...weights);
      expect(apportion(total, s, ids).byTenant).toEqual(expected);
      expect(apportion(total, s, ids)).toEqual(reference(total, s, ids));
    }
  });
});
