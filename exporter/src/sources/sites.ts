import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { compareIds } from '../model/money';
import { id, integer, optionalId, rejectedRows } from './values';

export interface TenantSitesRow {
  tenantId: string;
  sites: bigint;
  /** Σ storage of the tenant's sites whose storage is plausible */
  storageUsedBytes: bigint;
  /** sites whose storage_used_bytes failed a plausibility bound (left out of storageUsedBytes) */
  rejected?: RejectedRow[];
}

/**
 * Existing sites grouped by (tenant, server), with the largest site of each group: `where` narrows
 * the sites read, `groupBy` orders the grouping columns (by server first when the sites are read in
 * vps_id index order).
 */
export const siteGroups = (
  where = '',
  groupBy = 'team_id, vps_id',
) => `SELECT team_id AS tenant_id, vps_id AS server_id, COUNT(*) AS sites,
    SUM(storage_used_bytes) AS storage_used_bytes, MAX(storage_used_bytes) AS largest
  FROM sites
  WHERE ${where}(deleted_at IS NULL OR deleted_at > :now)
  GROUP BY ${groupBy}`;

/**
 * The largest believable storage of one site on server `v` (plausibility/checks.ts,
 * siteStorageRejection): 2^53 bytes, and at most its disk × storage_over_disk_factor when the disk
 * size is itself plausible and not 0. The disk is widened to DECIMAL so that no bound overflows.
 */
export const SITE_STORAGE_BOUND = `IF(v.disk_gb > 0 AND v.disk_gb <= :max_disk_gb,
      LEAST(:max_site_storage_bytes, CAST(v.disk_gb AS DECIMAL(40, 0)) * 1073741824 * :storage_over_disk_factor),
      :max_site_storage_bytes)`;

/**
 * The groups of siteGroups() with the bound of their server. Only a group whose largest site is past
 * its bound is read again site by site (a correlated subquery on the group's rows), so that the bound
 * costs one join per group, not one per site.
 */
export const boundedSiteGroups = (where = '', groupBy?: string) => `SELECT g.*, ${SITE_STORAGE_BOUND} AS bound
  FROM (${siteGroups(where, groupBy)}) g LEFT JOIN vps_servers v ON v.id = g.server_id`;

/** The rows of group `b` (a row of boundedSiteGroups) whose storage is `condition` its bound. */
export const sitesOfGroup = (condition: string) => `FROM sites s
      WHERE s.team_id = b.tenant_id AND s.vps_id <=> b.server_id
        AND (s.deleted_at IS NULL OR s.deleted_at > :now) AND s.storage_used_bytes ${condition} b.bound`;

/** Σ of the plausible storage of group `b`. */
export const plausibleGroupStorage = `IF(b.largest <= b.bound, b.storage_used_bytes,
      (SELECT COALESCE(SUM(s.storage_used_bytes), 0) ${sitesOfGroup('<=')}))`;

/** The rejected sites of group `b` as 'id:reason,…' (NULL when its largest site is within the bound). */
const rejectedOfGroup = `IF(b.largest <= b.bound, NULL,
      (SELECT GROUP_CONCAT(CONCAT(s.id, ':',
          IF(s.storage_used_bytes > :max_site_storage_bytes, 'storage_above_limit', 'storage_above_disk')))
        ${sitesOfGroup('>')}))`;

/**
 * Existing sites per (tenant, server; NULL: not placed): count, plausible storage and the rejected
 * sites of each group. The `sites` source sums it per tenant. When neither `sites` nor `server_sites`
 * is overridden, the reader runs this once and derives both sources' rows from it (sumSiteGroups and
 * the groups that have a server), so the sites table is scanned once per collection instead of twice.
 */
export const SITE_GROUPS_SQL = `SELECT b.tenant_id, b.server_id, b.sites, ${plausibleGroupStorage} AS storage_used_bytes,
    ${rejectedOfGroup} AS rejected
  FROM (${boundedSiteGroups()}) b`;

