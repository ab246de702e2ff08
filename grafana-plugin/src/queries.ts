/**
 * Every PromQL query the app pages and the bundled dashboards send, in one place. Derived figures
 * come from the recording rules (docs/recording-rules.md) by name; the few formulas written here are
 * display concerns: one row per tenant, projections drawn into the future, and scaling priorities.
 *
 * Variables: `$tenant` (tenant filter, regex, "All" = `.*`) and `$tenant_limit` (rows in tenant tables).
 */
import { grafanaCurrencyCodes } from './domain/currency';
import {
  PLAN_DAYS,
  PLAN_RATIO,
  REVIEW_DAYS,
  SCALE_NOW_DAYS,
  SCALE_NOW_RATIO,
} from './domain/recommendations';

export interface PromQuery {
  expr: string;
  /** Legend template, e.g. `{{category}}`. */
  legendFormat?: string;
  /** Instant query (stats, gauges, tables); otherwise a range query. */
  instant?: boolean;
  /** `table` for table panels (one row per series). */
  format?: 'time_series' | 'table';
  /** Labels each returned series must carry; the query test asserts them. */
  labels: string[];
  /**
   * Evaluated over a window that starts now and reaches into the future (a projection): the series
   * exists only when the query's range starts at the current time. The query test runs it that way.
   */
  future?: boolean;
}

const DAY = 86400;
const tenant = 'tenant_id=~"$tenant"';

/**
 * The rows of a per-tenant table: the `$tenant_limit` largest tenants by `metric`, one series per
 * tenant (replicas of the exporter collapse into one), labelled by `tenant_id` only.
 */
export const tenantRows = (metric: string) =>
  `topk($tenant_limit, max by (tenant_id) (${metric}{${tenant}}))`;

/**
 * Another column of a per-tenant table: `metric` for exactly the tenants of `tenantRows(rowsMetric)`,
 * 0 for a tenant that has no such series (e.g. no subscription, so no revenue), labelled like the rows.
 * Every query of a table thus returns the same tenants, and the table joins them row by row.
 */
export const tenantColumn = (metric: string, rowsMetric: string) => {
  const rows = tenantRows(rowsMetric);
  return `(max by (tenant_id) (${metric}{${tenant}}) or on (tenant_id) 0 * ${rows}) and on (tenant_id) ${rows}`;
};

/**
 * `selector` evaluated at the start of the query range, i.e. now for a projection panel whose range
 * starts now (the `@` modifier; Prometheus ≥ 2.33 without a feature flag).
 */
const atStart = (selector: string) => `${selector} @ start()`;
/** Seconds from the last sample of `selector` at the range start to each step of the range. */
const sinceStart = (selector: string) => `(time() - max(timestamp(${atStart(selector)})))`;

/**
 * The straight line from `value` now towards `target`, reached after `seconds`, evaluated at every
 * step of a range that starts now: value + (target − value) · elapsed / seconds. Arguments are
 * selectors; each is read at the range start.
 */
function lineTowards(value: string, target: string, seconds: string) {
  const now = `max(${atStart(value)})`;
  return `${now} + on () (max(${atStart(target)}) - on () ${now}) * on () ${sinceStart(value)} / on () (${seconds})`;
}

/**
 * Projected storage or database use: from the use now towards the limit, reached after
 * `chom:capacity_days_until_limit:predict_linear` days; flat while the resource is not growing.
 */
function capacityProjection(resource: string) {
  const used = `chom_capacity_used{resource="${resource}"}`;
  const limit = `chom_capacity_limit{resource="${resource}"}`;
  const days = `max(${atStart(`${DAYS_UNTIL}{resource="${resource}"}`)}) * ${DAY} > 0`;
  return `(${lineTowards(used, limit, days)}) or on () max(${atStart(used)})`;
}

/** A horizontal line at the value `selector` has now, across a range that starts now. */
const flatFromStart = (selector: string) => `max(${atStart(selector)})`;

/** Linear projection of a host utilisation (per instance) from its last 7 days, drawn into the future. */
function hostProjection(series: string) {
  return `predict_linear(${series}[7d] @ start(), scalar(${sinceStart(series)}))`;
}

const CPU = 'chom:node_cpu_utilisation:ratio';
const MEMORY = 'chom:node_memory_utilisation:ratio';
const FILESYSTEM = 'chom:node_filesystem_utilisation:ratio';
const DAYS_UNTIL = 'chom:capacity_days_until_limit:predict_linear';

// ---- scaling recommendations: one series per resource, labelled with its readable `name`

