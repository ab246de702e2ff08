import { boundedSiteGroups, plausibleGroupStorage } from './sites';
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
  sql: `SELECT b.server_id, b.tenant_id, b.sites, ${plausibleGroupStorage} AS storage_used_bytes
FROM (${boundedSiteGroups('vps_id IS NOT NULL AND ', 'vps_id, team_id')}) b`,
  columns: ['server_id', 'tenant_id', 'sites', 'storage_used_bytes'],
  parse: rowGuard<ServerSitesRow>({
    serverId: (r) => id(r.server_id),
    tenantId: (r) => id(r.tenant_id),
    sites: (r) => integer(r.sites),
    storageUsedBytes: (r) => integer(r.storage_used_bytes),
  }),
};
