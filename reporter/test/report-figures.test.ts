/**
 * The whole report pipeline against a real Prometheus 2.42 holding a backfilled, exporter-shaped
 * history (test/fixtures/history.ts) and the project's recording rules evaluated over it. Expected
 * figures come from the history's closed form, not from PromQL.
 */
import type { RunningPrometheus } from '@chom/test-support';
import { PrometheusClient } from '../src/data/prometheus';
import type { ReportModel } from '../src/model/types';
import { produceReport } from '../src/produce';
import { createFormatter } from '../src/render/format';
import { parsePeriodKey } from '../src/schedule/period';
import {
  ALERTS,
  BUDGET_TOTAL,
  CATEGORIES,
  SAVINGS,
  NEGATIVE_MARGIN_TENANTS,
  shortfall,
  STORAGE,
  TENANTS,
  lastSampleBefore,
  monthEndProjection,
  monthToDate,
  storageUsed,
  tenantRevenue,
  tenantTotal,
  unallocated,
} from './fixtures/history';
import { startPrometheusWithHistory } from './fixtures/prometheus-history';
import { normaliseSpaces, pdfText, testDefinitions } from './helpers';

// Building the 35-day history (the recording rules backfilled depth by depth) took 2 to over 4
// minutes on the 2-core machine, depending on its load.
jest.setTimeout(600_000);

let prometheus: RunningPrometheus;
let starting: Promise<RunningPrometheus> | undefined;
beforeAll(async () => {
  starting = startPrometheusWithHistory('EUR', (m) => process.stderr.write(`[history] ${m}\n`));
  prometheus = await starting;
});
afterAll(async () => {
  // also a Prometheus whose start outlived the hook's timeout: left running, it would keep jest alive
  const started = await starting?.catch(() => undefined);
  await started?.stop();
});

const NOW = new Date('2026-11-02T07:00:00Z');
const OCT = { start: Date.UTC(2026, 9, 1), end: Date.UTC(2026, 10, 1) };
const SEP_END = Date.UTC(2026, 9, 1);
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
/** Month-to-date per category as the report reads it: the latest sample before `t`. */
const mtdAt = (t: number) =>
  Object.fromEntries(CATEGORIES.map((c) => [c, monthToDate(c, lastSampleBefore(t))]));

async function render(periodKey: string, reportFields: Record<string, unknown> = {}) {
  const definitions = testDefinitions({
    prometheusUrl: prometheus.url,
    reports: [
      {
        name: 'monthly',
        period: 'previous_month',
        schedule: { cron: '0 8 1 * *' },
        recipients: ['cfo@example.com'],
        ...reportFields,
      },
    ],
  });
  const report = definitions.reports[0]!;
  const period = parsePeriodKey(report.period, periodKey);
  return produceReport(definitions, report, period, {
    now: NOW,
    client: new PrometheusClient(prometheus.url),
  });
}

