import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { id, quantity } from './values';

export interface ServerSitesRow {
  serverId: string;
  tenantId: string;
  sites: Decimal;
  storageUsedBytes: Decimal;
}

/** Existing placed sites per (server, tenant): what each tenant holds on each server. */
export const serverSitesSource: SourceDefinition<ServerSitesRow> = {
  name: 'server_sites',
  sql: `SELECT vps_id AS server_id, team_id AS tenant_id, COUNT(*) AS sites, SUM(storage_used_bytes) AS storage_used_bytes
FROM sites
WHERE vps_id IS NOT NULL AND (deleted_at IS NULL OR deleted_at > :now)
GROUP BY vps_id, team_id`,
  columns: ['server_id', 'tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<ServerSitesRow>({
    serverId: (r) => id(r.server_id),
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => quantity(r.sites),
    storageUsedBytes: (r) => quantity(r.storage_used_bytes),
  }),
};
