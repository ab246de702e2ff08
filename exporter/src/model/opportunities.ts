import type { Config } from '../config/schema';
import { exactDecimal } from '../decimal';
import type { ServerRow, TenantSitesRow } from '../sources';
import { isDeleted } from './calendar';
import { isActive } from './capacity';
import { compareIds, GIB_BYTES, toCents, type Money } from './money';
import { perByte } from './pricing';
import { NO_LOAD, type ServerLoad } from './hosting';
import { fullyPlausible, type ServerChecks } from './server-checks';

export type OpportunityKind =
  | 'idle_server'
  | 'stopped_server'
  | 'underused_server'
  | 'orphaned_server'
  | 'orphaned_sites'
  | 'negative_margin';

export interface Opportunity {
  kind: OpportunityKind;
  resourceId: string;
  priority: 'high' | 'medium' | 'low';
  /** cents per month */
  savingsCents: bigint;
}

/** The priority of each kind is fixed, so the label never changes with the value. */
export const PRIORITY: Record<OpportunityKind, Opportunity['priority']> = {
  idle_server: 'high',
  orphaned_server: 'high',
  negative_margin: 'high',
  stopped_server: 'medium',
  orphaned_sites: 'medium',
  underused_server: 'low',
};

interface ServerFacts {
  server: ServerRow;
  costCents: bigint;
  sites: bigint;
  storage: bigint;
  disk: bigint;
}

/** A fraction num/den ≥ 0 (den > 0), compared exactly. */
interface Ratio {
  num: bigint;
  den: bigint;
}
const below = (r: Ratio, threshold: Ratio) => r.num * threshold.den < threshold.num * r.den;
const compareRatios = (a: Ratio, b: Ratio) => {
  const x = a.num * b.den;
  const y = b.num * a.den;
  return x < y ? -1 : x > y ? 1 : 0;
};
const max0 = (v: bigint) => (v > 0n ? v : 0n);

/**
 * Server opportunities; savings are the server's monthly cost, which disappears if acted on:
 * - idle_server: a shared server (no tenant) that hosts no site and is not stopped, decommissioned or
 *   still provisioning (a new server has no sites yet);
 * - stopped_server: a stopped server that still costs something (stopped_factor > 0);
 * - orphaned_server: a dedicated server billed in full (not stopped or decommissioned) whose tenant is
 *   deleted or missing from the tenants source;
 * - underused_server: an active shared server whose storage use and site use are both below
 *   `underused_ratio`, and whose sites fit in the headroom of the other active shared servers.
 *   Candidates are taken emptiest first; each one accepted leaves the pool, so the headroom is
 *   never counted twice. Servers with a rejected disk_gb or max_sites take no part.
 */
export function serverOpportunities(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  monthlyCost: (server: ServerRow) => Money,
  tenantExists: (tenantId: string) => boolean,
  checks: ServerChecks,
  config: Config,
  now: Date,
): Opportunity[] {
  const facts: ServerFacts[] = servers
    .filter((s) => !isDeleted(s.deletedAt, now))
    .map((server) => {
      const load = loads.get(server.serverId) ?? NO_LOAD;
      return {
        server,
        costCents: toCents(monthlyCost(server)),
        sites: load.sites,
        storage: load.storage,
        disk: server.diskGb * GIB_BYTES,
      };
    });
  const found: Opportunity[] = [];
  const add = (kind: OpportunityKind, f: ServerFacts) => {
    if (f.costCents > 0n) {
      found.push({
        kind,
        resourceId: f.server.serverId,
        priority: PRIORITY[kind],
        savingsCents: f.costCents,
      });
    }
  };
  for (const f of facts) {
    const { status, tenantId } = f.server;
    if (status === 'stopped') add('stopped_server', f);
    else if (tenantId !== null && status !== 'decommissioned' && !tenantExists(tenantId))
      add('orphaned_server', f);
    else if (
      !['decommissioned', 'provisioning'].includes(status) &&
      tenantId === null &&
      f.sites === 0n &&
      f.storage === 0n
    ) {
      add('idle_server', f);
    }
  }

  // receivers: active shared servers that host something (idle ones are proposed for removal)
  const pool = facts.filter(
    (f) =>
      f.server.tenantId === null &&
      isActive(f.server, now) &&
      fullyPlausible(checks, f.server.serverId) &&
      (f.sites > 0n || f.storage > 0n),
  );
  let storageHeadroom = 0n;
  let siteHeadroom = 0n;
  for (const f of pool) {
    storageHeadroom += max0(f.disk - f.storage);
    siteHeadroom += max0((f.server.maxSites ?? 0n) - f.sites);
  }
  const accepted = new Set<ServerFacts>();
  const t = exactDecimal(config.opportunities.underused_ratio);
  const threshold: Ratio = { num: t.digits, den: 10n ** BigInt(t.scale) };
  const use = (f: ServerFacts): Ratio =>
    f.disk === 0n ? { num: 1n, den: 1n } : { num: f.storage, den: f.disk };
  const candidates = pool
    .filter((f) => f.sites > 0n && below(use(f), threshold))
    .filter(
      (f) =>
        f.server.maxSites === null ||
        (f.server.maxSites > 0n && below({ num: f.sites, den: f.server.maxSites }, threshold)),
    )
    .sort((a, b) => compareRatios(use(a), use(b)) || compareIds(a.server.serverId, b.server.serverId));
  for (const f of candidates) {
    // the candidate's own free space leaves the pool with it
    const restStorage = storageHeadroom - max0(f.disk - f.storage);
    const restSites = siteHeadroom - max0((f.server.maxSites ?? 0n) - f.sites);
    const othersUnlimited = pool.some((o) => o !== f && !accepted.has(o) && o.server.maxSites === null);
    const fitsSites = othersUnlimited || f.sites <= restSites;
    if (f.storage <= restStorage && fitsSites) {
      storageHeadroom = restStorage - f.storage;
      siteHeadroom = max0(restSites - f.sites);
      accepted.add(f);
      add('underused_server', f);
    }
  }
  return found;
}

/**
 * orphaned_sites: the existing sites of a tenant that is deleted or missing from the tenants
 * source; the value is the monthly storage cost of those sites (resource: the tenant's ID).
 */
export function orphanedSitesOpportunities(
  sites: readonly TenantSitesRow[],
  tenantExists: (tenantId: string) => boolean,
  config: Config,
): Opportunity[] {
  const price = perByte(config.pricing.storage.gib_month);
  const found: Opportunity[] = [];
  for (const row of sites) {
    if (tenantExists(row.tenantId)) continue;
    const cents = toCents(row.storageUsedBytes * price);
    if (cents > 0n)
      found.push({
        kind: 'orphaned_sites',
        resourceId: row.tenantId,
        priority: PRIORITY.orphaned_sites,
        savingsCents: cents,
      });
  }
  return found;
}

/** Tenants whose allocated cost exceeds their revenue; the value is the monthly shortfall, not a saving. */
export function negativeMarginOpportunities(
  tenants: readonly { tenantId: string; totalCents: bigint; revenueCents: bigint }[],
): Opportunity[] {
  return tenants
    .filter((t) => t.totalCents > t.revenueCents)
    .map((t) => ({
      kind: 'negative_margin' as const,
      resourceId: t.tenantId,
      priority: PRIORITY.negative_margin,
      savingsCents: t.totalCents - t.revenueCents,
    }));
}
