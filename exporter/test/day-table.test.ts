import { DayBatch, KeyIndex, KeySums } from '../src/usage/day-table';

const MAX = 18446744073709551615n; // a BIGINT UNSIGNED maximum

describe('day tables', () => {
  test('sums stay exact above 2^53, per key and per group, and duplicate rows add up', () => {
    const batch = new DayBatch(new KeyIndex(), 2, (key) => key.split('/')[1] as string);
    batch.add('2026-03-01', '1/a', [MAX, 1]);
    batch.add('2026-03-01', '1/a', [MAX, 2]); // a duplicate (day, key): added
    batch.add('2026-03-01', '2/b', [Number.MAX_SAFE_INTEGER, 3]);
    batch.add('2026-03-02', '2/b', [1, 4]);
    batch.add('2026-03-02', '1/a', [5, 0]);
    const days = batch.finish();
    const first = days.get('2026-03-01');
    expect(first?.keys.length).toBe(2);
    expect(first?.totals.get('a')).toEqual([2n * MAX, 3n]);
    expect(first?.totals.get('b')).toEqual([BigInt(Number.MAX_SAFE_INTEGER), 3n]);

    const sums = new KeySums(batch.keys.keys.length);
    for (const d of days.values()) sums.addDay(d, 0);
    const key = (k: string) => batch.keys.keys.indexOf(k);
    expect(sums.get(key('1/a'))).toBe(2n * MAX + 5n);
    // 2^53 − 1 + 1 is no longer a safe integer: it becomes an exact bigint
    expect(sums.get(key('2/b'))).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 1n);
    const small = new KeySums(batch.keys.keys.length);
    for (const d of days.values()) small.addDay(d, 1);
    expect(small.get(key('1/a'))).toBe(3);
    expect(small.get(key('2/b'))).toBe(7);
  });
});
