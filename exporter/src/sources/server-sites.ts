import { SITE_STORAGE_REJECTION } from './sites';
import { rowGuard, type SourceDefinition } from './source';
import { id, integer } from './values';

export interface ServerSitesRow {
  serverId: string;
  tenantId: string;
  sites: bigint;
  /** Σ plausible storage (the rejected sites are listed by the sites source) */
  storageUsedBytes: bigint;
}

/** Existing placed sites per (server, tenant): what each tenant holds on each server. */
export const serverSitesSource: SourceDefinition<ServerSitesRow> = {
  name: 'server_sites',
  sql: `SELECT s.vps_id AS server_id, s.team_id AS tenant_id, COUNT(*) AS sites,
  SUM(IF(${SITE_STORAGE_REJECTION} IS NULL, s.storage_used_bytes, 0)) AS storage_used_bytes
FROM sites s LEFT JOIN vps_servers v ON v.id = s.vps_id
WHERE s.vps_id IS NOT NULL AND (s.deleted_at IS NULL OR s.deleted_at > :now)
GROUP BY s.vps_id, s.team_id`,
  columns: ['server_id', 'tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<ServerSitesRow>({
    serverId: (r) => id(r.server_id),
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => integer(r.sites),
    storageUsedBytes: (r) => integer(r.storage_used_bytes),
  }),
};
