import type { Config } from '../config/schema';
import { Decimal, ZERO } from '../decimal';
import { monthClock, isDeleted } from './calendar';
import { fleetCapacity, serverStorage, type CapacityFigure, type ServerStorage } from './capacity';
import { addTo, apportionCents, compareIds, sum, toCents } from './money';
import { monthToDateCents } from './month-to-date';
import { negativeMarginOpportunities, serverOpportunities, type Opportunity } from './opportunities';
import { serverPriceTable, statusLabel } from './pricing';
import {
  BASE_CATEGORIES,
  databaseSizeBytes,
  runRateComponents,
  serverMonthlyCost,
  serverLoads,
  sitesByServer,
} from './run-rate';
import { UNALLOCATED, type UsageSnapshot } from './snapshot';

export const OTHER_TENANTS = '__other__';

export interface CostLine {
  category: string;
  resourceType: string;
  cents: Decimal;
}

export interface TenantFigures {
  tenantId: string;
  /** undefined for tenants the tenants source does not list (and for __other__) */
  plan?: string;
  name?: string;
  costCents: Map<string, Decimal>;
  totalCents: Decimal;
  revenueCents: Decimal;
  sites: Decimal;
  servers: Decimal;
  storageUsedBytes: Decimal;
}

/** Every figure the exporter publishes, as of one collection. Money in whole cents. */
export interface CostReport {
  categories: string[];
  runRate: CostLine[];
  monthToDateCents: Map<string, Decimal>;
  unallocatedCents: Map<string, Decimal>;
  /** at most `tenant_limit` tenants, plus __other__ when more were folded */
  tenants: TenantFigures[];
  opportunities: Opportunity[];
  capacity: CapacityFigure[];
  serverStorage: ServerStorage[];
  usage: {
    storageUsedBytes: Decimal;
    egress30dBytes: Decimal;
    ingress30dBytes: Decimal;
    egressMonthToDateBytes: Decimal;
    emails: { type: string; sent30d: Decimal; sentMonthToDate: Decimal }[];
    databaseSizeBytes: Decimal;
    servers: { provider: string; size: string; status: string; count: number }[];
  };
}

function emptyTenant(tenantId: string): TenantFigures {
  return {
    tenantId,
    costCents: new Map(),
    totalCents: ZERO,
    revenueCents: ZERO,
    sites: ZERO,
    servers: ZERO,
    storageUsedBytes: ZERO,
  };
}

/**
 * Keeps the `limit` costliest tenants (ties: lower ID first) and folds the rest into one
 * `__other__` tenant whose figures are the sums of those folded, so every sum stays exact.
 */
export function capTenants(
  tenants: TenantFigures[],
  limit: number,
  categories: readonly string[],
): TenantFigures[] {
  if (tenants.length <= limit) return tenants;
  const sorted = [...tenants].sort(
    (a, b) => b.totalCents.comparedTo(a.totalCents) || compareIds(a.tenantId, b.tenantId),
  );
  const kept = sorted.slice(0, limit);
  const other = emptyTenant(OTHER_TENANTS);
  for (const c of categories) other.costCents.set(c, ZERO);
  for (const t of sorted.slice(limit)) {
    for (const [c, cents] of t.costCents) addTo(other.costCents, c, cents);
    other.totalCents = other.totalCents.plus(t.totalCents);
    other.revenueCents = other.revenueCents.plus(t.revenueCents);
    other.sites = other.sites.plus(t.sites);
    other.servers = other.servers.plus(t.servers);
    other.storageUsedBytes = other.storageUsedBytes.plus(t.storageUsedBytes);
  }
  return [...kept, other];
}

