import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { id, integer, rejectedRows } from './values';

export interface TenantSitesRow {
  tenantId: string;
  sites: bigint;
  /** Σ storage of the tenant's sites whose storage is plausible */
  storageUsedBytes: bigint;
  /** sites whose storage_used_bytes failed a plausibility bound (left out of storageUsedBytes) */
  rejected?: RejectedRow[];
}

/**
 * Why a site's storage_used_bytes is not believed (plausibility/checks.ts, siteStorageRejection),
 * as SQL over `sites s LEFT JOIN vps_servers v ON v.id = s.vps_id`: NULL when it is plausible. The
 * disk is widened to DECIMAL so that no bound overflows BIGINT.
 */
export const SITE_STORAGE_REJECTION = `CASE
    WHEN s.storage_used_bytes > :max_site_storage_bytes THEN 'storage_above_limit'
    WHEN v.disk_gb > 0 AND v.disk_gb <= :max_disk_gb
      AND s.storage_used_bytes > CAST(v.disk_gb AS DECIMAL(40, 0)) * 1073741824 * :storage_over_disk_factor
      THEN 'storage_above_disk'
  END`;

/** Existing sites per tenant: count and plausible storage (placed on a server or not), and the rejected. */
export const sitesSource: SourceDefinition<TenantSitesRow> = {
  name: 'sites',
  sql: `SELECT r.tenant_id, COUNT(*) AS sites,
  SUM(IF(r.rejection IS NULL, r.storage_used_bytes, 0)) AS storage_used_bytes,
  GROUP_CONCAT(CONCAT(r.id, ':', r.rejection)) AS rejected
FROM (
  SELECT s.id, s.team_id AS tenant_id, s.storage_used_bytes, ${SITE_STORAGE_REJECTION} AS rejection
  FROM sites s LEFT JOIN vps_servers v ON v.id = s.vps_id
  WHERE s.deleted_at IS NULL OR s.deleted_at > :now
) r
GROUP BY r.tenant_id`,
  columns: ['tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<TenantSitesRow>({
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => integer(r.sites),
    storageUsedBytes: (r) => integer(r.storage_used_bytes),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
