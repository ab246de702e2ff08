import {
  MAX_SITE_STORAGE_BYTES,
  revenueRejection,
  type PlausibilityBounds,
  type Rejection,
} from '../plausibility';
import { MONEY_DECIMALS, GIB_BYTES, type Money } from './money';
import { checkServers, type ServerChecks } from './server-checks';
import type { UsageSnapshot } from './snapshot';

/** A money amount back as an exact decimal, to compare with a bound. */
const asDecimal = (amount: Money) => ({ digits: amount / GIB_BYTES, scale: MONEY_DECIMALS });

/**
 * The snapshot with every implausible value left out, and why. The default source queries already
 * leave implausible site storage and subscription amounts out of their sums (and list the rows);
 * this is the backstop for source overrides that return aggregates without those checks: a tenant's
 * revenue above max_monthly_revenue, or storage above 2^53 bytes per site, is set to 0 and reported
 * under the tenant's ID. Servers' disk_gb and max_sites are checked here (see server-checks.ts).
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

  const subscriptions = snapshot.subscriptions.map((row) => {
    const reason = revenueRejection(asDecimal(row.revenueMonthly), bounds);
    if (!reason) return row;
    rejections.push({ source: 'subscriptions', reason, id: row.tenantId });
    return { ...row, revenueMonthly: 0n };
  });
  const sites = snapshot.sites.map((row) => {
    if (plausibleStorage(row.storageUsedBytes, row.sites)) return row;
    rejections.push({ source: 'sites', reason: 'storage_above_limit', id: row.tenantId });
    return { ...row, storageUsedBytes: 0n };
  });
  const serverSites = snapshot.server_sites.every((row) => plausibleStorage(row.storageUsedBytes, row.sites))
    ? snapshot.server_sites
    : snapshot.server_sites.map((row) =>
        plausibleStorage(row.storageUsedBytes, row.sites) ? row : { ...row, storageUsedBytes: 0n },
      );
  return {
    snapshot: { ...snapshot, subscriptions, sites, server_sites: serverSites },
    serverChecks: servers.checks,
    rejections,
  };
}