const FLEET_RESOURCE_NAMES: Array<[resource: string, name: string]> = [
  ['storage', 'Site storage'],
  ['sites', 'Sites'],
  ['database', 'Application database'],
];

const setLabel = (expr: string, target: string, replacement: string, source: string, regex: string) =>
  `label_replace(${expr}, "${target}", "${replacement}", "${source}", "${regex}")`;

/** Fleet resources by their readable names (an unknown resource keeps its id). */
function fleetByName(expr: string) {
  let out = setLabel(expr, 'name', '$1', 'resource', '(.*)');
  for (const [resource, name] of FLEET_RESOURCE_NAMES) {
    out = setLabel(out, 'name', name, 'resource', resource);
  }
  return `max by (name) (${out})`;
}
/** Host disks as "Disk <mountpoint> on <instance>". */
const diskByName = (expr: string) =>
  `max by (name) (${setLabel(`label_join(${expr}, "disk", " on ", "mountpoint", "instance")`, 'name', 'Disk $1', 'disk', '(.*)')})`;
/** Host CPU or memory as "<what> on <instance>". */
const hostByName = (expr: string, what: string) =>
  `max by (name) (${setLabel(expr, 'name', `${what} on $1`, 'instance', '(.*)')})`;

/** Use of each resource (0–1). */
const USED_BY_NAME = [
  fleetByName('chom:capacity_used:ratio'),
  diskByName(FILESYSTEM),
  hostByName(CPU, 'CPU'),
  hostByName(MEMORY, 'Memory'),
].join(' or ');

/**
 * Days until CPU or memory reach the scale-now ratio along their 7-day trend (they have no limit
 * rule): 0 when already there, absent when not growing.
 */
function hostDaysUntil(series: string, what: string) {
  const perDay = `(predict_linear(${series}[7d], ${DAY}) - predict_linear(${series}[7d], 0))`;
  return (
    hostByName(`clamp_min((${SCALE_NOW_RATIO} - ${series}) / (${perDay} > 0), 0)`, what) +
    ` or ${hostByName(`0 * (${series} >= ${SCALE_NOW_RATIO})`, what)}`
  );
}

/** Days until each resource reaches its limit at its current growth (the recording rule). */
const DAYS_BY_NAME = [
  fleetByName(`${DAYS_UNTIL}{resource!="host_disk"}`),
  diskByName(`${DAYS_UNTIL}{resource="host_disk"}`),
  hostDaysUntil(CPU, 'CPU'),
  hostDaysUntil(MEMORY, 'Memory'),
].join(' or ');

/**
 * Scaling priority of each resource: 3 high (used ≥ 90 % or the limit within 14 days), 2 medium
 * (≥ 75 % or within 45 days), 1 low (within 90 days), 0 none (domain/recommendations.ts). Each term
 * exists only when its condition holds, and `or` keeps the first, i.e. the highest, per resource.
 */
const PRIORITY_BY_NAME = [
  `3 + 0 * ((${USED_BY_NAME}) >= ${SCALE_NOW_RATIO})`,
  `3 + 0 * ((${DAYS_BY_NAME}) <= ${SCALE_NOW_DAYS})`,
  `2 + 0 * ((${USED_BY_NAME}) >= ${PLAN_RATIO})`,
  `2 + 0 * ((${DAYS_BY_NAME}) <= ${PLAN_DAYS})`,
  `1 + 0 * ((${DAYS_BY_NAME}) <= ${REVIEW_DAYS})`,
  `0 * (${USED_BY_NAME})`,
  `0 * (${DAYS_BY_NAME})`,
].join(' or ');

/**
 * The Grafana unit of the exporter's currency, in the label `unit`: Grafana's own `currencyXXX` unit
 * for the codes Grafana knows, else a `currency:<CODE> ` prefix unit.
 */
function currencyUnitExpr() {
  const info = 'max by (currency) (chom_exporter_info)';
  const custom = setLabel(info, 'unit', 'currency:$1 ', 'currency', '(.+)');
  return setLabel(custom, 'unit', 'currency$1', 'currency', `(${grafanaCurrencyCodes().join('|')})`);
}

