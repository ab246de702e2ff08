import type { Config } from '../config/schema';
import type { ServerRow } from '../sources';
import { isDeleted } from './calendar';
import { money, sum, type Money } from './money';
import { egressCost, emailPrice, perByte, serverPriceTable, statusPrice } from './pricing';
import type { Hosting } from './hosting';
import type { IdIndex } from './id-index';
import { Shares } from './shares';
import { SumColumn } from './sum-column';
import type { UsageSnapshot } from './snapshot';
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
  shares: Shares;
}

export const BASE_CATEGORIES = ['compute', 'storage', 'network', 'email', 'database'] as const;

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
 * Servers' cost: a dedicated server's to its tenant, a shared server's split over the tenants it
 * hosts (`Hosting`; tenant numbers are those of `hosting.table.tenants`, which `tenants` extends).
 */
function computeComponent(
  snapshot: UsageSnapshot,
  hosting: Hosting,
  tenants: IdIndex,
  config: Config,
  now: Date,
): CostComponent {
  const price = serverPriceTable(config);
  const shares = new Shares();
  let total = 0n;
  const shared: { serverId: string; cost: Money }[] = [];
  for (const server of snapshot.servers) {
    const cost = serverMonthlyCost(server, config, now, price);
    if (cost === 0n) continue;
    total += cost;
    if (server.tenantId !== null) shares.add(tenants.of(server.tenantId), cost);
    else shared.push({ serverId: server.serverId, cost });
  }
  hosting.splitCosts(shares, shared, config.allocation.shared_servers);
  return { category: 'compute', resourceType: 'vps', overhead: false, total, shares };
}

function storageComponent(snapshot: UsageSnapshot, tenants: IdIndex, config: Config): CostComponent {
  const shares = new Shares();
  const price = perByte(config.pricing.storage.gib_month);
  let total = 0n;
  for (const row of snapshot.sites) {
    const amount = row.storageUsedBytes * price;
    total += amount;
    shares.add(tenants.of(row.tenantId), amount);
  }
  return { category: 'storage', resourceType: 'disk', overhead: false, total, shares };
}

function networkComponent(usage: UsageInputs, tenants: IdIndex, config: Config): CostComponent {
  const egress = new Shares();
  const { traffic } = usage;
  for (let r = 0; r < traffic.length; r++) {
    const tenantId = traffic.tenantIds[r] as string | null;
    if (tenantId === null) egress.addUnallocated(traffic.egress30d.get(r));
    else egress.add(tenants.of(tenantId), traffic.egress30d.get(r));
  }
  const total = egressCost(egress.positiveSum(), config);
  const shares = new Shares();
  egress.splitInto(shares, total);
  return { category: 'network', resourceType: 'bandwidth', overhead: false, total, shares };
}

/**
 * E-mail: each tenant's messages of each type times the type's price per message. The prices are
 * whole multiples of their greatest common divisor (a bigint of ~130 bits: a money unit is 10^−30 ×
 * 2^−30): each row adds messages × (price / divisor) to its tenant in a SumColumn, a number while it
 * is a safe integer, and each tenant's amount is that sum times the divisor: one bigint product per
 * tenant instead of one per (tenant, type) row.
 */
export function emailComponent(usage: UsageInputs, tenants: IdIndex, config: Config): CostComponent {
  const price = emailPrice(config);
  const { email } = usage;
  const tenantOfRow = new Int32Array(email.length);
  const types = new Set<string>();
  for (let r = 0; r < email.length; r++) {
    tenantOfRow[r] = tenants.of(email.tenantIds[r] as string);
    types.add(email.types[r] as string);
  }
  let divisor = 0n;
  for (const type of types) divisor = gcd(divisor, price(type));
  /** price / divisor by type, exact, and as a number (NaN past 2^53: that type's rows multiply as bigints) */
  const multiples = new Map(
    [...types].map((type) => {
      const exact = divisor === 0n ? 0n : price(type) / divisor;
      return [type, { exact, number: exact <= MAX_SAFE ? Number(exact) : NaN }];
    }),
  );
  const shares = new Shares();
  const units = new SumColumn(tenants.ids.length);
  const present = new Uint8Array(tenants.ids.length);
  for (let r = 0; r < email.length; r++) {
    const t = tenantOfRow[r] as number;
    present[t] = 1;
    const multiple = multiples.get(email.types[r] as string) as { exact: bigint; number: number };
    const product = multiple.number * email.sent30d.at(r);
    // a product of two whole numbers whose double is at most 2^53 − 1 is exact
    if (product <= Number.MAX_SAFE_INTEGER) units.add(t, product);
    else units.add(t, email.sent30d.get(r) * multiple.exact);
  }
  for (let t = 0; t < present.length; t++) if (present[t]) shares.add(t, divisor * units.get(t));
  const total = divisor * units.sumFirst(present.length);
  return { category: 'email', resourceType: 'email', overhead: false, total, shares };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The greatest common divisor of two non-negative integers (gcd(0, b) = b). */
function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function databaseSizeBytes(snapshot: UsageSnapshot): bigint {
  return sum(snapshot.database_size.map((r) => r.bytes));
}

function unallocated(total: Money): Shares {
  const shares = new Shares();
  shares.addUnallocated(total);
  return shares;
}

function databaseComponent(snapshot: UsageSnapshot, config: Config): CostComponent {
  const total = databaseSizeBytes(snapshot) * perByte(config.pricing.database.gib_month);
  return {
    category: 'database',
    resourceType: 'database',
    overhead: true,
    total,
    shares: unallocated(total),
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
      shares: unallocated(total),
    };
  });
}

/**
 * Spreads overhead over the tenants in proportion to their direct (non-overhead) cost, when the
 * config asks for it. With no direct tenant cost at all it stays unallocated.
 */
function spreadOverhead(components: CostComponent[], config: Config): CostComponent[] {
  if (config.allocation.shared_overhead !== 'proportional') return components;
  const direct = new Shares();
  for (const c of components) {
    if (c.overhead) continue;
    c.shares.byTenant.forEach((amount, tenant) => {
      if (amount !== undefined) direct.add(tenant, amount);
    });
  }
  return components.map((c) => {
    if (!c.overhead) return c;
    const shares = new Shares();
    direct.splitInto(shares, c.total);
    return { ...c, shares };
  });
}

/** Every run-rate cost component, exact, with its split by tenant. */
export function runRateComponents(
  snapshot: UsageSnapshot,
  usage: UsageInputs,
  hosting: Hosting,
  tenants: IdIndex,
  config: Config,
  now: Date,
): CostComponent[] {
  return spreadOverhead(
    [
      computeComponent(snapshot, hosting, tenants, config, now),
      storageComponent(snapshot, tenants, config),
      networkComponent(usage, tenants, config),
      emailComponent(usage, tenants, config),
      databaseComponent(snapshot, config),
      ...fixedComponents(config),
    ],
    config,
  );
}