describe('the October 2026 report', () => {
  let model: ReportModel;
  let pdf: Buffer;
  let csv: string;
  beforeAll(async () => {
    const produced = await render('2026-10');
    model = produced.model;
    pdf = produced.files.find((f) => f.filename === 'monthly-2026-10.pdf')!.content;
    csv = produced.files.find((f) => f.filename === 'monthly-2026-10.csv')!.content.toString('utf8');
  });

  test('spend by category is the month-to-date at the month end', () => {
    const expected = mtdAt(OCT.end);
    for (const c of CATEGORIES) {
      expect(model.categories.find((row) => row.category === c)?.spend).toBeCloseTo(expected[c]!, 6);
    }
    expect(model.summary.spend).toBeCloseTo(sum(Object.values(expected)), 6);
    expect(model.categories.map((c) => c.category)[0]).toBe('compute');
  });

  test('budget, share of budget, month elapsed and status', () => {
    const spend = sum(Object.values(mtdAt(OCT.end)));
    expect(model.summary.monthlyBudget).toBe(BUDGET_TOTAL);
    expect(model.summary.periodBudget).toBeCloseTo(BUDGET_TOTAL, 6);
    expect(model.summary.budgetUsedShare).toBeCloseTo(spend / BUDGET_TOTAL, 9);
    expect(model.summary.monthElapsedShare).toBeGreaterThan(0.99);
    expect(model.summary.status).toBe(spend > BUDGET_TOTAL ? 'over_budget' : 'on_track');
    expect(model.complete).toBe(true);
  });

  test('the month-end forecast at the month end is the accrued spend plus the last half hour', () => {
    const spend = sum(Object.values(mtdAt(OCT.end)));
    expect(model.summary.forecast).not.toBeNull();
    expect(Math.abs(model.summary.forecast! - spend) / spend).toBeLessThan(0.002);
    expect(model.summary.forecastVariance).toBeCloseTo(model.summary.forecast! - BUDGET_TOTAL, 6);
  });

  test('the previous month is September and the change is computed against it', () => {
    const september = sum(Object.values(mtdAt(SEP_END)));
    expect(model.summary.previousSpend).toBeCloseTo(september, 6);
    expect(model.summary.spendChangeShare).toBeCloseTo(
      (sum(Object.values(mtdAt(OCT.end))) - september) / september,
      9,
    );
  });

  test('tenants: average allocated cost, change vs September and margin', () => {
    const expected = TENANTS.map((t) => ({ t, cost: tenantTotal(t, OCT.start) })).sort(
      (a, b) => b.cost - a.cost,
    );
    expect(model.tenants.count).toBe(TENANTS.length);
    expect(model.tenants.rows.map((r) => r.tenantId)).toEqual(expected.map((e) => e.t));
    for (const row of model.tenants.rows) {
      const october = tenantTotal(row.tenantId, OCT.start);
      const september = tenantTotal(row.tenantId, Date.UTC(2026, 8, 1));
      expect(row.cost).toBeCloseTo(october, 6);
      expect(row.previousCost).toBeCloseTo(september, 6);
      expect(row.changeShare).toBeCloseTo((october - september) / september, 9);
      expect(row.margin).toBeCloseTo(tenantRevenue(row.tenantId) - october, 6);
    }
  });

  test('unallocated cost per category', () => {
    const t = lastSampleBefore(OCT.end);
    for (const c of CATEGORIES) {
      expect(model.allocation.unallocated.find((u) => u.category === c)?.cost).toBeCloseTo(
        unallocated(c, t),
        6,
      );
    }
  });

  test('optimization opportunities: readable kinds, savings summed without the negative margins', () => {
    expect(NEGATIVE_MARGIN_TENANTS).toEqual(['103']);
    expect(model.optimizations.count).toBe(SAVINGS.length);
    // negative_margin is a shortfall: never in the savings total
    expect(model.optimizations.total).toBeCloseTo(sum(SAVINGS.map((s) => s.value)), 9);
    expect(model.optimizations.rows.map((r) => [r.name, r.resource, r.priority, r.monthly])).toEqual([
      ['Idle server', 'server 17', 'high', 45.6],
      ['Server of a deleted tenant', 'server 31', 'high', 38.4],
      ['Stopped server', 'server 23', 'medium', 22.5],
      ['Under-used server', 'server 4', 'low', 12.75],
      ['Sites of a deleted tenant', 'tenant 207', 'medium', 1.85],
    ]);
    const expected = shortfall('103', lastSampleBefore(OCT.end));
    expect(model.optimizations.shortfalls).toEqual({
      rows: [
        {
          kind: 'negative_margin',
          name: 'Negative margin',
          resourceId: '103',
          resource: 'tenant 103',
          priority: 'high',
          monthly: expected,
        },
      ],
      total: expected,
      count: 1,
    });
    // the same tenant's margin in the tenant table
    expect(model.tenants.rows.find((r) => r.tenantId === '103')?.margin).toBeCloseTo(-expected, 6);
  });

  test('storage headroom and days until full from the linear growth', () => {
    const storage = model.capacity.find((c) => c.resource === 'storage')!;
    const used = storageUsed(lastSampleBefore(OCT.end));
    expect(storage.used).toBeCloseTo(used, 0);
    expect(storage.usedShare).toBeCloseTo(used / STORAGE.limitBytes, 6);
    const days = (STORAGE.limitBytes - used) / STORAGE.bytesPerDay;
    // The rule fits the slope of the 7-day lows through the 6-hourly samples: within 0.5 % of the truth.
    expect(storage.daysUntilFull! / days).toBeCloseTo(1, 2);
  });

  test('the compute spike of 14 October is reported as an anomaly, and its alert as an alert of the period', () => {
    const compute = model.anomalies.rows.find((r) => r.series === 'compute');
    expect(compute).toBeDefined();
    expect(compute!.z).toBeGreaterThanOrEqual(model.anomalies.threshold);
    expect(compute!.at * 1000).toBeGreaterThanOrEqual(Date.UTC(2026, 9, 14, 6));
    expect(compute!.at * 1000).toBeLessThanOrEqual(Date.UTC(2026, 9, 14, 13));

    const spikeAlert = ALERTS[0]!;
    expect(model.alerts.map((a) => a.alertname)).toEqual([spikeAlert.labels.alertname]);
    const alert = model.alerts[0]!;
    expect(alert.detail).toBe('category=compute');
    expect(alert.firstSeen * 1000).toBeLessThanOrEqual(spikeAlert.from);
    expect(alert.lastSeen * 1000).toBeGreaterThanOrEqual(spikeAlert.to);
    expect(alert.firingSeconds).toBeGreaterThanOrEqual((spikeAlert.to - spikeAlert.from) / 1000);
  });

  test('the PDF text holds the figures in German euro formatting, with page numbers', async () => {
    const text = await pdfText(pdf);
    const f = createFormatter('de-DE', 'EUR', 'Europe/Berlin');
    const spend = sum(Object.values(mtdAt(OCT.end)));
    expect(normaliseSpaces(f.money(spend))).toMatch(/^\d{1,3}(\.\d{3})*,\d{2} €$/);
    expect(text).toContain(normaliseSpaces(f.money(spend)));
    expect(text).toContain(normaliseSpaces(f.money(BUDGET_TOTAL)));
    expect(text).toContain(
      `5 opportunities, estimated savings ${normaliseSpaces(f.money(sum(SAVINGS.map((s) => s.value))))} per month.`,
    );
    for (const name of [
      'Idle server',
      'Server of a deleted tenant',
      'Sites of a deleted tenant',
      'tenant 207',
    ])
      expect(text).toContain(name);
    expect(text).toContain(
      `Negative margin: 1 tenant costs more than its revenue, ${normaliseSpaces(f.money(shortfall('103', lastSampleBefore(OCT.end))))} per month in all.`,
    );
    expect(text).toContain(normaliseSpaces(f.money(tenantTotal('101', OCT.start))));
    expect(text).toContain('Cost report · October 2026');
    expect(text).toContain('server 17');
    expect(text).toContain('ChomCostAnomaly');
    expect(text).toMatch(/Page 1 of \d/);
  });

  test('the CSV holds the same figures in plain numbers', () => {
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('section,item,measure,value,unit');
    const spendLine = lines.find((l) => l.startsWith('summary,total,spend,'))!;
    expect(Number(spendLine.split(',')[3])).toBeCloseTo(sum(Object.values(mtdAt(OCT.end))), 6);
    expect(spendLine.endsWith(',EUR')).toBe(true);
    const figure = (prefix: string) => Number(lines.find((l) => l.startsWith(prefix))?.split(',')[3]);
    expect(figure('optimization,total,savings_monthly,')).toBeCloseTo(sum(SAVINGS.map((s) => s.value)), 9);
    expect(figure('optimization,orphaned_server:31,savings_monthly,')).toBe(38.4);
    expect(figure('optimization,orphaned_sites:207,savings_monthly,')).toBe(1.85);
    const shortfall103 = shortfall('103', lastSampleBefore(OCT.end));
    expect(figure('optimization,negative_margin:103,shortfall_monthly,')).toBeCloseTo(shortfall103, 9);
    expect(figure('optimization,total,shortfall_monthly,')).toBeCloseTo(shortfall103, 9);
    expect(lines.filter((l) => l.includes('negative_margin') && l.includes('savings_monthly'))).toEqual([]);
  });

  test('rendering again with the same clock gives the same bytes', async () => {
    const again = await render('2026-10');
    expect(again.files.find((f) => f.filename.endsWith('.pdf'))!.content.equals(pdf)).toBe(true);
    expect(again.files.find((f) => f.filename.endsWith('.csv'))!.content.toString('utf8')).toBe(csv);
  });
});