export const QUERIES = {
  // ---- exporter health and facts
  exporterUp: { expr: 'chom_exporter_up', instant: true, labels: [] },
  exporterLastSuccess: { expr: 'chom_exporter_last_success_timestamp_seconds', instant: true, labels: [] },
  exporterInfo: { expr: 'chom_exporter_info', instant: true, labels: ['version', 'currency'] },
  budgetAlertThresholds: {
    expr: 'chom_cost_budget_alert_threshold_ratio',
    instant: true,
    labels: ['threshold'],
  },
  /** The unit money panels take from the exporter (configFromData), label `unit`. */
  currencyUnit: { expr: currencyUnitExpr(), instant: true, format: 'table', labels: ['currency', 'unit'] },

  // ---- cost and budget
  costMonthly: { expr: 'chom:cost_monthly:sum', legendFormat: 'Run-rate', labels: [] },
  costMonthToDate: { expr: 'chom:cost_month_to_date:sum', legendFormat: 'Month to date', labels: [] },
  costMonthEndForecast: {
    expr: 'chom:cost_month_end:forecast',
    legendFormat: 'Month-end forecast',
    labels: [],
  },
  /** The exporter's projection from the database's daily usage (docs/forecasting.md), beside the forecast. */
  costMonthEndProjection: {
    expr: 'chom:cost_month_end_projection:sum',
    legendFormat: 'Exporter projection',
    labels: [],
  },
  /** Month to date drawn from now to the month end, where it reaches the month-end forecast. */
  costProjection: {
    expr: `(${lineTowards(
      'chom:cost_month_to_date:sum',
      'chom:cost_month_end:forecast',
      `max(${atStart('chom:month_remaining:seconds')})`,
    )}) and on () ${sinceStart('chom:cost_month_to_date:sum')} <= on () max(${atStart('chom:month_remaining:seconds')})`,
    legendFormat: 'Projected month to date',
    future: true,
    labels: [],
  },
  budgetAhead: {
    expr: flatFromStart('chom:budget_monthly:total'),
    legendFormat: 'Budget',
    future: true,
    labels: [],
  },
  budgetMonthly: { expr: 'chom:budget_monthly:total', legendFormat: 'Budget', labels: [] },
  budgetUtilisation: { expr: 'chom:budget_utilisation:ratio', instant: true, labels: [] },
  forecastBudgetRatio: { expr: 'chom:cost_month_end_forecast_budget:ratio', instant: true, labels: [] },
  budgetUtilisationByCategory: {
    expr: 'chom:budget_utilisation:ratio_by_category',
    legendFormat: '{{category}}',
    instant: true,
    labels: ['category'],
  },
  costByCategory: {
    expr: 'chom:cost_monthly:sum_by_category',
    legendFormat: '{{category}}',
    instant: true,
    labels: ['category'],
  },

  // ---- showback: cost per tenant (the costliest $tenant_limit tenants in every column)
  tenantCost: {
    expr: tenantRows('chom:tenant_cost_monthly:sum_by_tenant'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantRevenue: {
    expr: tenantColumn('chom_tenant_revenue_monthly', 'chom:tenant_cost_monthly:sum_by_tenant'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantMargin: {
    expr: tenantColumn('chom:tenant_margin_monthly:by_tenant', 'chom:tenant_cost_monthly:sum_by_tenant'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantSites: {
    expr: tenantColumn('chom_tenant_sites', 'chom:tenant_cost_monthly:sum_by_tenant'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },

  // ---- storage, bandwidth, e-mail
  storageUsed: { expr: 'chom:storage_used_bytes:sum', legendFormat: 'Site storage', labels: [] },
  storageProjection: {
    expr: capacityProjection('storage'),
    legendFormat: 'Projected storage',
    future: true,
    labels: [],
  },
  storageLimit: {
    expr: 'max(chom_capacity_limit{resource="storage"})',
    legendFormat: 'Limit',
    labels: [],
  },
  storageLimitAhead: {
    expr: flatFromStart('chom_capacity_limit{resource="storage"}'),
    legendFormat: 'Limit',
    future: true,
    labels: [],
  },
  egress30d: { expr: 'chom_network_egress_bytes_30d', legendFormat: 'Egress (30 days)', labels: [] },
  ingress30d: { expr: 'chom_network_ingress_bytes_30d', legendFormat: 'Ingress (30 days)', labels: [] },
  egressMonthToDate: {
    expr: 'chom_network_egress_month_to_date_bytes',
    legendFormat: 'Egress this month',
    labels: [],
  },
  networkCost: {
    expr: 'chom:cost_monthly:sum_by_category{category="network"}',
    legendFormat: 'Bandwidth',
    labels: ['category'],
  },
  emailsSent30d: { expr: 'chom_emails_sent_30d', legendFormat: '{{type}}', labels: ['type'] },
  emailCost: {
    expr: 'chom:cost_monthly:sum_by_category{category="email"}',
    legendFormat: 'E-mail',
    labels: ['category'],
  },

  // ---- optimisation, ROI, allocation
  /** Savings only: a negative margin is a tenant's shortfall, not money that can be saved. */
  savingsTotal: {
    expr: 'sum(chom_cost_optimization_savings_monthly{kind!="negative_margin"}) or vector(0)',
    instant: true,
    labels: [],
  },
  optimizationOpportunities: {
    expr: 'max by (kind, resource_id, priority) (chom_cost_optimization_savings_monthly)',
    instant: true,
    format: 'table',
    labels: ['kind', 'resource_id', 'priority'],
  },
  revenueMonthly: { expr: 'chom:revenue_monthly:sum', legendFormat: 'Revenue', labels: [] },
  marginMonthly: { expr: 'chom:margin_monthly:sum', legendFormat: 'Margin', instant: true, labels: [] },
  infrastructureRoi: { expr: 'chom:infrastructure_roi:ratio', instant: true, labels: [] },
  allocationCoverage: { expr: 'chom:allocation_coverage:ratio', instant: true, labels: [] },
  allocationCoverageByCategory: {
    expr: 'chom:allocation_coverage:ratio_by_category',
    legendFormat: '{{category}}',
    instant: true,
    labels: ['category'],
  },

  // ---- hosts (node_exporter through the chom_node rules)
  nodeCpu: { expr: CPU, legendFormat: '{{instance}}', labels: ['instance'] },
  nodeMemory: { expr: MEMORY, legendFormat: '{{instance}}', labels: ['instance'] },
  nodeFilesystem: {
    expr: FILESYSTEM,
    legendFormat: '{{instance}} {{mountpoint}}',
    instant: true,
    labels: ['instance', 'mountpoint'],
  },
  nodeCpuProjection: {
    expr: hostProjection(CPU),
    legendFormat: '{{instance}}',
    future: true,
    labels: ['instance'],
  },
  nodeMemoryProjection: {
    expr: hostProjection(MEMORY),
    legendFormat: '{{instance}}',
    future: true,
    labels: ['instance'],
  },

  // ---- fleet capacity
  capacityUsedRatio: {
    expr: 'chom:capacity_used:ratio',
    legendFormat: '{{resource}}',
    instant: true,
    labels: ['resource'],
  },
  capacityDaysUntilLimit: {
    expr: DAYS_UNTIL,
    instant: true,
    format: 'table',
    labels: ['resource'],
  },
  storageHeadroom: {
    expr: 'chom_capacity_headroom_ratio{resource="storage"}',
    instant: true,
    labels: ['resource'],
  },
  storageDaysUntilFull: {
    expr: `${DAYS_UNTIL}{resource="storage"}`,
    instant: true,
    labels: ['resource'],
  },
  databaseSize: { expr: 'chom_database_size_bytes', legendFormat: 'Database size', labels: [] },
  databaseProjection: {
    expr: capacityProjection('database'),
    legendFormat: 'Projected database size',
    future: true,
    labels: [],
  },
  databaseLimitAhead: {
    expr: flatFromStart('chom_capacity_limit{resource="database"}'),
    legendFormat: 'Limit',
    future: true,
    labels: [],
  },
  databaseLimit: {
    expr: 'max(chom_capacity_limit{resource="database"})',
    legendFormat: 'Limit',
    labels: [],
  },
  databaseDaysUntilLimit: {
    expr: `${DAYS_UNTIL}{resource="database"}`,
    instant: true,
    labels: ['resource'],
  },
  tenantStorage: {
    expr: tenantRows('chom_tenant_storage_used_bytes'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantStorageSites: {
    expr: tenantColumn('chom_tenant_sites', 'chom_tenant_storage_used_bytes'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantServers: {
    expr: tenantColumn('chom_tenant_servers', 'chom_tenant_storage_used_bytes'),
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  serverHeadroom: {
    expr: '1 - chom_server_storage_used_bytes / (chom_server_disk_capacity_bytes > 0)',
    legendFormat: '{{server_id}}',
    instant: true,
    labels: ['server_id'],
  },

  // ---- scaling recommendations: one row per resource (`name`)
  scalingUsed: { expr: USED_BY_NAME, instant: true, format: 'table', labels: ['name'] },
  scalingDaysUntil: { expr: DAYS_BY_NAME, instant: true, format: 'table', labels: ['name'] },
  scalingPriority: { expr: PRIORITY_BY_NAME, instant: true, format: 'table', labels: ['name'] },
} satisfies Record<string, PromQuery>;

export type QueryName = keyof typeof QUERIES;

export const QUERY_NAMES = Object.keys(QUERIES) as QueryName[];

/** The tenant filter's variable query (label values of chom_tenant_info). */
export const TENANT_QUERY = 'label_values(chom_tenant_info, tenant_id)';
