import type { Config } from '../config/schema';
import { centsToUnits, headroomRatio, type CostReport } from '../model';
import { FamilyCollector, type FamilySink, type MetricFamily, type SetSample } from './format';

/**
 * The cost, tenant, usage and capacity metrics, written once per collection into a sink: the
 * exposition writer (exposition/data-exposition.ts), so a scrape only copies bytes, or plain
 * families (the backfill, tests).
 */
export interface DataMetrics {
  /**
   * Writes every family (in a fixed order, HELP and TYPE included) with the figures of `report`, and
   * the exporter's month-end projection in cents per category when given (model/projection.ts).
   */
  write(sink: FamilySink, report: CostReport, monthEndProjection?: ReadonlyMap<string, bigint>): void;
  /** The same families as data. */
  families(report: CostReport, monthEndProjection?: ReadonlyMap<string, bigint>): MetricFamily[];
}

/** A JS number for the exposition; anything not finite is dropped rather than exported as NaN/Inf. */
function finite(value: number): number | undefined {
  return Number.isFinite(value) ? value : undefined;
}

export function createDataMetrics(config: Config): DataMetrics {
  const money = `in ${config.currency}`;
  const refresh = `refreshed every ${config.collection.ttl_seconds} s`;
  // label names are listed for the reader; a family holds whatever labels its samples are set with.
  // `perTenant`: one series per tenant (and category), each set once: written as it comes
  const gauge = (name: string, help: string, _labelNames: readonly string[] = [], perTenant = false) => ({
    name,
    help,
    perTenant,
  });

  const spec = {
    costMonthly: gauge('chom_infrastructure_cost_monthly', `Monthly run-rate cost ${money}`, [
      'category',
      'resource_type',
    ]),
    monthToDate: gauge('chom_cost_month_to_date', `Cost accrued since the 1st of the month (UTC) ${money}`, [
      'category',
    ]),
    monthEndProjection: gauge(
      'chom_cost_month_end_projection',
      `The whole calendar month's cost as the exporter projects it ${money}: what exists at its run-rate for the rest of the month, usage at the mean of the same weekday over the last four weeks`,
      ['category'],
    ),
    budget: gauge(
      'chom_cost_budget_monthly',
      `Configured monthly budget ${money} (category="total": overall)`,
      ['category'],
    ),
    threshold: gauge(
      'chom_cost_budget_alert_threshold_ratio',
      'Configured budget alert threshold (ratio of the budget)',
      ['threshold'],
    ),
    tenantCost: gauge(
      'chom_tenant_cost_monthly',
      `Monthly run-rate cost allocated to the tenant ${money}`,
      ['tenant_id', 'category'],
      true,
    ),
    unallocated: gauge(
      'chom_unallocated_cost_monthly',
      `Monthly run-rate cost not allocated to any tenant ${money}`,
      ['category'],
    ),
    revenue: gauge(
      'chom_tenant_revenue_monthly',
      `Active subscription revenue of the tenant per month ${money}`,
      ['tenant_id'],
      true,
    ),
    tenantSites: gauge('chom_tenant_sites', 'Existing sites of the tenant', ['tenant_id'], true),
    tenantServers: gauge(
      'chom_tenant_servers',
      'Existing servers dedicated to the tenant',
      ['tenant_id'],
      true,
    ),
    tenantStorage: gauge(
      'chom_tenant_storage_used_bytes',
      "Storage used by the tenant's sites in bytes",
      ['tenant_id'],
      true,
    ),
    tenantInfo: gauge(
      'chom_tenant_info',
      'Tenant metadata for joins (always 1)',
      config.collection.expose_tenant_names ? ['tenant_id', 'plan', 'name'] : ['tenant_id', 'plan'],
      true,
    ),
    storage: gauge('chom_storage_used_bytes', 'Storage used by all existing sites in bytes'),
    egress30d: gauge(
      'chom_network_egress_bytes_30d',
      'Egress of all sites over the last 30 days (today included) in bytes',
    ),
    ingress30d: gauge(
      'chom_network_ingress_bytes_30d',
      'Ingress of all sites over the last 30 days (today included) in bytes',
    ),
    egressMtd: gauge(
      'chom_network_egress_month_to_date_bytes',
      'Egress of all sites since the 1st of the month (UTC) in bytes',
    ),
    emails30d: gauge('chom_emails_sent_30d', 'E-mail messages sent over the last 30 days (today included)', [
      'type',
    ]),
    emailsMtd: gauge(
      'chom_emails_sent_month_to_date',
      'E-mail messages sent since the 1st of the month (UTC)',
      ['type'],
    ),
    databaseSize: gauge(
      'chom_database_size_bytes',
      'Size of the application schema (data and indexes) in bytes',
    ),
    servers: gauge('chom_servers', 'Existing servers by provider, size and status', [
      'provider',
      'size',
      'status',
    ]),
    serverStorage: gauge(
      'chom_server_storage_used_bytes',
      'Storage used by the sites on the server in bytes',
      ['server_id'],
    ),
    serverDisk: gauge(
      'chom_server_disk_capacity_bytes',
      'Disk size of the server in bytes (disk_gb as GiB)',
      ['server_id'],
    ),
    capacityUsed: gauge('chom_capacity_used', 'Fleet capacity in use', ['resource', 'unit']),
    capacityLimit: gauge('chom_capacity_limit', 'Fleet capacity limit', ['resource', 'unit']),
    headroom: gauge('chom_capacity_headroom_ratio', 'Fleet capacity headroom, 1 - used/limit', ['resource']),
    savings: gauge(
      'chom_cost_optimization_savings_monthly',
      `Estimated monthly savings of one optimization opportunity ${money} (kind="negative_margin": monthly shortfall of revenue against cost, not a saving)`,
      ['kind', 'resource_id', 'priority'],
    ),
  };
  const set = (family: SetSample, labels: Record<string, string>, value: number) => {
    const v = finite(value);
    if (v !== undefined) family(labels, v);
  };
  const units = (cents: bigint) => centsToUnits(cents);
  const num = (n: bigint) => Number(n);

  function publishConfig(m: Record<keyof typeof spec, SetSample>) {
    if (config.budgets.monthly_total !== undefined)
      set(m.budget, { category: 'total' }, config.budgets.monthly_total);
    for (const [category, amount] of Object.entries(config.budgets.categories))
      set(m.budget, { category }, amount);
    for (const t of config.budgets.alert_thresholds) set(m.threshold, { threshold: String(t) }, t);
  }

  function write(sink: FamilySink, report: CostReport, monthEndProjection?: ReadonlyMap<string, bigint>) {
    const m = Object.fromEntries(
      Object.entries(spec).map(([key, { name, help, perTenant }]) => [
        key,
        sink.family(name, `${help}; ${refresh}.`, 'gauge', perTenant),
      ]),
    ) as Record<keyof typeof spec, SetSample>;
    publishConfig(m);
    for (const line of report.runRate) {
      set(m.costMonthly, { category: line.category, resource_type: line.resourceType }, units(line.cents));
    }
    for (const [category, cents] of report.monthToDateCents) set(m.monthToDate, { category }, units(cents));
    for (const [category, cents] of monthEndProjection ?? [])
      set(m.monthEndProjection, { category }, units(cents));
    for (const [category, cents] of report.unallocatedCents) set(m.unallocated, { category }, units(cents));
    for (const t of report.tenants) {
      const tenant_id = t.tenantId;
      for (const [category, cents] of t.costCents) set(m.tenantCost, { tenant_id, category }, units(cents));
      set(m.revenue, { tenant_id }, units(t.revenueCents));
      set(m.tenantSites, { tenant_id }, num(t.sites));
      set(m.tenantServers, { tenant_id }, num(t.servers));
      set(m.tenantStorage, { tenant_id }, num(t.storageUsedBytes));
      if (t.plan !== undefined) {
        const labels: Record<string, string> = { tenant_id, plan: t.plan };
        if (config.collection.expose_tenant_names) labels.name = t.name ?? '';
        set(m.tenantInfo, labels, 1);
      }
    }
    const u = report.usage;
    set(m.storage, {}, num(u.storageUsedBytes));
    set(m.egress30d, {}, num(u.egress30dBytes));
    set(m.ingress30d, {}, num(u.ingress30dBytes));
    set(m.egressMtd, {}, num(u.egressMonthToDateBytes));
    for (const e of u.emails) {
      set(m.emails30d, { type: e.type }, num(e.sent30d));
      set(m.emailsMtd, { type: e.type }, num(e.sentMonthToDate));
    }
    set(m.databaseSize, {}, num(u.databaseSizeBytes));
    for (const s of u.servers)
      set(m.servers, { provider: s.provider, size: s.size, status: s.status }, s.count);
    for (const s of report.serverStorage) {
      set(m.serverStorage, { server_id: s.serverId }, num(s.usedBytes));
      if (s.capacityBytes !== null) set(m.serverDisk, { server_id: s.serverId }, num(s.capacityBytes));
    }
    for (const c of report.capacity) {
      set(m.capacityUsed, { resource: c.resource, unit: c.unit }, num(c.used));
      set(m.capacityLimit, { resource: c.resource, unit: c.unit }, num(c.limit));
      const headroom = headroomRatio(c);
      if (headroom !== null) set(m.headroom, { resource: c.resource }, headroom);
    }
    for (const o of report.opportunities) {
      set(
        m.savings,
        { kind: o.kind, resource_id: o.resourceId, priority: o.priority },
        units(o.savingsCents),
      );
    }
  }

  return {
    write,
    families(report, monthEndProjection) {
      const collector = new FamilyCollector();
      write(collector, report, monthEndProjection);
      return collector.families();
    },
  };
}
