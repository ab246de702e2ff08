import { compareExact, type ExactDecimal } from '../decimal';
import type { PlausibilityBounds } from './bounds';

/**
 * Why a value was not believed; the `reason` label of chom_exporter_rejected_rows. `unreadable`: the
 * row could not be read at all (not a number, negative, an unparsable ID).
 */
export const REJECTION_REASONS = [
  'storage_above_limit',
  'storage_above_disk',
  'traffic_above_link_speed',
  'revenue_above_limit',
  'disk_above_limit',
  'max_sites_above_limit',
  'emails_above_limit',
  'negative',
  'unreadable',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

const GIB = 2n ** 30n;

/**
 * A site's storage: above 2^53 bytes, or above its server's disk × storage_over_disk_factor (when the
 * site is placed on a server whose disk size is itself plausible and not 0).
 */
export function siteStorageRejection(
  bytes: bigint,
  serverDiskGb: bigint | null,
  bounds: PlausibilityBounds,
): RejectionReason | null {
  if (bytes > bounds.maxSiteStorageBytes) return 'storage_above_limit';
  if (serverDiskGb !== null && serverDiskGb > 0n && diskRejection(serverDiskGb, bounds) === null) {
    const { digits, scale } = bounds.storageOverDiskFactor;
    if (bytes * 10n ** BigInt(scale) > serverDiskGb * GIB * digits) return 'storage_above_disk';
  }
  return null;
}

/** One site-day of traffic (either direction) above what the link moves in a day (compared exactly). */
export function siteDayTrafficRejection(
  bytesIn: bigint | number,
  bytesOut: bigint | number,
  bounds: PlausibilityBounds,
): RejectionReason | null {
  return bytesIn > bounds.maxSiteDayBytes || bytesOut > bounds.maxSiteDayBytes
    ? 'traffic_above_link_speed'
    : null;
}

/** One subscription's monthly amount above max_monthly_revenue. */
export function revenueRejection(amount: ExactDecimal, bounds: PlausibilityBounds): RejectionReason | null {
  return compareExact(amount, bounds.maxMonthlyRevenue) > 0 ? 'revenue_above_limit' : null;
}

/** A server's disk_gb above max_disk_gb. */
export function diskRejection(diskGb: bigint, bounds: PlausibilityBounds): RejectionReason | null {
  return diskGb > bounds.maxDiskGb ? 'disk_above_limit' : null;
}

/** A server's max_sites above max_sites_per_server. */
export function maxSitesRejection(maxSites: bigint, bounds: PlausibilityBounds): RejectionReason | null {
  return maxSites > bounds.maxSitesPerServer ? 'max_sites_above_limit' : null;
}

/** Messages of one tenant on one day above max_emails_per_tenant_day. */
export function emailCountRejection(count: bigint, bounds: PlausibilityBounds): RejectionReason | null {
  return count > bounds.maxEmailsPerTenantDay ? 'emails_above_limit' : null;
}
