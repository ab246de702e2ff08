import { firingEpisodes } from '../src/scenarios/alerts';
import { inlineRecordingRules } from '../src/history/inline';
import { generate } from '../src/scenarios/series';
import { DAY, HOUR, monthStart, slotStart } from '../src/scenarios/scenario';
import { scenarios } from '../src/scenarios/families';

describe('alert episodes as the rule manager forms them', () => {
  const every5m = (from: number, to: number) => {
    const list: number[] = [];
    for (let t = from; t <= to; t += 300) list.push(t);
    return list;
  };

  test('an alert fires once its expression has held for `for`', () => {
    expect(firingEpisodes(every5m(0, 7200), { step: 300, for: '1h', end: 1e9 })).toEqual([
      { from: 3600, to: 7500 },
    ]);
  });

  test('a shorter run stays pending and never fires', () => {
    expect(firingEpisodes(every5m(0, 3000), { step: 300, for: '1h', end: 1e9 })).toEqual([]);
  });

  test('keep_firing_for bridges a short gap; without it there are two episodes', () => {
    const active = [...every5m(0, 7200), ...every5m(9000, 16200)];
    expect(firingEpisodes(active, { step: 300, for: '1h', end: 1e9 })).toHaveLength(2);
    expect(firingEpisodes(active, { step: 300, for: '1h', keepFiringFor: '1h', end: 1e9 })).toEqual([
      { from: 3600, to: 16500 + 3600 },
    ]);
  });
});

describe('inlining recorded names into one expression', () => {
  const rules = [
    { record: 'a:x:sum', expr: 'sum by (resource) (x)' },
    { record: 'a:y:ratio', expr: 'a:x:sum / 2' },
  ];

  test('ranges become subqueries, offsets read the last recorded value, matchers filter labels', () => {
    expect(inlineRecordingRules('a:y:ratio[1h]', rules, '5m')).toBe('((sum by (resource) (x)) / 2)[1h:5m]');
    expect(inlineRecordingRules('a:x:sum offset 1d', rules, '5m')).toBe(
      'last_over_time((sum by (resource) (x))[5m:5m] offset 1d)',
    );
    expect(inlineRecordingRules('a:x:sum{resource="db"}', rules, '5m')).toBe(
      '((sum by (resource) (x)) and on (resource) label_replace(vector(1), "resource", "db", "", ""))',
    );
    expect(() => inlineRecordingRules('a:x:sum{resource=~"d.*"}', rules, '5m')).toThrow(/equality/);
  });
});

describe('scenario series', () => {
  test('month totals are what month-to-date reaches at the end of each month, budgets follow', () => {
    const steady = scenarios().find((s) => s.name === 'steady');
    if (!steady) throw new Error('no steady scenario');
    const g = generate(steady);
    const mtd = (t: number) =>
      g.samples
        .filter((s) => s.name === 'chom_cost_month_to_date' && s.t === t)
        .reduce((sum, s) => sum + s.value, 0);
    // The last sample of January is 5 minutes before its end: within a few cents of the total.
    const lastOfJanuary = monthStart(0, 2) - 300;
    expect(Math.abs(mtd(lastOfJanuary) - g.monthTotals[0])).toBeLessThan(0.01 * g.monthTotals[0]);
    expect(mtd(monthStart(0, 2))).toBeLessThan(0.01 * g.monthTotals[1]);
    expect(g.budgets[0]).toBeCloseTo(g.monthTotals[0] / (1 - 0.03), 6);
    // The storage really fills up, in February, and its series ends there.
    expect(g.fullAt.storage).toBeGreaterThan(monthStart(0, 2));
    expect(g.fullAt.storage).toBeLessThan(monthStart(0, 3));
    const storage = g.samples.filter(
      (s) => s.name === 'chom_capacity_used' && s.labels.resource === 'storage',
    );
    expect(Math.max(...storage.map((s) => s.t))).toBe(g.fullAt.storage);
    expect(slotStart(0) + 31 * DAY + 10 * HOUR).toBeLessThan(monthStart(0, 2));
  });
});
