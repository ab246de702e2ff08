import { DayBatch, KeyIndex, KeySums } from '../src/usage/day-table';
import { UsageDays } from '../src/usage/usage-days';

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

describe('the days a read covers', () => {
  const HOUR = 3_600_000;
  /** the tables after a full read at `at` */
  const readAt = (at: string) => {
    const days = new UsageDays(1);
    const now = new Date(at);
    const plan = days.plan(now, HOUR, HOUR);
    expect(plan.full).toBe(true);
    days.commit(plan, days.batch(plan), now);
    return days;
  };

  test('yesterday is read again while it is less than the late-rows time past midnight, then only today', () => {
    const days = readAt('2026-03-15T00:10:00Z');
    expect(days.plan(new Date('2026-03-15T00:20:00Z'), HOUR, HOUR).range).toEqual({
      from: '2026-03-14',
      to: '2026-03-15',
    });
    expect(days.plan(new Date('2026-03-15T00:59:59Z'), HOUR, HOUR).range.from).toBe('2026-03-14');
    expect(days.plan(new Date('2026-03-15T01:00:00Z'), 2 * HOUR, HOUR)).toEqual({
      full: false,
      range: { from: '2026-03-15', to: '2026-03-15' },
    });
    // 0: never past the days since the last read; 86400: yesterday all day long
    expect(days.plan(new Date('2026-03-15T00:20:00Z'), HOUR, 0).range.from).toBe('2026-03-15');
    expect(days.plan(new Date('2026-03-15T00:20:00Z'), HOUR, 24 * HOUR).range.from).toBe('2026-03-14');
  });

  test("the last read's today is read again after midnight, whatever the late-rows time", () => {
    const days = readAt('2026-03-14T23:50:00Z');
    for (const lateRows of [0, HOUR])
      expect(days.plan(new Date('2026-03-15T00:05:00Z'), HOUR, lateRows)).toEqual({
        full: false,
        range: { from: '2026-03-14', to: '2026-03-15' },
      });
  });
});

describe('serialized day tables', () => {
  test('a restored copy plans and sums as the original, exactly above 2^53', () => {
    const days = new UsageDays(2);
    const now = new Date('2026-03-15T12:00:00Z');
    const plan = days.plan(now, 3_600_000, 3_600_000);
    const batch = days.batch(plan);
    batch.add('2026-03-14', '1', [MAX, 5]);
    batch.add('2026-03-15', '1', [7, 1]);
    batch.add('2026-03-15', '2', [3, 0]);
    batch.reject('2026-03-15', [{ id: '9@2026-03-15', reason: 'traffic_above_link_speed' }]);
    days.commit(plan, batch, now);

    const copy = new UsageDays(2);
    // as Redis hands it back: a copy, at any offset of its memory
    const bytes = days.serialize();
    copy.restore(Buffer.concat([Buffer.alloc(3), bytes]).subarray(3));
    const range = { from: '2026-03-01', to: '2026-03-15' };
    const later = new Date('2026-03-15T12:05:00Z');
    expect(copy.plan(later, 3_600_000, 3_600_000)).toEqual(days.plan(later, 3_600_000, 3_600_000));
    expect(copy.plan(later, 3_600_000, 3_600_000).full).toBe(false);
    for (const k of ['1', '2']) {
      const n = (d: UsageDays) => Array.from({ length: d.keyCount }, (_, i) => d.key(i)).indexOf(k);
      expect(copy.sum(0, range).get(n(copy))).toBe(days.sum(0, range).get(n(days)));
    }
    expect(copy.sum(0, range).get(0)).toBe(MAX + 7n);
    expect(copy.rejected(range)).toEqual(days.rejected(range));
    expect(copy.dayTotal('2026-03-15', '', 0)).toBe(10n);
    expect(() => new UsageDays(1).restore(bytes)).toThrow('another layout');
    expect(() => new UsageDays(2).restore(Buffer.from('{"version":1}'))).toThrow('another layout');
    expect(() => new UsageDays(2).restore(bytes.subarray(0, bytes.length - 8))).toThrow('cut short');
  });
});
