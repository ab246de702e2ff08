import type { ReportModel } from '../model/types';

/** One field as RFC 4180 wants it: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRecord(fields: Array<string | number | null>): string {
  return fields.map(csvField).join(',');
}

/**
 * The report's tables in one CSV, in long form so every record has the same fields:
 * section, item, measure, value, unit. Numbers are plain (dot decimal, full precision) for spreadsheets.
 */
export function renderCsv(model: ReportModel): string {
  const c = model.currency;
  const rows: Array<Array<string | number | null>> = [['section', 'item', 'measure', 'value', 'unit']];
  const add = (section: string, item: string, measure: string, value: string | number | null, unit: string) =>
    rows.push([section, item, measure, value, unit]);

  add('report', model.reportName, 'period', model.period.key, '');
  add('report', model.reportName, 'as_of', model.asOf, '');
  const s = model.summary;
  add('summary', 'total', 'status', s.status, '');
  add('summary', 'total', 'spend', s.spend, c);
  add('summary', 'total', 'previous_spend', s.previousSpend, c);
  add('summary', 'total', 'period_budget', s.periodBudget, c);
  add('summary', 'total', 'monthly_budget', s.monthlyBudget, c);
  add('summary', 'total', 'budget_used_share', s.budgetUsedShare, 'ratio');
  add('summary', 'total', 'month_elapsed_share', s.monthElapsedShare, 'ratio');
  add('summary', 'total', 'month_end_forecast', s.forecast, c);
  add('summary', 'total', 'forecast_variance', s.forecastVariance, c);
  add('summary', 'total', 'month_end_projection', s.projection, c);
  for (const row of model.categories) {
    add('category', row.category, 'spend', row.spend, c);
    add('category', row.category, 'share', row.share, 'ratio');
    add('category', row.category, 'run_rate_monthly', row.runRate, c);
    add('category', row.category, 'budget_monthly', row.monthlyBudget, c);
  }
  for (const row of model.tenants.rows) {
    add('tenant', row.tenantId, 'cost_monthly_avg', row.cost, c);
    add('tenant', row.tenantId, 'previous_cost_monthly_avg', row.previousCost, c);
    add('tenant', row.tenantId, 'change', row.change, c);
    add('tenant', row.tenantId, 'margin_monthly_avg', row.margin, c);
  }
  add('allocation', 'total', 'coverage', model.allocation.coverage, 'ratio');
  for (const row of model.allocation.unallocated) {
    add('allocation', row.category, 'unallocated_monthly', row.cost, c);
    add('allocation', row.category, 'coverage', row.coverage, 'ratio');
  }
  for (const row of model.anomalies.rows)
    add('anomaly', row.series, `zscore_at_${new Date(row.at * 1000).toISOString()}`, row.z, 'z');
  for (const row of model.alerts) {
    const item = row.detail ? `${row.alertname} {${row.detail}}` : row.alertname;
    add('alert', item, 'first_firing', new Date(row.firstSeen * 1000).toISOString(), '');
    add('alert', item, 'firing_seconds', row.firingSeconds, 's');
  }
  for (const row of model.capacity) {
    add('capacity', row.resource, 'used', row.used, row.unit);
    add('capacity', row.resource, 'limit', row.limit, row.unit);
    add('capacity', row.resource, 'days_until_full', row.daysUntilFull, 'd');
  }
  for (const row of model.optimizations.rows)
    add('optimization', `${row.kind}:${row.resourceId}`, 'savings_monthly', row.monthly, c);
  add('optimization', 'total', 'savings_monthly', model.optimizations.total, c);
  // negative_margin: a shortfall, never part of the savings total
  for (const row of model.optimizations.shortfalls.rows)
    add('optimization', `${row.kind}:${row.resourceId}`, 'shortfall_monthly', row.monthly, c);
  add('optimization', 'total', 'shortfall_monthly', model.optimizations.shortfalls.total, c);
  add('freshness', 'exporter', 'last_success', model.freshness.lastSuccess, '');
  return rows.map(csvRecord).join('\r\n') + '\r\n';
}
