import type { ReportData } from '../data/gather';
import { segmentPointIds, type QueryPlan } from '../data/plan';
import type { InstantSample } from '../data/prometheus';
import { monthSegments, type Period } from '../schedule/period';
import type {
  AlertRow,
  AnomalyRow,
  BudgetStatus,
  CapacityRow,
  CategoryRow,
  OptimizationList,
  OptimizationRow,
  ReportModel,
  TenantRow,
} from './types';
import { opportunityKind, resourceLabel } from './opportunity-kinds';

/** The |z| of the ChomCostAnomaly alert (alerting/rules/alerts.yml): the report lists what would page. */
export const ANOMALY_Z_THRESHOLD = 4;
export const ALLOCATION_TARGET = 0.8;
/** Data older than this at the period end is flagged as stale. */
export const STALE_AFTER_SECONDS = 3600;

export interface BuildInput {
  readonly plan: QueryPlan;
  readonly data: ReportData;
  readonly report: {
    readonly name: string;
    readonly title: string;
    readonly color: string;
    readonly orientation: 'portrait' | 'landscape';
    readonly logoFile?: string;
    readonly tenants?: readonly string[];
    readonly topTenants: number;
  };
  readonly currencyOverride?: string;
  readonly locale: string;
  readonly timeZone: string;
  readonly generatedAt: Date;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);
const scalar = (samples: InstantSample[] | undefined): number | null => {
  const value = samples?.[0]?.value;
  return finite(value) ? value : null;
};
const byLabel = (samples: InstantSample[] | undefined, label: string): Map<string, number> =>
  new Map((samples ?? []).filter((s) => finite(s.value)).map((s) => [s.labels[label] ?? '', s.value]));
const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b !== 0 ? a / b : null);
const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/**
 * Accrued cost per category over a period, from month-to-date values: within one month the accrual of
 * [start, end) is mtd(end) − mtd(start); month-to-date restarts at 0 on the 1st, so a segment that
 * starts on the 1st subtracts nothing.
 */
export function accruedByCategory(
  prefix: string,
  period: Period,
  data: ReportData,
  now: Date,
): Map<string, number> {
  const total = new Map<string, number>();
  for (const point of segmentPointIds(prefix, period, now)) {
    const atEnd = byLabel(data.instant[point.endId], 'category');
    const atStart =
      point.startId !== undefined
        ? byLabel(data.instant[point.startId], 'category')
        : new Map<string, number>();
    for (const [category, value] of atEnd) {
      total.set(category, (total.get(category) ?? 0) + value - (atStart.get(category) ?? 0));
    }
  }
  return total;
}

/** The monthly budget pro-rated over the part of each month the period covers. */
export function periodBudget(period: Period, monthlyBudget: number, until: Date): number {
  return monthSegments(period).reduce((sum, s) => {
    const end = Math.min(s.end.getTime(), Math.max(until.getTime(), s.start.getTime()));
    return (
      sum + (monthlyBudget * (end - s.start.getTime())) / (s.monthEnd.getTime() - s.monthStart.getTime())
    );
  }, 0);
}

export function budgetStatus(
  spend: number,
  periodBudgetValue: number | null,
  forecast: number | null,
  monthlyBudget: number | null,
): BudgetStatus {
  if (periodBudgetValue === null || monthlyBudget === null || monthlyBudget <= 0) return 'no_budget';
  if (spend > periodBudgetValue) return 'over_budget';
  if (forecast !== null && forecast > monthlyBudget) return 'at_risk';
  return 'on_track';
}

/** Cumulative spend of the period at each month-to-date point, carrying totals across a month change. */
export function cumulativeTrend(
  points: ReadonlyArray<readonly [number, number]>,
  startValue: number,
): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  let carried = 0;
  let lastValue = 0;
  let lastMonth: number | null = null;
  let subtract = startValue;
  for (const [t, value] of points) {
    const d = new Date((t - 1) * 1000);
    const month = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (lastMonth !== null && month !== lastMonth) {
      carried += lastValue - subtract;
      subtract = 0;
    }
    lastMonth = month;
    lastValue = value;
    result.push([t, carried + value - subtract]);
  }
  return result;
}

