/**
 * Runs every PromQL query of the app pages and the bundled dashboards against a real Prometheus that
 * scrapes the real exporter (on a seeded demo database) and node_exporter, with the real recording
 * rules, and checks that each returns series with the expected labels. A query that parses but returns
 * nothing fails.
 *
 * History: the days-until-limit rule needs a week of growth (the slope of the 7-day lows) that a test
 * cannot wait for. It is backfilled: before Prometheus starts, `backfillOpenMetrics` writes nine days of
 * the exporter's own chom_capacity_used series growing up to their value now (as `npm start` backfills
 * them) and a shrinking node_filesystem_avail_bytes (instance="history"), ending 10 minutes ago, into
 * its TSDB. Everything else comes from the live scrapes within a few seconds.
 *
 * Rule intervals: the rule files are used as they are except that every group's `interval` is set to
 * 1s, so that the 1m/5m/1h groups evaluate during the test instead of minutes later.
 *
 * Panels as Grafana shows them: each table and projection panel's queries are sent as Grafana 12 sends
 * them, the answers converted to the frames Grafana's Prometheus backend and @grafana/prometheus make
 * (test/grafana/prometheusFrames.ts), and the panel's transformations run with @grafana/data's own
 * transformers; every table is then checked row by row.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunningPrometheus } from '@chom/test-support';
import { getFieldDisplayName, type DataFrame } from '@grafana/data';
import { DEFAULT_BUDGET_THRESHOLDS } from '../src/constants';
import {
  PLAN_DAYS,
  PLAN_RATIO,
  REVIEW_DAYS,
  SCALE_NOW_DAYS,
  SCALE_NOW_RATIO,
} from '../src/domain/recommendations';
import { capacityPlanningPage } from '../src/panels/capacityPlanning';
import { costAnalysisPage } from '../src/panels/costAnalysis';
import { OPPORTUNITY_KIND_NAMES } from '../src/panels/mappings';
import {
  CURRENCY_REF,
  panelTargets,
  panelTransformations,
  prometheusTarget,
  type DisplayContext,
} from '../src/panels/model';
import type { PageSpec, PanelSpec } from '../src/panels/types';
import { QUERIES, QUERY_NAMES, TENANT_QUERY, type PromQuery } from '../src/queries';
import { applyTransformations, queryPanel } from './grafana/prometheusFrames';
import { DAY, startQueryStack } from './grafana/stack';

jest.setTimeout(240_000);

/** The values the pages give the variables (the tenant filter on "All", the default tenant limit). */
function substitute(expr: string): string {
  return expr.replace(/\$tenant_limit\b/g, '50').replace(/\$tenant\b/g, '.*');
}

