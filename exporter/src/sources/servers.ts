import { rowGuard, type SourceDefinition } from './source';
import { id, integer, optionalId, optionalInteger, text, timestamp } from './values';

export interface ServerRow {
  serverId: string;
  /** set: dedicated to this tenant; null: shared */
  tenantId: string | null;
  provider: string;
  size: string;
  diskGb: bigint;
  /** null: no site limit */
  maxSites: bigint | null;
  status: string;
  createdAt: Date | null;
  deletedAt: Date | null;
}

/**
 * Servers that exist now or existed this month (a server deleted on the 10th still accrued cost
 * until then).
 */
export const serversSource: SourceDefinition<ServerRow> = {
  name: 'servers',
  sql: `SELECT id AS server_id, team_id AS tenant_id, provider, size, disk_gb, max_sites, status, created_at, deleted_at
FROM vps_servers
WHERE deleted_at IS NULL OR deleted_at >= :month_start_ts`,
  columns: [
    'server_id',
    'tenant_id',
    'provider',
    'size',
    'disk_gb',
    'max_sites',
    'status',
    'created_at',
    'deleted_at',
  ],
  parse: rowGuard<ServerRow>({
    serverId: (r) => id(r.server_id),
    tenantId: (r) => optionalId(r.tenant_id),
    provider: (r) => text(r.provider),
    size: (r) => text(r.size),
    diskGb: (r) => integer(r.disk_gb),
    maxSites: (r) => optionalInteger(r.max_sites),
    status: (r) => text(r.status).toLowerCase(),
    createdAt: (r) => timestamp(r.created_at),
    deletedAt: (r) => timestamp(r.deleted_at),
  }),
};
