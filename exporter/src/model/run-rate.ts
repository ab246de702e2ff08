import type { Config } from '../config/schema';
import type { ServerRow, ServerSitesRow } from '../sources';
import { isDeleted } from './calendar';
import { addTo, money, sum, type Money } from './money';
import { egressCost, emailPrice, perByte, serverPriceTable, statusPrice } from './pricing';
import { UNALLOCATED, type UsageSnapshot } from './snapshot';
import type { UsageInputs } from './usage';

/**
 * One priced item of the monthly run-rate: its exact amount, and the weights by which it is split
 * over who caused it (tenant ID, or UNALLOCATED). `overhead` items (database, fixed items) can be
 * spread over tenants.
 */
export interface CostComponent {
  category: string;
  resourceType: string;
  overhead: boolean;
  /** the exact amount of the line, in money units */
  total: Money;
  /** each party's share of `total` (a split is rounded down to a unit: weights, not money) */
  shares: Map<string, Money>;
}

export const BASE_CATEGORIES = ['compute', 'storage', 'network', 'email', 'database'] as const;

/** Sites and storage on one server, all tenants together. */
export interface ServerLoad {
  sites: bigint;
  storage: bigint;
}

/** The load of every server that hosts something (computed once per report). */
export function serverLoads(
  hostedBy: ReadonlyMap<string, readonly ServerSitesRow[]>,
): Map<string, ServerLoad> {
  const loads = new Map<string, ServerLoad>();
  for (const [serverId, hosted] of hostedBy) {
    let sites = 0n;
    let storage = 0n;
    for (const h of hosted) {
      sites += h.sites;
      storage += h.storageUsedBytes;
    }
    loads.set(serverId, { sites, storage });
  }
  return loads;
}

export const NO_LOAD: ServerLoad = { sites: 0n, storage: 0n };

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

/** The monthly cost of one server in its current status (0 when deleted), in money units. */
export function serverMonthlyCost(
  server: ServerRow,
  config: Config,
  now: Date,
  price = serverPriceTable(config),
): Money {
  if (isDeleted(server.deletedAt, now)) return 0n;
  return statusPrice(price(server), server.status, config);
}

/**
 * The tenants a shared server's cost is split over, with their weights: by storage share (site
 * count when the server holds no bytes), by site count, or evenly, as configured.
 */
export function sharedServerWeights(
  hosted: readonly ServerSitesRow[],
  method: Config['allocation']['shared_servers'],
): Map<string, bigint> {
  const weights = new Map<string, bigint>();
  const withSites = hosted.filter((h) => h.sites > 0n || h.storageUsedBytes > 0n);
  const storage = sum(withSites.map((h) => h.storageUsedBytes));
  for (const h of withSites) {
    let w: bigint;
    if (method === 'even') w = 1n;
    else if (method === 'storage_share' && storage > 0n) w = h.storageUsedBytes;
    else w = h.sites;
    addTo(weights, h.tenantId, w);
  }
  return weights;
}

/** Adds `amount` split by `weights` (rounded down to a unit) to `shares`; no weight: unallocated. */
function addSplit(shares: Map<string, Money>, amount: Money, weights: ReadonlyMap<string, bigint>): void {
  if (amount === 0n) return;
  let total = 0n;
  for (const w of weights.values()) if (w > 0n) total += w;
  if (total === 0n) {
    addTo(shares, UNALLOCATED, amount);
    return;
  }
  for (const [key, w] of weights) if (w > 0n) addTo(shares, key, (amount * w) / total);
}

function computeComponent(snapshot: UsageSnapshot, config: Config, now: Date): CostComponent {
  const price = serverPriceTable(config);
  const hostedBy = sitesByServer(snapshot.server_sites);
  const shares = new Map<string, Money>();
  let total = 0n;
  for (const server of snapshot.servers) {
    const cost = serverMonthlyCost(server, config, now, price);
    if (cost === 0n) continue;
    total += cost;
    if (server.tenantId !== null) addTo(shares, server.tenantId, cost);
    else {
      const weights = sharedServerWeights(
        hostedBy.get(server.serverId) ?? [],
        config.allocation.shared_servers,
      );
      addSplit(shares, cost, weights);
    }
  }
  return { category: 'compute', resourceType: 'vps', overhead: false, total, shares };
}

function storageComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const shares = new Map<string, Money>();
  const price = perByte(config.pricing.storage.gib_month);
  let total = 0n;
  for (const row of snapshot.sites) {
    const amount = row.storageUsedBytes * price;
    total += amount;
    addTo(shares, row.tenantId, amount);
  }
  return { category: 'storage', resourceType: 'disk', overhead: false, total, shares };
}

function networkComponent(usage: UsageInputs, config: Config): CostComponent {
  const byTenant = new Map<string, bigint>();
  for (const row of usage.traffic) addTo(byTenant, row.tenantId ?? UNALLOCATED, row.egress30d);
  const total = egressCost(sum(byTenant.values()), config);
  const shares = new Map<string, Money>();
  addSplit(shares, total, byTenant);
  return { category: 'network', resourceType: 'bandwidth', overhead: false, total, shares };
}

function emailComponent(usage: UsageInputs, config: Config): CostComponent {
  const price = emailPrice(config);
  const shares = new Map<string, Money>();
  let total = 0n;
  for (const row of usage.email) {
    const amount = row.sent30d * price(row.type);
    total += amount;
    addTo(shares, row.tenantId, amount);
  }
  return { category: 'email', resourceType: 'email', overhead: false, total, shares };
}

export function databaseSizeBytes(snapshot: UsageSnapshot): bigint {
  return sum(snapshot.database_size.map((r) => r.bytes));
}

function databaseComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const total = databaseSizeBytes(snapshot) * perByte(config.pricing.database.gib_month);
  return {
    category: 'database',
    resourceType: 'database',
    overhead: true,
    total,
    shares: new Map([[UNALLOCATED, total]]),
  };
}

function fixedComponents(config: Config): CostComponent[] {
  return config.fixed_items.map((item) => {
    const total = money(item.monthly);
    return {
      category: item.category,
      resourceType: item.name,
      overhead: true,
      total,
      shares: new Map([[UNALLOCATED, total]]),
    };
  });
}

/**
 * Spreads overhead over the tenants in proportion to their direct (non-overhead) cost, when the
 * config asks for it. With no direct tenant cost at all it stays unallocated.
 */
function spreadOverhead(components: CostComponent[], config: Config): CostComponent[] {
  if (config.allocation.shared_overhead !== 'proportional') return components;
  const direct = new Map<string, bigint>();
  for (const c of components) {
    if (c.overhead) continue;
    for (const [key, amount] of c.shares) if (key !== UNALLOCATED) addTo(direct, key, amount);
  }
  return components.map((c) => {
    if (!c.overhead) return c;
    const shares = new Map<string, Money>();
    addSplit(shares, c.total, direct);
    return { ...c, shares };
  });
}

/** Every run-rate cost component, exact, with its split by tenant. */
export function runRateComponents(
  snapshot: UsageSnapshot,
  usage: UsageInputs,
  config: Config,
  now: Date,
): CostComponent[] {
  return spreadOverhead(
    [
      computeComponent(snapshot, config, now),
      storageComponent(snapshot, config),
      networkComponent(usage, config),
      emailComponent(usage, config),
      databaseComponent(snapshot, config),
      ...fixedComponents(config),
    ],
    config,
  );
}