describe('every PromQL query of the pages and dashboards returns data', () => {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    const stack = await startQueryStack();
    stops.push(() => stack.stop());
    prometheus = stack.prometheus;
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) {
      await stop();
    }
  });

  it('the dashboards send no query that is not in src/queries.ts', () => {
    const known = new Set(Object.values(QUERIES).map((q) => q.expr));
    for (const file of ['cost-analysis.json', 'capacity-planning.json']) {
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(__dirname, '..', 'src', 'dashboards', file), 'utf8'),
      );
      for (const panel of dashboard.panels as Array<{ targets?: Array<{ expr: string }> }>) {
        for (const target of panel.targets ?? []) {
          expect(known).toContain(target.expr);
        }
      }
    }
  });

  it.each(QUERY_NAMES.map((name) => [name, QUERIES[name] as PromQuery]))(
    '%s returns series with the expected labels',
    async (_name, query) => {
      const expr = substitute(query.expr);
      if (query.future) {
        // A projection: over a range that starts now it draws points up to the horizon.
        const start = Math.floor(Date.now() / 1000);
        const range = await prometheus.queryRange(expr, start, start + 30 * DAY, 3 * DAY);
        expect(range.length).toBeGreaterThan(0);
        for (const series of range) {
          for (const label of query.labels) {
            expect(series.metric).toHaveProperty(label);
          }
          expect(series.values.length).toBeGreaterThan(0);
          expect(series.values.every(([, v]) => Number.isFinite(Number(v)))).toBe(true);
        }
        return;
      }
      const result = await prometheus.query(expr);
      expect(Array.isArray(result)).toBe(true);
      if (result.length === 0) {
        throw new Error(`${expr} returned no series`);
      }
      for (const sample of result) {
        for (const label of query.labels) {
          expect(sample.metric).toHaveProperty(label);
        }
        expect(Number.isNaN(Number(sample.value[1]))).toBe(false);
      }
      if (!query.instant) {
        const end = Date.now() / 1000;
        const range = await prometheus.queryRange(expr, end - 30, end, 5);
        expect(range.length).toBeGreaterThan(0);
        expect(range[0]!.values.length).toBeGreaterThan(0);
      }
    },
  );

  it('the tenant filter lists tenant ids', async () => {
    const match = /^label_values\((\w+), (\w+)\)$/.exec(TENANT_QUERY)!;
    const values = await prometheus.api<string[]>(`label/${match[2]}/values`, { 'match[]': match[1]! });
    expect(values.length).toBeGreaterThan(0);
  });

  it('the figures hang together: the tenant filter narrows the tenant table to one tenant', async () => {
    const tenants = await prometheus.api<string[]>('label/tenant_id/values', {
      'match[]': 'chom_tenant_info',
    });
    const one = tenants.find((t) => t !== '__other__')!;
    const expr = QUERIES.tenantCost.expr.replace('$tenant_limit', '50').replace('$tenant', one);
    const result = await prometheus.query(expr);
    expect(result.map((s) => s.metric.tenant_id)).toEqual([one]);
  });

  // ---- panels as Grafana shows them

  /** The app pages' display context: the currency is known (the app reads it before building the page). */
  const APP: DisplayContext = { currency: 'EUR', budgetThresholds: DEFAULT_BUDGET_THRESHOLDS };
  /** Fewer rows than the demo has tenants, so that the limit is exercised. */
  const TENANT_LIMIT = 10;

  const panelOf = (page: PageSpec, key: string): PanelSpec => page.panels.find((p) => p.key === key)!;

  async function tableOf(page: PageSpec, key: string, variables: Record<string, string> = {}) {
    const spec = panelOf(page, key);
    const to = Math.floor(Date.now() / 1000);
    const frames = await queryPanel(prometheus.url, panelTargets(spec, APP), {
      from: to - 7 * DAY,
      to,
      variables: { tenant: '.*', tenant_limit: String(TENANT_LIMIT), ...variables },
    });
    const tables = await applyTransformations(frames, panelTransformations(spec, APP));
    expect(tables).toHaveLength(1);
    return { table: tables[0]!, at: to };
  }

  /** The table as its header and rows, by the column names Grafana displays. */
  function rowsOf(table: DataFrame) {
    const header = table.fields.map((f) => getFieldDisplayName(f, table));
    const rows = Array.from({ length: table.length }, (_, i) =>
      Object.fromEntries(header.map((name, c) => [name, table.fields[c]!.values[i]])),
    );
    return { header, rows };
  }

  /** Instant values by a label, as Prometheus itself answers them at `at`. */
  async function valuesBy(label: string, expr: string, at: number) {
    const result = await prometheus.query(substitute(expr), at);
    return new Map(result.map((s) => [s.metric[label]!, Number(s.value[1])]));
  }

  const isFilled = (v: unknown) =>
    (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '');

  it('Cost per tenant: one row per tenant of the tenant limit, every column filled, values as Prometheus has them', async () => {
    const { table, at } = await tableOf(costAnalysisPage, 'cost-per-tenant');
    const { header, rows } = rowsOf(table);
    expect(header).toEqual(['Tenant', 'Cost', 'Revenue', 'Margin', 'Sites']);

    const cost = await valuesBy(
      'tenant_id',
      `topk(${TENANT_LIMIT}, chom:tenant_cost_monthly:sum_by_tenant)`,
      at,
    );
    expect(cost.size).toBe(TENANT_LIMIT);
    expect(rows.map((r) => r.Tenant).sort()).toEqual([...cost.keys()].sort());
    const revenue = await valuesBy('tenant_id', 'chom_tenant_revenue_monthly', at);
    const margin = await valuesBy('tenant_id', 'chom:tenant_margin_monthly:by_tenant', at);
    const sites = await valuesBy('tenant_id', 'chom_tenant_sites', at);
    for (const row of rows) {
      for (const column of header) {
        expect([row.Tenant, column, isFilled(row[column])]).toEqual([row.Tenant, column, true]);
      }
      const tenantId = row.Tenant as string;
      expect(row.Cost).toBeCloseTo(cost.get(tenantId)!, 6);
      // A tenant without an active subscription has no revenue series: 0, not an empty cell.
      expect(row.Revenue).toBeCloseTo(revenue.get(tenantId) ?? 0, 6);
      expect(row.Margin).toBeCloseTo(margin.get(tenantId)!, 6);
      expect(row.Sites).toBe(sites.get(tenantId) ?? 0);
    }
  });

  it('Cost per tenant: the tenant filter narrows it to the chosen tenant, in one row', async () => {
    const tenants = await prometheus.api<string[]>('label/tenant_id/values', {
      'match[]': 'chom_tenant_info',
    });
    const one = tenants[tenants.length - 1]!;
    const { table } = await tableOf(costAnalysisPage, 'cost-per-tenant', { tenant: one });
    const { rows } = rowsOf(table);
    expect(rows.map((r) => r.Tenant)).toEqual([one]);
    expect(Object.values(rows[0]!).every(isFilled)).toBe(true);
  });

  it('Per-tenant resources: one row per tenant with the most storage, every column filled', async () => {
    const { table, at } = await tableOf(capacityPlanningPage, 'tenant-resources');
    const { header, rows } = rowsOf(table);
    expect(header).toEqual(['Tenant', 'Storage', 'Sites', 'Servers']);
    const storage = await valuesBy('tenant_id', `topk(${TENANT_LIMIT}, chom_tenant_storage_used_bytes)`, at);
    expect(rows.map((r) => r.Tenant).sort()).toEqual([...storage.keys()].sort());
    const sites = await valuesBy('tenant_id', 'chom_tenant_sites', at);
    const servers = await valuesBy('tenant_id', 'chom_tenant_servers', at);
    for (const row of rows) {
      expect(header.map((c) => isFilled(row[c]))).toEqual(header.map(() => true));
      expect(row.Storage).toBe(storage.get(row.Tenant as string));
      expect(row.Sites).toBe(sites.get(row.Tenant as string) ?? 0);
      expect(row.Servers).toBe(servers.get(row.Tenant as string) ?? 0);
    }
  });

  it('Optimization opportunities: one row per opportunity of any kind, every column filled', async () => {
    const { table, at } = await tableOf(costAnalysisPage, 'optimization-opportunities');
    const { header, rows } = rowsOf(table);
    expect(header).toEqual(['Priority', 'Opportunity', 'Resource', 'Per month']);
    const series = await prometheus.query('chom_cost_optimization_savings_monthly', at);
    expect(rows).toHaveLength(series.length);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(header.map((c) => isFilled(row[c]))).toEqual(header.map(() => true));
      const match = series.find(
        (s) => s.metric.kind === row.Opportunity && s.metric.resource_id === row.Resource,
      );
      expect(match?.metric.priority).toBe(row.Priority);
      expect(row['Per month']).toBeCloseTo(Number(match!.value[1]), 6);
    }
    // Every kind the exporter documents has a readable name (an unknown kind shows as it is).
    for (const kind of new Set(series.map((s) => s.metric.kind!))) {
      expect(OPPORTUNITY_KIND_NAMES[kind]).toMatch(/^[A-Z]/);
    }
  });

  it('Days until each limit: one row per growing resource with its days', async () => {
    const { table, at } = await tableOf(capacityPlanningPage, 'days-until-limit');
    const { header, rows } = rowsOf(table);
    const series = await prometheus.query(QUERIES.capacityDaysUntilLimit.expr, at);
    const hostDisks = series.filter((s) => s.metric.resource === 'host_disk').length;
    // Host disks add their instance and mount point (a column appears when some row has it).
    expect(header).toEqual(
      hostDisks > 0
        ? ['Resource', 'Instance', 'Mount point', 'Days until limit']
        : ['Resource', 'Days until limit'],
    );
    expect(rows).toHaveLength(series.length);
    // The backfilled growth: storage and database grow.
    expect(rows.map((r) => r.Resource)).toEqual(expect.arrayContaining(['database', 'storage']));
    for (const row of rows) {
      expect(isFilled(row.Resource) && isFilled(row['Days until limit'])).toBe(true);
      if (hostDisks > 0) {
        expect(row.Resource === 'host_disk').toBe(isFilled(row.Instance) && isFilled(row['Mount point']));
      }
    }
  });

  it('Scaling recommendations: one row per resource, its priority from its use and days until the limit', async () => {
    const { table } = await tableOf(capacityPlanningPage, 'scaling-recommendations');
    const { header, rows } = rowsOf(table);
    expect(header).toEqual(['Resource', 'Priority', 'Used', 'Limit reached in', 'Recommendation']);
    const names = rows.map((r) => r.Resource as string);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['Site storage', 'Sites', 'Application database']));
    expect(names.some((n) => /^Disk \/\S* on \S+$/.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith('CPU on '))).toBe(true);
    expect(names.some((n) => n.startsWith('Memory on '))).toBe(true);
    for (const row of rows) {
      const used = row.Used as number | null;
      const days = row['Limit reached in'] as number | null | undefined;
      expect([row.Resource, isFilled(row.Priority), isFilled(row.Recommendation)]).toEqual([
        row.Resource,
        true,
        true,
      ]);
      const has = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
      const expected =
        (has(used) && used >= SCALE_NOW_RATIO) || (has(days) && days <= SCALE_NOW_DAYS)
          ? 3
          : (has(used) && used >= PLAN_RATIO) || (has(days) && days <= PLAN_DAYS)
            ? 2
            : has(days) && days <= REVIEW_DAYS
              ? 1
              : 0;
      expect([row.Resource, row.Priority]).toEqual([row.Resource, expected]);
      expect(row.Recommendation).toBe(row.Priority);
    }
  });

  it("the dashboards' money unit: the currency query gives Grafana's unit for the exporter's currency", async () => {
    const to = Math.floor(Date.now() / 1000);
    const targets = [
      prometheusTarget(CURRENCY_REF, QUERIES.currencyUnit),
      prometheusTarget('A', QUERIES.costMonthly),
    ];
    const frames = await queryPanel(prometheus.url, targets, { from: to - 3600, to });
    const currency = frames.find((f) => f.refId === CURRENCY_REF)!;
    const unit = currency.fields.find((f) => f.name === 'unit')!;
    // configFromData reads the field named "unit" (lastNotNull) into the money fields' unit.
    expect(unit.values).toEqual(['currencyEUR']);
  });

  /**
   * A range that starts now and has `points` steps: Grafana's Prometheus backend aligns a range's start
   * down to a multiple of the step, which in a live Grafana only moves "now" back by less than a step
   * into the history. The test Prometheus has a few seconds of history, so the step is chosen such
   * that the aligned start lands within them.
   */
  /**
   * Waits until every expression has a value at `at` (by default 5 s in the past): a range's aligned
   * start lies up to 5 s before now (rangeFromNow), a recording rule's first evaluation can be more
   * recent than that, and on a busy machine its evaluations are written late.
   */
  async function waitForRecentHistory(exprs: string[], at = Math.floor(Date.now() / 1000) - 5) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const results = await Promise.all(exprs.map((expr) => prometheus.query(expr, at)));
      if (results.every((r) => r.length > 0)) return;
      if (Date.now() > deadline) throw new Error(`no value at ${at} for one of: ${exprs.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  function rangeFromNow(seconds: number, minStep: number) {
    const now = Math.floor(Date.now() / 1000);
    let step = minStep;
    for (let s = minStep; s < minStep * 50; s++) {
      if (now % s < 5) {
        step = s;
        break;
      }
    }
    const points = Math.max(2, Math.ceil(seconds / step));
    return { from: now, to: now + points * step, maxDataPoints: points, start: now - (now % step), step };
  }

  it('projections are drawn from now into the future: the month-end line ends at the forecast', async () => {
    const spec = panelOf(costAnalysisPage, 'month-end-projection');
    await waitForRecentHistory([
      'chom:month_remaining:seconds',
      'chom:cost_month_end:forecast',
      'chom:cost_month_to_date:sum',
    ]);
    const now = Math.floor(Date.now() / 1000);
    const remainingNow = Number((await prometheus.query('chom:month_remaining:seconds', now))[0]!.value[1]);
    // Ten steps or more before the month ends (on its last minutes the line is too short to measure).
    const range = rangeFromNow(remainingNow + 3600, Math.max(15, Math.floor(remainingNow / 40)));
    // On a loaded machine the 1-second rule evaluations lag: wait until the aligned start is recorded.
    await waitForRecentHistory(
      ['chom:month_remaining:seconds', 'chom:cost_month_end:forecast', 'chom:cost_month_to_date:sum'],
      range.start,
    );
    const value = async (expr: string) => Number((await prometheus.query(expr, range.start))[0]!.value[1]);
    const remaining = await value('chom:month_remaining:seconds');
    const forecast = await value('chom:cost_month_end:forecast');
    const monthToDate = await value('chom:cost_month_to_date:sum');
    const frames = await queryPanel(prometheus.url, panelTargets(spec, APP), range);
    const [time, values] = frames.find((f) => f.refId === 'A')!.fields.map((f) => f.values as number[]);
    const seconds = time!.map((t) => t / 1000);
    expect(seconds[0]).toBe(range.start);
    // Up to the month end, not beyond.
    expect(seconds[seconds.length - 1]).toBeGreaterThan(range.start + remaining - 2 * range.step);
    expect(seconds[seconds.length - 1]).toBeLessThanOrEqual(range.start + remaining + range.step);
    const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1);
    expect(relative(values![0]!, monthToDate)).toBeLessThan(1e-3);
    // The line's value at the month end is the forecast.
    const slope = (values![1]! - values![0]!) / (seconds[1]! - seconds[0]!);
    expect(relative(values![0]! + slope * remaining, forecast)).toBeLessThan(1e-3);
    // A straight line: the same slope all along.
    const n = values!.length;
    const lastSlope = (values![n - 1]! - values![n - 2]!) / (seconds[n - 1]! - seconds[n - 2]!);
    expect(relative(lastSlope, slope)).toBeLessThan(1e-6);
    // The budget line runs along the same range.
    expect(frames.find((f) => f.refId === 'B')!.length).toBe(
      n > 0 ? frames.find((f) => f.refId === 'B')!.length : 0,
    );
  });

  it('the storage projection heads for the limit, reached after the recorded days until full', async () => {
    const spec = panelOf(capacityPlanningPage, 'storage-forecast');
    await waitForRecentHistory([
      'chom:capacity_days_until_limit:predict_linear{resource="storage"}',
      'max(chom_capacity_limit{resource="storage"})',
      'max(chom_capacity_used{resource="storage"})',
    ]);
    const range = rangeFromNow(90 * DAY, Math.ceil((90 * DAY) / 10_000));
    const value = async (expr: string) => {
      const result = await prometheus.query(expr, range.start);
      if (result.length === 0) {
        throw new Error(`${expr} has no value at ${range.start} (now ${Date.now() / 1000})`);
      }
      return Number(result[0]!.value[1]);
    };
    const days = await value('chom:capacity_days_until_limit:predict_linear{resource="storage"}');
    const limit = await value('max(chom_capacity_limit{resource="storage"})');
    const used = await value('max(chom_capacity_used{resource="storage"})');
    const frames = await queryPanel(prometheus.url, panelTargets(spec, APP), range);
    const [time, values] = frames.find((f) => f.refId === 'A')!.fields.map((f) => f.values as number[]);
    const seconds = time!.map((t) => t / 1000);
    expect(seconds[0]).toBe(range.start);
    expect(values![0]! / used).toBeCloseTo(1, 3);
    const slope = (values![1]! - values![0]!) / (seconds[1]! - seconds[0]!);
    expect(slope).toBeGreaterThan(0);
    // Where the line meets the limit: after the days of chom:capacity_days_until_limit:predict_linear.
    const reachesLimitAfterDays = (limit - values![0]!) / slope / DAY;
    expect(reachesLimitAfterDays / days).toBeCloseTo(1, 3);
    // The limit line across the same range.
    const limitLine = frames.find((f) => f.refId === 'B')!.fields[1]!.values as number[];
    expect(new Set(limitLine)).toEqual(new Set([limit]));
  });
});
