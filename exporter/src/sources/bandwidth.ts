import type { Decimal } from '../decimal';
import { rowGuard, type SourceDefinition } from './source';
import { optionalId, utcDay, wholeAmount } from './values';

/** Traffic of one tenant over the window, as the cost model reads it (derived from the day tables). */
export interface BandwidthRow {
  /** null: traffic of sites that no longer exist in the sites table */
  tenantId: string | null;
  egress30d: Decimal;
  ingress30d: Decimal;
  egressMonthToDate: Decimal;
}

/** Traffic of one tenant on one UTC day: what the bandwidth query returns. */
export interface BandwidthDayRow {
  day: string;
  tenantId: string | null;
  bytesOut: number | bigint;
  bytesIn: number | bigint;
}

/**
 * Traffic per UTC day and tenant over the days of one read (`:from_day` … `:to_day`). Traffic of
 * deleted sites still counts for their tenant; sites missing from the sites table give tenant NULL.
 * ORDER BY NULL: MariaDB would otherwise sort the groups, which nobody needs.
 */
export const bandwidthSource: SourceDefinition<BandwidthDayRow> = {
  name: 'bandwidth',
  sql: `SELECT b.day, s.team_id AS tenant_id, SUM(b.bytes_out) AS bytes_out, SUM(b.bytes_in) AS bytes_in
FROM site_bandwidth_daily b
LEFT JOIN sites s ON s.id = b.site_id
WHERE b.day >= :from_day AND b.day <= :to_day
GROUP BY b.day, s.team_id
ORDER BY NULL`,
  columns: ['day', 'tenant_id', 'bytes_out', 'bytes_in'],
  parse: rowGuard<BandwidthDayRow>({
    day: (r) => utcDay(r.day),
    tenantId: (r) => optionalId(r.tenant_id),
    bytesOut: (r) => wholeAmount(r.bytes_out),
    bytesIn: (r) => wholeAmount(r.bytes_in),
  }),
};
