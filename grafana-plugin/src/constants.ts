import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

export enum ROUTES {
  CostAnalysis = 'cost-analysis',
  CapacityPlanning = 'capacity-planning',
}

/** The UID the provisioning files give the stack's Prometheus datasource. */
export const DEFAULT_DATASOURCE_UID = 'chom-prometheus';

/** The exporter's default budget alert thresholds (budgets.alert_thresholds). */
export const DEFAULT_BUDGET_THRESHOLDS = [0.5, 0.75, 0.9, 1.0];

/** FinOps target for the share of cost allocated to tenants. */
export const ALLOCATION_COVERAGE_TARGET = 0.8;

/** Upper bound the days-until-limit recording rule clamps to. */
export const MAX_DAYS_UNTIL_LIMIT = 3650;

/** The range the pages and dashboards open with. */
export const DEFAULT_TIME_RANGE = { from: 'now-7d', to: 'now' };

/**
 * Pages and dashboards show time in UTC: the cost model's months and days are UTC (docs/cost-model.md),
 * so "this month" on the axis is the month the figures are for.
 */
export const DASHBOARD_TIME_ZONE = 'utc';