/** A 64-bit hash of a row's columns (text of each, NULL marked): MD5's first 16 hex digits. */
const rowHash = (columns: string[]) =>
  `CAST(CONV(LEFT(MD5(CONCAT_WS(',', ${columns.map((c) => `IFNULL(${c}, '-')`).join(', ')})), 16), 16, 10) AS UNSIGNED)`;

/**
 * A fingerprint of everything SITE_GROUPS_SQL reads: each site row's hash, XORed over the rows (no
 * order or grouping needed; unlike a sum or a CRC, which are linear, two sites swapping servers
 * changes it), how many sites there are and how many exist at :now (a scheduled deletion passing),
 * and the servers' disks (the storage bounds). Equal fingerprints mean equal groups, but for a
 * 64-bit collision; a full read comes at least every collection.full_read_interval_seconds anyway.
 * It reads each site once, without the grouping's temporary table: about 1 s instead of 8 s for the
 * grouped read on the large scale.
 */
export const SITE_FINGERPRINT_SQL = `SELECT COUNT(*) AS sites,
    SUM(deleted_at IS NULL OR deleted_at > :now) AS existing,
    BIT_XOR(${rowHash(['id', 'team_id', 'vps_id', 'storage_used_bytes', 'deleted_at'])}) AS sites_hash,
    (SELECT BIT_XOR(${rowHash(['id', 'disk_gb'])}) FROM vps_servers) AS servers_hash
  FROM sites`;

export const SITE_FINGERPRINT_COLUMNS = ['sites', 'existing', 'sites_hash', 'servers_hash'] as const;

/** One row of SITE_GROUPS_SQL. */
export interface SiteGroupRow {
  tenantId: string;
  serverId: string | null;
  sites: bigint;
  storageUsedBytes: bigint;
  rejected: RejectedRow[];
}

export const SITE_GROUP_COLUMNS = ['tenant_id', 'server_id', 'sites', 'storage_used_bytes'] as const;

export const parseSiteGroup = rowGuard<SiteGroupRow>({
  tenantId: (r) => id(r.tenant_id),
  serverId: (r) => optionalId(r.server_id),
  sites: (r) => integer(r.sites),
  storageUsedBytes: (r) => integer(r.storage_used_bytes),
  rejected: (r) => rejectedRows(r.rejected),
});

/**
 * Sums (tenant, server) groups per tenant as they stream in; `rows()` gives the `sites` rows, in
 * tenant ID order, as the source's SQL sums them.
 */
export function siteGroupSums(): { add(group: SiteGroupRow): void; rows(): TenantSitesRow[] } {
  const tenants = new Map<string, TenantSitesRow & { rejected: RejectedRow[] }>();
  return {
    add(g) {
      const t = tenants.get(g.tenantId);
      if (!t) tenants.set(g.tenantId, { ...g });
      else {
        t.sites += g.sites;
        t.storageUsedBytes += g.storageUsedBytes;
        // a new array only when there is something to add (the group's own may be shared)
        if (g.rejected.length > 0) t.rejected = [...t.rejected, ...g.rejected];
      }
    },
    rows: () =>
      [...tenants.values()]
        .map(({ tenantId, sites, storageUsedBytes, rejected }) => ({
          tenantId,
          sites,
          storageUsedBytes,
          rejected,
        }))
        .sort((a, b) => compareIds(a.tenantId, b.tenantId)),
  };
}

/** Existing sites per tenant: count and plausible storage (placed on a server or not), and the rejected. */
export const sitesSource: SourceDefinition<TenantSitesRow> = {
  name: 'sites',
  sql: `SELECT c.tenant_id, SUM(c.sites) AS sites, SUM(c.storage_used_bytes) AS storage_used_bytes,
  GROUP_CONCAT(c.rejected) AS rejected
FROM (${SITE_GROUPS_SQL}) c
GROUP BY c.tenant_id`,
  columns: ['tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<TenantSitesRow>({
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => integer(r.sites),
    storageUsedBytes: (r) => integer(r.storage_used_bytes),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
