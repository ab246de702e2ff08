import { budgetStatus, cumulativeTrend, periodBudget } from '../src/model/build';
import { opportunityKind, resourceLabel } from '../src/model/opportunity-kinds';
import { fillPlaceholders } from '../src/delivery/message';
import { backoffDelay, isPermanentFailure } from '../src/delivery/send';
import type { ReportModel } from '../src/model/types';
import { csvField, csvRecord } from '../src/render/csv';
import { createFormatter } from '../src/render/format';
import { parsePeriodKey } from '../src/schedule/period';
import { normaliseSpaces } from './helpers';

test('CSV fields are quoted per RFC 4180 and non-finite numbers are left empty', () => {
  expect(csvRecord(['plain', 'a,b', 'say "hi"', 'two\nlines', 12.5, null, Number.NaN])).toBe(
    'plain,"a,b","say ""hi""","two\nlines",12.5,,',
  );
  expect(csvField(Number.POSITIVE_INFINITY)).toBe('');
});

test('budget status: over the pro-rata budget, at risk by forecast, on track, or no budget', () => {
  expect(budgetStatus(120, 100, 150, 300)).toBe('over_budget');
  expect(budgetStatus(90, 100, 310, 300)).toBe('at_risk');
  expect(budgetStatus(90, 100, 290, 300)).toBe('on_track');
  expect(budgetStatus(90, null, 290, null)).toBe('no_budget');
  expect(budgetStatus(90, 0, 290, 0)).toBe('no_budget');
});

test('the period budget is pro-rated over each month a period touches', () => {
  const week = parsePeriodKey('previous_week', '2026-W40'); // Mon 28 Sep – Sun 4 Oct
  const expected = (3000 * 3) / 30 + (3000 * 4) / 31;
  expect(periodBudget(week, 3000, week.end)).toBeCloseTo(expected, 9);
  const month = parsePeriodKey('previous_month', '2026-02');
  expect(periodBudget(month, 2800, new Date(Date.UTC(2026, 1, 15)))).toBeCloseTo(1400, 9);
});

test('the cumulative trend carries the total over a month change and subtracts the start value', () => {
  const t = (iso: string) => Date.parse(iso) / 1000;
  const points: Array<[number, number]> = [
    [t('2026-09-29T00:00:00Z'), 900],
    [t('2026-10-01T00:00:00Z'), 1000], // the last reading of September (month-to-date just before the reset)
    [t('2026-10-01T01:00:00Z'), 5],
    [t('2026-10-02T00:00:00Z'), 100],
  ];
  expect(cumulativeTrend(points, 800).map(([, v]) => v)).toEqual([100, 200, 205, 300]);
});

test('subject placeholders are filled, unknown braces kept', () => {
  const model = { title: 'CHOM', reportName: 'monthly', period: { label: 'October 2026' } } as ReportModel;
  expect(fillPlaceholders('{title} – {report} – {period} – {other}', model)).toBe(
    'CHOM – monthly – October 2026 – {other}',
  );
});

test('SMTP 5xx replies are permanent, 4xx and connection errors are retried with doubling delays', () => {
  expect(isPermanentFailure({ responseCode: 550 })).toBe(true);
  expect(isPermanentFailure({ responseCode: 451 })).toBe(false);
  expect(isPermanentFailure(new Error('ECONNREFUSED'))).toBe(false);
  expect([1, 2, 3, 4].map((n) => backoffDelay({ retries: 4, retryDelayMs: 2000 }, n))).toEqual([
    2000, 4000, 8000, 16000,
  ]);
});

test.each([
  ['en-US', 'USD', '$1,234.50'],
  ['de-DE', 'EUR', '1.234,50 €'],
  ['en-GB', 'GBP', '£1,234.50'],
  ['ja-JP', 'JPY', '￥1,235'],
  ['hi-IN', 'INR', '₹1,234.50'],
])('money in %s %s', (locale, currency, expected) => {
  expect(normaliseSpaces(createFormatter(locale, currency, 'UTC').money(1234.5))).toBe(expected);
});

test('missing values print as a dash, not as zero', () => {
  const f = createFormatter('en-US', 'USD', 'UTC');
  expect(f.money(null)).toBe('–');
  expect(f.percent(null)).toBe('–');
});

test('a float residue below a cent prints as zero, not as a negative zero', () => {
  const f = createFormatter('de-DE', 'EUR', 'UTC');
  expect(normaliseSpaces(f.money(-1e-12))).toBe('0,00 €');
  expect(normaliseSpaces(f.signedMoney(-0.001))).toBe('0,00 €');
  expect(normaliseSpaces(f.percent(-1e-9))).toBe('0,0 %');
});

test('sizes and durations follow the report locale', () => {
  const f = createFormatter('de-DE', 'EUR', 'UTC');
  expect(f.bytes(5.5 * 2 ** 30)).toBe('5,5 GiB');
  expect(f.bytes(512)).toBe('512 B');
  expect(f.duration(5.7 * 3600)).toBe('5,7 h');
  expect(createFormatter('en-US', 'USD', 'UTC').duration(3 * 86400)).toBe('3.0 d');
});

describe('opportunity kinds', () => {
  test('every kind the exporter publishes has a readable name; only negative_margin is not a saving', () => {
    const kinds = [
      'idle_server',
      'stopped_server',
      'underused_server',
      'negative_margin',
      'orphaned_server',
      'orphaned_sites',
    ];
    for (const kind of kinds) {
      const k = opportunityKind(kind);
      expect([kind, k.known, k.name === kind]).toEqual([kind, true, false]);
      expect([kind, k.saving]).toEqual([kind, kind !== 'negative_margin']);
    }
    expect(resourceLabel('orphaned_server', '31')).toBe('server 31');
    expect(resourceLabel('orphaned_sites', '207')).toBe('tenant 207');
    expect(resourceLabel('negative_margin', '103')).toBe('tenant 103');
  });

  test('a kind this version does not know keeps its code and counts as a saving', () => {
    expect(opportunityKind('oversized_disk')).toEqual({
      name: 'oversized_disk',
      resource: 'server',
      saving: true,
      known: false,
    });
    expect(resourceLabel('oversized_disk', 'x-9')).toBe('x-9');
  });
});
