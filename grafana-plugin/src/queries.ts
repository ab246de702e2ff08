/**
 * Every PromQL query the app pages and the bundled dashboards send, in one place. Derived figures
 * come from the recording rules (docs/recording-rules.md) by name; only projections that no rule
 * defines (predict_linear of a recorded series to a fixed horizon) are written here.
 *
 * Variables: `$tenant` (tenant filter, regex, "All" = `.*`) and `$tenant_limit` (rows in tenant tables).
 */
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
}

const DAY = 86400;
const tenant = 'tenant_id=~"$tenant"';
const projection = (series: string, days: number) => `predict_linear(${series}[7d], ${days} * ${DAY})`;

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

  // ---- cost and budget
  costMonthly: { expr: 'chom:cost_monthly:sum', legendFormat: 'Run-rate', labels: [] },
  costMonthToDate: { expr: 'chom:cost_month_to_date:sum', legendFormat: 'Month to date', labels: [] },
  costMonthEndForecast: {
    expr: 'chom:cost_month_end:forecast',
    legendFormat: 'Month-end forecast',
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

  // ---- showback: cost per tenant
  tenantCost: {
    expr: `topk($tenant_limit, chom:tenant_cost_monthly:sum_by_tenant{${tenant}})`,
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantRevenue: {
    expr: `chom_tenant_revenue_monthly{${tenant}}`,
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantMargin: {
    expr: `chom:tenant_margin_monthly:by_tenant{${tenant}}`,
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantSites: {
    expr: `chom_tenant_sites{${tenant}}`,
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },

  // ---- storage, bandwidth, e-mail
  storageUsed: { expr: 'chom:storage_used_bytes:sum', legendFormat: 'Site storage', labels: [] },
  storageProjection30d: {
    expr: projection('chom:storage_used_bytes:sum', 30),
    legendFormat: 'Projected in 30 days',
    labels: [],
  },
  storageLimit: {
    expr: 'chom_capacity_limit{resource="storage"}',
    legendFormat: 'Limit',
    labels: ['resource'],
  },
  egress30d: {
    expr: 'chom_network_egress_bytes_30d',
    legendFormat: 'Egress (30 days)',
    instant: true,
    labels: [],
  },
  ingress30d: {
    expr: 'chom_network_ingress_bytes_30d',
    legendFormat: 'Ingress (30 days)',
    instant: true,
    labels: [],
  },
  egressMonthToDate: {
    expr: 'chom_network_egress_month_to_date_bytes',
    legendFormat: 'Egress this month',
    instant: true,
    labels: [],
  },
  networkCost: {
    expr: 'chom:cost_monthly:sum_by_category{category="network"}',
    legendFormat: 'Network cost',
    instant: true,
    labels: ['category'],
  },
  emailsSent30d: { expr: 'chom_emails_sent_30d', legendFormat: '{{type}}', instant: true, labels: ['type'] },
  emailCost: {
    expr: 'chom:cost_monthly:sum_by_category{category="email"}',
    legendFormat: 'E-mail cost',
    instant: true,
    labels: ['category'],
  },

  // ---- optimisation, ROI, allocation
  savingsTotal: { expr: 'chom:cost_optimization_savings_monthly:sum', instant: true, labels: [] },
  optimizationOpportunities: {
    expr: 'chom_cost_optimization_savings_monthly',
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
  nodeCpu: { expr: 'chom:node_cpu_utilisation:ratio', legendFormat: '{{instance}}', labels: ['instance'] },
  nodeMemory: {
    expr: 'chom:node_memory_utilisation:ratio',
    legendFormat: '{{instance}}',
    labels: ['instance'],
  },
  nodeFilesystem: {
    expr: 'chom:node_filesystem_utilisation:ratio',
    legendFormat: '{{instance}} {{mountpoint}}',
    instant: true,
    labels: ['instance', 'mountpoint'],
  },
  nodeCpuForecast30d: {
    expr: projection('chom:node_cpu_utilisation:ratio', 30),
    legendFormat: '{{instance}} +30d',
    labels: ['instance'],
  },
  nodeCpuForecast60d: {
    expr: projection('chom:node_cpu_utilisation:ratio', 60),
    legendFormat: '{{instance}} +60d',
    labels: ['instance'],
  },
  nodeCpuForecast90d: {
    expr: projection('chom:node_cpu_utilisation:ratio', 90),
    legendFormat: '{{instance}} +90d',
    labels: ['instance'],
  },
  nodeMemoryForecast30d: {
    expr: projection('chom:node_memory_utilisation:ratio', 30),
    legendFormat: '{{instance}} +30d',
    labels: ['instance'],
  },
  nodeMemoryForecast60d: {
    expr: projection('chom:node_memory_utilisation:ratio', 60),
    legendFormat: '{{instance}} +60d',
    labels: ['instance'],
  },
  nodeMemoryForecast90d: {
    expr: projection('chom:node_memory_utilisation:ratio', 90),
    legendFormat: '{{instance}} +90d',
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
    expr: 'chom:capacity_days_until_limit:predict_linear',
    legendFormat: '{{resource}} {{instance}} {{mountpoint}}',
    instant: true,
    labels: ['resource'],
  },
  storageHeadroom: {
    expr: 'chom_capacity_headroom_ratio{resource="storage"}',
    instant: true,
    labels: ['resource'],
  },
  storageDaysUntilFull: {
    expr: 'chom:capacity_days_until_limit:predict_linear{resource="storage"}',
    instant: true,
    labels: ['resource'],
  },
  databaseSize: { expr: 'chom_database_size_bytes', legendFormat: 'Database size', labels: [] },
  databaseProjection30d: {
    expr: projection('chom_database_size_bytes', 30),
    legendFormat: 'Projected in 30 days',
    labels: [],
  },
  databaseLimit: {
    expr: 'chom_capacity_limit{resource="database"}',
    legendFormat: 'Limit',
    labels: ['resource'],
  },
  databaseDaysUntilLimit: {
    expr: 'chom:capacity_days_until_limit:predict_linear{resource="database"}',
    instant: true,
    labels: ['resource'],
  },
  tenantStorage: {
    expr: `topk($tenant_limit, chom_tenant_storage_used_bytes{${tenant}})`,
    instant: true,
    format: 'table',
    labels: ['tenant_id'],
  },
  tenantServers: {
    expr: `chom_tenant_servers{${tenant}}`,
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
} satisfies Record<string, PromQuery>;

export type QueryName = keyof typeof QUERIES;

export const QUERY_NAMES = Object.keys(QUERIES) as QueryName[];

/** The tenant filter's variable query (label values of chom_tenant_info). */
export const TENANT_QUERY = 'label_values(chom_tenant_info, tenant_id)';
