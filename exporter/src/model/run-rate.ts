import type { Config } from '../config/schema';
import { Decimal, GIB, ZERO } from '../decimal';
import type { ServerRow, ServerSitesRow } from '../sources';
import { isDeleted } from './calendar';
import { addTo, sum } from './money';
import { bytesToGib, egressCost, emailPrice, serverPriceTable, statusFactor } from './pricing';
import { UNALLOCATED, type UsageSnapshot } from './snapshot';

/**
 * One priced item of the monthly run-rate, with its exact amount split by who caused it
 * (tenant ID, or UNALLOCATED). `overhead` items (database, fixed items) can be spread over tenants.
 */
export interface CostComponent {
  category: string;
  resourceType: string;
  overhead: boolean;
  shares: Map<string, Decimal>;
}

export const BASE_CATEGORIES = ['compute', 'storage', 'network', 'email', 'database'] as const;

/** Sites and storage on one server, all tenants together. */
export interface ServerLoad {
  sites: Decimal;
  storage: Decimal;
}

/** The load of every server that hosts something (computed once per report). */
export function serverLoads(
  hostedBy: ReadonlyMap<string, readonly ServerSitesRow[]>,
): Map<string, ServerLoad> {
  const loads = new Map<string, ServerLoad>();
  for (const [serverId, hosted] of hostedBy) {
    loads.set(serverId, {
      sites: sum(hosted.map((h) => h.sites)),
      storage: sum(hosted.map((h) => h.storageUsedBytes)),
    });
  }
  return loads;
}

export const NO_LOAD: ServerLoad = { sites: ZERO, storage: ZERO };

/** What each tenant holds on each server. */
export function sitesByServer(rows: readonly ServerSitesRow[]): Map<string, ServerSitesRow[]> {
  const byServer = new Map<string, ServerSitesRow[]>();
  for (const row of rows) {
    const list = byServer.get(row.serverId);
    if (list) list.push(row);
    else byServer.set(row.serverId, [row]);
  }
  return byServer;
}

/** The monthly cost of one server in its current status (0 when deleted). */
export function serverMonthlyCost(
  server: ServerRow,
  config: Config,
  now: Date,
  price = serverPriceTable(config),
): Decimal {
  if (isDeleted(server.deletedAt, now)) return ZERO;
  return price(server).times(statusFactor(server.status, config));
}

/**
 * The tenants a shared server's cost is split over, with their weights: by storage share (site
 * count when the server holds no bytes), by site count, or evenly, as configured.
 */
export function sharedServerWeights(
  hosted: readonly ServerSitesRow[],
  method: Config['allocation']['shared_servers'],
): Map<string, Decimal> {
  const weights = new Map<string, Decimal>();
  const withSites = hosted.filter((h) => h.sites.gt(0) || h.storageUsedBytes.gt(0));
  const storage = sum(withSites.map((h) => h.storageUsedBytes));
  for (const h of withSites) {
    let w: Decimal;
    if (method === 'even') w = new Decimal(1);
    else if (method === 'storage_share' && storage.gt(0)) w = h.storageUsedBytes;
    else w = h.sites;
    addTo(weights, h.tenantId, w);
  }
  return weights;
}

function split(amount: Decimal, weights: ReadonlyMap<string, Decimal>): Map<string, Decimal> {
  const shares = new Map<string, Decimal>();
  const total = sum(weights.values());
  if (amount.isZero()) return shares;
  if (total.isZero()) {
    shares.set(UNALLOCATED, amount);
    return shares;
  }
  // one division per split, not one per tenant
  const perWeight = amount.dividedBy(total);
  for (const [key, w] of weights) if (w.gt(0)) addTo(shares, key, w.times(perWeight));
  return shares;
}

function computeComponent(snapshot: UsageSnapshot, config: Config, now: Date): CostComponent {
  const price = serverPriceTable(config);
  const hostedBy = sitesByServer(snapshot.server_sites);
  const shares = new Map<string, Decimal>();
  for (const server of snapshot.servers) {
    const cost = serverMonthlyCost(server, config, now, price);
    if (cost.isZero()) continue;
    if (server.tenantId !== null) addTo(shares, server.tenantId, cost);
    else {
      const weights = sharedServerWeights(
        hostedBy.get(server.serverId) ?? [],
        config.allocation.shared_servers,
      );
      for (const [key, amount] of split(cost, weights)) addTo(shares, key, amount);
    }
  }
  return { category: 'compute', resourceType: 'vps', overhead: false, shares };
}

function storageComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const shares = new Map<string, Decimal>();
  const perByte = new Decimal(config.pricing.storage.gib_month).dividedBy(GIB);
  for (const row of snapshot.sites) addTo(shares, row.tenantId, row.storageUsedBytes.times(perByte));
  return { category: 'storage', resourceType: 'disk', overhead: false, shares };
}

function networkComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const byTenant = new Map<string, Decimal>();
  for (const row of snapshot.bandwidth) addTo(byTenant, row.tenantId ?? UNALLOCATED, row.egress30d);
  const cost = egressCost(sum(byTenant.values()), config);
  return { category: 'network', resourceType: 'bandwidth', overhead: false, shares: split(cost, byTenant) };
}

function emailComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const price = emailPrice(config);
  const shares = new Map<string, Decimal>();
  for (const row of snapshot.email) addTo(shares, row.tenantId, row.sent30d.times(price(row.type)));
  return { category: 'email', resourceType: 'email', overhead: false, shares };
}

export function databaseSizeBytes(snapshot: UsageSnapshot): Decimal {
  return sum(snapshot.database_size.map((r) => r.bytes));
}

function databaseComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const cost = bytesToGib(databaseSizeBytes(snapshot)).times(config.pricing.database.gib_month);
  return {
    category: 'database',
    resourceType: 'database',
    overhead: true,
    shares: new Map([[UNALLOCATED, cost]]),
  };
}

function fixedComponents(config: Config): CostComponent[] {
  return config.fixed_items.map((item) => ({
    category: item.category,
    resourceType: item.name,
    overhead: true,
    shares: new Map([[UNALLOCATED, new Decimal(item.monthly)]]),
  }));
}

/**
 * Spreads overhead over the tenants in proportion to their direct (non-overhead) cost, when the
 * config asks for it. With no direct tenant cost at all it stays unallocated.
 */
function spreadOverhead(components: CostComponent[], config: Config): CostComponent[] {
  if (config.allocation.shared_overhead !== 'proportional') return components;
  const direct = new Map<string, Decimal>();
  for (const c of components) {
    if (c.overhead) continue;
    for (const [key, amount] of c.shares) if (key !== UNALLOCATED) addTo(direct, key, amount);
  }
  return components.map((c) => (c.overhead ? { ...c, shares: split(sum(c.shares.values()), direct) } : c));
}

/** Every run-rate cost component, in exact decimals, split by tenant. */
export function runRateComponents(snapshot: UsageSnapshot, config: Config, now: Date): CostComponent[] {
  return spreadOverhead(
    [
      computeComponent(snapshot, config, now),
      storageComponent(snapshot, config),
      networkComponent(snapshot, config),
      emailComponent(snapshot, config),
      databaseComponent(snapshot, config),
      ...fixedComponents(config),
    ],
    config,
  );
}
