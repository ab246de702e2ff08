import type { Config, SourceName } from '../config/schema';
import { plausibilityBounds, type Rejection } from '../plausibility';
import type { RejectedRow } from '../plausibility/rejections';
import { monthClock, isDeleted } from './calendar';
import { fleetCapacity, serverStorage, type CapacityFigure, type ServerStorage } from './capacity';
import { compareIds, sum, toCents } from './money';
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
  type CostComponent,
  serverMonthlyCost,
} from './run-rate';
import { Hosting } from './hosting';
import { plausibleSnapshot } from './plausible-snapshot';
import { selectFirst } from './select';
import { apportionEach, Shares } from './shares';
import { SumColumn } from './sum-column';
import type { UsageSnapshot } from './snapshot';
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

/** The rejections the sources listed on their rows (sites, subscriptions, and any usage rows). */
function listedRejections(snapshot: UsageSnapshot): Rejection[] {
  const found: Rejection[] = [];
  for (const [source, rows] of Object.entries(snapshot) as [SourceName, unknown][]) {
    const add = (rejected: readonly RejectedRow[] | undefined) => {
      if (rejected) for (const r of rejected) found.push({ source, reason: r.reason, id: r.id });
    };
    // rows in columns list theirs once (usage), or have none (server_sites)
    if (Array.isArray(rows)) for (const row of rows as { rejected?: RejectedRow[] }[]) add(row.rejected);
    else add((rows as { rejected?: RejectedRow[] }).rejected);
  }
  return found;
}

/** Per-tenant sums, by tenant number (IdIndex). */
interface TenantColumns {
  present: Uint8Array;
  /** cents by category (same order as `categories`) */
  costCents: SumColumn[];
  totalCents: SumColumn;
  revenueCents: SumColumn;
  sites: SumColumn;
  servers: SumColumn;
  storageUsedBytes: SumColumn;
}

function tenantColumns(size: number, categories: number): TenantColumns {
  return {
    present: new Uint8Array(size),
    costCents: Array.from({ length: categories }, () => new SumColumn(size)),
    totalCents: new SumColumn(size),
    revenueCents: new SumColumn(size),
    sites: new SumColumn(size),
    servers: new SumColumn(size),
    storageUsedBytes: new SumColumn(size),
  };
}

/** The figures of a set of tenants summed (one tenant, or those folded into __other__). */
function tenantFigures(
  tenantId: string,
  members: readonly number[],
  columns: TenantColumns,
  categories: readonly string[],
): TenantFigures {
  return {
    tenantId,
    costCents: new Map(
      categories.map((category, c) => [category, (columns.costCents[c] as SumColumn).sum(members)]),
    ),
    totalCents: columns.totalCents.sum(members),
    revenueCents: columns.revenueCents.sum(members),
    sites: columns.sites.sum(members),
    servers: columns.servers.sum(members),
    storageUsedBytes: columns.storageUsedBytes.sum(members),
  };
}

/**
 * Keeps the `limit` costliest tenants (ties: lower ID first; all of them, in ID order, when they fit)
 * and folds the rest into one `__other__` tenant whose figures are the sums of those folded, so every
 * sum stays exact.
 */
function keptTenants(
  ids: readonly string[],
  columns: TenantColumns,
  categories: readonly string[],
  limit: number,
): TenantFigures[] {
  const present: number[] = [];
  columns.present.forEach((p, t) => {
    if (p) present.push(t);
  });
  const byId = (a: number, b: number) => compareIds(ids[a] as string, ids[b] as string);
  if (present.length <= limit) {
    return present.sort(byId).map((t) => tenantFigures(ids[t] as string, [t], columns, categories));
  }
  const { first, rest } = selectFirst(
    present,
    limit,
    (a, b) => columns.totalCents.compare(b, a) || byId(a, b),
  );
  return [
    ...first.map((t) => tenantFigures(ids[t] as string, [t], columns, categories)),
    tenantFigures(OTHER_TENANTS, rest, columns, categories),
  ];
}