/** The whole cost model: usage snapshot + config + clock → every published figure. Pure. */
export function buildReport(snapshot: UsageSnapshot, config: Config, now: Date): CostReport {
  const clock = monthClock(now);
  const components = runRateComponents(snapshot, config, now);

  const categories: string[] = [...BASE_CATEGORIES];
  for (const c of components) if (!categories.includes(c.category)) categories.push(c.category);

  // Run-rate lines in cents; a category's total is the sum of its lines.
  const lines = new Map<string, CostLine>();
  const weightsByCategory = new Map<string, Map<string, Decimal>>(categories.map((c) => [c, new Map()]));
  const exactLines = new Map<string, Decimal>();
  for (const c of components) {
    addTo(exactLines, `${c.category}\u0000${c.resourceType}`, sum(c.shares.values()));
    const weights = weightsByCategory.get(c.category);
    if (weights) for (const [key, amount] of c.shares) addTo(weights, key, amount);
  }
  for (const [key, exact] of exactLines) {
    const [category = '', resourceType = ''] = key.split('\u0000');
    lines.set(key, { category, resourceType, cents: toCents(exact) });
  }
  const runRate = [...lines.values()];

  // Allocation: each category total is apportioned in cents over tenants and UNALLOCATED.
  const tenants = new Map<string, TenantFigures>();
  const tenant = (id: string) => {
    let t = tenants.get(id);
    if (!t) {
      t = emptyTenant(id);
      for (const c of categories) t.costCents.set(c, ZERO);
      tenants.set(id, t);
    }
    return t;
  };
  for (const row of snapshot.tenants) Object.assign(tenant(row.tenantId), { plan: row.plan, name: row.name });

  const unallocatedCents = new Map<string, Decimal>();
  for (const category of categories) {
    const total = sum(runRate.filter((l) => l.category === category).map((l) => l.cents));
    const shares = apportionCents(total, weightsByCategory.get(category) ?? new Map(), UNALLOCATED);
    unallocatedCents.set(category, shares.get(UNALLOCATED) ?? ZERO);
    for (const [key, cents] of shares) {
      if (key === UNALLOCATED) continue;
      const t = tenant(key);
      t.costCents.set(category, cents);
      t.totalCents = t.totalCents.plus(cents);
    }
  }

  for (const row of snapshot.subscriptions) {
    const t = tenant(row.tenantId);
    t.revenueCents = t.revenueCents.plus(toCents(row.revenueMonthly));
  }
  for (const row of snapshot.sites) {
    const t = tenant(row.tenantId);
    t.sites = t.sites.plus(row.sites);
    t.storageUsedBytes = t.storageUsedBytes.plus(row.storageUsedBytes);
  }
  const existingServers = snapshot.servers.filter((s) => !isDeleted(s.deletedAt, now));
  for (const s of existingServers)
    if (s.tenantId !== null) tenant(s.tenantId).servers = tenant(s.tenantId).servers.plus(1);

  const allTenants = [...tenants.values()].sort((a, b) => compareIds(a.tenantId, b.tenantId));
  const loads = serverLoads(sitesByServer(snapshot.server_sites));
  const price = serverPriceTable(config);
  const kept = capTenants(allTenants, config.collection.tenant_limit, categories);
  const opportunities = [
    ...serverOpportunities(
      snapshot.servers,
      loads,
      (s) => serverMonthlyCost(s, config, now, price),
      config,
      now,
    ),
    ...negativeMarginOpportunities(kept.filter((t) => t.tenantId !== OTHER_TENANTS)),
  ];

  const databaseBytes = databaseSizeBytes(snapshot);
  const serverCounts = new Map<string, { provider: string; size: string; status: string; count: number }>();
  for (const s of existingServers) {
    const status = statusLabel(s.status);
    const key = `${s.provider}\u0000${s.size}\u0000${status}`;
    const entry = serverCounts.get(key) ?? { provider: s.provider, size: s.size, status, count: 0 };
    entry.count++;
    serverCounts.set(key, entry);
  }
  const emails = new Map<string, { type: string; sent30d: Decimal; sentMonthToDate: Decimal }>();
  for (const row of snapshot.email) {
    const e = emails.get(row.type) ?? { type: row.type, sent30d: ZERO, sentMonthToDate: ZERO };
    e.sent30d = e.sent30d.plus(row.sent30d);
    e.sentMonthToDate = e.sentMonthToDate.plus(row.sentMonthToDate);
    emails.set(row.type, e);
  }

  return {
    categories,
    runRate,
    monthToDateCents: monthToDateCents(snapshot, config, clock, components),
    unallocatedCents,
    tenants: kept,
    opportunities,
    capacity: fleetCapacity(snapshot.servers, loads, databaseBytes, config, now),
    serverStorage: serverStorage(snapshot.servers, loads, now),
    usage: {
      storageUsedBytes: sum(snapshot.sites.map((r) => r.storageUsedBytes)),
      egress30dBytes: sum(snapshot.bandwidth.map((r) => r.egress30d)),
      ingress30dBytes: sum(snapshot.bandwidth.map((r) => r.ingress30d)),
      egressMonthToDateBytes: sum(snapshot.bandwidth.map((r) => r.egressMonthToDate)),
      emails: [...emails.values()],
      databaseSizeBytes: databaseBytes,
      servers: [...serverCounts.values()],
    },
  };
}

/** Cents as currency units (a JS number for the exposition). */
export const centsToUnits = (cents: Decimal): number => cents.dividedBy(100).toNumber();
export { Decimal };
