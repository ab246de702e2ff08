import type { Config, SourceName } from '../config/schema';
import { plausibilityBounds, type Rejection } from '../plausibility';
import { monthClock, isDeleted } from './calendar';
import { fleetCapacity, serverStorage, type CapacityFigure, type ServerStorage } from './capacity';
import { addTo, apportionCents, compareIds, sum, toCents } from './money';
import { monthToDateCents } from './month-to-date';
import {
  negativeMarginOpportunities,
  orphanedSitesOpportunities,
  serverOpportunities,
  type Opportunity,
} from './opportunities';
import { serverPriceTable, statusLabel } from './pricing';
import {
  BASE_CATEGORIES,
  databaseSizeBytes,
  runRateComponents,
  serverMonthlyCost,
  serverLoads,
  sitesByServer,
} from './run-rate';
import { plausibleSnapshot } from './plausible-snapshot';
import { UNALLOCATED, type UsageSnapshot } from './snapshot';
import { usageInputs } from './usage';

export const OTHER_TENANTS = '__other__';

export interface CostLine {
  category: string;
  resourceType: string;
  cents: bigint;
}

export interface TenantFigures {
  tenantId: string;
  /** undefined for tenants the tenants source does not list (and for __other__) */
  plan?: string;
  name?: string;
  costCents: Map<string, bigint>;
  totalCents: bigint;
  revenueCents: bigint;
  sites: bigint;
  servers: bigint;
  storageUsedBytes: bigint;
}

/** Every figure the exporter publishes, as of one collection. Money in whole cents. */
export interface CostReport {
  categories: string[];
  runRate: CostLine[];
  monthToDateCents: Map<string, bigint>;
  unallocatedCents: Map<string, bigint>;
  /** at most `tenant_limit` tenants, plus __other__ when more were folded */
  tenants: TenantFigures[];
  opportunities: Opportunity[];
  capacity: CapacityFigure[];
  serverStorage: ServerStorage[];
  /** rows whose values failed a plausibility bound, with the source and reason (left out of every figure) */
  rejections: Rejection[];
  usage: {
    storageUsedBytes: bigint;
    egress30dBytes: bigint;
    ingress30dBytes: bigint;
    egressMonthToDateBytes: bigint;
    emails: { type: string; sent30d: bigint; sentMonthToDate: bigint }[];
    databaseSizeBytes: bigint;
    servers: { provider: string; size: string; status: string; count: number }[];
  };
}

function emptyTenant(tenantId: string): TenantFigures {
  return {
    tenantId,
    costCents: new Map(),
    totalCents: 0n,
    revenueCents: 0n,
    sites: 0n,
    servers: 0n,
    storageUsedBytes: 0n,
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
    (a, b) =>
      (a.totalCents < b.totalCents ? 1 : a.totalCents > b.totalCents ? -1 : 0) ||
      compareIds(a.tenantId, b.tenantId),
  );
  const kept = sorted.slice(0, limit);
  const other = emptyTenant(OTHER_TENANTS);
  for (const c of categories) other.costCents.set(c, 0n);
  for (const t of sorted.slice(limit)) {
    for (const [c, cents] of t.costCents) addTo(other.costCents, c, cents);
    other.totalCents += t.totalCents;
    other.revenueCents += t.revenueCents;
    other.sites += t.sites;
    other.servers += t.servers;
    other.storageUsedBytes += t.storageUsedBytes;
  }
  return [...kept, other];
}

/** The rejections the sources listed on their rows (sites, subscriptions, and any usage rows). */
function listedRejections(snapshot: UsageSnapshot): Rejection[] {
  const found: Rejection[] = [];
  for (const [source, rows] of Object.entries(snapshot) as [SourceName, { rejected?: unknown }[]][]) {
    for (const row of rows) {
      const rejected = row.rejected as Rejection[] | undefined;
      if (rejected) for (const r of rejected) found.push({ source, reason: r.reason, id: r.id });
    }
  }
  return found;
}