/** The whole cost model: usage snapshot + config + clock → every published figure. Pure. */
export function buildReport(source: UsageSnapshot, config: Config, now: Date): CostReport {
  const clock = monthClock(now);
  const plausible = plausibleSnapshot(source, plausibilityBounds(config));
  const snapshot = plausible.snapshot;
  const usage = usageInputs(snapshot);
  const hosting = Hosting.of(snapshot.server_sites);
  const loads = hosting.loads;
  // the tenants of the (server, tenant) rows keep their numbers: the split needs no lookup per row
  const index = hosting.table.tenants.copy();
  const components = runRateComponents(snapshot, usage, hosting, index, config, now);

  const categories: string[] = [...BASE_CATEGORIES];
  for (const c of components) if (!categories.includes(c.category)) categories.push(c.category);

  // Run-rate lines in cents; a category's total is the sum of its lines.
  const exactLines = new Map<string, { category: string; resourceType: string; exact: bigint }>();
  for (const c of components) {
    const key = `${c.category}\u0000${c.resourceType}`;
    const line = exactLines.get(key) ?? { category: c.category, resourceType: c.resourceType, exact: 0n };
    line.exact += c.total;
    exactLines.set(key, line);
  }
  const runRate: CostLine[] = [...exactLines.values()].map((l) => ({
    category: l.category,
    resourceType: l.resourceType,
    cents: toCents(l.exact),
  }));

  // Allocation: each category total is apportioned in cents over the tenants and the unallocated party.
  // Every tenant gets its number first, so that the columns have their final size.
  for (const row of snapshot.tenants) index.of(row.tenantId);
  for (const row of snapshot.subscriptions) index.of(row.tenantId);
  for (const row of snapshot.sites) index.of(row.tenantId);
  const existingServers = snapshot.servers.filter((s) => !isDeleted(s.deletedAt, now));
  for (const s of existingServers) if (s.tenantId !== null) index.of(s.tenantId);
  const columns = tenantColumns(index.ids.length, categories.length);
  const present = (tenantId: string) => {
    const t = index.of(tenantId);
    columns.present[t] = 1;
    return t;
  };
  // each listed tenant's row in the tenants source, by tenant number (−1: not listed)
  const tenantRow = new Int32Array(index.ids.length).fill(-1);
  snapshot.tenants.forEach((row, r) => {
    tenantRow[present(row.tenantId)] = r;
  });
  const tenantExists = (id: string) => {
    const t = index.find(id);
    return t >= 0 && (tenantRow[t] as number) >= 0;
  };

  const unallocatedCents = new Map<string, bigint>();
  categories.forEach((category, c) => {
    const parts = components.filter((part) => part.category === category);
    let weights: Shares;
    if (parts.length === 1) weights = (parts[0] as CostComponent).shares;
    else {
      weights = new Shares();
      for (const part of parts) weights.addAll(part.shares);
    }
    const total = sum(runRate.filter((l) => l.category === category).map((l) => l.cents));
    const costCents = columns.costCents[c] as SumColumn;
    const unallocated = apportionEach(total, weights, index.ids, (t, cents) => {
      columns.present[t] = 1;
      costCents.add(t, cents);
      columns.totalCents.add(t, cents);
    });
    unallocatedCents.set(category, unallocated);
  });

  for (const row of snapshot.subscriptions)
    columns.revenueCents.add(present(row.tenantId), toCents(row.revenueMonthly));
  for (const row of snapshot.sites) {
    const t = present(row.tenantId);
    columns.sites.add(t, row.sites);
    columns.storageUsedBytes.add(t, row.storageUsedBytes);
  }
  for (const s of existingServers) if (s.tenantId !== null) columns.servers.add(present(s.tenantId), 1);

  const kept = keptTenants(index.ids, columns, categories, config.collection.tenant_limit);
  for (const t of kept) {
    const number = index.find(t.tenantId);
    const row = number >= 0 ? snapshot.tenants[tenantRow[number] as number] : undefined;
    if (row) Object.assign(t, { plan: row.plan, name: row.name });
  }
  const price = serverPriceTable(config);
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
  for (let r = 0; r < usage.email.length; r++) {
    const type = usage.email.types[r] as string;
    const e = emails.get(type) ?? { type, sent30d: 0n, sentMonthToDate: 0n };
    e.sent30d += usage.email.sent30d.get(r);
    e.sentMonthToDate += usage.email.sentMonthToDate.get(r);
    emails.set(type, e);
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
      egress30dBytes: usage.traffic.total(usage.traffic.egress30d),
      ingress30dBytes: usage.traffic.total(usage.traffic.ingress30d),
      egressMonthToDateBytes: usage.traffic.total(usage.traffic.egressMonthToDate),
      emails: [...emails.values()],
      databaseSizeBytes: databaseBytes,
      servers: [...serverCounts.values()],
    },
  };
}
