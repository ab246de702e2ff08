import { DayBatch, KeyIndex, KeySums } from '../src/usage/day-table';
import { foldedDays, sumRanges, UsageDays } from '../src/usage/usage-days';
import { addDays, scanRange } from '../src/sources/params';
import { addEmailRow, emailDays, emailRows } from '../src/usage';
import { parseConfig } from '../src/config';
import { plausibilityBounds } from '../src/plausibility';

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

describe('folded days', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** what the database holds: per day, per key, the amounts of two measures */
  type Store = Map<string, Map<string, [number, number]>>;

  /** rows on every day of the scan at `now` and before, some keys on some days only */
  function storeAt(now: Date, seed: number): Store {
    const store: Store = new Map();
    let x = seed;
    const random = () => (x = (x * 48_271) % 2_147_483_647) / 2_147_483_647;
    for (let day = addDays(scanRange(now).from, -3); day <= scanRange(now).to; day = addDays(day, 1)) {
      const rows = new Map<string, [number, number]>();
      for (const key of ['1', '2', '3', '40'])
        if (random() < 0.8) rows.set(key, [Math.floor(random() * 1e12), Math.floor(random() * 1e3)]);
      store.set(day, rows);
    }
    return store;
  }

  /** One read of `days` at `now` from the store, as a source reader makes it. */
  function read(days: UsageDays, store: Store, now: Date, intervalMs: number) {
    const plan = days.plan(now, intervalMs, HOUR);
    const batch = days.batch(plan);
    for (const [day, rows] of store)
      if (day >= plan.range.from && day <= plan.range.to)
        for (const [key, amounts] of rows) batch.add(day, key, amounts);
    if (store.get(plan.range.to)?.has('3'))
      batch.reject(plan.range.to, [{ id: `3@${plan.range.to}`, reason: 'traffic_above_link_speed' }]);
    days.commit(plan, batch, now);
    return plan;
  }

  /** The sums the tables must give: every stored row of the range, added up. */
  function expectSums(days: UsageDays, store: Store, now: Date) {
    const { window, month } = sumRanges(now);
    for (const range of [window, month])
      for (const measure of [0, 1]) {
        const sums = days.sum(measure, range);
        for (const key of ['1', '2', '3', '40']) {
          let expected = 0;
          for (const [day, rows] of store)
            if (day >= range.from && day <= range.to) expected += rows.get(key)?.[measure] ?? 0;
          const n = Array.from({ length: days.keyCount }, (_, i) => days.key(i)).indexOf(key);
          expect(n >= 0 ? sums.get(n) : 0).toBe(expected);
        }
      }
  }

  test('a full read folds the days before yesterday but the window start; sums stay exact across day and month ends', () => {
    const start = new Date('2026-03-30T22:00:00Z');
    const store = storeAt(start, 7);
    const days = new UsageDays(2);
    expect(read(days, store, start, 2 * HOUR).full).toBe(true);
    const folded = foldedDays(start, 1);
    // the window's first day (2026-03-01) stays a day of its own: it leaves the window tomorrow
    expect(folded).not.toContain('2026-03-01');
    expect(folded).toContain('2026-03-02');
    expect(folded.at(-1)).toBe('2026-03-28');
    // full reads that never come again (a backfill): nothing of the window is folded, only the
    // month's days before it (the window starts on the 2nd on the 31st)
    expect(foldedDays(start, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(foldedDays(new Date('2026-03-31T10:00:00Z'), Number.MAX_SAFE_INTEGER)).toEqual(['2026-03-01']);
    expectSums(days, store, start);
    // every 50 minutes, new rows for today, through two day ends and the end of March
    for (let t = start.getTime() + 50 * 60_000; t < start.getTime() + 2 * DAY; t += 50 * 60_000) {
      const now = new Date(t);
      const today = scanRange(now).to;
      store.set(today, new Map([...(store.get(today) ?? []), ['2', [t % 1_000_003, 1]]]));
      read(days, store, now, 2 * HOUR);
      expectSums(days, store, now);
    }
  });

  test('the day totals and rejected rows of folded days stay per day', () => {
    const now = new Date('2026-03-30T22:00:00Z');
    const store = storeAt(now, 11);
    const days = new UsageDays(2);
    const folding = days.plan(now, HOUR, HOUR);
    const batch = days.batch(folding);
    for (const [day, rows] of store)
      if (day >= folding.range.from) for (const [key, amounts] of rows) batch.add(day, key, amounts);
    batch.reject('2026-03-10', [{ id: '3@2026-03-10', reason: 'traffic_above_link_speed' }]);
    days.commit(folding, batch, now);
    expect(foldedDays(now, 1)).toContain('2026-03-10');
    const total = [...(store.get('2026-03-10')?.values() ?? [])].reduce((a, [out]) => a + out, 0);
    expect(days.dayTotal('2026-03-10', '', 0)).toBe(BigInt(total));
    expect(days.rejected(scanRange(now))).toEqual([
      { id: '3@2026-03-10', reason: 'traffic_above_link_speed' },
    ]);
  });

  test('a day change that would take a folded day out of the window makes a full read', () => {
    const start = new Date('2026-03-30T22:00:00Z');
    const store = storeAt(start, 3);
    const days = new UsageDays(2);
    // folded as for hourly full reads: one window day kept apart, one day change covered
    read(days, store, start, HOUR);
    const copy = new UsageDays(2);
    copy.restore(days.serialize());
    // a replica that reads in full every ten days takes the tables over
    const tenDays = 10 * DAY;
    expect(copy.plan(new Date('2026-03-31T08:00:00Z'), tenDays, HOUR).full).toBe(false);
    expect(copy.plan(new Date('2026-04-01T08:00:00Z'), tenDays, HOUR).full).toBe(true);
    // its own full read keeps ten window days apart: two day ends later it still reads incrementally
    const own = new UsageDays(2);
    expect(read(own, store, start, tenDays).full).toBe(true);
    for (const at of ['2026-03-31T08:00:00Z', '2026-04-01T08:00:00Z']) {
      expect(read(own, store, new Date(at), tenDays).full).toBe(false);
      expectSums(own, store, new Date(at));
    }
  });

  test('a restored copy of folded tables sums, totals and plans as the original', () => {
    const now = new Date('2026-03-30T22:00:00Z');
    const store = storeAt(now, 5);
    const days = new UsageDays(2);
    read(days, store, now, HOUR);
    const copy = new UsageDays(2);
    copy.restore(Buffer.concat([Buffer.alloc(5), days.serialize()]).subarray(5));
    expectSums(copy, store, now);
    for (const day of foldedDays(now, 1)) expect(copy.dayTotal(day, '', 1)).toBe(days.dayTotal(day, '', 1));
    expect(copy.rejected(scanRange(now))).toEqual(days.rejected(scanRange(now)));
    const later = new Date('2026-03-31T00:30:00Z');
    expect(copy.plan(later, HOUR, HOUR)).toEqual(days.plan(later, HOUR, HOUR));
  });

  test('folded e-mail days: a tenant-day above the bound is left out of the sums, kept per type in the day totals', () => {
    const now = new Date('2026-03-30T22:00:00Z');
    const bounds = plausibilityBounds(parseConfig({ plausibility: { max_emails_per_tenant_day: 100 } }));
    const days = emailDays(bounds);
    const plan = days.plan(now, HOUR, HOUR);
    expect(plan.full && plan.folding.days).toContain('2026-03-10');
    const batch = days.batch(plan);
    const scan = scanRange(now);
    for (let day = scan.from; day <= scan.to; day = addDays(day, 1)) {
      addEmailRow(batch, { day, tenantId: '1', type: 'marketing', sent: 10 });
      addEmailRow(batch, { day, tenantId: '1', type: 'transactional', sent: 5 });
      addEmailRow(batch, { day, tenantId: '2', type: 'marketing', sent: 60 });
    }
    // tenant 2 sends 120 on the 10th in two types: the whole tenant-day is left out
    addEmailRow(batch, { day: '2026-03-10', tenantId: '2', type: 'transactional', sent: 60 });
    days.commit(plan, batch, now);
    // the window and the month are the same 30 days here (2026-03-01 to 2026-03-30)
    expect(sumRanges(now)).toEqual({
      window: { from: '2026-03-01', to: '2026-03-30' },
      month: { from: '2026-03-01', to: '2026-03-30' },
    });
    const rows = emailRows(days, now);
    const sent = (tenant: string, type: string) => {
      for (let r = 0; r < rows.length; r++)
        if (rows.tenantIds[r] === tenant && rows.types[r] === type)
          return { sent30d: rows.sent30d.get(r), sentMonthToDate: rows.sentMonthToDate.get(r) };
      return undefined;
    };
    expect(sent('1', 'marketing')).toEqual({ sent30d: 300n, sentMonthToDate: 300n });
    expect(sent('2', 'marketing')).toEqual({ sent30d: 29n * 60n, sentMonthToDate: 29n * 60n });
    expect(sent('2', 'transactional')).toBeUndefined();
    expect(rows.rejected).toEqual([{ id: '2@2026-03-10', reason: 'emails_above_limit' }]);
    expect(days.dayTotal('2026-03-10', 'marketing', 0)).toBe(10n);
    expect(days.dayTotal('2026-03-11', 'marketing', 0)).toBe(70n);
    expect(days.dayTotal('2026-03-11', 'transactional', 0)).toBe(5n);
  });

  test('folded days keep their totals per group', () => {
    const now = new Date('2026-03-30T22:00:00Z');
    const days = new UsageDays(1, (key) => key.split('/')[1] as string);
    const plan = days.plan(now, HOUR, HOUR);
    const batch = days.batch(plan);
    batch.add('2026-03-10', '1/a', [MAX]);
    batch.add('2026-03-10', '2/a', [MAX]);
    batch.add('2026-03-10', '2/b', [4]);
    batch.add('2026-03-29', '2/b', [9]);
    days.commit(plan, batch, now);
    expect(days.dayTotal('2026-03-10', 'a', 0)).toBe(2n * MAX);
    expect(days.dayTotal('2026-03-10', 'b', 0)).toBe(4n);
    expect(days.dayTotal('2026-03-29', 'b', 0)).toBe(9n);
    expect(days.groups()).toEqual(['a', 'b']);
    const n = (key: string) => Array.from({ length: days.keyCount }, (_, i) => days.key(i)).indexOf(key);
    expect(days.sum(0, sumRanges(now).window).get(n('2/b'))).toBe(13);
    expect(days.sum(0, sumRanges(now).window).get(n('1/a'))).toBe(MAX);
    // shared and restored: the folded sums above 2^53 and the per-group totals stay exact
    const copy = new UsageDays(1, (key) => key.split('/')[1] as string);
    copy.restore(days.serialize());
    expect(copy.sum(0, sumRanges(now).month).get(n('1/a'))).toBe(MAX);
    expect(copy.dayTotal('2026-03-10', 'a', 0)).toBe(2n * MAX);
    expect(copy.groups()).toEqual(['a', 'b']);
  });
});
