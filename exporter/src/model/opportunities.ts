import type { Config } from '../config/schema';
import { Decimal, GIB, ZERO } from '../decimal';
import type { ServerRow } from '../sources';
import { NO_LOAD, type ServerLoad } from './run-rate';
import { isDeleted } from './calendar';
import { compareIds, sum, toCents } from './money';
import { isActive } from './capacity';

export type OpportunityKind = 'idle_server' | 'stopped_server' | 'underused_server' | 'negative_margin';

export interface Opportunity {
  kind: OpportunityKind;
  resourceId: string;
  priority: 'high' | 'medium' | 'low';
  /** cents per month */
  savingsCents: Decimal;
}

/** The priority of each kind is fixed, so the label never changes with the value. */
export const PRIORITY: Record<OpportunityKind, Opportunity['priority']> = {
  idle_server: 'high',
  negative_margin: 'high',
  stopped_server: 'medium',
  underused_server: 'low',
};

interface ServerFacts {
  server: ServerRow;
  costCents: Decimal;
  sites: Decimal;
  storage: Decimal;
}

/**
 * Server opportunities; savings are the server's monthly cost, which disappears if acted on:
 * - idle_server: a shared server (no tenant) that hosts no site and is not stopped, decommissioned or
 *   still provisioning (a new server has no sites yet);
 * - stopped_server: a stopped server that still costs something (stopped_factor > 0);
 * - underused_server: an active shared server whose storage use and site use are both below
 *   `underused_ratio`, and whose sites fit in the headroom of the other active shared servers.
 *   Candidates are taken emptiest first; each one accepted leaves the pool, so the headroom is
 *   never counted twice.
 */
export function serverOpportunities(
  servers: readonly ServerRow[],
  loads: ReadonlyMap<string, ServerLoad>,
  monthlyCost: (server: ServerRow) => Decimal,
  config: Config,
  now: Date,
): Opportunity[] {
  const facts: ServerFacts[] = servers
    .filter((s) => !isDeleted(s.deletedAt, now))
    .map((server) => {
      const load = loads.get(server.serverId) ?? NO_LOAD;
      return { server, costCents: toCents(monthlyCost(server)), sites: load.sites, storage: load.storage };
    });
  const found: Opportunity[] = [];
  const add = (kind: OpportunityKind, f: ServerFacts) => {
    if (f.costCents.gt(0)) {
      found.push({
        kind,
        resourceId: f.server.serverId,
        priority: PRIORITY[kind],
        savingsCents: f.costCents,
      });
    }
  };
  for (const f of facts) {
    if (f.server.status === 'stopped') add('stopped_server', f);
    else if (
      !['decommissioned', 'provisioning'].includes(f.server.status) &&
      f.server.tenantId === null &&
      f.sites.isZero() &&
      f.storage.isZero()
    ) {
      add('idle_server', f);
    }
  }

  // receivers: active shared servers that host something (idle ones are proposed for removal)
  const pool = facts.filter(
    (f) => f.server.tenantId === null && isActive(f.server, now) && (f.sites.gt(0) || f.storage.gt(0)),
  );
  const disk = (f: ServerFacts) => f.server.diskGb.times(GIB);
  let storageHeadroom = sum(pool.map((f) => Decimal.max(ZERO, disk(f).minus(f.storage))));
  const accepted = new Set<ServerFacts>();
  let siteHeadroom = sum(pool.map((f) => Decimal.max(ZERO, (f.server.maxSites ?? ZERO).minus(f.sites))));
  const threshold = new Decimal(config.opportunities.underused_ratio);
  const use = (f: ServerFacts) => (disk(f).isZero() ? new Decimal(1) : f.storage.dividedBy(disk(f)));
  const candidates = pool
    .filter((f) => f.sites.gt(0) && use(f).lt(threshold))
    .filter(
      (f) =>
        f.server.maxSites === null ||
        (f.server.maxSites.gt(0) && f.sites.dividedBy(f.server.maxSites).lt(threshold)),
    )
    .sort((a, b) => use(a).comparedTo(use(b)) || compareIds(a.server.serverId, b.server.serverId));
  for (const f of candidates) {
    // the candidate's own free space leaves the pool with it
    const restStorage = storageHeadroom.minus(Decimal.max(ZERO, disk(f).minus(f.storage)));
    const restSites = siteHeadroom.minus(Decimal.max(ZERO, (f.server.maxSites ?? ZERO).minus(f.sites)));
    const othersUnlimited = pool.some((o) => o !== f && !accepted.has(o) && o.server.maxSites === null);
    const fitsSites = othersUnlimited || f.sites.lte(restSites);
    if (f.storage.lte(restStorage) && fitsSites) {
      storageHeadroom = restStorage.minus(f.storage);
      siteHeadroom = Decimal.max(ZERO, restSites.minus(f.sites));
      accepted.add(f);
      add('underused_server', f);
    }
  }
  return found;
}

/** Tenants whose allocated cost exceeds their revenue; the value is the monthly shortfall, not a saving. */
export function negativeMarginOpportunities(
  tenants: readonly { tenantId: string; totalCents: Decimal; revenueCents: Decimal }[],
): Opportunity[] {
  return tenants
    .filter((t) => t.totalCents.gt(t.revenueCents))
    .map((t) => ({
      kind: 'negative_margin' as const,
      resourceId: t.tenantId,
      priority: PRIORITY.negative_margin,
      savingsCents: t.totalCents.minus(t.revenueCents),
    }));
}