/** The whole cost model: usage snapshot + config + clock → every published figure. Pure. */
export function buildReport(source: UsageSnapshot, config: Config, now: Date): CostReport {
  const clock = monthClock(now);
  const plausible = plausibleSnapshot(source, plausibilityBounds(config));
  const snapshot = plausible.snapshot;
  const usage = usageInputs(snapshot);
  const components = runRateComponents(snapshot, usage, config, now);

  const categories: string[] = [...BASE_CATEGORIES];
  for (const c of components) if (!categories.includes(c.category)) categories.push(c.category);

  // Run-rate lines in cents; a category's total is the sum of its lines.
  const weightsByCategory = new Map<string, Map<string, bigint>>(categories.map((c) => [c, new Map()]));
  const exactLines = new Map<string, { category: string; resourceType: string; exact: bigint }>();
  for (const c of components) {
    const key = `${c.category}\u0000${c.resourceType}`;
    const line = exactLines.get(key) ?? { category: c.category, resourceType: c.resourceType, exact: 0n };
    line.exact += c.total;
    exactLines.set(key, line);
    const weights = weightsByCategory.get(c.category);
    if (weights) for (const [key, amount] of c.shares) addTo(weights, key, amount);
  }
  const runRate: CostLine[] = [...exactLines.values()].map((l) => ({
    category: l.category,
    resourceType: l.resourceType,
    cents: toCents(l.exact),
  }));

  // Allocation: each category total is apportioned in cents over tenants and UNALLOCATED.
  const tenants = new Map<string, TenantFigures>();
  const tenant = (id: string) => {
    let t = tenants.get(id);
    if (!t) {
      t = emptyTenant(id);
      for (const c of categories) t.costCents.set(c, 0n);
      tenants.set(id, t);
    }
    return t;
  };
  const known = new Set<string>();
  for (const row of snapshot.tenants) {
    known.add(row.tenantId);
    Object.assign(tenant(row.tenantId), { plan: row.plan, name: row.name });
  }
  const tenantExists = (id: string) => known.has(id);

  const unallocatedCents = new Map<string, bigint>();
  for (const category of categories) {
    const total = sum(runRate.filter((l) => l.category === category).map((l) => l.cents));
    const shares = apportionCents(total, weightsByCategory.get(category) ?? new Map(), UNALLOCATED);
    unallocatedCents.set(category, shares.get(UNALLOCATED) ?? 0n);
    for (const [key, cents] of shares) {
      if (key === UNALLOCATED) continue;
      const t = tenant(key);
      t.costCents.set(category, cents);
      t.totalCents += cents;
    }
  }

  for (const row of snapshot.subscriptions) tenant(row.tenantId).revenueCents += toCents(row.revenueMonthly);
  for (const row of snapshot.sites) {
    const t = tenant(row.tenantId);
    t.sites += row.sites;
    t.storageUsedBytes += row.storageUsedBytes;
  }
  const existingServers = snapshot.servers.filter((s) => !isDeleted(s.deletedAt, now));
  for (const s of existingServers) if (s.tenantId !== null) tenant(s.tenantId).servers += 1n;

  const allTenants = [...tenants.values()].sort((a, b) => compareIds(a.tenantId, b.tenantId));
  const loads = serverLoads(sitesByServer(snapshot.server_sites));
  const price = serverPriceTable(config);
  const kept = capTenants(allTenants, config.collection.tenant_limit, categories);
  const opportunities = [
    ...serverOpportunities(
      snapshot.servers,
      loads,
      (s) => serverMonthlyCost(s, config, now, price),
      tenantExists,
      plausible.serverChecks,
      config,
      now,
    ),
    ...orphanedSitesOpportunities(snapshot.sites, tenantExists, config),
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
  const emails = new Map<string, { type: string; sent30d: bigint; sentMonthToDate: bigint }>();
  for (const row of usage.email) {
    const e = emails.get(row.type) ?? { type: row.type, sent30d: 0n, sentMonthToDate: 0n };
    e.sent30d += row.sent30d;
    e.sentMonthToDate += row.sentMonthToDate;
    emails.set(row.type, e);
  }

  return {
    categories,
    runRate,
    monthToDateCents: monthToDateCents(snapshot, usage, config, clock, components),
    unallocatedCents,
    tenants: kept,
    opportunities,
    capacity: fleetCapacity(snapshot.servers, loads, databaseBytes, config, plausible.serverChecks, now),
    serverStorage: serverStorage(snapshot.servers, loads, plausible.serverChecks, now),
    rejections: [...plausible.rejections, ...listedRejections(snapshot)],
    usage: {
      storageUsedBytes: sum(snapshot.sites.map((r) => r.storageUsedBytes)),
      egress30dBytes: sum(usage.traffic.map((r) => r.egress30d)),
      ingress30dBytes: sum(usage.traffic.map((r) => r.ingress30d)),
      egressMonthToDateBytes: sum(usage.traffic.map((r) => r.egressMonthToDate)),
      emails: [...emails.values()],
      databaseSizeBytes: databaseBytes,
      servers: [...serverCounts.values()],
    },
  };
}