test('a week across the September/October boundary adds both months’ accruals', async () => {
  const { model, files } = await render('2026-W40', {
    period: 'previous_week',
    schedule: { cron: '0 8 * * 1' },
  });
  expect(model.period.key).toBe('2026-W40');
  const weekStart = Date.UTC(2026, 8, 28);
  const weekEnd = Date.UTC(2026, 9, 5);
  const september = mtdAt(SEP_END);
  const before = mtdAt(weekStart);
  const october = mtdAt(weekEnd);
  for (const c of CATEGORIES) {
    expect(model.categories.find((r) => r.category === c)?.spend).toBeCloseTo(
      september[c]! - before[c]! + october[c]!,
      6,
    );
  }
  // The exporter's projection of October as of the week's end, beside the Prometheus forecast.
  const projection = sum(CATEGORIES.map((c) => monthEndProjection(c, lastSampleBefore(weekEnd))));
  expect(projection).toBeGreaterThan(sum(Object.values(october)) * 2);
  expect(model.summary.projection).toBeCloseTo(projection, 6);
  const f = createFormatter('de-DE', 'EUR', 'Europe/Berlin');
  const pdf = files.find((file) => file.filename.endsWith('.pdf'))!.content;
  const row = (await pdfText(pdf)).split('\n').find((line) => line.includes('Exporter projection'));
  expect(row).toContain(normaliseSpaces(f.money(projection)));
  const csv = files.find((file) => file.filename.endsWith('.csv'))!.content.toString('utf8');
  expect(csv).toContain('summary,total,month_end_projection,');
});

test('a tenant filter limits the tenant tables, not the fleet totals', async () => {
  const { model } = await render('2026-10', { tenants: ['103', '105'] });
  expect(model.tenants.rows.map((r) => r.tenantId).sort()).toEqual(['103', '105']);
  expect(model.tenantFilter).toEqual(['103', '105']);
  expect(model.summary.spend).toBeCloseTo(sum(Object.values(mtdAt(OCT.end))), 6);
});

test('a period with no data says so instead of printing zeros as facts', async () => {
  const { model, files } = await render('2026-06');
  expect(model.warnings).toContain('No month-to-date cost data was found for this period.');
  expect(model.summary.spend).toBe(0);
  expect(await pdfText(files[0]!.content)).toContain('No month-to-date cost data was found');
});