function tenantRows(input: BuildInput): { rows: TenantRow[]; total: number; count: number } {
  const cost = byLabel(input.data.instant.tenant_cost, 'tenant_id');
  const previous = byLabel(input.data.instant.tenant_cost_previous, 'tenant_id');
  const margin = byLabel(input.data.instant.tenant_margin, 'tenant_id');
  const rows = [...cost.entries()]
    .map(([tenantId, value]): TenantRow => {
      const before = previous.get(tenantId) ?? null;
      return {
        tenantId,
        cost: value,
        previousCost: before,
        change: before === null ? null : value - before,
        changeShare: before === null || before === 0 ? null : (value - before) / before,
        margin: margin.get(tenantId) ?? null,
      };
    })
    .sort((a, b) => b.cost - a.cost || a.tenantId.localeCompare(b.tenantId));
  return {
    rows: rows.slice(0, input.report.topTenants),
    total: rows.reduce((s, r) => s + r.cost, 0),
    count: rows.length,
  };
}

function anomalyRows(input: BuildInput): AnomalyRow[] {
  const series = [
    ...(input.data.range.anomaly_total ?? []).map((s) => ({ name: 'total', points: s.points })),
    ...(input.data.range.anomaly_by_category ?? []).map((s) => ({
      name: s.labels.category ?? '?',
      points: s.points,
    })),
  ];
  const rows: AnomalyRow[] = [];
  for (const s of series) {
    let best: [number, number] | null = null;
    for (const point of s.points) {
      if (finite(point[1]) && (best === null || Math.abs(point[1]) > Math.abs(best[1]))) best = point;
    }
    if (best !== null && Math.abs(best[1]) >= ANOMALY_Z_THRESHOLD) {
      rows.push({ series: s.name, maxAbsZ: Math.abs(best[1]), z: best[1], at: best[0] });
    }
  }
  return rows.sort((a, b) => b.maxAbsZ - a.maxAbsZ || a.series.localeCompare(b.series));
}

function alertRows(input: BuildInput): AlertRow[] {
  const step = input.plan.range.alerts?.step ?? 300;
  const groups = new Map<string, AlertRow>();
  for (const s of input.data.range.alerts ?? []) {
    if (s.points.length === 0) continue;
    const { alertname = '?', severity = '', alertstate: _state, ...rest } = s.labels;
    void _state;
    const detail = Object.entries(rest)
      .filter(([k]) => !['instance', 'job', '__name__'].includes(k))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const key = `${alertname}|${severity}|${detail}`;
    const first = s.points[0]![0] - step;
    const last = s.points[s.points.length - 1]![0];
    const existing = groups.get(key);
    groups.set(key, {
      alertname,
      severity,
      detail,
      firstSeen: Math.min(existing?.firstSeen ?? first, first),
      lastSeen: Math.max(existing?.lastSeen ?? last, last),
      firingSeconds: (existing?.firingSeconds ?? 0) + s.points.length * step,
    });
  }
  return [...groups.values()].sort(
    (a, b) => a.firstSeen - b.firstSeen || a.alertname.localeCompare(b.alertname),
  );
}

function capacityRows(input: BuildInput): CapacityRow[] {
  const used = input.data.instant.capacity_used ?? [];
  const limit = byLabel(input.data.instant.capacity_limit, 'resource');
  const usedRatio = byLabel(input.data.instant.capacity_used_ratio, 'resource');
  const days = new Map<string, number>();
  for (const s of input.data.instant.capacity_days ?? []) {
    // host_disk has one series per instance and mountpoint: the soonest one is what matters.
    const resource = s.labels.resource ?? '?';
    if (finite(s.value) && s.value >= 0)
      days.set(resource, Math.min(days.get(resource) ?? Infinity, s.value));
  }
  const resources = new Set([
    ...used.map((s) => s.labels.resource ?? '?'),
    ...usedRatio.keys(),
    ...days.keys(),
  ]);
  return [...resources].sort().map((resource) => {
    const usedSample = used.find((s) => s.labels.resource === resource);
    const share = usedRatio.get(resource) ?? ratio(usedSample?.value ?? null, limit.get(resource) ?? null);
    return {
      resource,
      usedShare: share,
      headroomShare: share === null ? null : 1 - share,
      daysUntilFull: days.get(resource) ?? null,
      used: usedSample?.value ?? null,
      limit: limit.get(resource) ?? null,
      unit: usedSample?.labels.unit ?? '',
    };
  });
}

