import type { Config } from '../config/schema';
import { exactDecimal, type ExactDecimal } from '../decimal';

/**
 * The bounds a source value must stay within to be believed, from the config and the schema. Values
 * past them are not usage but accidents: a −1 written into a BIGINT UNSIGNED column reads as 2^64−1,
 * a DECIMAL(12,2) filled with 9s reads as 999,999,999.99.
 */
export interface PlausibilityBounds {
  /** 2^53 bytes (8 PiB): no single site stores more; above it a BIGINT UNSIGNED holds a wrapped value */
  maxSiteStorageBytes: bigint;
  /** a site may use at most this times its server's disk (thin provisioning, stale measurements) */
  storageOverDiskFactor: ExactDecimal;
  /** bytes a link of `link_speed_gbps` moves in one day, in one direction */
  maxSiteDayBytes: bigint;
  /** the largest believable monthly amount of one subscription */
  maxMonthlyRevenue: ExactDecimal;
  maxDiskGb: bigint;
  maxSitesPerServer: bigint;
  maxEmailsPerTenantDay: bigint;
}

export const MAX_SITE_STORAGE_BYTES = 2n ** 53n;
export const SECONDS_PER_DAY = 86_400n;

/** Bytes per day at `gbps` gigabits per second (10^9 bits), rounded down. */
export function bytesPerDay(gbps: number): bigint {
  const speed = exactDecimal(gbps);
  return (speed.digits * 1_000_000_000n * SECONDS_PER_DAY) / (8n * 10n ** BigInt(speed.scale));
}

export function plausibilityBounds(config: Pick<Config, 'plausibility'>): PlausibilityBounds {
  const p = config.plausibility;
  return {
    maxSiteStorageBytes: MAX_SITE_STORAGE_BYTES,
    storageOverDiskFactor: exactDecimal(p.storage_over_disk_factor),
    maxSiteDayBytes: bytesPerDay(p.link_speed_gbps),
    maxMonthlyRevenue: exactDecimal(p.max_monthly_revenue),
    maxDiskGb: BigInt(p.max_disk_gb),
    maxSitesPerServer: BigInt(p.max_sites_per_server),
    maxEmailsPerTenantDay: BigInt(p.max_emails_per_tenant_day),
  };
}

/**
 * The bounds as named SQL parameters (`:max_site_storage_bytes`, …), for the source queries that
 * aggregate in the database and must leave implausible rows out of their sums.
 */
export interface PlausibilityParams {
  max_site_storage_bytes: string;
  storage_over_disk_factor: string;
  max_site_day_bytes: string;
  max_monthly_revenue: string;
  max_disk_gb: string;
  max_sites_per_server: string;
  max_emails_per_tenant_day: string;
}

const decimalText = ({ digits, scale }: ExactDecimal): string => {
  if (scale === 0) return digits.toString();
  const text = digits.toString().padStart(scale + 1, '0');
  return `${text.slice(0, -scale)}.${text.slice(-scale)}`;
};

export function plausibilityParams(bounds: PlausibilityBounds): PlausibilityParams {
  return {
    max_site_storage_bytes: bounds.maxSiteStorageBytes.toString(),
    storage_over_disk_factor: decimalText(bounds.storageOverDiskFactor),
    max_site_day_bytes: bounds.maxSiteDayBytes.toString(),
    max_monthly_revenue: decimalText(bounds.maxMonthlyRevenue),
    max_disk_gb: bounds.maxDiskGb.toString(),
    max_sites_per_server: bounds.maxSitesPerServer.toString(),
    max_emails_per_tenant_day: bounds.maxEmailsPerTenantDay.toString(),
  };
}
