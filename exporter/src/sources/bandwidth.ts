import type { RejectedRow } from '../plausibility/rejections';
import { rowGuard, type SourceDefinition } from './source';
import { optionalId, rejectedRows, utcDay, wholeAmount } from './values';

/** Traffic of one tenant over the window, as the cost model reads it (derived from the day tables). */
export interface BandwidthRow {
  /** null: traffic of sites that no longer exist in the sites table */
  tenantId: string | null;
  egress30d: bigint;
  ingress30d: bigint;
  egressMonthToDate: bigint;
  /** site-days of the scan above what the link moves in a day (left out of the sums), as site ID@day */
  rejected?: RejectedRow[];
}

/** Traffic of one tenant on one UTC day: what the bandwidth query returns. */
export interface BandwidthDayRow {
  day: string;
  tenantId: string | null;
  bytesOut: number | bigint;
  bytesIn: number | bigint;
  rejected: RejectedRow[];
}

/**
 * Traffic per UTC day and tenant over the days of one read (`:from_day` … `:to_day`). Traffic of
 * deleted sites still counts for their tenant; sites missing from the sites table give tenant NULL.
 * A site-day with bytes_in or bytes_out above :max_site_day_bytes is left out and listed. ORDER BY
 * NULL: MariaDB would otherwise sort the groups, which nobody needs.
 */
export const bandwidthSource: SourceDefinition<BandwidthDayRow> = {
  name: 'bandwidth',
  sql: `SELECT b.day, s.team_id AS tenant_id,
  SUM(IF(b.ok, b.bytes_out, 0)) AS bytes_out, SUM(IF(b.ok, b.bytes_in, 0)) AS bytes_in,
  GROUP_CONCAT(IF(b.ok, NULL, CONCAT(b.site_id, '@', b.day, ':traffic_above_link_speed'))) AS rejected
FROM (
  SELECT site_id, day, bytes_in, bytes_out,
    bytes_in <= :max_site_day_bytes AND bytes_out <= :max_site_day_bytes AS ok
  FROM site_bandwidth_daily
  WHERE day >= :from_day AND day <= :to_day
) b
LEFT JOIN sites s ON s.id = b.site_id
GROUP BY b.day, s.team_id
ORDER BY NULL`,
  columns: ['day', 'tenant_id', 'bytes_out', 'bytes_in'],
  parse: rowGuard<BandwidthDayRow>({
    day: (r) => utcDay(r.day),
    tenantId: (r) => optionalId(r.tenant_id),
    bytesOut: (r) => wholeAmount(r.bytes_out),
    bytesIn: (r) => wholeAmount(r.bytes_in),
    rejected: (r) => rejectedRows(r.rejected),
  }),
};
