import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { id, quantity } from './values';

export interface TenantSitesRow {
  tenantId: string;
  sites: Decimal;
  storageUsedBytes: Decimal;
}

/** Existing sites per tenant: count and storage (placed on a server or not). */
export const sitesSource: SourceDefinition<TenantSitesRow> = {
  name: 'sites',
  sql: `SELECT team_id AS tenant_id, COUNT(*) AS sites, SUM(storage_used_bytes) AS storage_used_bytes
FROM sites
WHERE deleted_at IS NULL OR deleted_at > :now
GROUP BY team_id`,
  columns: ['tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<TenantSitesRow>({
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => quantity(r.sites),
    storageUsedBytes: (r) => quantity(r.storage_used_bytes),
  }),
};
