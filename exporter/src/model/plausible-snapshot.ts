import {
  MAX_SITE_STORAGE_BYTES,
  revenueRejection,
  type PlausibilityBounds,
  type Rejection,
} from '../plausibility';
import { GIB_BYTES, money, MONEY_DECIMALS, type Money } from './money';
import { checkServers, type ServerChecks } from './server-checks';
import type { UsageSnapshot } from './snapshot';

/** A money amount back as an exact decimal, to compare with a bound. */
const asDecimal = (amount: Money) => ({ digits: amount / GIB_BYTES, scale: MONEY_DECIMALS });

/**
 * revenueRejection on money units. With a bound of at most 30 decimals (the money unit's), an amount
 * is above it when, truncated to 30 decimals, it is at least one 30th decimal above: one comparison
 * of integers instead of an exact decimal comparison per row.
 */
function revenueCheck(bounds: PlausibilityBounds): (amount: Money) => Rejection['reason'] | null {
  if (bounds.maxMonthlyRevenue.scale > MONEY_DECIMALS)
    return (amount) => revenueRejection(asDecimal(amount), bounds);
  const limit = money(bounds.maxMonthlyRevenue) + GIB_BYTES;
  return (amount) => (amount >= limit ? 'revenue_above_limit' : null);
}

/**
 * The snapshot with every implausible value left out, and why. The default source queries already
 * leave implausible site storage and subscription amounts out of their sums (and list the rows);
 * this is the backstop for source overrides that return aggregates without those checks: a tenant's
 * revenue above max_monthly_revenue, or storage above 2^53 bytes per site, is set to 0 and reported
 * under the tenant's ID. Servers' disk_gb and max_sites are checked here (see server-checks.ts), the
 * storage of (server, tenant) rows where they are read (hosting.ts).
 */
export function plausibleSnapshot(
  snapshot: UsageSnapshot,
  bounds: PlausibilityBounds,
): { snapshot: UsageSnapshot; serverChecks: ServerChecks; rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  const servers = checkServers(snapshot.servers, bounds);
  rejections.push(...servers.rejections);
  const plausibleStorage = (bytes: bigint, sites: bigint) =>
    bytes <= MAX_SITE_STORAGE_BYTES || bytes <= sites * MAX_SITE_STORAGE_BYTES;

  const revenueRejected = revenueCheck(bounds);
  const subscriptions = snapshot.subscriptions.map((row) => {
    const reason = revenueRejected(row.revenueMonthly);
    if (!reason) return row;
    rejections.push({ source: 'subscriptions', reason, id: row.tenantId });
    return { ...row, revenueMonthly: 0n };
  });
  const sites = snapshot.sites.map((row) => {
    if (plausibleStorage(row.storageUsedBytes, row.sites)) return row;
    rejections.push({ source: 'sites', reason: 'storage_above_limit', id: row.tenantId });
    return { ...row, storageUsedBytes: 0n };
  });
  return {
    snapshot: { ...snapshot, subscriptions, sites },
    serverChecks: servers.checks,
    rejections,
  };
}
