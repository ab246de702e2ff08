import { monthSegments, periodSeconds, previousPeriod, type Period } from '../schedule/period';

/**
 * Which PromQL queries a report needs, at which explicit times. Pure: the same period, options and
 * clock give the same plan, so a report for a past period is reproducible. The recording-rule names
 * are the contract of docs/recording-rules.md.
 */
export interface InstantQuery {
  readonly expr: string;
  /** unix seconds */
  readonly time: number;
}
export interface RangeQuery {
  readonly expr: string;
  readonly start: number;
  readonly end: number;
  readonly step: number;
}

export interface QueryPlan {
  readonly period: Period;
  readonly previous: Period;
  /** When "now" (period end, or the clock when the period is not over) is evaluated, unix seconds. */
  readonly asOf: number;
  readonly previousAsOf: number;
  readonly instant: Record<string, InstantQuery>;
  readonly range: Record<string, RangeQuery>;
}

export interface PlanOptions {
  /** e.g. "1h": how far back an instant query looks for the latest sample. */
  readonly lookback: string;
  readonly tenants?: readonly string[];
  readonly now: Date;
}

export const TREND_STEP_SECONDS = 3600;

/** The last second inside [start, end), but never after the clock. */
export function evaluationTime(end: Date, now: Date): number {
  return Math.min(Math.floor(end.getTime() / 1000) - 1, Math.floor(now.getTime() / 1000));
}

/**
 * A month-to-date reading that bounds a month segment of a period. Its lookback reaches back to the
 * segment start (end point) or the month start (start point): the latest reading inside the same
 * month is the best estimate when the exporter was down at the boundary, and never crosses the reset.
 */
export interface SegmentPoint {
  endId: string;
  /** unix seconds */
  end: number;
  /** seconds */
  endLookback: number;
  startId?: string;
  start?: number;
  startLookback?: number;
}

/** Query ids of the month-to-date points that bound each month segment of a period. */
export function segmentPointIds(prefix: string, period: Period, now: Date): SegmentPoint[] {
  return monthSegments(period).map((segment, index) => {
    const end = evaluationTime(segment.end, now);
    const point: SegmentPoint = {
      endId: `${prefix}_mtd_end_${index}`,
      end,
      endLookback: Math.max(1, end - Math.floor(segment.start.getTime() / 1000) + 1),
    };
    if (segment.start.getTime() !== segment.monthStart.getTime()) {
      point.startId = `${prefix}_mtd_start_${index}`;
      point.start = evaluationTime(segment.start, now);
      point.startLookback = Math.max(1, point.start - Math.floor(segment.monthStart.getTime() / 1000) + 1);
    }
    return point;
  });
}

export function alertStepSeconds(period: Period): number {
  // Prometheus answers at most 11,000 points per series.
  return Math.max(300, Math.ceil(periodSeconds(period) / 10_000));
}

export function planQueries(period: Period, options: PlanOptions): QueryPlan {
  const previous = previousPeriod(period);
  const asOf = evaluationTime(period.end, options.now);
  const previousAsOf = evaluationTime(previous.end, options.now);
  const lb = options.lookback;
  const last = (expr: string) => `last_over_time(${expr}[${lb}])`;
  const tenantSelector = options.tenants?.length ? `{tenant_id=~"${options.tenants.join('|')}"}` : '';
  const window = (p: Period) => `${periodSeconds(p)}s`;

  const instant: Record<string, InstantQuery> = {
    currency: { expr: `max by (currency) (${last('chom_exporter_info')})`, time: asOf },
    budget: { expr: last('chom:budget_monthly:total'), time: asOf },
    budget_by_category: { expr: last('chom_cost_budget_monthly{category!="total"}'), time: asOf },
    forecast: { expr: last('chom:cost_month_end:forecast'), time: asOf },
    projection: { expr: last('chom:cost_month_end_projection:sum'), time: asOf },
    month_elapsed: { expr: last('chom:month_elapsed:ratio'), time: asOf },
    run_rate_by_category: { expr: last('chom:cost_monthly:sum_by_category'), time: asOf },
    unallocated_by_category: {
      expr: `sum by (category) (${last('chom_unallocated_cost_monthly')})`,
      time: asOf,
    },
    coverage: { expr: last('chom:allocation_coverage:ratio'), time: asOf },
    coverage_by_category: { expr: last('chom:allocation_coverage:ratio_by_category'), time: asOf },
    capacity_days: { expr: last('chom:capacity_days_until_limit:predict_linear'), time: asOf },
    capacity_used_ratio: { expr: last('chom:capacity_used:ratio'), time: asOf },
    capacity_used: { expr: last('chom_capacity_used'), time: asOf },
    capacity_limit: { expr: last('chom_capacity_limit'), time: asOf },
    savings: { expr: last('chom_cost_optimization_savings_monthly'), time: asOf },
    // The timestamp only grows, so its maximum over the period is the latest successful collection.
    last_success: {
      expr: `max_over_time(chom_exporter_last_success_timestamp_seconds[${window(period)}])`,
      time: asOf,
    },
    tenant_cost: {
      expr: `avg_over_time(chom:tenant_cost_monthly:sum_by_tenant${tenantSelector}[${window(period)}])`,
      time: asOf,
    },
    tenant_cost_previous: {
      expr: `avg_over_time(chom:tenant_cost_monthly:sum_by_tenant${tenantSelector}[${window(previous)}])`,
      time: previousAsOf,
    },
    tenant_margin: {
      expr: `avg_over_time(chom:tenant_margin_monthly:by_tenant${tenantSelector}[${window(period)}])`,
      time: asOf,
    },
  };
  for (const [prefix, p] of [['current', period] as const, ['previous', previous] as const]) {
    const mtd = (lookbackSeconds: number) =>
      `last_over_time(chom:cost_month_to_date:sum_by_category[${lookbackSeconds}s])`;
    for (const point of segmentPointIds(prefix, p, options.now)) {
      instant[point.endId] = { expr: mtd(point.endLookback), time: point.end };
      if (point.startId !== undefined && point.start !== undefined && point.startLookback !== undefined) {
        instant[point.startId] = { expr: mtd(point.startLookback), time: point.start };
      }
    }
  }

  const start = Math.floor(period.start.getTime() / 1000);
  const trendStart = start + TREND_STEP_SECONDS;
  const alertStep = alertStepSeconds(period);
  const range: Record<string, RangeQuery> = {
    month_to_date: {
      expr: last('chom:cost_month_to_date:sum'),
      start: trendStart,
      end: asOf,
      step: TREND_STEP_SECONDS,
    },
    anomaly_total: {
      expr: last('chom:cost_monthly:anomaly_zscore'),
      start: trendStart,
      end: asOf,
      step: TREND_STEP_SECONDS,
    },
    anomaly_by_category: {
      expr: last('chom:cost_monthly:anomaly_zscore_by_category'),
      start: trendStart,
      end: asOf,
      step: TREND_STEP_SECONDS,
    },
    // "Firing at some moment of the step" so alerts shorter than a step are not missed.
    alerts: {
      expr: `max_over_time(ALERTS{alertstate="firing"}[${alertStep}s])`,
      start: start + alertStep,
      end: asOf,
      step: alertStep,
    },
  };
  return { period, previous, asOf, previousAsOf, instant, range };
}