/** The largest `keep` rows (by value, then kind and ID), the total and the count of all. */
function largest(rows: OptimizationRow[], keep = 15): OptimizationList {
  const sorted = [...rows].sort(
    (a, b) =>
      b.monthly - a.monthly || a.kind.localeCompare(b.kind) || a.resourceId.localeCompare(b.resourceId),
  );
  return { rows: sorted.slice(0, keep), total: rows.reduce((s, r) => s + r.monthly, 0), count: rows.length };
}

/** Savings apart from shortfalls (negative_margin), which are never added to the savings. */
function optimizationRows(input: BuildInput): ReportModel['optimizations'] {
  const all: OptimizationRow[] = (input.data.instant.savings ?? [])
    .filter((s) => finite(s.value))
    .map((s) => {
      const kind = s.labels.kind ?? '?';
      const resourceId = s.labels.resource_id ?? '';
      return {
        kind,
        name: opportunityKind(kind).name,
        resourceId,
        resource: resourceLabel(kind, resourceId),
        priority: s.labels.priority ?? '',
        monthly: s.value,
      };
    });
  return {
    ...largest(all.filter((r) => opportunityKind(r.kind).saving)),
    shortfalls: largest(all.filter((r) => !opportunityKind(r.kind).saving)),
  };
}

export function buildReportModel(input: BuildInput): ReportModel {
  const { plan, data } = input;
  const period = plan.period;
  const now = input.generatedAt;
  const warnings: string[] = [];

  const spendByCategory = accruedByCategory('current', period, data, now);
  const previousByCategory = accruedByCategory('previous', plan.previous, data, now);
  const spend = [...spendByCategory.values()].reduce((a, b) => a + b, 0);
  const previousSpend =
    previousByCategory.size > 0 ? [...previousByCategory.values()].reduce((a, b) => a + b, 0) : null;
  if (spendByCategory.size === 0) warnings.push('No month-to-date cost data was found for this period.');
  const missingStart = segmentPointIds('current', period, now).some(
    (p) =>
      p.startId !== undefined &&
      (data.instant[p.startId] ?? []).length === 0 &&
      (data.instant[p.endId] ?? []).length > 0,
  );
  if (missingStart)
    warnings.push(
      'There is no cost data between the 1st and the start of the period: its spend counts from the 1st of the month.',
    );

  const monthlyBudget = scalar(data.instant.budget);
  const asOfDate = new Date((plan.asOf + 1) * 1000);
  const periodBudgetValue = monthlyBudget === null ? null : periodBudget(period, monthlyBudget, asOfDate);
  const forecast = scalar(data.instant.forecast);
  const lastSegment = monthSegments(period).at(-1)!;
  const computedElapsed =
    (Math.min(asOfDate.getTime(), lastSegment.monthEnd.getTime()) - lastSegment.monthStart.getTime()) /
    (lastSegment.monthEnd.getTime() - lastSegment.monthStart.getTime());
  const monthElapsedShare = scalar(data.instant.month_elapsed) ?? computedElapsed;
  // Budget used is measured against the month that contains the period end, like the forecast.
  const monthSpend = accruedMonthOfEnd(period, data);
  const forecastVariance = forecast !== null && monthlyBudget !== null ? forecast - monthlyBudget : null;

  const runRate = byLabel(data.instant.run_rate_by_category, 'category');
  const categoryBudget = byLabel(data.instant.budget_by_category, 'category');
  const categoryNames = [...new Set([...spendByCategory.keys(), ...runRate.keys()])];
  const categories: CategoryRow[] = categoryNames
    .map((category) => ({
      category,
      spend: spendByCategory.get(category) ?? 0,
      share: spend > 0 ? (spendByCategory.get(category) ?? 0) / spend : 0,
      runRate: runRate.get(category) ?? null,
      monthlyBudget: categoryBudget.get(category) ?? null,
    }))
    .sort((a, b) => b.spend - a.spend || a.category.localeCompare(b.category));

  const trendPoints = (data.range.month_to_date?.[0]?.points ?? []).filter((p) => finite(p[1]));
  const firstSegment = monthSegments(period)[0]!;
  const startId = segmentPointIds('current', period, now)[0]?.startId;
  const startValue =
    firstSegment.start.getTime() === firstSegment.monthStart.getTime() || startId === undefined
      ? 0
      : [...byLabel(data.instant[startId], 'category').values()].reduce((a, b) => a + b, 0);
  const trendSpend = cumulativeTrend(trendPoints, startValue);
  const budgetPace: Array<[number, number]> =
    monthlyBudget === null
      ? []
      : trendSpend.map(
          ([t]) => [t, periodBudget(period, monthlyBudget, new Date(t * 1000))] as [number, number],
        );
  const expectedPoints = Math.max(1, Math.floor((plan.asOf - period.start.getTime() / 1000) / 3600));
  const dataCoverage = Math.min(1, trendPoints.length / expectedPoints);
  if (dataCoverage < 0.95)
    warnings.push(`Only ${Math.round(dataCoverage * 100)} % of the hours of the period have cost data.`);

  const unallocated = byLabel(data.instant.unallocated_by_category, 'category');
  const coverageByCategory = byLabel(data.instant.coverage_by_category, 'category');
  const unallocatedRows = [...unallocated.entries()]
    .map(([category, cost]) => ({ category, cost, coverage: coverageByCategory.get(category) ?? null }))
    .sort((a, b) => b.cost - a.cost || a.category.localeCompare(b.category));

  const lastSuccess = scalar(data.instant.last_success);
  const ageSeconds = lastSuccess === null ? null : Math.max(0, plan.asOf - lastSuccess);
  const stale = ageSeconds === null || ageSeconds > STALE_AFTER_SECONDS;
  if (lastSuccess === null) warnings.push('The exporter reported no successful collection in this period.');
  else if (stale)
    warnings.push(`The latest data is ${Math.round(ageSeconds! / 3600)} h older than the period end.`);

  const currency = input.currencyOverride ?? data.instant.currency?.[0]?.labels.currency ?? 'USD';
  const complete = plan.asOf >= Math.floor(period.end.getTime() / 1000) - 1;
  if (!complete) warnings.push('The period is not over yet: figures are as of the time of the report.');

  return {
    reportName: input.report.name,
    title: input.report.title,
    color: input.report.color,
    orientation: input.report.orientation,
    ...(input.report.logoFile !== undefined ? { logoFile: input.report.logoFile } : {}),
    period: {
      key: period.key,
      label: period.label,
      start: period.start.toISOString(),
      end: period.end.toISOString(),
    },
    previousLabel: plan.previous.label,
    generatedAt: input.generatedAt.toISOString(),
    asOf: iso(plan.asOf),
    complete,
    timeZone: input.timeZone,
    currency,
    locale: input.locale,
    tenantFilter: input.report.tenants?.length ? [...input.report.tenants] : null,
    summary: {
      spend,
      previousSpend,
      spendChangeShare:
        previousSpend !== null && previousSpend !== 0 ? (spend - previousSpend) / previousSpend : null,
      monthlyBudget,
      periodBudget: periodBudgetValue,
      budgetUsedShare: ratio(monthSpend, monthlyBudget),
      monthElapsedShare,
      forecast,
      forecastVariance,
      forecastVarianceShare: ratio(forecastVariance, monthlyBudget),
      projection: scalar(data.instant.projection),
      status: budgetStatus(spend, periodBudgetValue, forecast, monthlyBudget),
    },
    categories,
    trend: { spend: trendSpend, budgetPace },
    tenants: tenantRows(input),
    allocation: {
      coverage: scalar(data.instant.coverage),
      target: ALLOCATION_TARGET,
      unallocated: unallocatedRows,
      unallocatedTotal: unallocatedRows.reduce((s, r) => s + r.cost, 0),
    },
    anomalies: { threshold: ANOMALY_Z_THRESHOLD, rows: anomalyRows(input) },
    alerts: alertRows(input),
    capacity: capacityRows(input),
    optimizations: optimizationRows(input),
    freshness: {
      lastSuccess: lastSuccess === null ? null : iso(lastSuccess),
      ageSeconds,
      stale,
      dataCoverage,
    },
    warnings,
  };
}

/** Month-to-date of the month that holds the period end (what the budget and forecast refer to). */
function accruedMonthOfEnd(period: Period, data: ReportData): number {
  const lastIndex = monthSegments(period).length - 1;
  return [...byLabel(data.instant[`current_mtd_end_${lastIndex}`], 'category').values()].reduce(
    (a, b) => a + b,
    0,
  );
}
